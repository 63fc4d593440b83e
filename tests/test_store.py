"""The SQLite event store: the shared contract, plus what only SQLite can show."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from events.errors import StoreError
from events.memory_store import MemoryEventStore
from events.sqlite_store import SQLiteEventStore
from tests.conftest import negotiation
from tests.store_contract import EventStoreContract


class TestSQLiteEventStore(EventStoreContract):
    """SQLiteEventStore passes the contract every store must pass."""


class TestMemoryEventStore(EventStoreContract):
    """MemoryEventStore passes the same contract."""

    @pytest.fixture
    def store(self) -> MemoryEventStore:
        return MemoryEventStore()


def test_update_and_delete_are_refused(store: SQLiteEventStore, db_path: Path) -> None:
    store.append([negotiation("agreed", "2020-08-02")])
    raw = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE events SET deal_id = 'other'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM events")
    assert raw.execute("SELECT deal_id FROM events").fetchall() == [("microsoft-tiktok",)]


def test_table_matches_the_contract(store: SQLiteEventStore, db_path: Path) -> None:
    raw = sqlite3.connect(db_path)
    columns = [(r[1], r[2], r[3]) for r in raw.execute("PRAGMA table_info(events)")]
    assert columns == [
        ("seq", "INTEGER", 0), ("event_id", "TEXT", 1), ("deal_id", "TEXT", 1),
        ("type", "TEXT", 1), ("occurred_at", "TEXT", 1), ("recorded_at", "TEXT", 1),
        ("data", "TEXT", 1), ("source_url", "TEXT", 0), ("source_feed", "TEXT", 0),
        ("evidence", "TEXT", 0), ("version", "INTEGER", 1),
    ]
    assert "AUTOINCREMENT" in raw.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexed = {r[1] for r in raw.execute("PRAGMA index_list(events)")}
    assert {"events_by_deal_id_occurred_at_seq", "events_by_occurred_at_seq"} <= indexed


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="notes.db"):
        SQLiteEventStore(path)


WRITER = """
import sys
from tests.conftest import negotiation
from events.sqlite_store import SQLiteEventStore
store = SQLiteEventStore(sys.argv[1])
name = sys.argv[2]
for batch in range(40):
    events = [negotiation("negotiating", "2020-08-02", url=f"https://x.example/{name}/{batch}/{i}")
              for i in range(25)]
    # every writer also appends the same shared facts: they must be stored once
    events.append(negotiation("rumored", "2020-08-01", url=f"https://shared.example/{batch}"))
    store.append(events)
"""


def test_two_processes_appending_at_once_lose_nothing(db_path: Path) -> None:
    SQLiteEventStore(db_path).close()
    root = Path(__file__).resolve().parents[1]
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), name], cwd=root,
                         stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT count(*) FROM events").fetchone()[0] == 2 * 40 * 25 + 40
    seqs = [r[0] for r in raw.execute("SELECT seq FROM events ORDER BY seq")]
    assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.parametrize("garbled", [1, 70])  # 70: more than the latest few looked at first
def test_rows_with_a_garbled_recorded_at_do_not_hide_the_log(store: SQLiteEventStore,
                                                             db_path: Path,
                                                             garbled: int) -> None:
    (row,) = store.append([negotiation("agreed", "2020-08-02")])
    raw = sqlite3.connect(db_path)  # another tool's inserts, sorting after ours
    with raw:
        raw.executemany("INSERT INTO events (event_id, deal_id, type, occurred_at, recorded_at,"
                        " data) VALUES (?, 'd', 'negotiation', '2020-08-03T00:00:00Z',"
                        " 'zz garbled', '{}')", [(f"x{n}",) for n in range(garbled)])
    raw.close()
    assert store.last_recorded_at() == row.recorded_at
