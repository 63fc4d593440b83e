"""Errors raised by the tracker package; `tracker.cli` maps them to exit statuses."""

from __future__ import annotations


class TrackerError(Exception):
    """Base class: a problem the user can fix, shown as one line, exit status 1."""


class ConfigError(TrackerError):
    """The configuration file is missing, unreadable or has a bad key or value."""

    def __init__(self, path: object, key: str | None, problem: str) -> None:
        where = f"{path}: {key}" if key else f"{path}"
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.key = key
        self.problem = problem


class UnknownDeal(TrackerError):
    """A command named a deal that the configuration does not define."""
