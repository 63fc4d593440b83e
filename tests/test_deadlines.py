"""Deadlines: which dates of an article are days a deal must meet, and which are not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.model import DeadlineSet
from tracker.extract import Extractor
from tracker.extract.dates import DATE_RE, resolve
from tracker.extract.text import fold
from tracker.model import Article, Deal

ACME = Deal(id="acme-globex", title="Acme / Globex", acquirer="Acme", target="Globex",
            seller="Initech")
HOOLI = Deal(id="hooli-acme", title="Hooli / Acme", acquirer="Hooli", target="Acme")
PUBLISHED = "2021-01-04T10:00:00+00:00"


def dues(text: str, *deals: Deal, published: str = PUBLISHED,
         language: str | None = None) -> set[tuple[str, str, str | None]]:
    """(deal, due, replaces) of the deadlines read from `text`."""
    article = Article(feed="news", key="k", link="https://example.org/a", title="", text=text,
                      published=datetime.fromisoformat(published), language=language)
    events = Extractor(deals or (ACME,)).extract(article)
    return {(e.deal_id, e.due, e.replaces) for e in events if isinstance(e, DeadlineSet)}


@pytest.mark.parametrize("text", [
    "Acme agreed to buy Globex and expects the deal to close by the end of March.",
    "Acme a annoncé le rachat de Globex, qu'il espère boucler fin 2021.",
    "Acme will still work to close its purchase of Globex by mid-December.",
    "Acme veut finaliser le rachat de Globex avant la fin de l'année.",
    "Acme expects to complete its acquisition of Globex before the end of June 2021.",
    "Acme and Globex expect a decision on their merger next week.",
    "Acme vise la finalisation du rachat de Globex d'ici la fin du premier trimestre 2021.",
    "Le rachat de Globex par Acme devrait être bouclé début 2022.",
    "Acme expects its purchase of Globex to close in the second half of 2021.",
])
def test_vague_periods_are_not_deadlines(text: str) -> None:
    assert dues(text) == set()


@pytest.mark.parametrize(("text", "due"), [
    ("La fusion d'Acme et de Globex sera effective le samedi 16 janvier.", "2021-01-16"),
    ("Acme and Globex expect to complete their merger on Saturday, January 16.",
     "2021-01-16"),
    ("Acme et Globex prévoient de finaliser leur rapprochement le samedi 16 janvier 2021.",
     "2021-01-16"),
])
def test_a_day_after_its_weekday_is_read(text: str, due: str) -> None:
    assert dues(text) == {("acme-globex", due, None)}


@pytest.mark.parametrize(("written", "language", "due"), [
    ("29.01.2021", "en", "2021-01-29"),
    ("05-April-2021", "en", "2021-04-05"),
    ("le 1er février", "fr", "2021-02-01"),
    ("02/03/2021", "fr", "2021-03-02"),
    ("02/03/2021", "en", "2021-02-03"),
])
def test_days_are_read_in_every_usual_writing(written: str, language: str, due: str) -> None:
    match = DATE_RE.search(fold(written))
    assert match is not None
    published = datetime(2021, 1, 4, tzinfo=UTC)
    found = resolve(match, language=language, published=published, future=True)
    assert found is not None and found.isoformat() == due


def test_a_european_numeric_closing_date_is_a_deadline() -> None:
    text = "Acme and Initech now expect the sale of Globex to close on 29.01.2021."
    assert dues(text) == {("acme-globex", "2021-01-29", None)}


@pytest.mark.parametrize(("text", "due"), [
    ("L'offre d'Acme sur Globex, rouverte lundi, sera clôturée le 2 mars.", "2021-03-02"),
    ("The closing of Acme's tender offer for Globex will take place on January 7, 2021, "
     "the market regulator said.", "2021-01-07"),
    ("Acme's offer for Globex closes on February 12 unless extended.", "2021-02-12"),
])
def test_the_end_of_an_offer_period_is_a_deadline(text: str, due: str) -> None:
    assert dues(text) == {("acme-globex", due, None)}


def test_a_drop_dead_date_inside_a_clause_about_something_else() -> None:
    text = ("Acme is suing Globex after walking away from their merger. The judge set the "
            "trial for March 8, which falls after the Feb. 20 \u201cdrop-dead\u201d date "
            "for the deal to close.")
    assert ("acme-globex", "2021-02-20", None) in dues(text)


def test_a_moved_shareholders_meeting_that_decides_a_bid_replaces_the_old_day() -> None:
    text = ("Acme launched a hostile bid for Globex last month. Globex will postpone its "
            "shareholders' annual meeting from 12-January-2021 until 09-February-2021.")
    assert dues(text) == {("acme-globex", "2021-02-09", "2021-01-12")}


@pytest.mark.parametrize("text", [
    "Regulators paused their review of Acme's purchase of Globex. Their previous deadline "
    "for a decision was March 8.",
    "Le vote sur l'offre d'Acme pour Globex, initialement prévu le 8 mars, est reporté sine "
    "die.",
])
def test_a_date_the_text_calls_previous_is_not_the_next_one(text: str) -> None:
    assert dues(text) == set()


def test_a_date_about_something_else_after_the_deal_is_not_its_deadline() -> None:
    text = ("Acme dropped its bid for Globex on Monday. Acme still plans to move its head "
            "office to Texas, as the board confirmed. Last we heard, that was on track to "
            "be done by April 3.")
    assert dues(text) == set()


def test_a_date_of_a_sentence_on_the_deal_is_its_deadline_without_naming_it() -> None:
    text = ("Brussels opened an in-depth probe into Acme's purchase of Globex. "
            "Verdict d'ici au 21 mai.")
    assert dues(text) == {("acme-globex", "2021-05-21", None)}


def test_a_sentence_that_fits_two_deals_dates_the_one_the_article_names_whole() -> None:
    text = ("The regulator said Acme and Globex had not answered its concerns about their "
            "merger. Its deadline for the Acme review is February 15.")
    assert dues(text, ACME, HOOLI) == {("acme-globex", "2021-02-15", None)}


def test_a_day_told_as_done_is_not_a_deadline() -> None:
    text = "Acme said its purchase of Globex was completed on January 5, 2021."
    assert dues(text) == set()


def test_a_period_counts_from_the_article_date() -> None:
    text = ("Les services de l'Autorité ont rendu un rapport défavorable sur le rachat de "
            "Globex par Acme, qui entend répondre dans un délai de trois semaines.")
    assert dues(text, language="fr") == {("acme-globex", "2021-01-25", None)}
