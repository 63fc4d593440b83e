"""The event store interface: append, read in order, read from a sequence number.

`SQLiteEventStore` (in `events.sqlite_store`) is the first implementation; another
backend passes the same contract tests (`tests/store_contract.py`).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, NamedTuple

from events.model import Event

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

    def as_dict(self) -> dict[str, Any]:
        """Return the row as the JSON object documented for `tracker events`."""
        row = self._asdict()
        row["data"] = json.loads(self.data)
        return row


#: What replay folds: a plain tuple (no object per row, for speed) of these columns.
TIMELINE_COLUMNS: tuple[str, ...] = (
    "seq", "event_id", "deal_id", "type", "occurred_at", "data", "source_url"
)
TimelineRow = tuple[int, str, str, str, str, str, "str | None"]


class EventStore(ABC):
    """An append-only log of events, each with a unique id and a growing `seq`."""

    @abstractmethod
    def append(self, batch: Iterable[Event], *, now: datetime | None = None) -> list[StoredEvent]:
        """Append a batch in one transaction; skip known ids; return the new rows."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[object]:
        """A unit of work: appends (and the caller's own writes) inside commit together."""

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
    def retracted_ids(self, *, recorded_until: str | None = None) -> set[str]:
        """Return the ids retracted by retractions recorded up to `recorded_until`."""

    @abstractmethod
    def get(self, event_id: str) -> StoredEvent | None:
        """Return the event with this exact id, or None."""

    @abstractmethod
    def find(self, id_or_prefix: str) -> StoredEvent:
        """Return the event with this id or unique id prefix; raise UnknownEvent."""

    @abstractmethod
    def snapshot(self) -> AbstractContextManager[None]:
        """Reads inside see one consistent state of the log."""

    @abstractmethod
    def last_recorded_at(self) -> str | None:
        """The `recorded_at` of the latest committed event, None when the log is empty."""

    @abstractmethod
    def verify(self) -> list[str]:
        """Problems the backend itself can see (corruption, missing guards); [] when sound."""

    @abstractmethod
    def last_seq(self) -> int:
        """Return the highest `seq` stored, 0 when the log is empty."""

    @abstractmethod
    def close(self) -> None:
        """Release the store's resources."""

    def __enter__(self) -> EventStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
