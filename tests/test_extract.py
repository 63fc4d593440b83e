"""Extraction: matching articles to deals, stages, deadlines and statements."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.model import DeadlineSet, NegotiationReported, StatementMade
from tracker.extract import Extractor
from tracker.extract.stages import classify
from tracker.extract.text import fold
from tracker.model import Article, Deal

ROOT = Path(__file__).resolve().parents[1]
TIKTOK = Deal(id="microsoft-tiktok", title="Microsoft / TikTok", acquirer="Microsoft",
              target="TikTok", seller="ByteDance")
ORACLE = Deal(id="oracle-tiktok", title="Oracle / TikTok", acquirer="Oracle", target="TikTok",
              seller="ByteDance")
ACTIVISION = Deal(id="microsoft-activision", title="Microsoft / Activision",
                  acquirer="Microsoft", target="Activision Blizzard", aliases=("Activision",))
ARM = Deal(id="nvidia-arm", title="Nvidia / Arm", acquirer="Nvidia", target="Arm",
           seller="SoftBank")
SOCIETE = Deal(id="bnp-societe", title="BNP / Société Générale", acquirer="BNP Paribas",
               target="Société Générale")


def article(text: str, *, published: str = "2020-08-02T10:00:00+00:00", title: str = "",
            language: str | None = None) -> Article:
    """An article as the feed layer would hand it over."""
    return Article(feed="news", key="k1", link="https://example.org/a", title=title, text=text,
                   published=datetime.fromisoformat(published), language=language)


def extract(text: str, *deals: Deal, **fields: str) -> list:
    """Events read from `text` for `deals` (the TikTok deal by default)."""
    return Extractor(deals or (TIKTOK,)).extract(article(text, **fields))


def stages(events: list) -> set[tuple[str, str]]:
    return {(e.deal_id, e.stage) for e in events if isinstance(e, NegotiationReported)}


def dues(events: list) -> set[tuple[str, str | None]]:
    return {(e.due, e.replaces) for e in events if isinstance(e, DeadlineSet)}


def speakers(events: list) -> set[tuple[str, str | None]]:
    return {(e.speaker, e.organization) for e in events if isinstance(e, StatementMade)}


def test_importing_extract_does_not_load_dateparser() -> None:
    code = "import sys, tracker.extract; print('dateparser' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "False"


def test_events_carry_the_article_source_and_evidence() -> None:
    events = extract("Microsoft confirmed it is in talks to buy TikTok's US arm. More later.")
    assert len(events) == 1
    event = events[0]
    assert (event.deal_id, event.stage) == ("microsoft-tiktok", "negotiating")
    assert event.occurred_at == datetime(2020, 8, 2, 10, tzinfo=UTC)
    assert (event.source_url, event.source_feed) == ("https://example.org/a", "news")
    assert event.evidence == "Microsoft confirmed it is in talks to buy TikTok's US arm."


@pytest.mark.parametrize("text", [
    "Microsoft is negotiating to buy TIKTOK's American business.",
    "Microsoft négocie le rachat des activités américaines de Tiktok.",
    "Microsoft négocie le rachat des activités américaines de TikTok’s rival... de TikTok.",
])
def test_target_names_match_in_any_case_and_with_possessives(text: str) -> None:
    assert stages(extract(text)) == {("microsoft-tiktok", "negotiating")}


def test_names_match_with_or_without_accents() -> None:
    text = "BNP Paribas a confirmé des négociations pour racheter la Societe Generale."
    assert stages(extract(text, SOCIETE)) == {("bnp-societe", "negotiating")}


def test_names_need_word_boundaries() -> None:
    assert extract("Microsoft is negotiating with TikTokers and ByteDancers.") == []


def test_short_names_that_are_common_words_count_only_as_written() -> None:
    assert extract("Nvidia talks with a player who broke his arm in a deal.", ARM) == []
    events = extract("Nvidia has agreed to buy Arm from SoftBank for $40bn.", ARM)
    assert stages(events) == {("nvidia-arm", "agreed")}


def test_rival_bidders_are_told_apart_by_the_buyer_named() -> None:
    text = "Oracle is in talks with ByteDance to buy TikTok's US operations."
    assert stages(extract(text, TIKTOK, ORACLE)) == {("oracle-tiktok", "negotiating")}


def test_a_shared_target_without_a_buyer_yields_nothing() -> None:
    text = "ByteDance confirmed it is in talks to sell TikTok's US operations."
    assert extract(text, TIKTOK, ORACLE) == []


def test_a_shared_buyer_is_settled_by_the_target_named() -> None:
    text = "Microsoft has agreed to acquire Activision Blizzard for $68.7bn."
    assert stages(extract(text, TIKTOK, ACTIVISION)) == {("microsoft-activision", "agreed")}


def test_a_company_named_in_passing_yields_nothing() -> None:
    text = ("Microsoft, which bought LinkedIn for $26.2bn in 2016, reported higher profits. "
            "TikTok launched a new music feature on Tuesday.")
    assert extract(text) == []


@pytest.mark.parametrize(("text", "stage"), [
    ("Microsoft is reportedly in talks to buy TikTok's US arm.", "rumored"),
    ("Selon des sources proches du dossier, Microsoft serait en discussions avec TikTok.",
     "rumored"),
    ("Microsoft a confirmé négocier le rachat de TikTok.", "negotiating"),
    ("Microsoft made a $30bn offer for TikTok's US business.", "negotiating"),
    ("Microsoft and ByteDance signed a definitive agreement for TikTok.", "agreed"),
    ("Microsoft a signé un accord pour racheter TikTok.", "agreed"),
    ("The US government opened an investigation into Microsoft's purchase of TikTok.",
     "under_review"),
    ("La Commission européenne a ouvert une enquête approfondie sur le rachat de TikTok.",
     "under_review"),
    ("Regulators cleared Microsoft's acquisition of TikTok on Monday.", "approved"),
    ("Bruxelles a donné son feu vert au rachat de TikTok par Microsoft.", "approved"),
    ("The FTC sued to block Microsoft's takeover of TikTok.", "blocked"),
    ("Le régulateur a bloqué le rachat de TikTok par Microsoft.", "blocked"),
    ("Microsoft completed its acquisition of TikTok's US business.", "completed"),
    ("Microsoft a finalisé le rachat de TikTok.", "completed"),
    ("ByteDance rejected Microsoft's offer for TikTok.", "abandoned"),
    ("Microsoft a renoncé à racheter TikTok.", "abandoned"),
    ("A judge denied the FTC's request to block Microsoft's purchase of TikTok.", "approved"),
])
def test_stages_are_read_from_what_the_sentence_says(text: str, stage: str) -> None:
    assert stages(extract(text)) == {("microsoft-tiktok", stage)}


@pytest.mark.parametrize("text", [
    "Microsoft denied it was in talks to buy TikTok.",
    "Microsoft n'a pas confirmé de négociations avec TikTok.",
    "Will Microsoft buy TikTok's US business?",
    "Regulators could block Microsoft's acquisition of TikTok.",
    "Si la transaction se faisait, Microsoft pourrait racheter TikTok.",
    "Microsoft expects to complete the acquisition of TikTok by December.",
    "The deal for TikTok still needs approval from US regulators, Microsoft said.",
])
def test_denials_questions_and_hypotheses_give_no_stage(text: str) -> None:
    assert stages(extract(text)) == set()


def test_background_dated_before_the_article_gives_no_stage() -> None:
    text = "In 2019, Microsoft agreed to buy TikTok's rival. It is now negotiating with TikTok."
    assert stages(extract(text)) == {("microsoft-tiktok", "negotiating")}


def test_absolute_deadlines_in_french_and_english_infer_the_year() -> None:
    text = ("Microsoft négocie le rachat de TikTok. La décision devrait être rendue "
            "d'ici le 15 septembre au plus tard. It must decide no later than Oct. 18, 2020.")
    assert dues(extract(text)) == {("2020-09-15", None), ("2020-10-18", None)}


def test_a_date_without_year_early_next_year_is_read_as_next_year() -> None:
    text = "Microsoft is negotiating with TikTok and must decide by January 10."
    assert dues(extract(text, published="2020-12-20T10:00:00+00:00")) == {("2021-01-10", None)}


def test_relative_periods_count_from_the_article_date() -> None:
    text = ("Microsoft is in talks to buy TikTok. The government gave ByteDance 45 days to "
            "sell. Le régulateur se prononcera dans un délai de 90 jours sur le rachat.")
    assert dues(extract(text)) == {("2020-09-16", None), ("2020-10-31", None)}


def test_an_extension_records_the_date_it_replaces() -> None:
    text = ("Microsoft and TikTok extended the deadline of their merger agreement from "
            "July 18 to October 18.")
    events = extract(text, published="2020-07-17T10:00:00+00:00")
    assert dues(events) == {("2020-10-18", "2020-07-18")}


def test_past_dates_are_not_deadlines() -> None:
    text = ("Microsoft, in talks to buy TikTok, had to decide by July 15, 2020. "
            "The deal was announced on July 20.")
    assert dues(extract(text)) == set()


def test_quotes_are_attributed_after_or_before_with_organizations() -> None:
    text = ("Microsoft confirmed talks to buy TikTok. "
            "“We are excited about the deal,” said Brad Smith, president of Microsoft. "
            "Vanessa Pappas a déclaré : « Nous sommes ici pour rester ». "
            "\"This is good for users,\" the company said.")
    assert speakers(extract(text)) == {("Brad Smith", "Microsoft"), ("Vanessa Pappas", None),
                                       ("Microsoft", None)}


def test_the_organisation_can_come_from_the_paragraph() -> None:
    text = ("Microsoft confirmed talks to buy TikTok.\n\nTikTok, for its part, wanted to "
            "reassure. \"We are here to stay,\" said Vanessa Pappas, head of the US business.")
    assert speakers(extract(text)) == {("Vanessa Pappas", "TikTok")}


def test_quotes_without_a_speaker_or_too_short_are_skipped() -> None:
    text = ("Microsoft confirmed talks to buy TikTok for « national security » reasons. "
            "“We will see what happens next week.”")
    assert speakers(extract(text)) == set()


def test_statement_language_follows_the_quote() -> None:
    text = ("Microsoft confirmed talks to buy TikTok. « Nous sommes ici pour rester », "
            "a déclaré Vanessa Pappas.")
    (statement,) = [e for e in extract(text) if isinstance(e, StatementMade)]
    assert statement.language == "fr"


def test_extraction_is_deterministic() -> None:
    text = ("Microsoft confirmed talks to buy TikTok by September 15. "
            "“We are excited,” said Brad Smith.")
    first, second = extract(text), extract(text)
    assert [e.event_id for e in first] == [e.event_id for e in second]


def test_reported_speech_about_the_future_still_reports_the_news() -> None:
    text = "The European Commission said it would open an in-depth probe into the TikTok deal."
    assert stages(extract(text)) == {("microsoft-tiktok", "under_review")}


def test_a_regulator_rejecting_the_deal_blocks_it_a_seller_rejecting_a_bid_ends_it() -> None:
    blocked = "The CMA rejected Microsoft's takeover of TikTok on Wednesday."
    ended = "ByteDance a rejeté l'offre de Microsoft pour TikTok."
    assert stages(extract(blocked)) == {("microsoft-tiktok", "blocked")}
    assert stages(extract(ended)) == {("microsoft-tiktok", "abandoned")}


def test_a_past_event_recalled_by_a_noun_is_background() -> None:
    text = "TikTok cut jobs after the collapse of the talks with Microsoft."
    assert stages(extract(text)) == set()


def test_each_clause_keeps_its_own_bidder() -> None:
    text = ("Oracle a signé un accord avec ByteDance pour TikTok, après l'abandon par "
            "Microsoft de son offre pour TikTok.")
    assert stages(extract(text, TIKTOK, ORACLE)) == {("oracle-tiktok", "agreed")}


def test_french_extensions_record_the_replaced_date() -> None:
    text = ("Microsoft et TikTok ont signé un accord de rachat. La date limite a été repoussée "
            "du 18 juillet au 18 octobre.")
    assert dues(extract(text, published="2020-07-12T10:00:00+00:00")) == {
        ("2020-10-18", "2020-07-18")}


def test_a_pronoun_speaker_points_back_to_the_person_just_named() -> None:
    text = ("Microsoft confirmed it is in talks to buy TikTok. Brad Smith, president of "
            "Microsoft, met officials. \"We will move quickly on this deal,\" he said.")
    assert speakers(extract(text)) == {("Brad Smith", "Microsoft")}


def test_speakers_named_by_role_keep_their_organisation() -> None:
    text = ("Microsoft confirmed it is in talks to buy TikTok. « Nous sommes confiants dans "
            "cette opération », a déclaré un porte-parole de Microsoft.")
    assert speakers(extract(text)) == {("porte-parole de Microsoft", "Microsoft")}


def labels(events: list) -> set[tuple[str, str]]:
    return {(e.due, e.label) for e in events if isinstance(e, DeadlineSet)}


@pytest.mark.parametrize("text", [
    "ByteDance a rejeté l'offre de Microsoft pour TikTok, mettant fin à six semaines de "
    "négociations.",
    "ByteDance turned down Microsoft's bid for TikTok after six weeks of talks.",
    "Microsoft a renoncé à TikTok au terme de trois mois de discussions.",
    "Microsoft's offer for TikTok is the largest deal the company will make in 20 years.",
    "Microsoft spent two months negotiating with ByteDance over TikTok.",
    "Microsoft a négocié pendant 45 jours avec ByteDance pour TikTok.",
    "The talks between Microsoft and TikTok began 30 days ago.",
    "Is a sale of TikTok to Microsoft by September 15 realistic?",
])
def test_elapsed_durations_and_questions_are_not_deadlines(text: str) -> None:
    assert dues(extract(text)) == set()


@pytest.mark.parametrize(("text", "due"), [
    ("Microsoft is in talks for TikTok and has 30 days to make an offer.", "2020-09-01"),
    ("Microsoft négocie pour TikTok ; Bruxelles dispose de 25 jours ouvrés pour se prononcer "
     "sur l'opération.", "2020-09-04"),
    ("Microsoft négocie le rachat de TikTok, qui doit être bouclé sous 30 jours.",
     "2020-09-01"),
    ("Microsoft is in talks to buy TikTok and expects the deal to close in 45 days.",
     "2020-09-16"),
    ("Microsoft a confirmé négocier le rachat de TikTok d'ici à trois mois.", "2020-11-02"),
])
def test_forward_periods_are_deadlines(text: str, due: str) -> None:
    assert dues(extract(text)) == {(due, None)}


@pytest.mark.parametrize(("text", "label"), [
    ("Microsoft négocie le rachat de TikTok. La décision devrait être rendue d'ici le "
     "15 septembre au plus tard.", "decision"),
    ("Microsoft is negotiating for TikTok. The government gave ByteDance 45 days to sell "
     "TikTok's US arm.", "sale"),
    ("Microsoft is in talks for TikTok. Trump ordered ByteDance to divest TikTok within "
     "90 days.", "divestiture"),
    ("Microsoft is in talks for TikTok. A government decree will ban TikTok within "
     "45 days.", "ban"),
    ("Microsoft agreed to buy TikTok and expects the deal to close by September 15.",
     "closing"),
    ("The European Commission opened a probe into the TikTok deal and must rule by "
     "September 15.", "regulatory decision"),
    ("The FTC sued to block the TikTok deal; the judge said she would rule by "
     "September 15.", "court ruling"),
    ("Microsoft agreed to buy TikTok; shareholders will vote on the deal on September 15.",
     "shareholder vote"),
    ("Microsoft launched a tender offer for TikTok, which expires on September 15.",
     "offer expiry"),
    ("Microsoft confirmed talks for TikTok and expects to conclude the discussions by "
     "September 15.", "end of talks"),
    ("La Commission européenne enquête sur le rachat de TikTok par Microsoft. Elle a "
     "jusqu'au 15 septembre pour se prononcer.", "regulatory decision"),
    ("Microsoft is in talks for TikTok by September 15.", "deadline"),
])
def test_deadline_labels_say_what_is_due_in_english(text: str, label: str) -> None:
    assert {found for _, found in labels(extract(text))} == {label}


def test_the_same_deadline_gets_the_same_event_id_twice() -> None:
    text = "Microsoft agreed to buy TikTok and must sell it by March 31."
    first, second = extract(text), extract(text)
    assert [e.event_id for e in first] == [e.event_id for e in second]


@pytest.mark.parametrize(("text", "stage"), [
    ("JetBlue launched a hostile offer for TikTok, after ByteDance rebuffed its approach.",
     "negotiating"),
    ("Microsoft and TikTok called off their merger, seven weeks after a judge blocked the "
     "deal.", "abandoned"),
    ("Microsoft completed its purchase of TikTok hours after regulators cleared it.",
     "completed"),
])
def test_what_follows_after_is_background_unless_just_past(text: str, stage: str) -> None:
    # one stage per deal and article: the news; what just happened is read too
    assert {s for _, s in stages(extract(text))} == {stage}
    readings = classify(fold(text), lambda clause: False)
    assert len(readings) == (2 if "hours" in text else 1)


def test_a_sellers_shareholders_rejecting_an_offer_end_it_not_block_it() -> None:
    text = "TikTok's shareholders rejected Microsoft's offer on Friday."
    assert stages(extract(text)) == {("microsoft-tiktok", "abandoned")}
