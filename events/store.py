"""The event store interface: append, read in order, read after a sequence number.

`EventStore` holds the rules every backend shares — ids are unique, `recorded_at`
grows strictly with each append, a retraction targets an earlier event of the same
deal — and asks a backend only for a few primitives (a transaction, a snapshot,
inserting rows, reading them back). `SQLiteEventStore` (`events.sqlite_store`) and
`MemoryEventStore` (`events.memory_store`) pass the same contract tests
(`tests/store_contract.py`).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import NamedTuple

from events.clock import format_recorded, parse_instant, utc_now
from events.errors import InvalidEvent
from events.model import DATA_VERSION, Event, EventRetracted, event_from_data

COLUMNS: tuple[str, ...] = (
    "seq",
    "event_id",
    "deal_id",
    "type",
    "occurred_at",
    "recorded_at",
    "data",
    "source_url",
    "source_feed",
    "evidence",
    "version",
)


class StoredEvent(NamedTuple):
    """One row of the event log, as stored (`data` is the JSON text)."""

    seq: int
    event_id: str
    deal_id: str
    type: str
    occurred_at: str
    recorded_at: str
    data: str
    source_url: str | None
    source_feed: str | None
    evidence: str | None
    version: int

    def event(self) -> Event:
        """The row as its event class; InvalidEvent when it is not a valid event."""
        try:
            data = json.loads(self.data)
        except (TypeError, ValueError):
            raise InvalidEvent("data", "is not JSON") from None
        try:
            occurred = parse_instant(self.occurred_at)
        except (TypeError, ValueError):
            raise InvalidEvent("occurred_at", f"is not a time: {self.occurred_at!r}") from None
        return event_from_data(self.type, deal_id=self.deal_id, occurred_at=occurred, data=data,
                               source_url=self.source_url, source_feed=self.source_feed,
                               evidence=self.evidence)


#: What replay folds: a plain tuple (no object per row, for speed) of these columns.
TIMELINE_COLUMNS: tuple[str, ...] = (
    "seq", "event_id", "deal_id", "type", "occurred_at", "data", "source_url"
)
TimelineRow = tuple[int, str, str, str, str, str, "str | None"]


class EventStore(ABC):
    """An append-only log of events, each with a unique id and a growing `seq`."""

    # --- what a backend provides -------------------------------------------------------

    @abstractmethod
    def transaction(self) -> AbstractContextManager[object]:
        """A unit of work: appends (and the caller's own writes) inside commit together.

        It holds the log's write lock, so reads inside see every committed append.
        """

    @abstractmethod
    def snapshot(self) -> AbstractContextManager[None]:
        """Reads inside see one consistent state of the log."""

    @abstractmethod
    def read(
        self,
        *,
        after_seq: int = 0,
        deal_id: str | None = None,
        type: str | None = None,
        occurred_from: str | None = None,
        recorded_from: str | None = None,
        recorded_until: str | None = None,
    ) -> Iterator[StoredEvent]:
        """Stream stored events with `seq > after_seq`, in `seq` order (bounds inclusive)."""

    @abstractmethod
    def timeline(
        self,
        *,
        occurred_until: str | None = None,
        recorded_until: str | None = None,
        deal_id: str | None = None,
    ) -> Iterator[list[TimelineRow]]:
        """Stream events within the bounds (inclusive), in `(occurred_at, seq)` order.

        Rows come in batches (lists of plain tuples) so that replay pays the cost of
        the iterator once per batch, not once per event.
        """

    @abstractmethod
    def get(self, event_id: str) -> StoredEvent | None:
        """Return the event with this exact id, or None."""

    @abstractmethod
    def last_recorded_at(self) -> str | None:
        """The latest `recorded_at` committed (well-formed), None when the log is empty."""

    @abstractmethod
    def last_seq(self) -> int:
        """Return the highest `seq` stored, 0 when the log is empty."""

    @abstractmethod
    def close(self) -> None:
        """Release the store's resources."""

    @abstractmethod
    def _stored_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of `ids` are already stored (called inside a transaction)."""

    @abstractmethod
    def _insert(self, rows: Sequence[StoredEvent]) -> list[StoredEvent]:
        """Insert rows in order, each given the next `seq` (their own is 0); return them
        with it (called inside a transaction)."""

    # --- what a backend may do better than the generic way ---------------------------

    def ids_with_prefix(self, prefix: str, *, limit: int = 2) -> list[str]:
        """Up to `limit` event ids starting with `prefix`, in `seq` order."""
        found = []
        for row in self.read():
            if row.event_id.startswith(prefix):
                found.append(row.event_id)
                if len(found) == limit:
                    break
        return found

    def verify(self) -> list[str]:
        """Problems the backend itself can see (corruption, missing guards); [] when sound."""
        return []

    def chain_head(self) -> tuple[int, str] | None:
        """The seq and hash a tamper-evident backend's chain ends with; None without one."""
        return None

    def acknowledge_notices(self) -> int:
        """Mark the backend's open notices (guards put back...) as seen; how many."""
        return 0

    # --- the rules every backend shares ------------------------------------------------

    def append(self, batch: Iterable[Event], *, now: datetime | None = None) -> list[StoredEvent]:
        """Append a batch in one transaction; skip known ids; return the new rows."""
        events = list(batch)
        if not events:
            return []
        with self.transaction():
            recorded_at = self._next_recorded_at(now or utc_now())
            ids = [event.event_id for event in events]
            seen = self._stored_ids(ids)
            rows: list[StoredEvent] = []
            for event, event_id in zip(events, ids, strict=True):
                if event_id in seen:
                    continue
                if isinstance(event, EventRetracted):
                    self._check_retraction(event, rows)
                rows.append(_new_row(event, event_id, recorded_at))
                seen.add(event_id)
            return self._insert(rows) if rows else []

    def _next_recorded_at(self, now: datetime) -> str:
        # recorded_at grows strictly with each append, whatever the system clock does:
        # a reader that saw the log up to recorded_at L (see `last_recorded_at`) knows
        # that everything appended but not yet committed is stamped after L, so
        # "as known at L" gives the same answer now and later.
        recorded_at = format_recorded(now)
        last = self.last_recorded_at()
        if last and recorded_at <= last:
            recorded_at = format_recorded(parse_instant(last) + timedelta(microseconds=1))
        return recorded_at

    def _check_retraction(self, event: EventRetracted,
                          pending: Sequence[StoredEvent]) -> None:
        stored = self.get(event.retracted_id)
        target = (stored.type, stored.deal_id) if stored else next(
            ((row.type, row.deal_id) for row in pending if row.event_id == event.retracted_id),
            None)
        if target is None:
            raise InvalidEvent("event_id", f"no event {event.retracted_id} to retract")
        if target[0] == "retraction" and self._reinstates(event.retracted_id, pending):
            raise InvalidEvent("event_id", "a retraction that reinstates an event cannot itself"
                               " be retracted: retract the event again")
        if target[1] != event.deal_id:
            raise InvalidEvent("deal_id", f"must be {target[1]}, the retracted event's deal")

    def _reinstates(self, retraction_id: str, pending: Sequence[StoredEvent]) -> bool:
        """Whether a retraction retracts a retraction (and so reinstates an event)."""
        row = self.get(retraction_id) or next(r for r in pending if r.event_id == retraction_id)
        target = json.loads(row.data)["event_id"]
        stored = self.get(target)
        kind = stored.type if stored else next(
            (r.type for r in pending if r.event_id == target), None)
        return kind == "retraction"

    def retracted_ids(self, *, recorded_until: str | None = None) -> set[str]:
        """Return the ids retracted by retractions recorded up to `recorded_until`."""
        rows = self.read(type="retraction", recorded_until=recorded_until)
        return in_force({row.event_id: json.loads(row.data)["event_id"] for row in rows})

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def in_force(retractions: dict[str, str]) -> set[str]:
    """The ids retracted, given each retraction's id -> the id it retracts.

    A retraction may itself be retracted, which reinstates its event (`tracker
    reprocess` does so when an event it retracted is read again); one that reinstates
    cannot be, so the answer needs no more than one step.
    """
    undone = {target for target in retractions.values() if target in retractions}
    return {target for rid, target in retractions.items() if rid not in undone}


def _new_row(event: Event, event_id: str, recorded_at: str) -> StoredEvent:
    return StoredEvent(0, event_id, event.deal_id, event.type, event.occurred, recorded_at,
                  json.dumps(event.data(), ensure_ascii=False, sort_keys=True),
                  event.source_url, event.source_feed, event.evidence, DATA_VERSION)
