"""Statements: who said each quotation, as journalists attribute them (French and English).

The deals and people are invented: Nordis buys Valmont (from Carrow), Microsoft buys
TikTok from ByteDance.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.model import StatementMade
from tracker.extract import Extractor
from tracker.model import Article, Deal

VALMONT = Deal(id="nordis-valmont", title="Nordis / Valmont", acquirer="Nordis",
               target="Valmont", seller="Carrow")
TIKTOK = Deal(id="microsoft-tiktok", title="Microsoft / TikTok", acquirer="Microsoft",
              target="TikTok", seller="ByteDance")


def statements(text: str, deal: Deal = VALMONT) -> list[StatementMade]:
    article = Article(feed="news", key="k1", link="https://example.org/a", title="",
                      text=text, published=datetime(2021, 3, 1, 10, tzinfo=UTC))
    return [e for e in Extractor([deal]).extract(article) if isinstance(e, StatementMade)]


def speakers(text: str, deal: Deal = VALMONT) -> set[tuple[str, str | None]]:
    return {(e.speaker, e.organization) for e in statements(text, deal)}


@pytest.mark.parametrize(("text", "party"), [
    ("Nordis a déposé une offre sur Valmont. « Cette offre est amicale et nous la "
     "maintenons », indique le groupe dans un communiqué.", "Nordis"),
    ("Valmont a rejeté l'offre de Nordis. « Cette offre sous-évalue largement notre "
     "entreprise », indique le groupe dans un communiqué.", "Valmont"),
    ("Valmont turned down the offer from Nordis. “The offer undervalues Valmont and its "
     "prospects,” the company said in a statement.", "Valmont"),
    ("Nordis a annoncé le rachat de Valmont. « Nous créons un leader européen de la "
     "chimie », écrit le géant de la chimie.", "Nordis"),
])
def test_a_party_named_by_description_is_the_subject_of_the_sentence_before(
        text: str, party: str) -> None:
    assert speakers(text) == {(party, None)}


def test_an_authority_named_by_description_is_the_one_the_sentence_before_names() -> None:
    text = ("BRUXELLES (Reuters) - La Commission européenne a autorisé le rachat de Valmont "
            "par Nordis. « Cette autorisation est subordonnée à la cession d'une usine », a "
            "précisé l'exécutif bruxellois dans un communiqué.")
    assert speakers(text) == {("Commission européenne", None)}


@pytest.mark.parametrize("text", [
    "Nordis agreed to buy Valmont. Paul Girard, chief executive of Nordis, met analysts on "
    "Monday.\n“We will move fast to integrate Valmont,” he said.",
    "Nordis a racheté Valmont. Sur la radio, lundi, Paul Girard a défendu l'opération.\n"
    "« Nous allons intégrer Valmont très vite », a-t-il affirmé.",
    "Paul Girard, ardent défenseur du rachat de Valmont par Nordis, s'est réjoui : « nous "
    "allons intégrer Valmont très vite », a-t-il expliqué.",
])
def test_a_pronoun_points_back_to_the_person_named_before(text: str) -> None:
    assert {speaker for speaker, _ in speakers(text)} == {"Paul Girard"}


def test_a_pronoun_with_nobody_named_before_gives_no_statement() -> None:
    text = "Nordis agreed to buy Valmont. “We will move fast to integrate Valmont,” he added."
    assert speakers(text) == set()


@pytest.mark.parametrize("text", [
    "Nordis is buying Valmont. Claire Morel, Valmont's chair, said the board would "
    "“support this combination with enthusiasm and conviction”.",
    "Nordis is buying Valmont. Claire Morel, Valmont's chair, described the bid as “a fair "
    "price for a great company like ours”.",
    "Nordis is buying Valmont. In a statement, Valmont chair Claire Morel said that the "
    "company would “work closely with Nordis on the integration”.",
])
def test_quotations_in_reported_speech_are_statements(text: str) -> None:
    assert speakers(text) == {("Claire Morel", "Valmont")}


@pytest.mark.parametrize(("text", "expected"), [
    ("Le rachat de Valmont par Nordis inquiète. Le ministre de l'Industrie, Claire Morel, a "
     "réagi : « Nous serons très attentifs à l'emploi chez Valmont ».",
     {("Claire Morel", "Industrie")}),
    ("Le rachat de Valmont par Nordis inquiète le gouvernement, qui a réagi par la voix de "
     "sa ministre de l'Industrie, Claire Morel : « Nous serons très attentifs à l'emploi ».",
     {("Claire Morel", "Industrie")}),
    ("Nordis is buying Valmont. “The board unanimously supports this combination,” said "
     "Claire Morel, Valmont's chair.", {("Claire Morel", "Valmont")}),
    ("Nordis agreed to buy Valmont. “We are delighted to welcome Valmont to the group,” "
     "said Paul Girard of Nordis.", {("Paul Girard", "Nordis")}),
])
def test_titles_and_appositions_give_the_person_and_the_organisation(
        text: str, expected: set[tuple[str, str | None]]) -> None:
    assert speakers(text) == expected


def test_a_name_and_title_after_the_quotation_need_no_verb() -> None:
    text = ("“The deal gives Nordis a leading position in Europe,” Paul Girard, chief "
            "executive of Nordis.\nNordis agreed to buy Valmont on Monday.")
    assert speakers(text) == {("Paul Girard", "Nordis")}


@pytest.mark.parametrize("text", [
    "Nordis agreed to buy Valmont for $4bn. 'We are delighted to welcome Valmont to the "
    "group,' said Paul Girard, chief executive of Nordis.",
    "Nordis agreed to buy Valmont for $4bn. “We are delighted to welcome Valmont to the "
    "group,\" said Paul Girard, chief executive of Nordis.",
    "Nordis a annoncé le rachat de Valmont pour 4 milliards d'euros.\"Nous sommes ravis "
    "d'accueillir Valmont\", a déclaré Paul Girard, PDG de Nordis.",
])
def test_single_mismatched_and_glued_quotation_marks_are_read(text: str) -> None:
    assert speakers(text) == {("Paul Girard", "Nordis")}


def test_a_quotation_left_open_runs_to_the_end_of_its_paragraph() -> None:
    text = ("Nordis completed its purchase of Valmont.\nPaul Girard, chief executive of "
            "Nordis, said: “We are committed to supporting Valmont and its people.")
    (statement,) = statements(text)
    assert statement.quote == "We are committed to supporting Valmont and its people."


def test_a_speaker_written_inside_a_quotation_left_open_is_read() -> None:
    text = ("L'Europe autorise le rachat de Valmont par Nordis. \"Grâce aux engagements de "
            "Nordis, la Commission a pu autoriser ce rachat, a déclaré Margit Olsen, "
            "commissaire à la concurrence. Les prix resteront bas.\"")
    (statement,) = statements(text)
    assert (statement.speaker, statement.quote) == (
        "Margit Olsen", "Grâce aux engagements de Nordis, la Commission a pu autoriser ce "
        "rachat")


@pytest.mark.parametrize("text", [
    "Nordis veut racheter Valmont. « Ce projet n'a aucun sens industriel pour notre pays », "
    "a déclaré une source proche du gouvernement.",
    "Nordis veut racheter Valmont. « Ce projet n'a aucun sens industriel pour notre pays », "
    "a confié un conseiller du ministre Jean Lenoir.",
    "Nordis is near a deal for Valmont. “Nordis will raise its offer for Valmont next "
    "week,” said a person familiar with the talks.",
])
def test_unnamed_sources_and_advisers_give_no_statement(text: str) -> None:
    assert speakers(text) == set()


def test_several_parties_speaking_at_once_give_no_statement_nor_what_follows() -> None:
    text = ("Nordis and Valmont agreed to merge. “Together we will lead the market for years,” "
            "the two companies said in a joint statement. “The combined group will be based "
            "in Lyon and listed in Paris.”")
    assert speakers(text) == set()


def test_a_person_named_twice_is_one_speaker_under_the_full_name() -> None:
    text = ("Rachat de Valmont : « un non clair et définitif », tranche Le Gall\n"
            "Le ministre de l'Industrie, Anne Le Gall, s'oppose au rachat de Valmont par "
            "Nordis. « Nous avons été prévoyants », estime Anne Le Gall.")
    assert {speaker for speaker, _ in speakers(text)} == {"Anne Le Gall"}


@pytest.mark.parametrize("text", [
    "Nordis et Valmont renoncent à leur fusion. Puisque « seuls des remèdes très lourds "
    "seraient acceptables pour l'Autorité », les parties ont conclu à l'abandon.",
    "Nordis dropped its bid for Valmont after pressure from France. Earlier that day, Anne "
    "Le Gall said: “Valmont is not for sale to anyone at any price.”",
])
def test_words_that_open_a_sentence_are_not_speakers(text: str) -> None:
    assert {speaker for speaker, _ in speakers(text)} <= {"Anne Le Gall"}


def test_a_party_speaking_of_its_results_is_no_statement_about_the_deal() -> None:
    text = ("Nordis completed its purchase of Valmont.\nNordis also reported results on "
            "Tuesday.\n“Our quarterly revenue grew by ten percent,” said Paul Girard, "
            "Nordis's chief executive.")
    assert speakers(text) == set()


def test_a_few_quoted_words_inside_the_writers_sentence_are_no_statement() -> None:
    text = "Nordis says its Valmont deal is 'temporarily on hold' pending a review."
    assert speakers(text) == set()


def test_the_sentence_before_ending_with_a_colon_names_the_speaker() -> None:
    text = ("La Commission a autorisé le rachat de Valmont par Nordis. Margit Olsen, "
            "commissaire à la concurrence, s'est exprimée via un communiqué :\n"
            "« Nous sommes en mesure d'autoriser cette concentration. »")
    assert {speaker for speaker, _ in speakers(text)} == {"Margit Olsen"}


@pytest.mark.parametrize(("text", "expected"), [
    ("Nordis made an offer for Valmont. “The board will review the offer carefully and in "
     "due course,” a Valmont spokeswoman said.", ("Valmont spokeswoman", "Valmont")),
    ("Nordis agreed to buy Valmont. “The price looks generous for a company of this size,” "
     "said an analyst at Barwell Securities.", ("analyst at Barwell Securities",
                                               "Barwell Securities")),
])
def test_a_spokesperson_or_an_analyst_speaks_for_their_firm(
        text: str, expected: tuple[str, str]) -> None:
    assert speakers(text) == {expected}


@pytest.mark.parametrize("text", [
    "Nordis a déposé une offre sur Valmont. « Aucune décision n'a été prise », a toutefois "
    "précisé Valmont.",
    "Nordis a déposé une offre sur Valmont. « Aucune décision n'a été prise », a pour sa "
    "part indiqué mardi à l'AFP Valmont.",
])
def test_words_between_the_verb_and_its_subject_are_skipped(text: str) -> None:
    assert speakers(text) == {("Valmont", None)}


def test_the_last_party_named_stands_for_a_description_no_sentence_opens_with() -> None:
    text = ("L'offre d'Acme sur Valmont a été relevée par Nordis hier. « Nous sommes "
            "confiants », a déclaré le groupe.")
    assert speakers(text) == {("Nordis", None)}


def test_a_title_in_a_headline_is_the_person_the_text_names_with_it() -> None:
    text = ("Nordis agrees to buy Valmont\nNordis CEO: 'We will integrate Valmont within a "
            "year'\nPaul Girard, chief executive of Nordis, called the deal a milestone.")
    assert speakers(text) == {("Paul Girard", "Nordis")}


@pytest.mark.parametrize("text", [
    "Nordis chief executive Paul Girard said the purchase of Valmont was on track.\n"
    "“Being part of Nordis will give Valmont the scale to compete,” Girard told staff.",
    "Nordis agreed to buy Valmont from Carrow.\n“We are disappointed,” said Paul Girard, "
    "Nordis' chief executive.",
])
def test_the_organisation_of_a_person_comes_from_any_title_the_article_gives(text: str) -> None:
    assert speakers(text) == {("Paul Girard", "Nordis")}
