"""The archive on SQLite: feeds, articles, runs and reports tables in the log's file.

They live in the event store's database and share its connection and transactions,
so an article and its events are committed together.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from events.clock import format_occurred, format_recorded, utc_now
from events.errors import StoreError
from events.sqlite_errors import translated
from events.sqlite_store import SQLiteEventStore
from tracker.archive.interface import Archive
from tracker.model import Article, FeedState, KnownVersion

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

#: The archive's own schema version, beside the event log's `PRAGMA user_version`.
#: Each later version appends its statements to MIGRATIONS; an archive written by a
#: newer tracker is refused rather than misread.
ARCHIVE_VERSION = 2
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: SCHEMA,
    # which process ran a poll: one killed mid-run is closed as aborted by the next
    2: ("ALTER TABLE runs ADD COLUMN pid INTEGER", "ALTER TABLE runs ADD COLUMN host TEXT"),
}
VERSION_TABLE = """CREATE TABLE IF NOT EXISTS archive_schema (
  version INTEGER NOT NULL      -- one row: the archive schema version written
)"""

FEED_COLUMNS = ("name", "url", "fetch_url", "etag", "last_modified", "error_count", "last_error",
                "last_error_at", "next_poll_at", "last_polled_at", "last_success_at",
                "disabled_reason")


def _feed_state(row: tuple[Any, ...]) -> FeedState:
    """A feeds row as polling uses it; a count another tool spoilt is read as none."""
    state = FeedState(*row)
    if not isinstance(state.error_count, int) or isinstance(state.error_count, bool):
        state = replace(state, error_count=0)
    return state


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
        # SQLite takes the bare columns from the row holding max(version)
        rows = self.conn.execute(
            "SELECT key, content_hash, max(version), published_at FROM articles WHERE feed = ?"
            " GROUP BY key", (feed,),
        )
        return {key: KnownVersion(*rest) for key, *rest in rows}

    @translated("write the articles table")
    def save_article(self, article: Article, *, version: int, fetched_at: str,
                     events: int) -> bool:
        """Store one version of an article; False when that exact content is already kept."""
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO articles (feed, key, version, content_hash, link, title, text,"
            " published_at, published_estimated, language, fetched_at, events)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.feed, article.key, version, article.content_hash, article.link,
             article.title, article.text, format_occurred(article.published),
             int(article.published_estimated), article.language, fetched_at, events),
        )
        return cursor.rowcount == 1

    @translated("read the articles table")
    def links_with_events(self) -> set[str]:
        """The links of articles whose latest version gave events."""
        rows = self.conn.execute(
            "SELECT link FROM articles AS a WHERE events > 0 AND link IS NOT NULL AND version ="
            " (SELECT max(version) FROM articles WHERE feed = a.feed AND key = a.key)")
        return {link for (link,) in rows}

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
