"""From a feed's bytes to stored articles and appended events.

feedparser parses; each entry is normalised into an article; an article seen for the
first time, or whose content changed, is offered to extraction, and the article with
its events is committed in one transaction: after a crash an article is either wholly
recorded or absent, and ingesting again ends with exactly the same events.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from events.clock import format_occurred, format_recorded, parse_instant
from tracker.archive import Archive, KnownVersion
from tracker.articles import Article, articles_from_entries
from tracker.errors import TrackerError

if TYPE_CHECKING:
    from tracker.config import Deal

log = logging.getLogger(__name__)

# Articles committed per transaction: large enough that a 20,000-entry feed costs a
# few dozen commits, small enough that a kill loses little work.
ARTICLES_PER_TRANSACTION = 250


class FeedError(TrackerError):
    """The bytes of a feed could not be read as a feed."""


@dataclass
class IngestCounts:
    """What one feed brought in."""

    entries: int = 0
    new_articles: int = 0
    new_versions: int = 0
    new_events: int = 0
    warning: str | None = None
    stopped: bool = False


def parse_feed(content: bytes, *, source: str, content_type: str | None = None) -> Any:
    """Parse feed bytes; a malformed feed with entries is kept, with its problem noted."""
    import feedparser

    # No content-location: feedparser would resolve every element against it, which
    # costs a third of the parse; articles resolve their own links (articles.py).
    headers = {"content-type": content_type} if content_type else {}
    content = repair_utf8(content, content_type)
    try:
        parsed = feedparser.parse(content, response_headers=headers, sanitize_html=False,
                                  resolve_relative_uris=False)
    # feedparser is a large parser of hostile input: whatever it raises is a bad feed
    except Exception as error:  # noqa: BLE001
        raise FeedError(f"{source}: cannot parse feed: {error}") from error
    if parsed.get("bozo") and not parsed.entries:
        reason = _one_line(parsed.get("bozo_exception")) or "not a feed"
        raise FeedError(f"{source}: not a readable feed ({reason})")
    return parsed


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)""")


def repair_utf8(content: bytes, content_type: str | None = None) -> bytes:
    """Replace the few broken sequences of a UTF-8 feed, so one bad byte costs one
    character, not the whole document read as Windows-1252 (feedparser's fallback)."""
    declared = _DECLARED.match(content[:200])
    charset = (declared.group(1).decode() if declared else "") or (
        (content_type or "").partition("charset=")[2].strip(" \"'"))
    if charset.lower().replace("_", "-") not in ("", "utf-8", "utf8"):
        return content
    try:
        content.decode("utf-8")
        return content
    except UnicodeDecodeError:
        text = content.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    # mostly valid multi-byte characters: UTF-8 with damage; otherwise leave it to
    # feedparser's own detection (an undeclared Latin-1 feed, say)
    if sum(1 for char in text if ord(char) > 127) > 2 * broken:
        return text.encode("utf-8")
    return content


def bozo_warning(parsed: Any) -> str | None:
    """The reason feedparser flagged a feed it could still read, or None."""
    return _one_line(parsed.get("bozo_exception")) if parsed.get("bozo") else None


def _one_line(value: object) -> str:
    return " ".join(str(value or "").split())[:300]


class Ingestor:
    """Stores articles and their events, one feed at a time, with one extractor."""

    def __init__(self, archive: Archive, deals: Sequence[Deal], *,
                 should_stop: Callable[[], bool] | None = None) -> None:
        self.archive = archive
        self.store = archive.store
        self.deals = deals
        self.should_stop = should_stop
        self._extractor: Any = None

    @property
    def extractor(self) -> Any:
        """The extractor, built on first use: a poll of unchanged feeds never needs it."""
        if self._extractor is None and self.deals:
            from tracker.extract import Extractor

            self._extractor = Extractor(self.deals)
        return self._extractor

    def ingest_bytes(self, content: bytes, *, feed: str, fetched_at: datetime,
                     language: str | None = None, content_type: str | None = None,
                     source: str | None = None) -> IngestCounts:
        """Parse one feed's bytes and store what is new in it."""
        parsed = parse_feed(content, source=source or feed, content_type=content_type)
        declared = str(parsed.feed.get("language") or "").lower()[:2]
        hint = declared if declared in ("fr", "en") else language
        articles = articles_from_entries(parsed.entries, feed=feed, fetched_at=fetched_at,
                                         language=hint, base_url=source)
        counts = self.save(articles, fetched_at=fetched_at)
        counts.warning = bozo_warning(parsed)
        if counts.warning:
            log.warning("%s: kept %d entries of a malformed feed: %s", feed, counts.entries,
                        counts.warning)
        return counts

    def save(self, articles: list[Article], *, fetched_at: datetime) -> IngestCounts:
        """Store new articles and new versions, with their events, in short transactions."""
        counts = IngestCounts(entries=len(articles))
        known: dict[str, dict[str, KnownVersion]] = {}
        stamp = format_recorded(fetched_at)
        for start in range(0, len(articles), ARTICLES_PER_TRANSACTION):
            # the first batch always goes in, so a stop never starves a feed
            if start and self.should_stop and self.should_stop():
                counts.stopped = True
                break
            with self.store.transaction():
                for article in articles[start : start + ARTICLES_PER_TRANSACTION]:
                    if article.feed not in known:
                        known[article.feed] = self.archive.known_versions(article.feed)
                    self._save_one(article, known[article.feed], stamp, counts)
        return counts

    def _save_one(self, article: Article, known: dict[str, KnownVersion], stamp: str,
                  counts: IngestCounts) -> None:
        previous = known.get(article.key)
        if previous and previous.content_hash == article.content_hash:
            return
        if previous and article.published_estimated:
            # an undated entry keeps the time it was first seen: its facts keep their ids
            article = replace(article, published=parse_instant(previous.published_at))
        version = previous.version + 1 if previous else 1
        events = self.extractor.extract(article) if self.extractor else []
        appended = self.store.append(events) if events else []
        if self.archive.save_article(article, version=version, fetched_at=stamp,
                                     events=len(events)):
            counts.new_articles += previous is None
            counts.new_versions += previous is not None
        counts.new_events += len(appended)
        known[article.key] = KnownVersion(article.content_hash, version,
                                          format_occurred(article.published))
