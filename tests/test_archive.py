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
