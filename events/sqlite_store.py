"""The event store on SQLite: WAL mode, append-only triggers, one transaction per batch."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

from events import sqlite_chain as chain
from events.sqlite_errors import store_error, translated, translating
from events.store import (
    COLUMNS,
    TIMELINE_COLUMNS,
    EventStore,
    StoredEvent,
    TimelineRow,
    in_force,
)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 60.0

EVENTS_TABLE = """
CREATE TABLE IF NOT EXISTS events (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id     TEXT NOT NULL UNIQUE,
  deal_id      TEXT NOT NULL,
  type         TEXT NOT NULL,
  occurred_at  TEXT NOT NULL,
  recorded_at  TEXT NOT NULL,
  data         TEXT NOT NULL,
  source_url   TEXT,
  source_feed  TEXT,
  evidence     TEXT,
  version      INTEGER NOT NULL DEFAULT 1
)
"""

TRIGGER_NAMES = ("events_no_update", "events_no_delete")
APPEND_ONLY_TRIGGERS: tuple[str, ...] = tuple(
    f"CREATE TRIGGER IF NOT EXISTS events_no_{verb.lower()} BEFORE {verb} ON events"
    f" BEGIN SELECT RAISE(ABORT, 'events is append-only: {verb} is not allowed'); END"
    for verb in ("UPDATE", "DELETE")
)

INDEXES: tuple[tuple[str, ...], ...] = (
    ("deal_id", "occurred_at", "seq"),
    ("occurred_at", "seq"),
    ("type", "recorded_at"),
    ("recorded_at",),
)

#: What every recorded_at we write looks like (2020-08-02T14:30:00.000000Z).
_RECORDED_GLOB = ("[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]"
                  ".[0-9][0-9][0-9][0-9][0-9][0-9]Z")
_INSERT = (
    "INSERT INTO events (event_id, deal_id, type, occurred_at, recorded_at, data,"
    " source_url, source_feed, evidence, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM events"
_TIMELINE = f"SELECT {', '.join(TIMELINE_COLUMNS)} FROM events"


def connect(path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> sqlite3.Connection:
    """Open a SQLite database in WAL mode with a busy timeout, transactions explicit."""
    conn = None
    try:
        conn = sqlite3.connect(
            str(path), timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        # WAL with synchronous=NORMAL stays consistent after a crash or kill -9; only
        # a power cut can lose the last commits, never corrupt the file.
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as error:
        if conn is not None:
            conn.close()
        raise store_error(path, "open the database", error) from error
    return conn


class SQLiteEventStore(EventStore):
    """The event log in a SQLite file, safe for several processes at once."""

    def __init__(self, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self._path = Path(path)
        self.conn = connect(self._path, busy_timeout=busy_timeout)
        # triggers found missing on an existing log: put back, and noticed (see verify)
        self.repaired: list[str] = []
        try:
            with translating(self._path, "open the event log"):
                names = self._schema_names()
                if not {"events", "event_chain", "log_notices", *TRIGGER_NAMES,
                        *chain.CHAIN_TRIGGER_NAMES} <= names:
                    if "events" in names:
                        self.repaired = [name for name in (*TRIGGER_NAMES,
                                                           *chain.CHAIN_TRIGGER_NAMES)
                                         if name not in names and (
                                             "event_chain" in names or name in TRIGGER_NAMES)]
                    self._create_schema()
        except BaseException:
            self.conn.close()
            raise

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection seen through sqlite-utils (imported when first needed)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn, execute_plugins=False)

    def _schema_names(self) -> set[str]:
        # a plain query, so that opening an existing log does not import sqlite-utils
        return {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master")}

    def _create_schema(self) -> None:
        db = self.db
        with self.transaction():
            db.execute(EVENTS_TABLE)
            for trigger in APPEND_ONLY_TRIGGERS:
                db.execute(trigger)
            for columns in INDEXES:
                db.table("events").create_index(
                    columns, index_name="events_by_" + "_".join(columns), if_not_exists=True
                )
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            chain.create(self.conn)
            if self.repaired:
                chain.notice(self.conn, f"append-only trigger(s) {', '.join(self.repaired)}"
                                        " were missing and were put back when the log was"
                                        " opened: the log may have been edited")

    def transaction(self) -> _WriteTransaction:
        return _WriteTransaction(self.conn, self._path)

    @contextmanager
    @translated("read a snapshot of the event log")
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the log (a WAL read transaction)."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    @translated("read the event log")
    def last_recorded_at(self) -> str | None:
        # the latest well-formed time, not the last row's: a row another tool inserted
        # with an old or garbled recorded_at must not hide the log from a replay
        row = self.conn.execute(
            f"SELECT max(recorded_at) FROM events WHERE recorded_at GLOB '{_RECORDED_GLOB}'"
        ).fetchone()
        return row[0] if row else None

    @translated("read the event log")
    def _stored_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT event_id FROM events WHERE event_id IN ({marks})"
            found.update(row[0] for row in self.conn.execute(sql, chunk))
        return found

    @translated("append to the event log")
    def _insert(self, rows: Sequence[StoredEvent]) -> list[StoredEvent]:
        stored = []
        for row in rows:
            cursor = self.conn.execute(_INSERT, row[1:])
            stored.append(row._replace(seq=cursor.lastrowid or 0))
        chain.extend(self.conn, stored)
        return stored

    @translated("read the event log")
    def read(
        self,
        *,
        after_seq: int = 0,
        deal_id: str | None = None,
        type: str | None = None,
        occurred_from: str | None = None,
        recorded_from: str | None = None,
        recorded_until: str | None = None,
    ) -> Iterator[StoredEvent]:
        where: list[str] = ["seq > ?"]
        params: list[Any] = [after_seq]
        for clause, value in (
            ("deal_id = ?", deal_id),
            ("type = ?", type),
            ("occurred_at >= ?", occurred_from),
            ("recorded_at >= ?", recorded_from),
            ("recorded_at <= ?", recorded_until),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY seq"
        for batch in self._batches(sql, params):
            for row in batch:
                yield StoredEvent(*row)

    @translated("read the event log")
    def timeline(
        self,
        *,
        occurred_until: str | None = None,
        recorded_until: str | None = None,
        deal_id: str | None = None,
    ) -> Iterator[list[TimelineRow]]:
        where: list[str] = []
        params: list[Any] = []
        for clause, value in (
            ("deal_id = ?", deal_id),
            ("occurred_at <= ?", occurred_until),
            ("recorded_at <= ?", recorded_until),
        ):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = _TIMELINE + (f" WHERE {' AND '.join(where)}" if where else "")
        yield from self._batches(sql + " ORDER BY occurred_at, seq", params)

    def _batches(self, sql: str, params: Sequence[Any]) -> Iterator[list[Any]]:
        cursor = self.conn.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            yield rows

    @translated("read the event log")
    def retracted_ids(self, *, recorded_until: str | None = None) -> set[str]:
        # the (type, recorded_at) index answers this without reading the whole log
        sql = "SELECT event_id, data FROM events WHERE type = 'retraction'"
        params: list[Any] = []
        if recorded_until is not None:
            sql += " AND recorded_at <= ?"
            params.append(recorded_until)
        return in_force({event_id: json.loads(data)["event_id"]
                         for event_id, data in self.conn.execute(sql, params)})

    @translated("read the event log")
    def get(self, event_id: str) -> StoredEvent | None:
        row = self.conn.execute(f"{_SELECT} WHERE event_id = ?", (event_id,)).fetchone()
        return StoredEvent(*row) if row else None

    @translated("read the event log")
    def ids_with_prefix(self, prefix: str, *, limit: int = 2) -> list[str]:
        # the UNIQUE index on event_id answers a range scan, not LIKE (case-insensitive)
        rows = self.conn.execute(
            "SELECT event_id FROM events WHERE event_id >= ? AND event_id < ? ORDER BY seq"
            " LIMIT ?", (prefix, prefix + "\U0010ffff", limit)).fetchall()
        return [row[0] for row in rows]

    @translated("check the database")
    def verify(self) -> list[str]:
        """Problems with the file itself: SQLite integrity, the append-only triggers, the
        hash chain over every event, and notices not yet acknowledged."""
        problems = [f"integrity: {row[0]}" for row in self.conn.execute("PRAGMA integrity_check")
                    if row[0] != "ok"]
        names = {row[0] for row in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        problems += [f"append-only trigger {name} is missing" for name in
                     (*TRIGGER_NAMES, *chain.CHAIN_TRIGGER_NAMES) if name not in names]
        problems += chain.verify_chain(self.conn)
        problems += [f"notice: {text}" for text in chain.open_notices(self.conn)]
        return problems

    @translated("read the hash chain")
    def chain_head(self) -> tuple[int, str]:
        """The seq and link the hash chain ends with: worth writing down elsewhere."""
        return chain.head(self.conn)

    @translated("acknowledge the notices")
    def acknowledge_notices(self) -> int:
        with self.transaction():
            return chain.acknowledge(self.conn)

    @translated("read the event log")
    def last_seq(self) -> int:
        row = self.conn.execute("SELECT max(seq) FROM events").fetchone()
        return int(row[0] or 0)

    def close(self) -> None:
        self.conn.close()


class _WriteTransaction:
    """`BEGIN IMMEDIATE` ... `COMMIT`, rolled back on any exception; nested: a savepoint.

    IMMEDIATE takes the write lock up front, so a second writer waits on the busy
    timeout instead of failing with "database is locked" when upgrading a read lock.
    Whoever wrote inside (the store, or the archive beside it), a database failure
    reaches the caller as one StoreError naming the file.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.nested = False

    def __enter__(self) -> sqlite3.Connection:
        self.nested = self.conn.in_transaction
        with translating(self.path, "start writing to the database"):
            self.conn.execute("SAVEPOINT nested" if self.nested else "BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, error: BaseException | None, *rest: object) -> None:
        with translating(self.path, "write to the database"):
            try:
                if error is None:
                    self.conn.execute("RELEASE nested" if self.nested else "COMMIT")
                    return
            except sqlite3.Error as failure:
                error = failure
            self._roll_back()
            if isinstance(error, sqlite3.Error):
                raise error

    def _roll_back(self) -> None:
        if not self.conn.in_transaction:
            return
        if self.nested:
            self.conn.execute("ROLLBACK TO nested")
            self.conn.execute("RELEASE nested")
        else:
            self.conn.execute("ROLLBACK")
