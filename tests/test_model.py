"""The event model: validation naming the field, deterministic ids."""

from __future__ import annotations

from datetime import datetime

import pytest

from events.errors import InvalidEvent
from events.model import DeadlineSet, NegotiationReported, StatementMade, event_from_data
from tests.conftest import DEAL, at, negotiation, statement


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: NegotiationReported(deal_id=DEAL, stage="merged", occurred_at=at("2020-08-02")),
         "stage"),
        (lambda: DeadlineSet(deal_id=DEAL, due="15/09/2020", occurred_at=at("2020-08-02")),
         "due"),
        (lambda: DeadlineSet(deal_id=DEAL, due="2020-09-15", replaces="2020-02-30",
                             occurred_at=at("2020-08-02")), "replaces"),
        (lambda: StatementMade(deal_id=DEAL, speaker=" ", quote="x",
                               occurred_at=at("2020-08-02")), "speaker"),
        (lambda: StatementMade(deal_id=DEAL, speaker="A", quote="",
                               occurred_at=at("2020-08-02")), "quote"),
        (lambda: StatementMade(deal_id=DEAL, speaker="A", quote="x", language="de",
                               occurred_at=at("2020-08-02")), "language"),
        (lambda: NegotiationReported(deal_id="", stage="agreed", occurred_at=at("2020-08-02")),
         "deal_id"),
        (lambda: NegotiationReported(deal_id=DEAL, stage="agreed",
                                     occurred_at=datetime(2020, 8, 2)), "occurred_at"),
    ],
)
def test_invalid_events_are_refused_naming_the_field(build, field: str) -> None:
    with pytest.raises(InvalidEvent) as caught:
        build()
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")


def test_the_same_fact_from_the_same_article_has_the_same_id() -> None:
    url = "https://news.example/tiktok"
    assert negotiation("agreed", "2020-08-02", url=url).event_id == negotiation(
        "agreed", "2020-08-02", url=url).event_id
    assert negotiation("agreed", "2020-08-02", url=url).event_id != negotiation(
        "agreed", "2020-08-02", url=url + "?2").event_id
    assert statement("a", "2020-08-02").event_id != statement("b", "2020-08-02").event_id


def test_evidence_does_not_change_the_id() -> None:
    plain = negotiation("agreed", "2020-08-02")
    assert plain.event_id == negotiation("agreed", "2020-08-02", evidence="They agreed.").event_id


def test_events_round_trip_through_their_data() -> None:
    original = DeadlineSet(deal_id=DEAL, due="2020-11-12", label="sale", replaces="2020-09-15",
                           occurred_at=at("2020-09-14"))
    rebuilt = event_from_data("deadline", deal_id=DEAL, occurred_at=at("2020-09-14"),
                              data=original.data())
    assert rebuilt == original
    with pytest.raises(InvalidEvent, match="type"):
        event_from_data("merger", deal_id=DEAL, occurred_at=at("2020-09-14"), data={})
