"""What the report needs from the log beyond where each deal stands: history, recent events.

Replay records each deal's latest status changes as it folds; the report also lists
what changed lately, so it reads the events of the last days, within the same bounds
as the replay: occurred by the end of the report day, recorded by `known_at`, not
retracted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from events.errors import EventsError
from events.replay import ReplayResult, StatusStep
from events.store import EventStore, StoredEvent

log = logging.getLogger(__name__)

_TIMELINE_ORDER = attrgetter("occurred_at", "seq")  # the order replay folds in


@dataclass(frozen=True, slots=True)
class Bounds:
    """The part of the log a report reads: the same one the replay folded."""

    occurred_until: str
    recorded_until: str
    retracted: frozenset[str]

    def holds(self, row: StoredEvent) -> bool:
        """True when `row` is within the bounds and not retracted."""
        return (row.occurred_at <= self.occurred_until
                and row.recorded_at <= self.recorded_until
                and row.event_id not in self.retracted)


def status_history(result: ReplayResult) -> dict[str, list[StatusStep]]:
    """Each deal's status changes, oldest first, as the replay folded them."""
    return {deal_id: state.status_changes() for deal_id, state in result.deals.items()}


def readable(rows: Iterable[StoredEvent]) -> list[StoredEvent]:
    """The rows that are valid events; the others (written by another tool) are left out,
    with one warning: a report never fails on them."""
    kept, left_out = [], []
    for row in rows:
        try:
            row.event()
        except EventsError:
            left_out.append(row.seq)
            continue
        kept.append(row)
    if left_out:
        log.warning("the report leaves out %d row(s) of the log that are no valid event"
                    " (first: seq %d); `tracker check` lists them", len(left_out), left_out[0])
    return kept


def recent_events(store: EventStore, bounds: Bounds, *, occurred_from: str) -> list[StoredEvent]:
    """Events that occurred from `occurred_from` within the bounds, in (occurred_at, seq) order."""
    rows = [row for row in readable(store.read(occurred_from=occurred_from))
            if bounds.holds(row)]
    rows.sort(key=_TIMELINE_ORDER)
    return rows


def late_events(store: EventStore, bounds: Bounds, *, recorded_from: str, recorded_to: str,
                occurred_before: str) -> list[StoredEvent]:
    """Events recorded in [recorded_from, recorded_to] about earlier days (read late)."""
    rows = [row for row in readable(store.read(recorded_from=recorded_from,
                                                recorded_until=recorded_to))
            if row.occurred_at < occurred_before and bounds.holds(row)]
    rows.sort(key=_TIMELINE_ORDER)
    return rows
