"""The archive on PostgreSQL: feeds, articles, runs and reports beside the event log.

The tables and columns are the SQLite archive's (version 5, the `live_events` view
included), created on a fresh database, and they share the event store's connection
and transactions, so an article and its events commit together. Two things differ:
the search index keeps each article's folded words in an array (a GIN index answers
"every word"), where SQLite has FTS5; and feeds carry a lease (`leased_by`,
`leased_until`), so that several pollers sharing the database fetch each due feed
once per round.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

from events.clock import format_occurred, format_recorded, utc_now
from events.errors import StoreError
from events.postgres_errors import translated, translating
from events.postgres_store import PostgresEventStore
from tracker.archive.interface import Archive
from tracker.archive.postgres_schema import ARCHIVE_VERSION, MIGRATIONS, VERSION_TABLE
from tracker.archive.rows import (
    ARTICLE_COLUMNS,
    FEED_COLUMNS,
    RUN_COUNTS,
    SOURCE_COLUMNS,
    event_source,
    feed_state,
    json_list,
    search_words,
    stored_article,
)
from tracker.archive.rows import deal_rows as _deal_rows
from tracker.archive.rows import known_versions as _known_versions
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

_FEED_COLUMNS_OF_FEEDS = ", ".join(f"feeds.{column}" for column in FEED_COLUMNS)
_LATEST = "version = (SELECT max(version) FROM articles WHERE feed = a.feed AND key = a.key)"
_SAVE_FEED = (f"INSERT INTO feeds ({', '.join(FEED_COLUMNS)})"
              f" VALUES ({', '.join(['%s'] * len(FEED_COLUMNS))}) ON CONFLICT (name) DO UPDATE"
              f" SET {', '.join(f'{c} = excluded.{c}' for c in FEED_COLUMNS[1:])}")


class PostgresArchive(Archive):
    """Feeds, articles, runs and reports, in the same PostgreSQL database as the log."""

    store: PostgresEventStore

    def __init__(self, store: PostgresEventStore) -> None:
        self.store = store
        self.conn = store.conn
        with translating(self.location, "open the archive", self.secret):
            self._migrate()

    @property
    def location(self) -> str:
        """The database, as it may be printed (no password)."""
        return self.store.location

    @property
    def secret(self) -> str | None:
        """The password, to keep out of messages."""
        return self.store.secret

    def _version(self) -> int:
        if self.conn.execute("SELECT to_regclass('archive_schema')").fetchone() == (None,):
            return 0
        row = self.conn.execute("SELECT max(version) FROM archive_schema").fetchone()
        version = int(row[0] or 0) if row else 0
        if version > ARCHIVE_VERSION:
            raise StoreError(f"{self.location}: its archive was written by a newer tracker"
                             f" (schema {version}, this one knows {ARCHIVE_VERSION}):"
                             " upgrade tracker")
        return version

    def _migrate(self) -> None:
        # asked first without the log's lock: opening an archive (every command does)
        # need not wait for a poller's transaction
        if self._version() == ARCHIVE_VERSION:
            return
        with self.store.transaction():
            if self._version() == ARCHIVE_VERSION:  # another process made it meanwhile
                return
            self.conn.execute(VERSION_TABLE)
            for number in range(max(self._version() + 1, min(MIGRATIONS)), ARCHIVE_VERSION + 1):
                for statement in MIGRATIONS[number]:
                    self.conn.execute(statement)
            self.conn.execute("DELETE FROM archive_schema")
            self.conn.execute("INSERT INTO archive_schema (version) VALUES (%s)",
                              (ARCHIVE_VERSION,))

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
              ) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    # --- feeds -----------------------------------------------------------------------

    @translated("read the feeds table")
    def feed_states(self, configured: Iterable[tuple[str, str]]) -> dict[str, FeedState]:
        wanted = dict(configured)
        states = {}
        with self.store.transaction():
            rows = self._rows(f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds WHERE name ="
                              " ANY(%s)", (list(wanted),))
            stored = {row[0]: feed_state(row) for row in rows}
            for name, url in wanted.items():
                state = stored.get(name)
                if state is None or state.url != url:
                    state = FeedState(name=name, url=url, fetch_url=url)
                    self.save_feed(state)
                states[name] = state
        return states

    @translated("write the feeds table")
    def save_feed(self, state: FeedState) -> None:
        # an upsert of the feed's own columns: a lease another poller holds stays
        self.conn.execute(_SAVE_FEED, [getattr(state, column) for column in FEED_COLUMNS])

    @translated("read the feeds table")
    def all_feeds(self) -> list[FeedState]:
        rows = self._rows(f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds ORDER BY name")
        return [feed_state(row) for row in rows]

    @translated("lease the feeds")
    def lease_feeds(self, states: Sequence[FeedState], *, now: str, until: str, holder: str,
                    every: bool = False) -> list[FeedState]:
        # one statement: rows another poller is leasing right now are skipped, not waited
        # for, and once it commits their lease runs to the end of its round
        rows = self._rows(
            "WITH free AS (SELECT name FROM feeds WHERE name = ANY(%(names)s) AND (%(every)s"
            " OR ((next_poll_at IS NULL OR next_poll_at <= %(now)s) AND (leased_until IS NULL"
            " OR leased_until <= %(now)s))) ORDER BY name FOR UPDATE SKIP LOCKED)"
            " UPDATE feeds SET leased_by = %(holder)s, leased_until = %(until)s FROM free"
            f" WHERE feeds.name = free.name RETURNING {_FEED_COLUMNS_OF_FEEDS}",
            {"names": [state.name for state in states], "every": every, "now": now,
             "holder": holder, "until": until})
        leased = {row[0]: feed_state(row) for row in rows}
        return [leased[state.name] for state in states if state.name in leased]

    @contextmanager
    def exclusively(self, task: str) -> Iterator[bool]:
        # a session lock, not a transaction's: it spans the task's transactions, and
        # the server lets it go if this process dies
        key = "SELECT hashtext(current_schema() || ': ' || %s)"
        with translating(self.location, f"lock {task}", self.secret):
            mine = bool(self._rows(f"SELECT pg_try_advisory_lock(({key}))", (task,))[0][0])
        try:
            yield mine
        finally:
            if mine and not self.conn.closed:
                with translating(self.location, f"unlock {task}", self.secret):
                    self.conn.execute(f"SELECT pg_advisory_unlock(({key}))", (task,))

    # --- articles --------------------------------------------------------------------

    @translated("read the articles table")
    def known_versions(self, feed: str) -> dict[str, KnownVersion]:
        # an entry is compared with its latest feed version, not with the page read after it
        rows = self._rows(
            "SELECT DISTINCT ON (key) key, content_hash, version, published_at FROM articles"
            " WHERE feed = %s AND text_source = 'feed' ORDER BY key, version DESC", (feed,))
        pages = self._rows("SELECT key, max(version) FROM articles WHERE feed = %s AND"
                           " text_source <> 'feed' GROUP BY key", (feed,))
        return _known_versions(rows, pages)

    @translated("write the articles table")
    def save_article(self, article: Article, *, version: int, fetched_at: str, events: int,
                     read_by: str | None = None, read_with: str | None = None,
                     reading: ArticleReading | None = None,
                     page: PageSource | None = None) -> int | None:
        row = self.conn.execute(
            "INSERT INTO articles (feed, key, version, content_hash, link, title, text,"
            " published_at, published_estimated, language, fetched_at, events, read_by,"
            " read_with, text_source, page_url, page_status)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (feed, key, content_hash) DO NOTHING RETURNING id",
            (article.feed, article.key, version, article.content_hash, article.link,
             article.title, article.text, format_occurred(article.published),
             int(article.published_estimated), article.language, fetched_at, events, read_by,
             read_with, "page" if page else "feed", page.url if page else None,
             page.status if page else None),
        ).fetchone()
        if row is None:
            return None
        article_id = int(row[0])
        if reading is not None and read_by is not None:
            self._save_finds(article_id, reading, read_by)
        return article_id

    @translated("read the articles table")
    def latest_articles(self, *, since: str | None = None, after_id: int = 0,
                        limit: int = 500) -> list[StoredArticle]:
        rows = self._rows(
            f"SELECT {ARTICLE_COLUMNS} FROM articles AS a WHERE id > %s AND published_at >= %s"
            f" AND {_LATEST} ORDER BY id LIMIT %s", (after_id, since or "", limit))
        return [stored_article(row) for row in rows]

    @translated("read the articles table")
    def stored_article(self, article_id: int) -> StoredArticle | None:
        rows = self._rows(f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE id = %s", (article_id,))
        return stored_article(rows[0]) if rows else None

    @translated("read the articles table")
    def links_with_events(self) -> set[str]:
        rows = self._rows("SELECT link FROM articles AS a WHERE events > 0 AND link IS NOT NULL"
                          f" AND {_LATEST}")
        return {link for (link,) in rows}

    # --- the deals mirror, for tools that browse the database -------------------------

    @translated("write the deals table")
    def mirror_deals(self, deals: Sequence[Deal], *, mirrored_at: str) -> None:
        rows = _deal_rows(deals, mirrored_at)
        with self.store.transaction(), self.conn.cursor() as cursor:
            cursor.execute("DELETE FROM deals")
            cursor.executemany(
                "INSERT INTO deals (id, title, acquirer, target, seller, aliases,"
                " acquirer_aliases, seller_aliases, exclude, position, mirrored_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)

    @translated("read the deals table")
    def mirrored_deals(self) -> list[Deal]:
        rows = self._rows("SELECT id, title, acquirer, target, seller, aliases,"
                          " acquirer_aliases, seller_aliases, exclude FROM deals"
                          " ORDER BY position")
        keys = ("aliases", "acquirer_aliases", "seller_aliases", "exclude")
        return [Deal(id=i, title=t, acquirer=a, target=g, seller=s,
                     **{key: tuple(json_list(value)) for key, value in zip(keys, names,
                                                                            strict=True)})
                for i, t, a, g, s, *names in rows]

    @translated("read the articles table")
    def headlines(self, links: Iterable[str]) -> dict[str, str]:
        rows = self._rows("SELECT link, title FROM articles WHERE link = ANY(%s)"
                          " ORDER BY version, id", (sorted(set(links)),))
        return dict(rows)  # the latest version comes last and wins

    # --- pages and robots ------------------------------------------------------------

    @translated("read the articles table")
    def page_candidates(self, *, auto: Sequence[str], always: Sequence[str], short: int,
                        limit: int, retry_since: str = "") -> list[StoredArticle]:
        if not [*auto, *always] or limit <= 0:
            return []
        rows = self._rows(
            f"SELECT {ARTICLE_COLUMNS} FROM articles AS a WHERE text_source = 'feed'"
            " AND page_tried_at IS NULL AND (page_error IS NULL OR fetched_at >= %s)"
            " AND link IS NOT NULL AND feed = ANY(%s)"
            " AND (feed <> ALL(%s) OR length(text) < %s)"
            f" AND id IN (SELECT article_id FROM article_deals) AND {_LATEST}"
            " ORDER BY published_at DESC, id DESC LIMIT %s",
            (retry_since, [*auto, *always], list(auto), short, limit))
        return [stored_article(row) for row in rows]

    @translated("write the articles table")
    def record_page_attempt(self, article_id: int, *, tried_at: str | None,
                            error: str | None) -> None:
        self.conn.execute("UPDATE articles SET page_tried_at = %s, page_error = %s WHERE id = %s",
                          (tried_at, error, article_id))

    @translated("read the robots table")
    def robots(self, host: str) -> tuple[str, int, str] | None:
        rows = self._rows("SELECT fetched_at, status, body FROM robots WHERE host = %s", (host,))
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else None

    @translated("write the robots table")
    def save_robots(self, host: str, fetched_at: str, status: int, body: str) -> None:
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO robots (host, fetched_at, status, body) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (host) DO UPDATE SET fetched_at = excluded.fetched_at,"
                " status = excluded.status, body = excluded.body",
                (host, fetched_at, status, body))

    # --- provenance ------------------------------------------------------------------

    @translated("write the provenance tables")
    def save_definitions(self, fingerprint: str, deals: dict[str, str]) -> None:
        self.conn.execute("INSERT INTO deal_definitions (fingerprint, deals) VALUES (%s, %s)"
                          " ON CONFLICT DO NOTHING",
                          (fingerprint, json.dumps(deals, sort_keys=True)))

    @translated("write the provenance tables")
    def record_reading(self, article_id: int, reading: ArticleReading, *, extractor: str,
                       read_with: str) -> None:
        self.conn.execute("UPDATE articles SET read_by = %s, read_with = %s, events = %s"
                          " WHERE id = %s", (extractor, read_with, len(reading.found), article_id))
        self.conn.execute("DELETE FROM article_deals WHERE article_id = %s", (article_id,))
        self._save_finds(article_id, reading, extractor)

    def _save_finds(self, article_id: int, reading: ArticleReading, extractor: str) -> None:
        for deal in sorted(reading.deals):
            self.conn.execute("INSERT INTO article_deals (article_id, deal_id) VALUES (%s, %s)",
                              (article_id, deal))
        self.add_sources(EventSource(f.event.event_id, article_id, f.event.deal_id, f.rule,
                                     f.trigger, extractor) for f in reading.found)

    @translated("write the search index")
    def index_for_search(self) -> int:
        with self.store.transaction():
            rows = self._rows(
                "SELECT id, title, text FROM articles WHERE id IN (SELECT article_id FROM"
                " article_deals) AND id NOT IN (SELECT article_id FROM article_search)")
            with self.conn.cursor() as cursor, cursor.copy(
                    "COPY article_search (article_id, words) FROM STDIN") as copy:
                for article_id, title, text in rows:
                    copy.write_row((article_id, sorted(set(search_words(f"{title}\n{text}")))))
        return len(rows)

    @translated("write the provenance tables")
    def mark_read(self, article_ids: Sequence[int], *, extractor: str, read_with: str) -> None:
        self.conn.execute("UPDATE articles SET read_by = %s, read_with = %s WHERE id = ANY(%s)",
                          (extractor, read_with, list(article_ids)))

    @translated("write the provenance tables")
    def add_sources(self, sources: Iterable[EventSource]) -> None:
        for s in sources:
            self.conn.execute(
                "INSERT INTO event_sources (event_id, article_id, deal_id, rule, trigger_start,"
                " trigger_end, extractor) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (event_id, article_id) DO UPDATE SET deal_id = excluded.deal_id,"
                " rule = excluded.rule, trigger_start = excluded.trigger_start,"
                " trigger_end = excluded.trigger_end, extractor = excluded.extractor",
                (s.event_id, s.article_id, s.deal_id, s.rule, *(s.trigger or (None, None)),
                 s.extractor))

    @translated("read the provenance tables")
    def sources_of(self, article_ids: Iterable[int]) -> dict[int, list[EventSource]]:
        found: dict[int, list[EventSource]] = {}
        rows = self._rows(f"SELECT {SOURCE_COLUMNS} FROM event_sources WHERE article_id ="
                          " ANY(%s) ORDER BY article_id, event_id", (sorted(set(article_ids)),))
        for row in rows:
            source = event_source(row)
            found.setdefault(source.article_id, []).append(source)
        return found

    @translated("read the provenance tables")
    def event_sources(self, event_id: str) -> list[EventSource]:
        rows = self._rows(f"SELECT {SOURCE_COLUMNS} FROM event_sources WHERE event_id = %s"
                          " ORDER BY article_id", (event_id,))
        return [event_source(row) for row in rows]

    @translated("read the provenance tables")
    def deal_reads(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        rows = self._rows("SELECT deal_id, fingerprint, names FROM deal_reads")
        return {deal: (fingerprint, tuple(json_list(names))) for deal, fingerprint, names in rows}

    @translated("write the provenance tables")
    def save_deal_read(self, deal_id: str, fingerprint: str, *, names: Sequence[str],
                       extractor: str, read_at: str) -> None:
        self.conn.execute(
            "INSERT INTO deal_reads (deal_id, fingerprint, names, extractor, read_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (deal_id) DO UPDATE SET"
            " fingerprint = excluded.fingerprint, names = excluded.names,"
            " extractor = excluded.extractor, read_at = excluded.read_at",
            (deal_id, fingerprint, json.dumps(list(names), ensure_ascii=False), extractor,
             read_at))

    @translated("write the provenance tables")
    def forget_deal_reads(self, deal_ids: Sequence[str]) -> None:
        self.conn.execute("DELETE FROM deal_reads WHERE deal_id = ANY(%s)", (list(deal_ids),))

    @translated("search the articles")
    def list_articles(self, *, deal_id: str | None = None, since: str | None = None,
                      search: str | None = None, without_events: bool = False,
                      limit: int = 50) -> list[ListedArticle]:
        where, params = _listing_filter(deal_id=deal_id, since=since, search=search,
                                        without_events=without_events)
        rows = self._rows(
            f"SELECT {ARTICLE_COLUMNS}, (SELECT string_agg(deal_id, ' ') FROM article_deals"
            " WHERE article_id = a.id) FROM articles AS a WHERE " + " AND ".join(where)
            + " ORDER BY published_at DESC, id DESC LIMIT %s", (*params, limit))
        sources = self.sources_of(row[0] for row in rows)
        return [ListedArticle(stored_article(row[:-1]), tuple(sorted(row[-1].split())),
                              tuple(s.event_id for s in sources.get(row[0], ())))
                for row in rows]

    # --- runs and reports ------------------------------------------------------------

    @translated("write the runs table")
    def start_run(self, started_at: str) -> int:
        with self.store.transaction():
            rows = self._rows("INSERT INTO runs (started_at, pid, host) VALUES (%s, %s, %s)"
                              " RETURNING id", (started_at, os.getpid(), socket.gethostname()))
        return int(rows[0][0])

    @translated("read the runs table")
    def unfinished_runs(self) -> list[tuple[int, int | None, str | None]]:
        rows = self._rows("SELECT id, pid, host FROM runs WHERE finished_at IS NULL")
        return [(int(i), p if isinstance(p, int) else None, h) for i, p, h in rows]

    @translated("write the runs table")
    def finish_run(self, run_id: int, *, finished_at: str, counts: dict[str, int],
                   errors: list[str]) -> None:
        sets = ", ".join(f"{c} = %s" for c in RUN_COUNTS)
        with self.store.transaction():
            self.conn.execute(
                f"UPDATE runs SET finished_at = %s, {sets}, errors = %s WHERE id = %s",
                (finished_at, *(counts.get(c, 0) for c in RUN_COUNTS), json.dumps(errors),
                 run_id))

    @translated("read the runs table")
    def last_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        with self.conn.cursor() as cursor:
            cursor.execute("SELECT * FROM runs ORDER BY id DESC LIMIT %s", (limit,))
            names = [column.name for column in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    @translated("write the reports table")
    def record_report(self, day: date, *, last_seq: int, sent: bool) -> None:
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO reports (day, generated_at, last_seq, sent) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (day) DO UPDATE SET generated_at = excluded.generated_at,"
                " last_seq = excluded.last_seq, sent = greatest(reports.sent, excluded.sent)",
                (day.isoformat(), format_recorded(utc_now()), last_seq, int(sent)))

    @translated("read the reports table")
    def reported_days(self, *, delivered: bool = False) -> set[date]:
        sql = "SELECT day FROM reports" + (" WHERE sent = 1" if delivered else "")
        return {date.fromisoformat(day) for (day,) in self._rows(sql)}

    def close(self) -> None:
        self.store.close()


def _listing_filter(*, deal_id: str | None, since: str | None, search: str | None,
                    without_events: bool) -> tuple[list[str], list[Any]]:
    """The WHERE clauses (and their parameters) of an article listing."""
    where = [_LATEST]
    params: list[Any] = []
    if deal_id:
        where.append("id IN (SELECT article_id FROM article_deals WHERE deal_id = %s)")
        params.append(deal_id)
    else:
        where.append("id IN (SELECT article_id FROM article_deals)")
    if since:
        where.append("published_at >= %s")
        params.append(since)
    if search is not None:
        words = sorted(set(search_words(search)))
        # no word to look for finds nothing, as FTS5's empty phrase does
        where.append("id IN (SELECT article_id FROM article_search WHERE words @> %s::text[])"
                     if words else "FALSE")
        params += [words] if words else []
    if without_events:
        where.append("NOT EXISTS (SELECT 1 FROM event_sources WHERE article_id = a.id)")
    return where, params
