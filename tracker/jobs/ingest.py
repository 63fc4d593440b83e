"""From a feed's bytes to stored articles and appended events.

feedparser parses; each entry is normalised into an article; an article seen for the
first time, or whose content changed, is offered to extraction, and the article with
its events is committed in one transaction: after a crash an article is either wholly
recorded or absent, and ingesting again ends with exactly the same events.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple, Protocol

from events.clock import format_occurred, format_recorded, parse_instant
from events.model import Event
from tracker.archive import Archive
from tracker.extract.version import extractor_version
from tracker.feeds.articles import articles_from_entries
from tracker.feeds.parse import bozo_warning, parse_feed
from tracker.model import Article, ArticleReading, Deal, KnownVersion

log = logging.getLogger(__name__)

# Articles committed per transaction: large enough that a 20,000-entry feed costs a
# few dozen commits, small enough that a kill loses little work.
ARTICLES_PER_TRANSACTION = 250


@dataclass
class IngestCounts:
    """What one feed brought in."""

    entries: int = 0
    new_articles: int = 0
    new_versions: int = 0
    new_events: int = 0
    unreadable: int = 0  # articles extraction failed on (a bug, logged with its traceback)
    warning: str | None = None
    stopped: bool = False


class _Draft(NamedTuple):
    """An article to store, with its version and what reading it gave."""

    article: Article
    version: int
    new: bool
    reading: ArticleReading

    @property
    def events(self) -> list[Event]:
        return self.reading.events


class EventReader(Protocol):
    """What reads an article for events: `tracker.extract.Extractor`."""

    def read(self, article: Article) -> ArticleReading: ...


def definitions(deals: Sequence[Deal]) -> tuple[str, dict[str, str]]:
    """The fingerprint of a set of deal definitions, and each deal's own."""
    each = {deal.id: deal.fingerprint for deal in deals}
    canonical = json.dumps(each, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16], each


class Ingestor:
    """Stores articles and their events, one feed at a time, with one extractor.

    The extractor is built from `deals` on first use, unless one is given.
    """

    def __init__(self, archive: Archive, deals: Sequence[Deal], *,
                 should_stop: Callable[[], bool] | None = None,
                 extractor: EventReader | None = None) -> None:
        self.archive = archive
        self.store = archive.store
        self.deals = deals
        self.should_stop = should_stop
        self._extractor: EventReader | None = extractor
        self.read_with, self._definitions = definitions(deals)

    @property
    def extractor(self) -> EventReader | None:
        """The extractor, built on first use: a poll of unchanged feeds never needs it."""
        if self._extractor is None and self.deals:
            from tracker.extract import Extractor

            self._extractor = Extractor(self.deals)
        return self._extractor

    @property
    def version(self) -> str:
        """The version of the extractor that reads for this ingestor."""
        return extractor_version()

    def read(self, article: Article) -> ArticleReading:
        """What reading one article gives (nothing for an article extraction fails on)."""
        return self._extract(article, IngestCounts())

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
        # told once, by whoever shows the poll's summary (the command, or the scheduler's log)
        counts.warning = bozo_warning(parsed)
        return counts

    def save(self, articles: list[Article], *, fetched_at: datetime) -> IngestCounts:
        """Store new articles and new versions, with their events, in short transactions.

        Each batch is read for events first, then written in one transaction: no text is
        read while the write lock is held, so a concurrent `tracker add` never waits
        on extraction.
        """
        counts = IngestCounts(entries=len(articles))
        known: dict[str, dict[str, KnownVersion]] = {}
        stamp = format_recorded(fetched_at)
        searchable = False
        for start in range(0, len(articles), ARTICLES_PER_TRANSACTION):
            # the first batch always goes in, so a stop never starves a feed
            if start and self.should_stop and self.should_stop():
                counts.stopped = True
                break
            batch = articles[start : start + ARTICLES_PER_TRANSACTION]
            for feed in {article.feed for article in batch} - set(known):
                known[feed] = self.archive.known_versions(feed)
            drafts = [draft for article in batch
                      if (draft := self._draft(article, known[article.feed], counts))]
            with self.store.transaction():
                if not start:
                    self.archive.save_definitions(self.read_with, self._definitions)
                for draft in drafts:
                    self._save_one(draft, stamp, counts)
                    searchable = searchable or bool(draft.reading.deals)
        if searchable:
            self.archive.index_for_search()
        return counts

    def _draft(self, article: Article, known: dict[str, KnownVersion],
               counts: IngestCounts) -> _Draft | None:
        """A new article or version with its events, read outside any transaction."""
        previous = known.get(article.key)
        if previous and previous.content_hash == article.content_hash:
            return None
        if previous and article.published_estimated:
            # an undated entry keeps the time it was first seen: its facts keep their ids
            article = replace(article, published=parse_instant(previous.published_at))
        version = previous.version + 1 if previous else 1
        known[article.key] = KnownVersion(article.content_hash, version,
                                          format_occurred(article.published))
        return _Draft(article, version, previous is None, self._extract(article, counts))

    def _save_one(self, draft: _Draft, stamp: str, counts: IngestCounts) -> None:
        appended = self.store.append(draft.events) if draft.events else []
        if self.archive.save_article(
                draft.article, version=draft.version, fetched_at=stamp, events=len(draft.events),
                read_by=extractor_version(), read_with=self.read_with,
                reading=draft.reading if draft.reading.deals else None) is not None:
            counts.new_articles += draft.new
            counts.new_versions += not draft.new
        counts.new_events += len(appended)

    def _extract(self, article: Article, counts: IngestCounts) -> ArticleReading:
        """What reading the article gave; a failure is a bug: logged whole, counted, never
        fatal."""
        if self.extractor is None:
            return ArticleReading()
        try:
            return self.extractor.read(article)
        # one article must not stop a feed: the bug is logged with its traceback instead
        except Exception:  # noqa: BLE001
            log.exception("%s: could not read article %s", article.feed,
                          article.link or article.key)
            counts.unreadable += 1
            return ArticleReading()
