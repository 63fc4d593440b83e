"""What `tracker replay` and `tracker events` show: JSON documents and terminal tables."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from events.replay import DealState, ReplayResult, deal_to_json
from events.store import StoredEvent
from reports.formatting import local_day
from tracker.config import Config
from tracker.table import format_table


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
            deal_to_json(state, title=titles.get(state.deal_id, state.deal_id), as_of=result.as_of)
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
        yield ("[\n  " if not opened else ",\n  ") + json.dumps(row.as_dict(), ensure_ascii=False)
        opened = True
    yield "\n]\n" if opened else "[]\n"


def summarize(row: StoredEvent) -> str:
    """One line saying what an event records."""
    data = json.loads(row.data)
    if row.type == "negotiation":
        return data["stage"]
    if row.type == "deadline":
        moved = f" (was {data['replaces']})" if data.get("replaces") else ""
        return f"due {data['due']}{moved} {data.get('label') or ''}".rstrip()
    if row.type == "statement":
        org = f" ({data['organization']})" if data.get("organization") else ""
        return f"{data['speaker']}{org}: “{data['quote']}”"
    return f"retracts {data['event_id'][:12]}: {data['reason']}"


def events_table(rows: Iterable[StoredEvent]) -> str:
    """A terminal table of stored events, one line each."""
    lines = [
        (row.seq, row.event_id[:12], row.occurred_at[:16].replace("T", " "), row.deal_id,
         row.type, summarize(row))
        for row in rows
    ]
    if not lines:
        return "No events."
    return format_table(("SEQ", "ID", "OCCURRED (UTC)", "DEAL", "TYPE", "WHAT"), lines)
