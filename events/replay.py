"""Replay: fold the event log into the state of each deal, as of a day, as known at a time.

The fold reads plain rows from `EventStore.timeline` in `(occurred_at, seq)` order and
hands each to a small reducer chosen by its type; no event objects are built on the
hot path. Memory holds one `DealState` per deal (with its deadlines and its latest
statements), never the events themselves.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from events.clock import end_of_day, format_occurred, format_recorded, utc_now
from events.model import STAGE_RANK
from events.store import EventStore, TimelineRow

UNKNOWN = "unknown"
DEFAULT_STATEMENTS_KEPT = 10
_loads = json.loads


@dataclass(slots=True)
class Deadline:
    """A live deadline of a deal: its due date and where it was read."""

    due: str
    label: str
    replaces: str | None
    event_id: str
    source_url: str | None
    set_at: str


@dataclass(slots=True)
class Statement:
    """A quotation attributed to a speaker, with where and when it was reported."""

    speaker: str
    organization: str | None
    quote: str
    language: str
    said_at: str
    event_id: str
    source_url: str | None


@dataclass(slots=True)
class DealState:
    """Where one deal stands after the fold."""

    deal_id: str
    status: str = UNKNOWN
    status_since: str | None = None
    status_event_id: str | None = None
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    replaced: set[str] = field(default_factory=set)
    statements: deque[Statement] = field(
        default_factory=lambda: deque(maxlen=DEFAULT_STATEMENTS_KEPT)
    )
    event_count: int = 0
    last_event_at: str | None = None
    _status_at: str = ""

    def live_deadlines(self) -> list[Deadline]:
        """Deadlines not replaced by a later one, by due date."""
        return sorted(
            (d for due, d in self.deadlines.items() if due not in self.replaced),
            key=lambda d: d.due,
        )

    def next_deadline(self, as_of: date) -> Deadline | None:
        """The earliest live deadline due on or after `as_of`."""
        day = as_of.isoformat()
        return next((d for d in self.live_deadlines() if d.due >= day), None)

    def latest_statements(self) -> list[Statement]:
        """Kept statements, newest first."""
        return list(reversed(self.statements))


@dataclass(slots=True)
class ReplayResult:
    """The state of every deal as of `as_of`, as the log stood at `known_at`."""

    as_of: date
    known_at: str
    events_applied: int
    last_seq: int
    deals: dict[str, DealState]


def _fold_negotiation(state: DealState, row: TimelineRow) -> None:
    stage = _loads(row[5])["stage"]
    occurred = row[4]
    if occurred == state._status_at and STAGE_RANK[stage] < STAGE_RANK.get(state.status, -1):
        return  # same instant: the stage furthest along wins
    if stage != state.status:
        state.status = stage
        state.status_since = occurred
    state.status_event_id = row[1]
    state._status_at = occurred


def _fold_deadline(state: DealState, row: TimelineRow) -> None:
    data = _loads(row[5])
    due, replaces = data["due"], data.get("replaces")
    state.deadlines[due] = Deadline(due, data.get("label") or "", replaces, row[1], row[6], row[4])
    if replaces:
        state.replaced.add(replaces)
    state.replaced.discard(due)


def _fold_statement(state: DealState, row: TimelineRow) -> None:
    data = _loads(row[5])
    state.statements.append(
        Statement(
            data["speaker"],
            data.get("organization"),
            data["quote"],
            data.get("language") or "en",
            row[4],
            row[1],
            row[6],
        )
    )


def _fold_retraction(state: DealState, row: TimelineRow) -> None:
    """Retractions act before the fold (see `replay`); here they only count."""


REDUCERS: dict[str, Callable[[DealState, TimelineRow], None]] = {
    "negotiation": _fold_negotiation,
    "deadline": _fold_deadline,
    "statement": _fold_statement,
    "retraction": _fold_retraction,
}


def replay(
    store: EventStore,
    *,
    as_of: date,
    zone: ZoneInfo,
    known_at: datetime | None = None,
    deal_id: str | None = None,
    statements_kept: int = DEFAULT_STATEMENTS_KEPT,
) -> ReplayResult:
    """Fold the log up to the end of `as_of` in `zone`, as recorded by `known_at`.

    A retraction recorded by `known_at` removes its event whatever day it was made:
    what was known to be wrong at `known_at` is never shown as true.
    """
    recorded_until = format_recorded(known_at or utc_now())
    retracted = store.retracted_ids(recorded_until=recorded_until)
    deals: dict[str, DealState] = {}
    applied = last_seq = 0
    rows = store.timeline(
        occurred_until=format_occurred(end_of_day(as_of, zone)),
        recorded_until=recorded_until,
        deal_id=deal_id,
    )
    for row in rows:
        if retracted and row[1] in retracted:
            continue
        state = deals.get(row[2])
        if state is None:
            state = deals[row[2]] = DealState(row[2], statements=deque(maxlen=statements_kept))
        REDUCERS[row[3]](state, row)
        state.event_count += 1
        state.last_event_at = row[4]
        applied += 1
        if row[0] > last_seq:
            last_seq = row[0]
    return ReplayResult(as_of, recorded_until, applied, last_seq, deals)


def deal_to_json(state: DealState, *, title: str, as_of: date) -> dict[str, Any]:
    """Return one deal as documented for `tracker replay --format json`."""
    upcoming = state.next_deadline(as_of)
    return {
        "id": state.deal_id,
        "title": title,
        "status": state.status,
        "status_since": state.status_since,
        "next_deadline": upcoming.due if upcoming else None,
        "deadlines": [
            {
                "due": d.due,
                "label": d.label,
                "replaces": d.replaces,
                "set_at": d.set_at,
                "event_id": d.event_id,
                "source_url": d.source_url,
            }
            for d in state.live_deadlines()
        ],
        "statements": [
            {
                "speaker": s.speaker,
                "organization": s.organization,
                "quote": s.quote,
                "language": s.language,
                "said_at": s.said_at,
                "event_id": s.event_id,
                "source_url": s.source_url,
            }
            for s in state.latest_statements()
        ],
        "event_count": state.event_count,
        "last_event_at": state.last_event_at,
    }
