"""Errors raised by the events package."""

from __future__ import annotations


class EventsError(Exception):
    """Base class for every error raised by the events package."""


class InvalidEvent(EventsError):
    """An event was refused: one of its fields is missing or wrong."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class UnknownEvent(EventsError):
    """No stored event has the given id (or several match a prefix)."""


class StoreError(EventsError):
    """The event store cannot be opened, read or written."""


class NoEventLog(StoreError):
    """A store opened only to read holds no event log yet (nothing was created)."""


class DamagedStore(StoreError):
    """The database file is damaged: SQLite cannot read it as a database."""
