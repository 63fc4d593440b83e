"""Finding an event by a unique prefix of its id, on any store."""

from __future__ import annotations

import pytest

from events.errors import UnknownEvent
from events.memory_store import MemoryEventStore
from tests.conftest import negotiation, twin_negotiations
from tracker.cli.lookup import find_event


def test_a_unique_prefix_finds_its_event_whatever_its_case() -> None:
    store = MemoryEventStore()
    (row,) = store.append([negotiation("agreed", "2020-08-02")])
    assert find_event(store, row.event_id[:8]) == row
    assert find_event(store, row.event_id[:8].upper()) == row
    assert find_event(store, row.event_id) == row


def test_short_unknown_and_ambiguous_prefixes_are_refused() -> None:
    store = MemoryEventStore()
    rows = store.append([negotiation("agreed", f"2020-08-{day:02d}") for day in range(1, 29)])
    with pytest.raises(UnknownEvent, match="no event with id"):
        find_event(store, rows[0].event_id[:5])
    with pytest.raises(UnknownEvent, match="no event with an id starting"):
        find_event(store, "ffffffffffffffff")


def test_a_prefix_two_events_share_is_ambiguous() -> None:
    twin, event = twin_negotiations()
    store = MemoryEventStore()
    store.append([twin, event])
    with pytest.raises(UnknownEvent, match="several events"):
        find_event(store, event.event_id[:6])
    assert find_event(store, event.event_id[:12]).event_id == event.event_id
