"""What `tracker replay` and `tracker events` show: JSON documents and terminal tables."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from events.errors import EventsError
from events.replay import DealState, ReplayResult
from events.store import StoredEvent
from reports.formatting import local_day
from reports.wording import summarize
from tracker.cli.table import format_table
from tracker.config import Config


def replay_deals(result: ReplayResult, config: Config, *, deal_id: str | None) -> list[DealState]:
    """Configured deals (in config order) then deals known only from the log."""
    wanted = [deal.id for deal in config.deals if deal_id in (None, deal.id)]
    extra = sorted(d for d in result.deals if d not in wanted and deal_id in (None, d))
    return [result.deals.get(d) or DealState(d) for d in wanted + extra]


def replay_document(result: ReplayResult, config: Config, *, deal_id: str | None) -> dict[str, Any]:
    """The `tracker replay --format json` object, exactly as documented."""
    titles = {deal.id: deal.title for deal in config.deals}
    return {
        "as_of": result.as_of.isoformat(),
        "known_at": result.known_at,
        "events_applied": result.events_applied,
        "deals": [
            deal_json(state, title=titles.get(state.deal_id, state.deal_id), as_of=result.as_of)
            for state in replay_deals(result, config, deal_id=deal_id)
        ],
    }


def replay_table(result: ReplayResult, config: Config, *, deal_id: str | None) -> str:
    """A terminal table of each deal's status, next deadline and latest statement."""
    rows = []
    for state in replay_deals(result, config, deal_id=deal_id):
        upcoming = state.next_deadline(result.as_of)
        latest = state.latest_statements()[:1]
        said = f"{latest[0].speaker}: “{latest[0].quote}”" if latest else ""
        rows.append((
            state.deal_id,
            state.status,
            local_day(state.status_since, config.zone).isoformat() if state.status_since else "",
            f"{upcoming.due} {upcoming.label}".strip() if upcoming else "",
            state.event_count,
            said,
        ))
    header = (f"As of {result.as_of.isoformat()}, known at {result.known_at}:"
              f" {result.events_applied} events applied.")
    if not rows:
        return header + "\nNo deals configured and no events recorded."
    table = format_table(("DEAL", "STATUS", "SINCE", "NEXT DEADLINE", "EVENTS", "LATEST STATEMENT"),
                         rows, max_width=48)
    return f"{header}\n{table}"


def iter_events_json(rows: Iterable[StoredEvent]) -> Iterator[str]:
    """The `tracker events --format json` array, in pieces, so a long log streams."""
    opened = False
    for row in rows:
        yield ("[\n  " if not opened else ",\n  ") + json.dumps(event_json(row), ensure_ascii=False)
        opened = True
    yield "\n]\n" if opened else "[]\n"


def events_table(rows: Iterable[StoredEvent]) -> str:
    """A terminal table of stored events, one line each."""
    lines = [
        (row.seq, row.event_id[:12], row.occurred_at[:16].replace("T", " "), row.deal_id,
         row.type, event_summary(row))
        for row in rows
    ]
    if not lines:
        return "No events."
    return format_table(("SEQ", "ID", "OCCURRED (UTC)", "DEAL", "TYPE", "WHAT"), lines)


def event_summary(row: StoredEvent) -> str:
    """What an event records, in words ("agreed", "due 2020-09-15 decision")."""
    try:
        return summarize(row.event())
    except EventsError as error:  # a row another tool wrote: shown, not fatal
        return f"(unreadable {row.type}: {error})"


def event_json(row: StoredEvent) -> dict[str, Any]:
    """One row as the JSON object documented for `tracker events` (`data` an object;
    the text as stored when another tool wrote something else there)."""
    document = row._asdict()
    try:
        document["data"] = json.loads(row.data)
    except (TypeError, ValueError):
        document["data"] = row.data
    return document


def deal_json(state: DealState, *, title: str, as_of: date) -> dict[str, Any]:
    """One deal as documented for `tracker replay --format json`."""
    upcoming = state.next_deadline(as_of)
    return {
        "id": state.deal_id,
        "title": title,
        "status": state.status,
        "status_since": state.status_since,
        "next_deadline": upcoming.due if upcoming else None,
        "deadlines": [
            {"due": d.due, "label": d.label, "replaces": d.replaces, "set_at": d.set_at,
             "event_id": d.event_id, "source_url": d.source_url}
            for d in state.live_deadlines()
        ],
        "statements": [
            {"speaker": s.speaker, "organization": s.organization, "quote": s.quote,
             "language": s.language, "said_at": s.said_at, "event_id": s.event_id,
             "source_url": s.source_url}
            for s in state.latest_statements()
        ],
        "event_count": state.event_count,
        "last_event_at": state.last_event_at,
    }
