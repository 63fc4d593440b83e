"""The archive on SQLite: feeds, articles, runs and reports tables in the log's file.

They live in the event store's database and share its connection and transactions,
so an article and its events are committed together.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from events.clock import format_occurred, format_recorded, utc_now
from events.errors import StoreError
from events.sqlite_errors import translated
from events.sqlite_store import SQLiteEventStore
from tracker.archive.interface import Archive
from tracker.archive.rows import ARTICLE_COLUMNS as _ARTICLE_COLUMNS
from tracker.archive.rows import FEED_COLUMNS, LEGACY_EXTRACTOR, LEGACY_RULE
from tracker.archive.rows import SOURCE_COLUMNS as _SOURCE_COLUMNS
from tracker.archive.rows import deal_rows as _deal_rows
from tracker.archive.rows import event_source as _event_source
from tracker.archive.rows import feed_state as _feed_state
from tracker.archive.rows import json_list as _json_list
from tracker.archive.rows import known_versions as _known_versions
from tracker.archive.rows import stored_article as _stored_article
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

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS feeds (
      name TEXT PRIMARY KEY,
      url TEXT NOT NULL,
      fetch_url TEXT NOT NULL,
      etag TEXT,
      last_modified TEXT,
      error_count INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      last_error_at TEXT,
      next_poll_at TEXT,
      last_polled_at TEXT,
      last_success_at TEXT,
      disabled_reason TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS articles (
      id INTEGER PRIMARY KEY,
      feed TEXT NOT NULL,
      key TEXT NOT NULL,
      version INTEGER NOT NULL,
      content_hash TEXT NOT NULL,
      link TEXT,
      title TEXT NOT NULL,
      text TEXT NOT NULL,
      published_at TEXT NOT NULL,
      published_estimated INTEGER NOT NULL,
      language TEXT,
      fetched_at TEXT NOT NULL,
      events INTEGER NOT NULL,
      UNIQUE (feed, key, content_hash)
    )""",
    """CREATE TABLE IF NOT EXISTS runs (
      id INTEGER PRIMARY KEY,
      started_at TEXT NOT NULL,
      finished_at TEXT,
      feeds_fetched INTEGER NOT NULL DEFAULT 0,
      feeds_not_modified INTEGER NOT NULL DEFAULT 0,
      feeds_failed INTEGER NOT NULL DEFAULT 0,
      new_articles INTEGER NOT NULL DEFAULT 0,
      new_events INTEGER NOT NULL DEFAULT 0,
      errors TEXT NOT NULL DEFAULT '[]'
    )""",
    """CREATE TABLE IF NOT EXISTS reports (
      day TEXT PRIMARY KEY,          -- YYYY-MM-DD, the report day
      generated_at TEXT NOT NULL,    -- ISO-8601 UTC, when it was written
      last_seq INTEGER NOT NULL,     -- the highest event seq it was built from
      sent INTEGER NOT NULL DEFAULT 0
    )""",
)

#: Adds to the search index the articles naming a deal that it does not hold yet.
SEARCH_INDEX = """INSERT INTO article_search (rowid, title, text)
  SELECT id, title, text FROM articles WHERE id IN (SELECT article_id FROM article_deals)
  AND id NOT IN (SELECT rowid FROM article_search)"""

#: Extraction provenance (archive version 3): which extractor and which deal names read
#: each article version, the deals it names, and where each event was read from.
PROVENANCE = (
    "ALTER TABLE articles ADD COLUMN read_by TEXT",    # extractor version, last reading
    "ALTER TABLE articles ADD COLUMN read_with TEXT",  # deal_definitions.fingerprint
    "ALTER TABLE articles ADD COLUMN text_source TEXT NOT NULL DEFAULT 'feed'",
    "CREATE INDEX IF NOT EXISTS articles_by_link ON articles (link)",
    """CREATE TABLE IF NOT EXISTS deal_definitions (
      fingerprint TEXT PRIMARY KEY,
      deals TEXT NOT NULL            -- JSON: deal id -> fingerprint of its names
    )""",
    """CREATE TABLE IF NOT EXISTS article_deals (
      article_id INTEGER NOT NULL,   -- articles.id: one version
      deal_id TEXT NOT NULL,         -- a configured deal it names
      PRIMARY KEY (article_id, deal_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS event_sources (
      event_id TEXT NOT NULL,        -- events.event_id
      article_id INTEGER NOT NULL,   -- the article version it was read from
      deal_id TEXT NOT NULL,
      rule TEXT NOT NULL,            -- the lexicon entry or rule behind it
      trigger_start INTEGER,         -- the words that triggered it, in its evidence
      trigger_end INTEGER,
      extractor TEXT NOT NULL,
      PRIMARY KEY (event_id, article_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS event_sources_by_article ON event_sources (article_id)",
    """CREATE TABLE IF NOT EXISTS deal_reads (
      deal_id TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL,     -- of the names the whole archive was read with
      names TEXT NOT NULL,           -- JSON: those names, lower case
      extractor TEXT NOT NULL,
      read_at TEXT NOT NULL
    )""",
    # only articles naming a deal are searched (indexing every entry would cost a poll
    # more than extraction does), indexed once per poll (`index_for_search`)
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5(title, text,"
    " tokenize = 'unicode61 remove_diacritics 2')",
    # events read before provenance was kept: from the latest version at their link
    f"""INSERT OR IGNORE INTO event_sources (event_id, article_id, deal_id, rule, extractor)
      SELECT e.event_id, a.id, e.deal_id, '{LEGACY_RULE}', '{LEGACY_EXTRACTOR}'
      FROM events AS e JOIN articles AS a ON a.link = e.source_url AND a.feed = e.source_feed
      WHERE e.type <> 'retraction' AND a.version =
        (SELECT max(version) FROM articles WHERE feed = a.feed AND key = a.key)""",
    "INSERT OR IGNORE INTO article_deals (article_id, deal_id)"
    " SELECT DISTINCT article_id, deal_id FROM event_sources",
    SEARCH_INDEX,
)

#: Article pages (archive version 4): a page read is a new version of its article
#: (text_source 'page'); the feed version it came from records the attempt.
PAGES = (
    "ALTER TABLE articles ADD COLUMN page_url TEXT",        # page versions: the final URL
    "ALTER TABLE articles ADD COLUMN page_status INTEGER",  # page versions: the HTTP status
    "ALTER TABLE articles ADD COLUMN page_tried_at TEXT",   # feed versions: page read or refused
    "ALTER TABLE articles ADD COLUMN page_error TEXT",      # feed versions: why no page
    """CREATE TABLE IF NOT EXISTS robots (
      host TEXT PRIMARY KEY,
      fetched_at TEXT NOT NULL,      -- ISO-8601 UTC: read again a day later
      status INTEGER NOT NULL,
      body TEXT NOT NULL
    )""",
)

#: Datasette and sqlite-utils (archive version 5): the configured deals, mirrored at each
#: poll, and the events in force, to browse and join the log without replaying it.
DEALS_TABLE = """CREATE TABLE IF NOT EXISTS deals (
  id TEXT PRIMARY KEY,             -- [[deals]] id, as events.deal_id holds it
  title TEXT NOT NULL,
  acquirer TEXT NOT NULL,
  target TEXT NOT NULL,
  seller TEXT,
  aliases TEXT NOT NULL,           -- JSON arrays of names, as in tracker.toml
  acquirer_aliases TEXT NOT NULL,
  seller_aliases TEXT NOT NULL,
  exclude TEXT NOT NULL,
  position INTEGER NOT NULL,       -- its place in tracker.toml, from 1
  mirrored_at TEXT NOT NULL        -- ISO-8601 UTC: the poll that copied it
)"""
#: Events not retracted, and not retractions: what replay folds. A retraction that is
#: itself retracted no longer counts (as `events.store.in_force` reads them); a row
#: another tool wrote with data that is no JSON hides nothing and shows no fields.
LIVE_EVENTS_VIEW = """CREATE VIEW IF NOT EXISTS live_events AS
  WITH retractions AS (
    SELECT event_id, json_extract(data, '$.event_id') AS target FROM events
    WHERE type = 'retraction' AND json_valid(data)
  ), retracted AS (
    SELECT target FROM retractions WHERE target IS NOT NULL
      AND event_id NOT IN (SELECT target FROM retractions WHERE target IS NOT NULL)
  )
  SELECT e.seq, e.event_id, e.deal_id, e.type, e.occurred_at, e.recorded_at, e.data,
    e.source_url, e.source_feed, e.evidence, e.version,
    CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.stage') END AS stage,
    CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.due') END AS due,
    CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.label') END AS label,
    CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.speaker') END AS speaker,
    CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.quote') END AS quote
  FROM events AS e
  WHERE e.type <> 'retraction' AND e.event_id NOT IN (SELECT target FROM retracted)"""

#: The archive's own schema version, beside the event log's `PRAGMA user_version`.
#: Each later version appends its statements to MIGRATIONS; an archive written by a
#: newer tracker is refused rather than misread.
ARCHIVE_VERSION = 5
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: SCHEMA,
    # which process ran a poll: one killed mid-run is closed as aborted by the next
    2: ("ALTER TABLE runs ADD COLUMN pid INTEGER", "ALTER TABLE runs ADD COLUMN host TEXT"),
    3: PROVENANCE,
    4: PAGES,
    5: (DEALS_TABLE, LIVE_EVENTS_VIEW),
}
VERSION_TABLE = """CREATE TABLE IF NOT EXISTS archive_schema (
  version INTEGER NOT NULL      -- one row: the archive schema version written
)"""

def _listing_filter(*, deal_id: str | None, since: str | None, search: str | None,
                    without_events: bool) -> tuple[list[str], list[Any]]:
    """The WHERE clauses (and their parameters) of an article listing."""
    where = ["version = (SELECT max(version) FROM articles WHERE feed = a.feed AND key = a.key)"]
    params: list[Any] = []
    if deal_id:
        where.append("id IN (SELECT article_id FROM article_deals WHERE deal_id = ?)")
        params.append(deal_id)
    else:
        where.append("id IN (SELECT article_id FROM article_deals)")
    if since:
        where.append("published_at >= ?")
        params.append(since)
    if search is not None:
        where.append("id IN (SELECT rowid FROM article_search WHERE article_search MATCH ?)")
        params.append(search_query(search))
    if without_events:
        where.append("NOT EXISTS (SELECT 1 FROM event_sources WHERE article_id = a.id)")
    return where, params


def search_query(text: str) -> str:
    """An FTS5 query finding every word of `text` (whatever punctuation it holds)."""
    words = re.findall(r"\w+", text)
    return " ".join('"' + word + '"' for word in words) or '""'


class SQLiteArchive(Archive):
    """Feeds, articles, runs and reports, in the same SQLite database as the event log."""

    store: SQLiteEventStore

    def __init__(self, store: SQLiteEventStore) -> None:
        self.store = store
        self.conn = store.conn
        self._migrate()

    @property
    def path(self) -> Path:
        """The database file (the event log's)."""
        return self.store.path

    @translated("open the archive")
    def _migrate(self) -> None:
        version = self._version()
        if version == ARCHIVE_VERSION:
            return
        if version > ARCHIVE_VERSION:
            raise StoreError(f"{self.path}: its archive was written by a newer tracker (schema"
                             f" {version}, this one knows {ARCHIVE_VERSION}): upgrade tracker")
        with self.store.transaction():
            self.conn.execute(VERSION_TABLE)
            for number in range(version + 1, ARCHIVE_VERSION + 1):
                for statement in MIGRATIONS[number]:
                    if not self._has_column_added_by(statement):
                        self.conn.execute(statement)
            self.conn.execute("DELETE FROM archive_schema")
            self.conn.execute("INSERT INTO archive_schema (version) VALUES (?)",
                              (ARCHIVE_VERSION,))

    def _has_column_added_by(self, statement: str) -> bool:
        """Whether an `ALTER TABLE t ADD COLUMN c` has nothing left to do (an archive
        whose version row was lost runs its migrations again)."""
        words = statement.split()
        if words[:2] != ["ALTER", "TABLE"] or words[3:5] != ["ADD", "COLUMN"]:
            return False
        columns = {row[1] for row in self.conn.execute(f"PRAGMA table_info({words[2]})")}
        return words[5] in columns

    def _version(self) -> int:
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master")}
        if "archive_schema" in tables:
            row = self.conn.execute("SELECT max(version) FROM archive_schema").fetchone()
            return int(row[0] or 0)
        # an archive from before versions were kept holds the first version's tables
        # but perhaps not `reports`, which was made on first use: version 0 reads again
        return 0

    @translated("read the feeds table")
    def feed_states(self, configured: Iterable[tuple[str, str]]) -> dict[str, FeedState]:
        """The state of each configured (name, url); a changed URL starts afresh."""
        states = {}
        with self.store.transaction():
            for name, url in configured:
                row = self.conn.execute(
                    f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds WHERE name = ?", (name,)
                ).fetchone()
                state = _feed_state(row) if row else None
                if state is None or state.url != url:
                    state = FeedState(name=name, url=url, fetch_url=url)
                    self.save_feed(state)
                states[name] = state
        return states

    @translated("write the feeds table")
    def save_feed(self, state: FeedState) -> None:
        """Insert or replace the stored state of one feed."""
        marks = ", ".join("?" * len(FEED_COLUMNS))
        values = [getattr(state, column) for column in FEED_COLUMNS]
        self.conn.execute(f"INSERT OR REPLACE INTO feeds ({', '.join(FEED_COLUMNS)})"
                          f" VALUES ({marks})", values)

    @translated("read the feeds table")
    def all_feeds(self) -> list[FeedState]:
        """Every feed ever polled, by name."""
        rows = self.conn.execute(f"SELECT {', '.join(FEED_COLUMNS)} FROM feeds ORDER BY name")
        return [_feed_state(row) for row in rows]

    @translated("read the articles table")
    def known_versions(self, feed: str) -> dict[str, KnownVersion]:
        """key -> the latest stored version of each article of `feed`."""
        # SQLite takes the bare columns from the row holding max(version); an entry is
        # compared with its latest feed version, not with the page read after it
        rows = self.conn.execute(
            "SELECT key, content_hash, max(version), published_at FROM articles WHERE feed = ?"
            " AND text_source = 'feed' GROUP BY key", (feed,),
        )
        pages = self.conn.execute("SELECT key, max(version) FROM articles WHERE feed = ? AND"
                                  " text_source <> 'feed' GROUP BY key", (feed,))
        return _known_versions(rows, pages)

    @translated("write the articles table")
    def save_article(self, article: Article, *, version: int, fetched_at: str, events: int,
                     read_by: str | None = None, read_with: str | None = None,
                     reading: ArticleReading | None = None,
                     page: PageSource | None = None) -> int | None:
        """Store one version of an article (and what reading it gave); its id, or None
        when that content is kept."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO articles (feed, key, version, content_hash, link, title, text,"
            " published_at, published_estimated, language, fetched_at, events, read_by,"
            " read_with, text_source, page_url, page_status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.feed, article.key, version, article.content_hash, article.link,
             article.title, article.text, format_occurred(article.published),
             int(article.published_estimated), article.language, fetched_at, events, read_by,
             read_with, "page" if page else "feed", page.url if page else None,
             page.status if page else None),
        )
        if cursor.rowcount != 1:
            return None
        article_id = int(cursor.lastrowid or 0)
        if reading is not None and read_by is not None:
            self._save_finds(article_id, reading, read_by)
        return article_id

    @translated("write the provenance tables")
    def save_definitions(self, fingerprint: str, deals: dict[str, str]) -> None:
        self.conn.execute("INSERT OR IGNORE INTO deal_definitions (fingerprint, deals)"
                          " VALUES (?, ?)", (fingerprint, json.dumps(deals, sort_keys=True)))

    @translated("write the provenance tables")
    def record_reading(self, article_id: int, reading: ArticleReading, *, extractor: str,
                       read_with: str) -> None:
        conn = self.conn
        conn.execute("UPDATE articles SET read_by = ?, read_with = ?, events = ? WHERE id = ?",
                     (extractor, read_with, len(reading.found), article_id))
        conn.execute("DELETE FROM article_deals WHERE article_id = ?", (article_id,))
        self._save_finds(article_id, reading, extractor)

    def _save_finds(self, article_id: int, reading: ArticleReading, extractor: str) -> None:
        for deal in sorted(reading.deals):  # one or two: a statement each is faster
            self.conn.execute("INSERT INTO article_deals (article_id, deal_id) VALUES (?, ?)",
                              (article_id, deal))
        self.add_sources(EventSource(f.event.event_id, article_id, f.event.deal_id, f.rule,
                                     f.trigger, extractor) for f in reading.found)

    @translated("read the articles table")
    def page_candidates(self, *, auto: Sequence[str], always: Sequence[str], short: int,
                        limit: int, retry_since: str = "") -> list[StoredArticle]:
        feeds = [*auto, *always]
        if not feeds or limit <= 0:
            return []
        # `x NOT IN (NULL)` is never true: with no "auto" feed, the length is not asked
        short_only, lengths = (f"(feed NOT IN ({', '.join('?' * len(auto))})"
                               " OR length(text) < ?)", [*auto, short]) if auto else ("1", [])
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles AS a WHERE text_source = 'feed'"
            " AND page_tried_at IS NULL AND (page_error IS NULL OR fetched_at >= ?)"
            " AND link IS NOT NULL"
            f" AND feed IN ({', '.join('?' * len(feeds))}) AND {short_only}"
            " AND id IN (SELECT article_id FROM article_deals) AND version ="
            " (SELECT max(version) FROM articles WHERE feed = a.feed AND key = a.key)"
            " ORDER BY published_at DESC, id DESC LIMIT ?",
            (retry_since, *feeds, *lengths, limit))
        return [_stored_article(row) for row in rows]

    @translated("write the articles table")
    def record_page_attempt(self, article_id: int, *, tried_at: str | None,
                            error: str | None) -> None:
        self.conn.execute("UPDATE articles SET page_tried_at = ?, page_error = ? WHERE id = ?",
                          (tried_at, error, article_id))

    @translated("read the robots table")
    def robots(self, host: str) -> tuple[str, int, str] | None:
        row = self.conn.execute("SELECT fetched_at, status, body FROM robots WHERE host = ?",
                                (host,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    @translated("write the robots table")
    def save_robots(self, host: str, fetched_at: str, status: int, body: str) -> None:
        with self.store.transaction():
            self.conn.execute("INSERT OR REPLACE INTO robots (host, fetched_at, status, body)"
                              " VALUES (?, ?, ?, ?)", (host, fetched_at, status, body))

    @translated("write the search index")
    def index_for_search(self) -> int:
        with self.store.transaction():
            return self.conn.execute(SEARCH_INDEX).rowcount

    @translated("write the provenance tables")
    def mark_read(self, article_ids: Sequence[int], *, extractor: str, read_with: str) -> None:
        self.conn.executemany("UPDATE articles SET read_by = ?, read_with = ? WHERE id = ?",
                              [(extractor, read_with, n) for n in article_ids])

    @translated("write the provenance tables")
    def add_sources(self, sources: Iterable[EventSource]) -> None:
        for s in sources:  # a few per article: a statement each is faster than executemany
            self.conn.execute(
                "INSERT OR REPLACE INTO event_sources (event_id, article_id, deal_id, rule,"
                " trigger_start, trigger_end, extractor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (s.event_id, s.article_id, s.deal_id, s.rule, *(s.trigger or (None, None)),
                 s.extractor))

    @translated("read the articles table")
    def latest_articles(self, *, since: str | None = None, after_id: int = 0,
                        limit: int = 500) -> list[StoredArticle]:
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles AS a WHERE id > ?"
            " AND published_at >= ? AND version ="
            " (SELECT max(version) FROM articles WHERE feed = a.feed AND key = a.key)"
            " ORDER BY id LIMIT ?", (after_id, since or "", limit))
        return [_stored_article(row) for row in rows]

    @translated("read the articles table")
    def stored_article(self, article_id: int) -> StoredArticle | None:
        row = self.conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?",
                                (article_id,)).fetchone()
        return _stored_article(row) if row else None

    @translated("read the provenance tables")
    def sources_of(self, article_ids: Iterable[int]) -> dict[int, list[EventSource]]:
        found: dict[int, list[EventSource]] = {}
        wanted = sorted(set(article_ids))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self.conn.execute(
                f"SELECT {_SOURCE_COLUMNS} FROM event_sources WHERE article_id IN"
                f" ({', '.join('?' * len(chunk))}) ORDER BY article_id, event_id", chunk)
            for row in rows:
                source = _event_source(row)
                found.setdefault(source.article_id, []).append(source)
        return found

    @translated("read the provenance tables")
    def event_sources(self, event_id: str) -> list[EventSource]:
        rows = self.conn.execute(f"SELECT {_SOURCE_COLUMNS} FROM event_sources WHERE"
                                 " event_id = ? ORDER BY article_id", (event_id,))
        return [_event_source(row) for row in rows]

    @translated("read the provenance tables")
    def deal_reads(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        rows = self.conn.execute("SELECT deal_id, fingerprint, names FROM deal_reads")
        return {deal: (fingerprint, tuple(_json_list(names))) for deal, fingerprint, names in rows}

    @translated("write the provenance tables")
    def save_deal_read(self, deal_id: str, fingerprint: str, *, names: Sequence[str],
                       extractor: str, read_at: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO deal_reads (deal_id, fingerprint, names,"
                          " extractor, read_at) VALUES (?, ?, ?, ?, ?)",
                          (deal_id, fingerprint, json.dumps(list(names), ensure_ascii=False),
                           extractor, read_at))

    @translated("write the provenance tables")
    def forget_deal_reads(self, deal_ids: Sequence[str]) -> None:
        self.conn.executemany("DELETE FROM deal_reads WHERE deal_id = ?",
                              [(deal_id,) for deal_id in deal_ids])

    @translated("search the articles")
    def list_articles(self, *, deal_id: str | None = None, since: str | None = None,
                      search: str | None = None, without_events: bool = False,
                      limit: int = 50) -> list[ListedArticle]:
        where, params = _listing_filter(deal_id=deal_id, since=since, search=search,
                                        without_events=without_events)
        rows = self.conn.execute(
            f"SELECT {_ARTICLE_COLUMNS}, (SELECT group_concat(deal_id, ' ') FROM article_deals"
            " WHERE article_id = a.id) FROM articles AS a WHERE " + " AND ".join(where)
            + " ORDER BY published_at DESC, id DESC LIMIT ?", (*params, limit)).fetchall()
        sources = self.sources_of(row[0] for row in rows)
        return [ListedArticle(_stored_article(row[:-1]), tuple(sorted(row[-1].split())),
                              tuple(s.event_id for s in sources.get(row[0], ())))
                for row in rows]

    @translated("read the articles table")
    def links_with_events(self) -> set[str]:
        """The links of articles whose latest version gave events."""
        rows = self.conn.execute(
            "SELECT link FROM articles AS a WHERE events > 0 AND link IS NOT NULL AND version ="
            " (SELECT max(version) FROM articles WHERE feed = a.feed AND key = a.key)")
        return {link for (link,) in rows}

    @translated("write the deals table")
    def mirror_deals(self, deals: Sequence[Deal], *, mirrored_at: str) -> None:
        """Make the `deals` table hold exactly the configured deals, in config order."""
        rows = _deal_rows(deals, mirrored_at)
        with self.store.transaction():
            self.conn.execute("DELETE FROM deals")
            self.conn.executemany(
                "INSERT INTO deals (id, title, acquirer, target, seller, aliases,"
                " acquirer_aliases, seller_aliases, exclude, position, mirrored_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    @translated("read the deals table")
    def mirrored_deals(self) -> list[Deal]:
        """The deals the last `mirror_deals` copied, in config order."""
        rows = self.conn.execute(
            "SELECT id, title, acquirer, target, seller, aliases, acquirer_aliases,"
            " seller_aliases, exclude FROM deals ORDER BY position")
        return [Deal(id=i, title=t, acquirer=a, target=g, seller=s,
                     **{key: tuple(_json_list(value)) for key, value in zip(
                         ("aliases", "acquirer_aliases", "seller_aliases", "exclude"), names,
                         strict=True)})
                for i, t, a, g, s, *names in rows]

    @translated("read the articles table")
    def headlines(self, links: Iterable[str]) -> dict[str, str]:
        """link -> the title of the latest stored version of the article at that link."""
        found: dict[str, str] = {}
        wanted = sorted(set(links))
        for start in range(0, len(wanted), 500):  # under SQLite's limit on parameters
            chunk = wanted[start:start + 500]
            rows = self.conn.execute(
                f"SELECT link, title FROM articles WHERE link IN ({', '.join('?' * len(chunk))})"
                " ORDER BY version", chunk)
            found.update(rows)  # the latest version comes last and wins
        return found

    @translated("write the runs table")
    def start_run(self, started_at: str) -> int:
        """Open a row in `runs` (with this process) and return its id."""
        with self.store.transaction():
            cursor = self.conn.execute(
                "INSERT INTO runs (started_at, pid, host) VALUES (?, ?, ?)",
                (started_at, os.getpid(), socket.gethostname()))
        return int(cursor.lastrowid or 0)

    @translated("read the runs table")
    def unfinished_runs(self) -> list[tuple[int, int | None, str | None]]:
        """(id, pid, host) of every run not closed."""
        rows = self.conn.execute("SELECT id, pid, host FROM runs WHERE finished_at IS NULL")
        return [(int(i), p if isinstance(p, int) else None, h) for i, p, h in rows]

    @translated("write the runs table")
    def finish_run(self, run_id: int, *, finished_at: str, counts: dict[str, int],
                   errors: list[str]) -> None:
        """Close a run with its counts and errors."""
        columns = ("feeds_fetched", "feeds_not_modified", "feeds_failed", "new_articles",
                   "new_events")
        sets = ", ".join(f"{c} = ?" for c in columns)
        with self.store.transaction():
            self.conn.execute(
                f"UPDATE runs SET finished_at = ?, {sets}, errors = ? WHERE id = ?",
                (finished_at, *(counts.get(c, 0) for c in columns), json.dumps(errors), run_id),
            )

    @translated("read the runs table")
    def last_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest runs, newest first."""
        cursor = self.conn.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    @translated("write the reports table")
    def record_report(self, day: date, *, last_seq: int, sent: bool) -> None:
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO reports (day, generated_at, last_seq, sent) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (day) DO UPDATE SET generated_at = excluded.generated_at,"
                " last_seq = excluded.last_seq, sent = max(reports.sent, excluded.sent)",
                (day.isoformat(), format_recorded(utc_now()), last_seq, int(sent)),
            )

    @translated("read the reports table")
    def reported_days(self, *, delivered: bool = False) -> set[date]:
        sql = "SELECT day FROM reports" + (" WHERE sent = 1" if delivered else "")
        return {date.fromisoformat(day) for (day,) in self.conn.execute(sql)}

    def close(self) -> None:
        self.store.close()
