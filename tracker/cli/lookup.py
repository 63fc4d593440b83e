"""Finding an event by its id or a unique prefix of it, as `retract` is given one."""

from __future__ import annotations

from events.errors import UnknownEvent
from events.store import EventStore, StoredEvent

#: Shorter prefixes would match by chance in any log of some size.
MIN_PREFIX = 6


def find_event(store: EventStore, id_or_prefix: str) -> StoredEvent:
    """The event with this id, or the only one whose id starts so; raise UnknownEvent."""
    exact = store.get(id_or_prefix)
    if exact is not None:
        return exact
    if len(id_or_prefix) < MIN_PREFIX or not id_or_prefix.isalnum():
        raise UnknownEvent(f"no event with id {id_or_prefix!r}")
    ids = store.ids_with_prefix(id_or_prefix.lower(), limit=2)
    if len(ids) != 1:
        problem = "no event" if not ids else "several events"
        raise UnknownEvent(f"{problem} with an id starting {id_or_prefix!r}")
    found = store.get(ids[0])
    if found is None:  # the log cannot lose a row between two reads: it is append-only
        raise UnknownEvent(f"no event with id {ids[0]!r}")
    return found
