"""The event store on PostgreSQL: the same `events` table, for several machines at once.

The columns and their meaning are those of the SQLite log (text times in one fixed
width, `data` as JSON text), so tools reading the table read both alike. What SQLite
gets from its single writer, PostgreSQL gets from a lock: every write transaction
starts with `LOCK TABLE events IN EXCLUSIVE MODE` (as pyeventsourcing's PostgreSQL
recorder does), so appends commit one after the other and each takes `seq` =
highest + 1 while holding it. Hence `seq` follows commit order, with no gaps: a
reader following the log with `--after SEQ` never misses an event committed later
with a lower seq. Readers take no lock that conflicts with it; replay and reports
read in a `REPEATABLE READ` snapshot. Triggers refuse UPDATE, DELETE and TRUNCATE.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import pq

from events.postgres_errors import password_of, redacted, store_error, translated, translating
from events.store import (
    COLUMNS,
    TIMELINE_COLUMNS,
    EventStore,
    StoredEvent,
    TimelineRow,
    in_force,
)

PAGE = 5000  # rows per query when streaming: memory stays flat, round trips few
LOCK_TIMEOUT = "60s"  # as SQLite's busy timeout: a writer waits this long for another

# "C": text compares by code point, as in SQLite, so ISO times and ids sort as bytes
EVENTS_TABLE = """
CREATE TABLE events (
  seq          BIGINT PRIMARY KEY,
  event_id     TEXT COLLATE "C" NOT NULL UNIQUE,
  deal_id      TEXT COLLATE "C" NOT NULL,
  type         TEXT COLLATE "C" NOT NULL,
  occurred_at  TEXT COLLATE "C" NOT NULL,
  recorded_at  TEXT COLLATE "C" NOT NULL,
  data         TEXT NOT NULL,
  source_url   TEXT COLLATE "C",
  source_feed  TEXT COLLATE "C",
  evidence     TEXT,
  version      INTEGER NOT NULL DEFAULT 1
)"""
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events is append-only: % is not allowed', TG_OP;
END $$"""
TRIGGER_NAMES = ("events_no_update", "events_no_delete", "events_no_truncate")
APPEND_ONLY_TRIGGERS = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
    " FOR EACH ROW EXECUTE FUNCTION events_append_only()",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
    " FOR EACH ROW EXECUTE FUNCTION events_append_only()",
    # row triggers do not see TRUNCATE: a statement trigger does
    "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events"
    " FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()",
)
INDEXES: tuple[tuple[str, ...], ...] = (
    ("deal_id", "occurred_at", "seq"),
    ("occurred_at", "seq"),
    ("type", "recorded_at"),
    ("recorded_at",),
)
RECORDED_PATTERN = (r"^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]"
                    r"\.[0-9]{6}Z$")
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM events"
_TIMELINE = f"SELECT {', '.join(TIMELINE_COLUMNS)} FROM events"
_COPY = f"COPY events ({', '.join(COLUMNS)}) FROM STDIN"


def connect(url: str) -> psycopg.Connection[Any]:
    """A connection in autocommit mode: transactions are begun explicitly, as on SQLite."""
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as error:
        raise store_error(redacted(url), "connect", error, password_of(url)) from error
    except ValueError as error:  # a malformed URL: libpq never saw it
        raise store_error(redacted(url), "connect", error, password_of(url)) from error
    conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    return conn


class PostgresEventStore(EventStore):
    """The event log in a PostgreSQL database (the schema first on its search_path)."""

    def __init__(self, url: str) -> None:
        self._location = redacted(url)
        self._secret = password_of(url)
        self.url = url
        self.conn = connect(url)
        self._depth = 0
        try:
            with translating(self._location, "open the event log", self._secret):
                self._create_schema()
        except BaseException:
            self.conn.close()
            raise

    @property
    def location(self) -> str:
        """The database, as it may be printed (no password)."""
        return self._location

    @property
    def secret(self) -> str | None:
        """The password, to keep out of messages."""
        return self._secret

    def _create_schema(self) -> None:
        with self.conn.transaction():
            # several pollers may open a fresh database at once: one creates, others wait
            self.conn.execute("SELECT pg_advisory_xact_lock(hashtext('tracker: schema'))")
            if self.conn.execute("SELECT to_regclass('events')").fetchone() != (None,):
                return
            self.conn.execute(EVENTS_TABLE)
            self.conn.execute(APPEND_ONLY_FUNCTION)
            for trigger in APPEND_ONLY_TRIGGERS:
                self.conn.execute(trigger)
            for columns in INDEXES:
                self.conn.execute(f"CREATE INDEX events_by_{'_'.join(columns)} ON events"
                                  f" ({', '.join(columns)})")

    def transaction(self) -> _WriteTransaction:
        return _WriteTransaction(self)

    @contextmanager
    @translated("read a snapshot of the event log")
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the log (a REPEATABLE READ transaction)."""
        if self.in_transaction:
            yield
            return
        self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield
        finally:
            self.conn.execute("COMMIT" if self._status == pq.TransactionStatus.INTRANS
                              else "ROLLBACK")

    @property
    def _status(self) -> pq.TransactionStatus:
        return self.conn.info.transaction_status

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction (a write or a snapshot) is open on the connection."""
        return self._status != pq.TransactionStatus.IDLE

    @translated("read the event log")
    def last_recorded_at(self) -> str | None:
        # the latest well-formed time, not the last row's: a row another tool inserted
        # with an old or garbled recorded_at must not hide the log from a replay
        row = self.conn.execute("SELECT recorded_at FROM events WHERE recorded_at ~ %s"
                                " ORDER BY recorded_at DESC LIMIT 1",
                                (RECORDED_PATTERN,)).fetchone()
        return str(row[0]) if row else None

    @translated("read the event log")
    def _stored_ids(self, ids: Sequence[str]) -> set[str]:
        rows = self.conn.execute("SELECT event_id FROM events WHERE event_id = ANY(%s)",
                                 (list(ids),))
        return {str(row[0]) for row in rows}

    @translated("append to the event log")
    def _insert(self, rows: Sequence[StoredEvent]) -> list[StoredEvent]:
        # under the table lock (see _WriteTransaction): nobody else can take these seqs
        first = self.last_seq() + 1
        stored = [row._replace(seq=first + n) for n, row in enumerate(rows)]
        self.copy_in(stored)
        return stored

    def copy_in(self, rows: Sequence[StoredEvent]) -> None:
        """Insert rows exactly as given, seq included (appends, and `tracker migrate`)."""
        with self.conn.cursor() as cursor, cursor.copy(_COPY) as copy:
            for row in rows:
                copy.write_row(row)

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
        where, params = _filters((
            ("deal_id = %s", deal_id),
            ("type = %s", type),
            ("occurred_at >= %s", occurred_from),
            ("recorded_at >= %s", recorded_from),
            ("recorded_at <= %s", recorded_until),
        ))
        sql = f"{_SELECT} WHERE seq > %s{''.join(' AND ' + w for w in where)} ORDER BY seq"
        # page by seq rather than hold a cursor open: the caller may write between rows
        last = after_seq
        while True:
            rows = self.conn.execute(f"{sql} LIMIT {PAGE}", (last, *params)).fetchall()
            for row in rows:
                yield StoredEvent(*row)
            if len(rows) < PAGE:
                return
            last = rows[-1][0]

    @translated("read the event log")
    def timeline(
        self,
        *,
        occurred_until: str | None = None,
        recorded_until: str | None = None,
        deal_id: str | None = None,
    ) -> Iterator[list[TimelineRow]]:
        where, params = _filters((
            ("deal_id = %s", deal_id),
            ("occurred_at <= %s", occurred_until),
            ("recorded_at <= %s", recorded_until),
        ))
        order = " ORDER BY occurred_at, seq LIMIT " + str(PAGE)
        first = _TIMELINE + (f" WHERE {' AND '.join(where)}" if where else "") + order
        after = f"{_TIMELINE} WHERE {' AND '.join([*where, '(occurred_at, seq) > (%s, %s)'])}"
        rows = self.conn.execute(first, params).fetchall()
        while rows:
            yield rows  # the TIMELINE_COLUMNS tuples
            if len(rows) < PAGE:
                return
            last = rows[-1]
            rows = self.conn.execute(after + order, (*params, last[4], last[0])).fetchall()

    @translated("read the event log")
    def retracted_ids(self, *, recorded_until: str | None = None) -> set[str]:
        sql = "SELECT event_id, data FROM events WHERE type = 'retraction'"
        params: list[Any] = []
        if recorded_until is not None:
            sql += " AND recorded_at <= %s"
            params.append(recorded_until)
        return in_force({event_id: json.loads(data)["event_id"]
                         for event_id, data in self.conn.execute(sql, params)})

    @translated("read the event log")
    def get(self, event_id: str) -> StoredEvent | None:
        row = self.conn.execute(f"{_SELECT} WHERE event_id = %s", (event_id,)).fetchone()
        return StoredEvent(*row) if row else None

    @translated("read the event log")
    def ids_with_prefix(self, prefix: str, *, limit: int = 2) -> list[str]:
        # a range on the unique index ("C" order), not LIKE: no wildcard to escape
        rows = self.conn.execute(
            "SELECT event_id FROM events WHERE event_id >= %s AND event_id < %s ORDER BY seq"
            " LIMIT %s", (prefix, prefix + "\U0010ffff", limit)).fetchall()
        return [str(row[0]) for row in rows]

    @translated("check the database")
    def verify(self) -> list[str]:
        """The append-only triggers (present and enabled)."""
        found = {str(name): str(enabled) for name, enabled in self.conn.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'events'::regclass")}
        problems = [f"append-only trigger {name} is missing" for name in TRIGGER_NAMES
                    if name not in found]
        problems += [f"append-only trigger {name} is disabled" for name in TRIGGER_NAMES
                     if found.get(name) == "D"]
        return problems

    @translated("read the event log")
    def last_seq(self) -> int:
        row = self.conn.execute("SELECT max(seq) FROM events").fetchone()
        return int(row[0] or 0) if row else 0

    def close(self) -> None:
        self.conn.close()


def _filters(pairs: Sequence[tuple[str, str | None]]) -> tuple[list[str], list[Any]]:
    """The clauses whose value is given, and those values."""
    chosen = [(clause, value) for clause, value in pairs if value is not None]
    return [clause for clause, _ in chosen], [value for _, value in chosen]


class _WriteTransaction:
    """`BEGIN` + the table lock ... `COMMIT`, rolled back on any exception; nested: a
    savepoint.

    The lock comes first, as SQLite's `BEGIN IMMEDIATE` takes its write lock first: a
    transaction sees every append committed before it, numbers its own after them, and
    no two writers can wait on each other's rows (everyone takes this lock first).
    """

    def __init__(self, store: PostgresEventStore) -> None:
        self.store = store
        self.savepoint: str | None = None

    def __enter__(self) -> psycopg.Connection[Any]:
        store, conn = self.store, self.store.conn
        with translating(store.location, "start writing to the database", store.secret):
            if store.in_transaction:
                store._depth += 1
                self.savepoint = f"nested_{store._depth}"
                conn.execute(f"SAVEPOINT {self.savepoint}")
            else:
                conn.execute("BEGIN")
                try:
                    conn.execute("LOCK TABLE events IN EXCLUSIVE MODE")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
        return conn

    def __exit__(self, exc_type: object, error: BaseException | None, *rest: object) -> None:
        store, conn = self.store, self.store.conn
        with translating(store.location, "write to the database", store.secret):
            try:
                if error is None:
                    conn.execute(f"RELEASE {self.savepoint}" if self.savepoint else "COMMIT")
                    return
            except psycopg.Error as failure:
                error = failure
            finally:
                if self.savepoint:
                    store._depth -= 1
            self._roll_back()
            if isinstance(error, psycopg.Error):
                raise error

    def _roll_back(self) -> None:
        conn = self.store.conn
        if self.store._status == pq.TransactionStatus.IDLE:
            return
        if self.savepoint:
            conn.execute(f"ROLLBACK TO SAVEPOINT {self.savepoint}")
            conn.execute(f"RELEASE {self.savepoint}")
        else:
            conn.execute("ROLLBACK")
