"""Types that cross the stages of the pipeline: feeds and deals as configured, what a
fetch brings back, articles as extraction reads them, and what polling remembers.

Each stage imports these rather than the module of the stage that makes them, so
extraction knows nothing of the TOML loader and the archive nothing of feedparser.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

#: Articles longer than this are cut: no real news item is, and it bounds the work a
#: hostile feed can ask of us.
MAX_TEXT_CHARS = 200_000
MAX_TITLE_CHARS = 1_000


@dataclass(frozen=True)
class Feed:
    """A feed to poll: a name, an http(s) URL or a file, and an optional language."""

    name: str
    url: str
    language: str | None = None


@dataclass(frozen=True)
class Deal:
    """A deal to follow: who buys whom (and from whom), under which names."""

    id: str
    title: str
    acquirer: str
    target: str
    seller: str | None = None
    aliases: tuple[str, ...] = ()  # more names of the target side
    acquirer_aliases: tuple[str, ...] = ()
    seller_aliases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # phrases that never count as a mention ("Fox News")

    def target_names(self) -> tuple[str, ...]:
        """The names of the target side: the target and its aliases."""
        return (self.target, *self.aliases)

    def acquirer_names(self) -> tuple[str, ...]:
        """The names of the acquirer: the acquirer and its aliases."""
        return (self.acquirer, *self.acquirer_aliases)

    def seller_names(self) -> tuple[str, ...]:
        """The names of the seller, if any, and its aliases."""
        return ((self.seller,) if self.seller else ()) + self.seller_aliases


@dataclass(frozen=True)
class FetchResult:
    """What one fetch brought back: the feed's bytes, or that it has not changed (304)."""

    url: str
    final_url: str
    permanent_url: str | None
    not_modified: bool
    content: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str | None


@dataclass(frozen=True)
class Article:
    """One feed entry as plain text, with its publication time in UTC."""

    feed: str
    key: str
    link: str | None
    title: str
    text: str
    published: datetime
    language: str | None = None
    published_estimated: bool = False
    content_hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.content_hash:
            digest = hashlib.sha256(f"{self.title}\x00{self.text}".encode()).hexdigest()[:24]
            object.__setattr__(self, "content_hash", digest)


@dataclass(frozen=True)
class FeedState:
    """What polling remembers about one feed between runs."""

    name: str
    url: str
    fetch_url: str
    etag: str | None = None
    last_modified: str | None = None
    error_count: int = 0
    last_error: str | None = None
    last_error_at: str | None = None
    next_poll_at: str | None = None
    last_polled_at: str | None = None
    last_success_at: str | None = None
    disabled_reason: str | None = None


class KnownVersion(NamedTuple):
    """The latest stored version of an article: enough to tell whether it changed."""

    content_hash: str
    version: int
    published_at: str
