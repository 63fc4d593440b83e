"""The hash chain over the event log, whatever database holds it.

Each event's link is the SHA-256 of the link before it and of all the event's columns
(seq first), so the same log has the same chain on SQLite and on PostgreSQL: a log
moved by `tracker migrate` ends with the same head. The backends keep the links in an
`event_chain` table written in the appending transaction (`events.sqlite_chain`,
`events.postgres_store`); `problems` compares a log with its chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence

from events.store import StoredEvent

GENESIS = "0" * 64


def link(previous: str, row: Sequence[object]) -> str:
    """The link of an event: its columns (as stored, seq first) after the link before."""
    canonical = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def links_after(previous: str, rows: Iterable[StoredEvent]) -> list[tuple[int, str]]:
    """(seq, link) of each new row, chained after the link `previous`."""
    links = []
    for row in rows:
        previous = link(previous, row)
        links.append((row.seq, previous))
    return links


def problems(chain: Iterable[tuple[int, str]], events: Iterator[StoredEvent]) -> list[str]:
    """Where the events (in seq order) and their chain disagree: edited, removed,
    inserted, reordered."""
    found: list[str] = []
    previous = GENESIS
    for seq, stored, row in _pairs(chain, events):
        if row is None:
            found.append(f"seq {seq}: the chain links an event the log no longer holds"
                         " (deleted?)")
        elif stored is None:
            found.append(f"seq {seq} ({row.event_id[:12]}): not in the hash chain (inserted"
                         " behind tracker's back?)")
        elif link(previous, row) != stored:
            found.append(f"seq {seq} ({row.event_id[:12]}): does not match its link in the"
                         " hash chain (edited, moved, or an event before it removed)")
        previous = stored or previous
    return found


def _pairs(chain: Iterable[tuple[int, str]], events: Iterator[StoredEvent]
           ) -> Iterator[tuple[int, str | None, StoredEvent | None]]:
    """Links and events side by side by seq: (seq, link or None, event or None)."""
    links = iter(chain)
    link_row = next(links, None)
    event = next(events, None)
    while link_row is not None or event is not None:
        if event is None or (link_row is not None and link_row[0] < event.seq):
            assert link_row is not None
            yield link_row[0], link_row[1], None
            link_row = next(links, None)
        elif link_row is None or event.seq < link_row[0]:
            yield event.seq, None, event
            event = next(events, None)
        else:
            yield event.seq, link_row[1], event
            link_row, event = next(links, None), next(events, None)
