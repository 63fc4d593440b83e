"""feed.atom: valid Atom that feedparser reads without complaint, with stable entry ids."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser

from events.model import DeadlineSet, StatementMade
from reports.atom import ATOM_NS, entry_id, render_atom
from tests.conftest import DEAL, at, negotiation
from tests.test_report_story import build_story, report_of


def parse(xml: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(xml)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_status_changes_and_deadlines_become_entries(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    report = report_of(store, "2020-08-03")
    parsed = parse(render_atom(report.feed))
    # latest learnt first; a deadline in the feed has no countdown (an entry never changes)
    assert [e.title for e in parsed.entries] == [
        "Microsoft / TikTok US: <img src=x onerror=alert(1)> (Microsoft) said",
        "Microsoft / TikTok US: new deadline Tue 15 Sep 2020 (decision)",
        "Microsoft / TikTok US: rumored → negotiating",
        "Microsoft / TikTok US: first reported: rumored",
    ]
    assert parsed.entries[2].link == "https://news.example/confirmed"
    assert parsed.entries[1].link == "index.html"  # no source: the report page
    assert parsed.feed.updated == "2020-08-02T19:45:00Z"  # when the log learnt it
    assert parsed.entries[2].published == "2020-08-02T19:30:00Z"  # when it happened
    assert report.feed.entries[2].id == entry_id(_event_id(store, "negotiating"))


def _event_id(store: object, stage: str) -> str:
    rows = store.read(type="negotiation")  # type: ignore[attr-defined]
    return next(row.event_id for row in rows if f'"{stage}"' in row.data)


def test_entry_ids_do_not_change_from_one_day_to_the_next(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    feeds = [parse(render_atom(report_of(store, day).feed)) for day in ("2020-08-03", "2020-08-07")]
    monday, friday = ({e.id: e.title for e in feed.entries} for feed in feeds)
    assert len(monday) == 4 and monday.items() <= friday.items()  # Friday adds 4 August
    assert render_atom(report_of(store, "2020-08-03").feed) == render_atom(
        report_of(store, "2020-08-03").feed)


def test_hostile_and_invalid_text_still_makes_valid_atom(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    store.append([
        negotiation("negotiating", "2020-08-03T05:00", deal="<evil>&\x01deal]]>",
                    url="javascript:alert(1)"),
        DeadlineSet(deal_id=DEAL, due="2020-10-01", label="<b>vote</b> & \x0b co",
                    occurred_at=at("2020-08-03T05:00"), source_url="https://x.example/?a=1&b=2"),
        StatementMade(deal_id=DEAL, speaker="x", quote="not in the feed",
                      occurred_at=at("2020-08-03")),
    ])
    xml = render_atom(report_of(store, "2020-08-03").feed)
    ET.fromstring(xml)  # well formed
    parsed = parse(xml)
    titles = [e.title for e in parsed.entries]
    assert "<evil>& deal]]>: first reported: negotiating" in titles
    assert any("(<b>vote</b> & co)" in t for t in titles)
    assert "javascript" not in xml.decode()
    assert {e.link for e in parsed.entries} >= {"https://x.example/?a=1&b=2"}
    assert not any("not in the feed" in t for t in titles)


def test_an_empty_log_is_a_valid_empty_feed(tmp_path: Path) -> None:
    from events.sqlite_store import SQLiteEventStore

    with SQLiteEventStore(tmp_path / "tracker.db") as store:
        feed = report_of(store, "2020-08-03").feed
    root = ET.fromstring(render_atom(feed))
    assert root.tag == f"{{{ATOM_NS}}}feed" and root.find(f"{{{ATOM_NS}}}entry") is None
    parsed = parse(render_atom(feed))
    assert parsed.entries == [] and parsed.feed.id.startswith("urn:uuid:")
