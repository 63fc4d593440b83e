"""What `tracker history` shows: a block of lines per event, or one JSON document.

Times are local to the configured zone (the JSON also gives them in UTC, as the log
holds them). Feed text reaches the terminal through `printable`, on one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from reports.formatting import local_time, one_line
from tracker.cli.views import event_json
from tracker.text import printable

if TYPE_CHECKING:  # the command's module imports this one
    from tracker.cli.history import Entry

SHORT_ID = 8  # as the report shows ids: enough for `tracker explain`
MARKS = {"retracted": " (retracted)", "reinstated": " (reinstated)", "undone": " (undone)"}
INDENT = " " * 18  # under the text, past the local time


def _local(iso_utc: str, zone: ZoneInfo) -> str:
    return f"{local_time(iso_utc, zone):%Y-%m-%d %H:%M}"


def history_text(deal_id: str, title: str, entries: Sequence[Entry], zone: ZoneInfo) -> str:
    """The history as a block of lines per event, oldest first."""
    head = (f"{printable(one_line(title))} ({deal_id}): {len(entries)} event(s), oldest first;"
            f" times in {zone.key}.")
    if not entries:
        return f"{head}\nNo events about this deal yet."
    return "\n\n".join([head, *(_block(entry, zone) for entry in entries)])


def _block(entry: Entry, zone: ZoneInfo) -> str:
    row = entry.row
    first = (f"{_local(row.occurred_at, zone)}  {entry.kind:<10}  "
             f"{printable(one_line(entry.what))}{MARKS.get(entry.status, '')}"
             f"  [{row.event_id[:SHORT_ID]}]")
    lines = [first]
    if entry.outlet or entry.headline:
        lines.append(": ".join(printable(part) for part in (entry.outlet, entry.headline) if part))
    if entry.link:
        lines.append(printable(entry.link))
    if entry.evidence_is_headline:
        lines.append("evidence: the headline")
    elif row.evidence:
        lines.append(f"evidence: {printable(one_line(row.evidence))}")
    if entry.learnt_late:
        lines.append(f"learnt {_local(row.recorded_at, zone)}")
    return "\n".join([lines[0], *(INDENT + line for line in lines[1:])])


def history_document(deal_id: str, title: str, entries: Sequence[Entry],
                     zone: ZoneInfo) -> dict[str, Any]:
    """The `tracker history --format json` object."""
    return {"deal": {"id": deal_id, "title": title}, "timezone": zone.key,
            "events": [_entry_json(entry, zone) for entry in entries]}


def _entry_json(entry: Entry, zone: ZoneInfo) -> dict[str, Any]:
    row = entry.row
    return {
        "event": event_json(row),
        "kind": entry.kind,
        "what": entry.what,
        "status": entry.status,
        "occurred_local": local_time(row.occurred_at, zone).isoformat(),
        "learnt_local": local_time(row.recorded_at, zone).isoformat(timespec="seconds")
        if entry.learnt_late else None,
        "outlet": entry.outlet,
        "headline": entry.headline,
        "link": entry.link,
        "evidence": row.evidence,
    }
