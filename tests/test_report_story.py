"""The story the report tests share, built through the public API, and its replay checks.

Microsoft / TikTok US (time zone Europe/Paris): rumoured on 31 July, talks confirmed
on 2 August with a decision due 15 September, an "agreed" report on 10 August that is
retracted the next morning. Microsoft / Activision has no news at all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from events.model import EventRetracted, NegotiationReported, StatementMade
from events.sqlite_store import SQLiteEventStore
from reports.build import Report, build_report
from reports.context import DealRef, FeedStatus
from tests.conftest import DEAL, at, deadline, negotiation

ZONE = ZoneInfo("Europe/Paris")
ACTIVISION = "microsoft-activision"
DEALS = (DealRef(DEAL, "Microsoft / TikTok US"),
         DealRef(ACTIVISION, "Microsoft / Activision Blizzard"))
HOSTILE_QUOTE = "<script>alert('quote')</script> We will move quickly"
HOSTILE_SPEAKER = "<img src=x onerror=alert(1)>"
FEEDS = (FeedStatus("deal-desk", "2020-09-14T18:00:00Z"),
         FeedStatus("<b>broken</b>", "2020-09-01T10:00:00Z", 3, "HTTP 500 <i>oops</i>"))
#: The subject of the story's report of 3 August 2020.
SUBJECT = "Deals 3 Aug 2020: Microsoft / TikTok US negotiating; 2 more changes"
#: recorded_at of the retraction of the "agreed" report
RETRACTED_AT = datetime(2020, 8, 11, 9, 0, tzinfo=UTC)


def build_story(path: Path) -> SQLiteEventStore:
    """Append the story in the order a poller would have, with its recording times."""
    store = SQLiteEventStore(path)
    store.append([negotiation("rumored", "2020-07-31T21:10",
                              url="https://news.example/rumour")], now=at("2020-07-31T21:20"))
    store.append([
        negotiation("negotiating", "2020-08-02T19:30", url="https://news.example/confirmed"),
        deadline("2020-09-15", "2020-08-02T19:30"),
        StatementMade(deal_id=DEAL, speaker=HOSTILE_SPEAKER, organization="Microsoft",
                      quote=HOSTILE_QUOTE, occurred_at=at("2020-08-02T19:30"),
                      source_url="javascript:alert(1)"),
    ], now=at("2020-08-02T19:45"))
    store.append([StatementMade(deal_id=DEAL, speaker="Vanessa Pappas", organization="TikTok",
                                quote="Nous ne partirons pas", language="fr",
                                occurred_at=at("2020-08-04T07:30"),
                                source_url="https://news.example/pappas")],
                 now=at("2020-08-04T08:00"))
    (agreed,) = store.append([NegotiationReported(deal_id=DEAL, stage="agreed",
                                                  occurred_at=at("2020-08-10T12:00"))],
                             now=at("2020-08-10T12:30"))
    store.append([EventRetracted(deal_id=DEAL, occurred_at=RETRACTED_AT,
                                 retracted_id=agreed.event_id, reason="misread the article")],
                 now=RETRACTED_AT)
    return store


def report_of(store: SQLiteEventStore, day: str, known_at: str | None = None) -> Report:
    """The report of `day`, as known at `known_at` (ISO, UTC) or now."""
    moment = datetime.fromisoformat(known_at).replace(tzinfo=UTC) if known_at else None
    return build_report(store, day=date.fromisoformat(day), zone=ZONE, deals=DEALS,
                        feeds=FEEDS, known_at=moment)


def card(report: Report, deal_id: str = DEAL):  # noqa: ANN201 - a DealCard
    """The card of `deal_id`."""
    return next(c for c in report.page.deals if c.id == deal_id)


def test_history_agrees_with_replay_on_every_day(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    for day in ("2020-07-31", "2020-08-01", "2020-08-02", "2020-08-10", "2020-08-11"):
        for known_at in (None, "2020-08-10T13:00"):
            deal = card(report_of(store, day, known_at))
            bands = deal.timeline.bands
            assert (bands[-1].stage if bands else "unknown") == deal.status, (day, known_at)
