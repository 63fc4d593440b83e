"""The SQLite archive: the shared contract, plus its schema version."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from events.errors import StoreError
from events.sqlite_store import SQLiteEventStore
from tests.archive_contract import ArchiveContract
from tracker.archive import Archive
from tracker.archive.sqlite_archive import ARCHIVE_VERSION, SQLiteArchive


class TestSQLiteArchive(ArchiveContract):
    """SQLiteArchive passes the contract every archive must pass."""

    @pytest.fixture
    def archive(self, db_path: Path) -> Iterator[SQLiteArchive]:
        opened = SQLiteArchive(SQLiteEventStore(db_path))
        yield opened
        opened.close()


def test_the_schema_version_is_recorded(db_path: Path) -> None:
    SQLiteArchive(SQLiteEventStore(db_path)).close()
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT version FROM archive_schema").fetchall() == [(ARCHIVE_VERSION,)]


def test_an_archive_from_before_versions_gains_the_missing_tables(db_path: Path) -> None:
    SQLiteArchive(SQLiteEventStore(db_path)).close()
    raw = sqlite3.connect(db_path)
    raw.executescript("DROP TABLE archive_schema; DROP TABLE reports;")
    raw.close()
    archive = SQLiteArchive(SQLiteEventStore(db_path))
    assert archive.reported_days() == set()
    archive.close()


def test_an_archive_written_by_a_newer_tracker_is_refused(db_path: Path) -> None:
    SQLiteArchive(SQLiteEventStore(db_path)).close()
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE archive_schema SET version = ?", (ARCHIVE_VERSION + 1,))
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="newer tracker"):
        SQLiteArchive(SQLiteEventStore(db_path))


class TestPostgresArchive(ArchiveContract):
    """PostgresArchive passes the same contract, on a real server."""

    @pytest.fixture
    def archive(self, postgres_url: str) -> Iterator[Archive]:
        from events.postgres_store import PostgresEventStore
        from tracker.archive.postgres_archive import PostgresArchive

        opened = PostgresArchive(PostgresEventStore(postgres_url))
        yield opened
        opened.close()


def test_one_postgresql_archive_at_a_time_runs_a_task(postgres_url: str) -> None:
    from events.postgres_store import PostgresEventStore
    from tracker.archive.postgres_archive import PostgresArchive

    first, second = (PostgresArchive(PostgresEventStore(postgres_url)) for _ in range(2))
    try:
        with first.exclusively("daily report") as mine:
            assert mine
            with second.exclusively("daily report") as theirs:
                assert not theirs
            with second.exclusively("pages") as other_task:
                assert other_task
        with second.exclusively("daily report") as now_theirs:
            assert now_theirs
    finally:
        first.close()
        second.close()


def test_a_feed_leased_by_one_poller_is_not_leased_by_another(postgres_url: str) -> None:
    from events.postgres_store import PostgresEventStore
    from tracker.archive.postgres_archive import PostgresArchive

    first, second = (PostgresArchive(PostgresEventStore(postgres_url)) for _ in range(2))
    try:
        states = list(first.feed_states([("a", "https://a.example"),
                                         ("b", "https://b.example")]).values())
        lease = {"now": "2026-03-10T09:00:00.000000Z", "until": "2026-03-10T09:13:30.000000Z"}
        assert [s.name for s in first.lease_feeds(states[:1], holder="one", **lease)] == ["a"]
        assert [s.name for s in second.lease_feeds(states, holder="two", **lease)] == ["b"]
        assert second.lease_feeds(states, holder="two", **lease) == []
        later = {"now": "2026-03-10T09:13:30.000000Z", "until": "2026-03-10T09:27:00.000000Z"}
        assert [s.name for s in second.lease_feeds(states, holder="two", **later)] == ["a", "b"]
        assert len(first.lease_feeds(states, holder="one", every=True, **later)) == 2
    finally:
        first.close()
        second.close()


def test_a_postgresql_archive_written_by_a_newer_tracker_is_refused(postgres_url: str) -> None:
    import psycopg

    from events.postgres_store import PostgresEventStore
    from tracker.archive.postgres_archive import PostgresArchive

    PostgresArchive(PostgresEventStore(postgres_url)).close()
    with psycopg.connect(postgres_url, autocommit=True) as raw:
        raw.execute("UPDATE archive_schema SET version = %s", (ARCHIVE_VERSION + 1,))
    with pytest.raises(StoreError, match="newer tracker"):
        PostgresArchive(PostgresEventStore(postgres_url))
