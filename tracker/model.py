"""Types that cross the stages of the pipeline: feeds and deals as configured, what a
fetch brings back, articles as extraction reads them, and what polling remembers.

Each stage imports these rather than the module of the stage that makes them, so
extraction knows nothing of the TOML loader and the archive nothing of feedparser.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from events.model import Event

#: Articles longer than this are cut: no real news item is, and it bounds the work a
#: hostile feed can ask of us.
MAX_TEXT_CHARS = 200_000
MAX_TITLE_CHARS = 1_000


#: When a feed's entries have their page read: "auto" when one names a deal and its feed
#: text is short, "always" when one names a deal, "never".
FULL_TEXT = ("auto", "always", "never")
#: Under this many characters of feed text, "auto" reads the page.
SHORT_TEXT_CHARS = 1_500


@dataclass(frozen=True)
class Feed:
    """A feed to poll: a name, an http(s) URL or a file, an optional language, and when to
    read its entries' pages."""

    name: str
    url: str
    language: str | None = None
    full_text: str = "auto"


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

    def names(self) -> tuple[str, ...]:
        """Every name of every party, lower case: two deals sharing one are rivals."""
        return tuple(sorted({name.casefold() for name in (
            *self.target_names(), *self.acquirer_names(), *self.seller_names())}))

    @property
    def fingerprint(self) -> str:
        """A hash of the names that decide which articles are about the deal: a change of
        any of them means the archive must be read again for it (not the title)."""
        names = [self.id, self.acquirer, self.target, self.seller or "", sorted(self.aliases),
                 sorted(self.acquirer_aliases), sorted(self.seller_aliases),
                 sorted(self.exclude)]
        canonical = json.dumps(names, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


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
    status: int = 200


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


@dataclass(frozen=True)
class Found:
    """An event read from an article, with what made the extractor read it: the rule or
    lexicon entry, and where the words that triggered it are in the event's evidence."""

    event: Event
    rule: str
    trigger: tuple[int, int] | None = None


@dataclass(frozen=True)
class ArticleReading:
    """What reading one article gave: the configured deals it names, and its events."""

    deals: frozenset[str] = frozenset()
    found: tuple[Found, ...] = ()

    @property
    def events(self) -> list[Event]:
        return [found.event for found in self.found]


@dataclass(frozen=True)
class StoredArticle:
    """One stored version of an article, as the archive keeps it."""

    id: int
    version: int
    article: Article
    fetched_at: str
    read_by: str | None = None  # the extractor version that last read it
    text_source: str = "feed"  # where its text came from: the feed, or the page


class EventSource(NamedTuple):
    """Provenance of one event: the article version it was read from, and how."""

    event_id: str
    article_id: int
    deal_id: str
    rule: str
    trigger: tuple[int, int] | None
    extractor: str


@dataclass(frozen=True)
class ListedArticle:
    """An article naming a configured deal, with the deals it names and its events."""

    stored: StoredArticle
    deals: tuple[str, ...]
    event_ids: tuple[str, ...]


class PageSource(NamedTuple):
    """Where a page version's text came from: the final URL read and its HTTP status."""

    url: str
    status: int
