"""The event store in memory: the reference backend, for tests and throwaway replays.

It keeps rows in a list in `seq` order; a transaction remembers how long the list was
and cuts it back on failure. One lock serialises writers and snapshot readers, as the
write lock of a database would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from events.store import EventStore, StoredEvent, TimelineRow

BATCH = 2000


class MemoryEventStore(EventStore):
    """An append-only log held in a list; nothing survives the process."""

    def __init__(self) -> None:
        self._rows: list[StoredEvent] = []
        self._by_id: dict[str, StoredEvent] = {}
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[object]:
        with self._lock:
            kept = len(self._rows)
            try:
                yield self
            except BaseException:
                for row in self._rows[kept:]:
                    del self._by_id[row.event_id]
                del self._rows[kept:]
                raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        with self._lock:
            yield

    def _stored_ids(self, ids: Sequence[str]) -> set[str]:
        return {event_id for event_id in ids if event_id in self._by_id}

    def _insert(self, rows: Sequence[StoredEvent]) -> list[StoredEvent]:
        stored = []
        for row in rows:
            event = row._replace(seq=self.last_seq() + 1)
            self._rows.append(event)
            self._by_id[event.event_id] = event
            stored.append(event)
        return stored

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
        # seq starts at 1 and grows by one: row n - 1 holds seq n
        for row in self._rows[after_seq:]:
            if ((deal_id is None or row.deal_id == deal_id)
                    and (type is None or row.type == type)
                    and (occurred_from is None or row.occurred_at >= occurred_from)
                    and (recorded_from is None or row.recorded_at >= recorded_from)
                    and (recorded_until is None or row.recorded_at <= recorded_until)):
                yield row

    def timeline(
        self,
        *,
        occurred_until: str | None = None,
        recorded_until: str | None = None,
        deal_id: str | None = None,
    ) -> Iterator[list[TimelineRow]]:
        chosen = sorted(
            (row for row in self._rows
             if (deal_id is None or row.deal_id == deal_id)
             and (occurred_until is None or row.occurred_at <= occurred_until)
             and (recorded_until is None or row.recorded_at <= recorded_until)),
            key=lambda row: (row.occurred_at, row.seq))
        for start in range(0, len(chosen), BATCH):
            yield [(r.seq, r.event_id, r.deal_id, r.type, r.occurred_at, r.data, r.source_url)
                   for r in chosen[start:start + BATCH]]

    def get(self, event_id: str) -> StoredEvent | None:
        return self._by_id.get(event_id)

    def last_recorded_at(self) -> str | None:
        return max((row.recorded_at for row in self._rows[-1:]), default=None)

    def last_seq(self) -> int:
        return self._rows[-1].seq if self._rows else 0

    def close(self) -> None:
        """Nothing to release: the rows live as long as the object."""
