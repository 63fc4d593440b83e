"""Replay: fold the event log into the state of each deal, as of a day, as known at a time.

The fold reads plain rows from `EventStore.timeline` in `(occurred_at, seq)` order and
hands each to a small reducer chosen by its type; no event objects are built on the
hot path. Memory holds one `DealState` per deal (with its deadlines and its latest
statements), never the events themselves.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from events.clock import end_of_day, format_occurred, format_recorded
from events.model import CLOSED_STAGES, STAGE_RANK
from events.store import EventStore, TimelineRow

UNKNOWN = "unknown"
#: `known_at` of an empty log: before any append that may be committing as it is read,
#: so that replaying "as known at" it later still gives the empty state.
NOTHING_KNOWN = "1900-01-01T00:00:00.000000Z"
OCCURRED_WIDTH = len("2020-08-02T14:30:00Z")
DEFAULT_STATEMENTS_KEPT = 10
PAST_DEADLINES_KEPT = 10
# raw_decode skips the whitespace checks of json.loads: data is written by us, compact
_decode = json.JSONDecoder().raw_decode
_stage_of: dict[str, str] = {}
log = logging.getLogger(__name__)


class StatusStep(NamedTuple):
    """A deal's status changed from `previous` to `stage` at `occurred_at`."""

    deal_id: str
    stage: str
    previous: str
    occurred_at: str
    seq: int
    event_id: str
    source_url: str | None


class Deadline(NamedTuple):
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


def _statement(kept: tuple[str, str, str, str | None]) -> Statement | None:
    """A kept statement, decoded; None for a row another tool wrote that is none."""
    event_id, occurred, data, url = kept
    try:
        fields = _decode(data)[0]
        speaker, quote = fields["speaker"], fields["quote"]
        if not isinstance(speaker, str) or not isinstance(quote, str):
            return None
        return Statement(speaker, fields.get("organization"), quote,
                         fields.get("language") or "en", occurred, event_id, url)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@dataclass(slots=True)
class DealState:
    """Where one deal stands after the fold."""

    deal_id: str
    status: str = UNKNOWN
    status_since: str | None = None
    # due date -> the fields of a Deadline, as a plain tuple (cheapest to build)
    deadlines: dict[str, tuple[str, str, str | None, str, str | None, str]] = field(
        default_factory=dict
    )
    as_of: str = "9999-12-31"
    # the latest statements, still as stored: most are pushed out before anyone
    # reads them, so they are decoded only when asked for
    statements: deque[tuple[str, str, str, str | None]] = field(
        default_factory=lambda: deque(maxlen=DEFAULT_STATEMENTS_KEPT)
    )
    event_count: int = 0
    last_event_at: str | None = None
    # the latest status changes, oldest first, as plain tuples of StatusStep's fields
    # (cheapest to build); `status_changes()` gives them as StatusStep
    changes: deque[tuple[str, str, str, str, int, str, str | None]] = field(
        default_factory=lambda: deque(maxlen=0)
    )
    _status_at: str = ""
    _prior_status: str = UNKNOWN
    _prior_since: str | None = None

    def live_deadlines(self) -> list[Deadline]:
        """Live deadlines by due date: all those to come, the ten latest past ones."""
        dues = sorted(self.deadlines)
        past = sum(1 for due in dues if due < self.as_of)
        kept = dues[max(0, past - PAST_DEADLINES_KEPT):]
        return [Deadline._make(self.deadlines[due]) for due in kept]

    def next_deadline(self, as_of: date) -> Deadline | None:
        """The earliest live deadline due on or after `as_of`; none once the deal is
        closed (completed or abandoned), whatever was due after that."""
        if self.status in CLOSED_STAGES:
            return None
        day = as_of.isoformat()
        return next((d for d in self.live_deadlines() if d.due >= day), None)

    def status_changes(self) -> list[StatusStep]:
        """The latest status changes kept (see `replay`), oldest first."""
        return [StatusStep._make(change) for change in self.changes]

    def latest_statements(self) -> list[Statement]:
        """Kept statements, newest first."""
        decoded = (_statement(kept) for kept in reversed(self.statements))
        return [statement for statement in decoded if statement is not None]


@dataclass(slots=True)
class ReplayResult:
    """The state of every deal as of `as_of`, as the log stood at `known_at`."""

    as_of: date
    known_at: str
    events_applied: int
    last_seq: int
    deals: dict[str, DealState]
    skipped: int = 0  # rows another tool wrote that are no valid event: left out, warned


def _fold_negotiation(state: DealState, seq: int, event_id: str, occurred: str, data: str,
                      url: str | None) -> None:
    stage = _stage_of.get(data)
    if stage is None:  # a handful of distinct payloads: decode each once
        stage = _decode(data)[0]["stage"]
        if len(_stage_of) < 256:
            _stage_of[data] = stage
    if occurred != state._status_at:
        # a new instant: where the deal stood before it decides `status_since`
        prior = state._prior_status = state.status
        state._prior_since = state.status_since
        state._status_at = occurred
        if stage != prior:
            state.status, state.status_since = stage, occurred
            state.changes.append((state.deal_id, stage, prior, occurred, seq, event_id, url))
        return
    _fold_same_instant(state, stage, seq, event_id, occurred, url)


def _fold_same_instant(state: DealState, stage: str, seq: int, event_id: str, occurred: str,
                       url: str | None) -> None:
    """One instant, several stages (one article): the stage furthest along wins."""
    if STAGE_RANK.get(stage, -1) < STAGE_RANK.get(state.status, -1):
        return
    prior = state._prior_status
    state.status = stage
    state.status_since = state._prior_since if stage == prior else occurred
    if state.changes and state.changes[-1][3] == occurred:
        state.changes.pop()  # one instant, one change: to the stage that won it
    if stage != prior:
        state.changes.append((state.deal_id, stage, prior, occurred, seq, event_id, url))


def _fold_deadline(state: DealState, seq: int, event_id: str, occurred: str, data: str,
                   url: str | None) -> None:
    fields = _decode(data)[0]
    due, replaces = fields["due"], fields.get("replaces")
    # a row another tool wrote may hold any text: only dates are folded (ValueError skips)
    date.fromisoformat(due)
    if replaces is not None:
        date.fromisoformat(replaces)
    state.deadlines[due] = (due, fields.get("label") or "", replaces, event_id, url, occurred)
    if replaces:
        state.deadlines.pop(replaces, None)
    if len(state.deadlines) > 10 * PAST_DEADLINES_KEPT:
        _forget_old_deadlines(state)


def _forget_old_deadlines(state: DealState) -> None:
    # Past deadlines only matter as recent history; keeping them all would make
    # memory grow with the log instead of with the number of deals.
    past = sorted(due for due in state.deadlines if due < state.as_of)
    for due in past[:-PAST_DEADLINES_KEPT]:
        del state.deadlines[due]


def _fold_statement(state: DealState, seq: int, event_id: str, occurred: str, data: str,
                    url: str | None) -> None:
    state.statements.append((event_id, occurred, data, url))


def _fold_retraction(state: DealState, seq: int, event_id: str, occurred: str, data: str,
                     url: str | None) -> None:
    """Retractions act before the fold (see `replay`); here they only count."""


Reducer = Callable[[DealState, int, str, str, str, "str | None"], None]
REDUCERS: dict[str, Reducer] = {
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
    status_changes_kept: int = 0,
) -> ReplayResult:
    """Fold the log up to the end of `as_of` in `zone`, as recorded by `known_at`.

    A retraction recorded by `known_at` removes its event whatever day it was made:
    what was known to be wrong at `known_at` is never shown as true. Each deal keeps
    its `statements_kept` latest statements and `status_changes_kept` latest status
    changes (none by default: only a report draws them).
    """
    with store.snapshot():
        # by default, the log as it stands: up to its latest committed append, so that
        # replaying again "as known at" the returned time gives exactly this state
        recorded_until = (format_recorded(known_at) if known_at
                          else store.last_recorded_at() or NOTHING_KNOWN)
        retracted = store.retracted_ids(recorded_until=recorded_until)
        batches = store.timeline(
            occurred_until=format_occurred(end_of_day(as_of, zone)),
            recorded_until=recorded_until,
            deal_id=deal_id,
        )
        fold = _Fold(retracted, as_of=as_of, statements_kept=statements_kept,
                     status_changes_kept=status_changes_kept)
        fold.run(batches)
    if fold.skipped:
        log.warning("replay left out %d row(s) of the log that are no valid event (first:"
                    " seq %d); `tracker check` lists them", fold.skipped, fold.first_skipped)
    return ReplayResult(as_of, recorded_until, fold.applied, fold.last_seq, fold.deals,
                        fold.skipped)


class _Fold:
    """The hot loop: each row to its deal's reducer, counting what it applied."""

    def __init__(self, retracted: set[str], *, as_of: date, statements_kept: int,
                 status_changes_kept: int) -> None:
        self.retracted = retracted
        self.horizon = as_of.isoformat()
        self.statements_kept = statements_kept
        self.status_changes_kept = status_changes_kept
        self.deals: dict[str, DealState] = {}
        self.applied = self.last_seq = self.skipped = self.first_skipped = 0

    def run(self, batches: Iterable[list[TimelineRow]]) -> None:
        """Fold every row of `batches`, in order."""
        deals, reducers, retracted = self.deals, REDUCERS, self.retracted
        for batch in batches:
            for seq, event_id, deal, type_, occurred, data, url in batch:
                if event_id in retracted:
                    continue
                state = deals.get(deal)
                if state is None:
                    state = deals[deal] = DealState(
                        deal, statements=deque(maxlen=self.statements_kept),
                        as_of=self.horizon, changes=deque(maxlen=self.status_changes_kept))
                try:  # costs nothing until a row another tool wrote is no valid event
                    if len(occurred) != OCCURRED_WIDTH:
                        raise ValueError(occurred)
                    reducers[type_](state, seq, event_id, occurred, data, url)
                except (KeyError, ValueError, TypeError, IndexError, AttributeError):
                    self.skipped += 1
                    self.first_skipped = self.first_skipped or seq
                    continue
                state.event_count += 1
                state.last_event_at = occurred
                self.applied += 1
                if seq > self.last_seq:
                    self.last_seq = seq
