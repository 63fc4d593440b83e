"""Tamper evidence for the SQLite log: a hash chain over every column of every event.

Like a transparency log, each event gets a link (`events.chain`): the SHA-256 of the
link before it and of all the event's columns, written in the same transaction as the
event. Editing any
column, deleting an event, inserting one in the middle or reordering them breaks the
chain where it happened, whoever dropped the triggers first; `verify_chain` says where.
Triggers found missing when a log is opened are put back and recorded as a notice,
reported until someone acknowledges it. The chain lives in an operational table beside
`events`; the events table itself is the contract and is unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from events.chain import GENESIS, links_after, problems
from events.clock import format_recorded, utc_now
from events.store import COLUMNS, StoredEvent

CHAIN_TABLE = """CREATE TABLE IF NOT EXISTS event_chain (
  seq   INTEGER PRIMARY KEY,  -- the event's seq
  link  TEXT NOT NULL         -- sha256 of the link before it and every column of the event
)"""
NOTICES_TABLE = """CREATE TABLE IF NOT EXISTS log_notices (
  id               INTEGER PRIMARY KEY,
  noticed_at       TEXT NOT NULL,  -- ISO-8601 UTC
  notice           TEXT NOT NULL,
  acknowledged_at  TEXT            -- NULL until `tracker check --acknowledge`
)"""
CHAIN_TRIGGERS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS event_chain_no_{verb.lower()} BEFORE {verb} ON event_chain"
    f" BEGIN SELECT RAISE(ABORT, 'event_chain is append-only: {verb} is not allowed'); END"
    for verb in ("UPDATE", "DELETE")
)
CHAIN_TRIGGER_NAMES = ("event_chain_no_update", "event_chain_no_delete")
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY seq"


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last link: (seq, link), (0, GENESIS) for an empty chain."""
    row = conn.execute("SELECT seq, link FROM event_chain ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def extend(conn: sqlite3.Connection, rows: Iterable[StoredEvent]) -> None:
    """Link new rows after the chain's head (inside the appending transaction)."""
    _, previous = head(conn)
    conn.executemany("INSERT INTO event_chain (seq, link) VALUES (?, ?)",
                     links_after(previous, rows))


def create(conn: sqlite3.Connection) -> None:
    """The chain's tables and triggers; a log from before the chain is linked as it is."""
    for statement in (CHAIN_TABLE, NOTICES_TABLE, *CHAIN_TRIGGERS):
        conn.execute(statement)
    if conn.execute("SELECT count(*) FROM event_chain").fetchone()[0] == 0:
        rows = [StoredEvent(*row) for row in conn.execute(_SELECT)]
        if rows:
            extend(conn, rows)
            notice(conn, f"the hash chain was started over the {len(rows)} event(s) already in"
                         " the log: they are vouched for from then on, not before")


def notice(conn: sqlite3.Connection, text: str) -> None:
    """Record something `tracker check` must report until acknowledged."""
    conn.execute("INSERT INTO log_notices (noticed_at, notice) VALUES (?, ?)",
                 (format_recorded(utc_now()), text))


def open_notices(conn: sqlite3.Connection) -> list[str]:
    """Notices not yet acknowledged, oldest first."""
    rows = conn.execute("SELECT noticed_at, notice FROM log_notices WHERE acknowledged_at IS"
                        " NULL ORDER BY id")
    return [f"{at[:19]}Z: {text}" for at, text in rows]


def acknowledge(conn: sqlite3.Connection) -> int:
    """Mark every open notice acknowledged; how many there were."""
    cursor = conn.execute("UPDATE log_notices SET acknowledged_at = ? WHERE acknowledged_at IS"
                          " NULL", (format_recorded(utc_now()),))
    return cursor.rowcount


def verify_chain(conn: sqlite3.Connection) -> list[str]:
    """Where the events and their chain disagree: edited, removed, inserted, reordered."""
    chain = conn.execute("SELECT seq, link FROM event_chain ORDER BY seq")
    return problems(chain, (StoredEvent(*row) for row in conn.execute(_SELECT)))
