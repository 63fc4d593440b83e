"""Every error the tracker package raises; `tracker.cli` maps them to exit statuses.

Each is a `TrackerError`: a problem the user can fix, shown as one line with exit
status 1. Errors of the event log (`events.errors`) are mapped the same way.
"""

from __future__ import annotations

from enum import StrEnum


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


class DuplicateEntry(TrackerError):
    """A deal id or feed name to add is already in the configuration."""


class OpmlError(TrackerError):
    """A file to import is not a readable OPML subscription list."""


class NoDatabase(TrackerError):
    """A command that only reads found no database to read."""


class FetchErrorKind(StrEnum):
    """Why a fetch failed, as polling acts on it (back off, set aside, network down)."""

    TIMEOUT = "timeout"
    CONNECTION = "connection"  # refused or timed out connecting: maybe our network
    BROKEN = "broken"  # the server took the connection, then broke the exchange
    HTTP = "http"
    TOO_LARGE = "too_large"
    GONE = "gone"  # 410: the feed was removed, retried weekly
    REDIRECTS = "redirects"
    FILE = "file"
    URL = "url"
    CONTENT = "content"  # a body of a kind not read (a PDF where a web page was asked for)


class FetchError(TrackerError):
    """A feed could not be fetched; `kind` says why, `str()` is one line naming the URL."""

    def __init__(self, url: str, kind: FetchErrorKind, problem: str, *,
                 status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(f"{url or '(empty location)'}: {problem}")
        self.url = url
        self.kind = kind
        self.problem = problem
        self.status = status
        self.retry_after = retry_after


class FeedError(TrackerError):
    """The bytes of a feed could not be read as a feed."""


class ReportError(TrackerError):
    """The report could not be written, or was written but could not be e-mailed."""


class AlreadyRunning(TrackerError):
    """Another process holds the run lock of this database."""
