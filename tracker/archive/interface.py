"""The archive: the operational tables beside the event log (feeds, articles, runs, reports,
and a copy of the configured deals for tools that browse the database).

They are not history (the event log is): feeds hold what polling needs between runs
(validators, errors, next poll time), articles keep every entry seen, with its text,
so extraction can be re-run, runs have one row per poll and reports one per day
reported. An archive shares its event store's transactions (`archive.store`), so an
article and its events are committed together. `SQLiteArchive` (in
`tracker.archive.sqlite_archive`) is the implementation beside the SQLite event log; only the
command line's composition root picks it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from events.store import EventStore
from tracker.model import (
    Article,
    ArticleReading,
    Deal,
    EventSource,
    FeedState,
    KnownVersion,
    ListedArticle,
    PageSource,
    StoredArticle,
)


class Archive(ABC):
    """Feeds, articles, runs and reports, written in the event store's transactions."""

    store: EventStore

    @abstractmethod
    def feed_states(self, configured: Iterable[tuple[str, str]]) -> dict[str, FeedState]:
        """The state of each configured (name, url); a changed URL starts afresh."""

    @abstractmethod
    def save_feed(self, state: FeedState) -> None:
        """Insert or replace the stored state of one feed."""

    @abstractmethod
    def all_feeds(self) -> list[FeedState]:
        """Every feed ever polled, by name."""

    # --- sharing: several pollers on one archive

    def lease_feeds(self, states: Sequence[FeedState], *, now: str, until: str, holder: str,
                    every: bool = False) -> list[FeedState]:
        """Of these due feeds, those this poller is to fetch this round, as stored now;
        each is leased to `holder` until `until`, so no other poller sharing the archive
        takes it before (with `every`, even those leased or backing off).

        An archive one poller uses at a time (SQLite: `tracker run` holds a file lock)
        leases nothing: every feed is this poller's.
        """
        return list(states)

    @contextmanager
    def exclusively(self, task: str) -> Iterator[bool]:
        """Inside: whether this process alone runs `task` among those sharing the
        archive (False while another one runs it: skip it). Alone on SQLite."""
        yield True

    @abstractmethod
    def known_versions(self, feed: str) -> dict[str, KnownVersion]:
        """key -> the latest stored version of each article of `feed`."""

    @abstractmethod
    def save_article(self, article: Article, *, version: int, fetched_at: str, events: int,
                     read_by: str | None = None, read_with: str | None = None,
                     reading: ArticleReading | None = None,
                     page: PageSource | None = None) -> int | None:
        """Store one version of an article, read by extractor `read_by` with the deal
        definitions `read_with` (and what `reading` it gave: its deals and event sources;
        with `page`, its text was read from the article's page); its id, or None when that
        exact content is already kept."""

    # --- pages: the article's own page, read after its feed entry

    @abstractmethod
    def page_candidates(self, *, auto: Sequence[str], always: Sequence[str], short: int,
                        limit: int, retry_since: str = "") -> list[StoredArticle]:
        """Latest feed versions naming a deal whose page was never tried, newest first: of
        the feeds `always`, and of the feeds `auto` when their text is under `short`
        characters. One whose page failed for a passing reason is tried again only if it
        was fetched at or after `retry_since`."""

    @abstractmethod
    def record_page_attempt(self, article_id: int, *, tried_at: str | None,
                            error: str | None) -> None:
        """Record on a feed version that its page was read (or refused: `error`); without
        `tried_at` it will be tried again."""

    @abstractmethod
    def robots(self, host: str) -> tuple[str, int, str] | None:
        """The robots.txt kept for `host`: (fetched_at, status, body)."""

    @abstractmethod
    def save_robots(self, host: str, fetched_at: str, status: int, body: str) -> None:
        """Keep the robots.txt of `host` (read again a day later)."""

    # --- provenance: which extractor and deal names read each article, and what it gave

    @abstractmethod
    def save_definitions(self, fingerprint: str, deals: dict[str, str]) -> None:
        """Keep the deal definitions (deal id -> fingerprint of its names) `fingerprint`
        stands for."""

    @abstractmethod
    def record_reading(self, article_id: int, reading: ArticleReading, *, extractor: str,
                       read_with: str) -> None:
        """What reading an article version gave: the deals it names (replacing those of
        an earlier reading) and the source of each event found."""

    @abstractmethod
    def index_for_search(self) -> int:
        """Add the article versions naming a deal to the full-text index (once a poll or a
        reprocess has stored them: one statement is faster than one per article)."""

    @abstractmethod
    def mark_read(self, article_ids: Sequence[int], *, extractor: str, read_with: str) -> None:
        """Record that these article versions were read again and gave nothing new."""

    @abstractmethod
    def add_sources(self, sources: Iterable[EventSource]) -> None:
        """Record where events come from (a reprocess's retractions, for instance)."""

    @abstractmethod
    def latest_articles(self, *, since: str | None = None, after_id: int = 0,
                        limit: int = 500) -> list[StoredArticle]:
        """The latest version of each article, by id after `after_id`, published at or
        after `since` (an occurred_at string) when given."""

    @abstractmethod
    def stored_article(self, article_id: int) -> StoredArticle | None:
        """One stored article version."""

    @abstractmethod
    def sources_of(self, article_ids: Iterable[int]) -> dict[int, list[EventSource]]:
        """article id -> the sources of the events read from it."""

    @abstractmethod
    def event_sources(self, event_id: str) -> list[EventSource]:
        """Where an event was read from (none for an event added by hand)."""

    @abstractmethod
    def deal_reads(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """deal id -> the fingerprint of the names the whole archive was last read with,
        and those names."""

    @abstractmethod
    def save_deal_read(self, deal_id: str, fingerprint: str, *, names: Sequence[str],
                       extractor: str, read_at: str) -> None:
        """Record that the whole archive was read for a deal under these names."""

    @abstractmethod
    def forget_deal_reads(self, deal_ids: Sequence[str]) -> None:
        """Drop what `deal_reads` says of deals no longer configured."""

    @abstractmethod
    def list_articles(self, *, deal_id: str | None = None, since: str | None = None,
                      search: str | None = None, without_events: bool = False,
                      limit: int = 50) -> list[ListedArticle]:
        """Latest versions of articles naming a configured deal, newest first; `search`
        is full-text (every word, accents ignored) over titles and text."""

    @abstractmethod
    def links_with_events(self) -> set[str]:
        """The links of articles whose latest version gave events."""

    @abstractmethod
    def mirror_deals(self, deals: Sequence[Deal], *, mirrored_at: str) -> None:
        """Make the `deals` table hold exactly `deals` (the configured ones), in order: a
        copy for tools that browse the database (Datasette), never read back by tracker."""

    @abstractmethod
    def mirrored_deals(self) -> list[Deal]:
        """The deals the last `mirror_deals` copied, in order."""

    @abstractmethod
    def headlines(self, links: Iterable[str]) -> dict[str, str]:
        """link -> the title of the latest stored version of the article at that link."""

    @abstractmethod
    def start_run(self, started_at: str) -> int:
        """Open a row in `runs` and return its id."""

    @abstractmethod
    def unfinished_runs(self) -> list[tuple[int, int | None, str | None]]:
        """(id, pid, host) of every run not closed: running, or killed on the way."""

    @abstractmethod
    def finish_run(self, run_id: int, *, finished_at: str, counts: dict[str, int],
                   errors: list[str]) -> None:
        """Close a run with its counts and errors."""

    @abstractmethod
    def last_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest runs, newest first."""

    @abstractmethod
    def record_report(self, day: date, *, last_seq: int, sent: bool) -> None:
        """Record that the report of `day` was written (and, once true, that it was sent)."""

    @abstractmethod
    def reported_days(self, *, delivered: bool = False) -> set[date]:
        """The days whose report has been written; with `delivered`, only those e-mailed."""

    @abstractmethod
    def close(self) -> None:
        """Close the archive and its event store."""
