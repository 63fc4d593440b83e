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
HOOLI = Deal(id="hooli-acme", title="Hooli / Acme", acquirer="Hooli", target="Acme",
             aliases=("Acme Corp",))
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
    ("Le rachat de Globex par Acme deviendra effectif le vendredi 15 janvier.", "2021-01-15"),
    ("Acme and Globex expect to complete their merger on Saturday, January 16.",
     "2021-01-16"),
    ("Acme et Globex comptent boucler leur fusion le lundi 18 janvier 2021.", "2021-01-18"),
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
    text = "The parties plan to complete the sale of Globex to Acme on 26.02.2021."
    assert dues(text) == {("acme-globex", "2021-02-26", None)}


@pytest.mark.parametrize(("text", "due"), [
    ("L'offre d'Acme sur Globex sera clôturée le 12 février.", "2021-02-12"),
    ("The final settlement of Acme's tender offer for Globex is to take place on "
     "January 21, according to the exchange.", "2021-01-21"),
    ("Acme's offer for Globex closes on February 12 unless extended.", "2021-02-12"),
])
def test_the_end_of_an_offer_period_is_a_deadline(text: str, due: str) -> None:
    assert dues(text) == {("acme-globex", due, None)}


def test_a_drop_dead_date_inside_a_clause_about_something_else() -> None:
    text = ("Globex is suing Acme after it walked away from their merger. The judge fixed "
            "the trial for March 8, more than two weeks past the Feb. 20 \u201cdrop-dead\u201d "
            "date in the merger agreement.")
    assert ("acme-globex", "2021-02-20", None) in dues(text)


def test_a_moved_shareholders_meeting_that_decides_a_bid_replaces_the_old_day() -> None:
    text = ("Acme launched a hostile bid for Globex last month. Globex has rescheduled its "
            "annual shareholders' meeting, where Acme's nominees stand for the board, from "
            "12-January-2021 to 09-February-2021.")
    assert dues(text) == {("acme-globex", "2021-02-09", "2021-01-12")}


@pytest.mark.parametrize("text", [
    "Regulators stopped the clock on their review of Acme's purchase of Globex, so the "
    "earlier deadline of March 8 no longer holds.",
    "Le vote sur l'offre d'Acme pour Globex, initialement prévu le 8 mars, est reporté sine "
    "die.",
])
def test_a_date_the_text_calls_previous_is_not_the_next_one(text: str) -> None:
    assert dues(text) == set()


def test_a_date_about_something_else_after_the_deal_is_not_its_deadline() -> None:
    text = ("Acme dropped its bid for Globex on Monday. Acme still plans to move its head "
            "office to Texas, as the board confirmed. The move should be finished by April 3, "
            "the chairman told the hearing.")
    assert dues(text) == set()


def test_a_date_of_a_sentence_on_the_deal_is_its_deadline_without_naming_it() -> None:
    text = ("Brussels opened an in-depth probe into Acme's purchase of Globex. "
            "Le verdict est attendu d'ici au 21 mai.")
    assert dues(text) == {("acme-globex", "2021-05-21", None)}


def test_a_sentence_that_fits_two_deals_dates_the_one_the_article_names_whole() -> None:
    text = ("The regulator said Acme Corp and Globex had failed to ease its concerns about "
            "their now abandoned merger. Its deadline for the review of the Acme deal is "
            "February 15.")
    assert dues(text, ACME, HOOLI) == {("acme-globex", "2021-02-15", None)}


def test_a_day_told_as_done_is_not_a_deadline() -> None:
    text = "Acme said its purchase of Globex was completed on January 5, 2021."
    assert dues(text) == set()


def test_a_period_counts_from_the_article_date() -> None:
    text = ("Les services de l'Autorité ont rendu un rapport défavorable sur le rachat de "
            "Globex par Acme, qui entend répondre dans un délai de trois semaines.")
    assert dues(text, language="fr") == {("acme-globex", "2021-01-25", None)}


@pytest.mark.parametrize(("text", "due"), [
    ("Under takeover rules, Acme must announce a firm offer for Globex by 5 p.m. on Feb. 1.",
     "2021-02-01"),
    ("Acme doit déposer son offre sur Globex avant 18h le 3 février.", "2021-02-03"),
    ("Acme's tender offer for Globex will expire at one minute after 11:59 p.m. on "
     "February 10.", "2021-02-10"),
])
def test_a_time_of_day_between_cue_and_date_changes_nothing(text: str, due: str) -> None:
    assert dues(text) == {("acme-globex", due, None)}


@pytest.mark.parametrize(("text", "due"), [
    ("L'offre d'Acme sur Globex sera ouverte du 11 au 29 janvier inclus.", "2021-01-29"),
    ("Acme's offer for Globex runs from January 11 to February 5.", "2021-02-05"),
])
def test_the_last_day_of_an_offer_period_is_a_deadline(text: str, due: str) -> None:
    assert dues(text) == {("acme-globex", due, None)}


@pytest.mark.parametrize("text", [
    "Acme, which agreed to buy Globex last month, will report quarterly earnings on Feb. 5.",
    "Globex, which Acme agreed to buy, holds its annual shareholders' meeting on May 12.",
    "Acme, qui rachète Globex, publiera ses résultats annuels le 25 février.",
    "Acme will hold a conference call on Feb. 4 to discuss the Globex deal.",
])
def test_a_day_of_routine_business_is_not_a_deadline(text: str) -> None:
    assert dues(text) == set()


@pytest.mark.parametrize(("text", "due"), [
    ("The outside date under the merger agreement of Acme and Globex is Feb. 13, 2022.",
     "2022-02-13"),
    ("Acme's purchase of Globex is expected to close on or about March 15.", "2021-03-15"),
    ("The FTC's ruling on Acme's purchase of Globex is expected Feb. 26.", "2021-02-26"),
])
def test_a_bare_date_is_a_deadline_when_its_sentence_says_what_is_due(text: str,
                                                                      due: str) -> None:
    assert dues(text) == {("acme-globex", due, None)}
