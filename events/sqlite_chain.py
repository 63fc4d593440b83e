"""Tamper evidence for the SQLite log: a hash chain over every column of every event.

Like a transparency log, each event gets a link: the SHA-256 of the link before it and
of all the event's columns, written in the same transaction as the event. Editing any
column, deleting an event, inserting one in the middle or reordering them breaks the
chain where it happened, whoever dropped the triggers first; `verify_chain` says where.
Triggers found missing when a log is opened are put back and recorded as a notice,
reported until someone acknowledges it. The chain lives in an operational table beside
`events`; the events table itself is the contract and is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from events.clock import format_recorded, utc_now
from events.store import COLUMNS, StoredEvent

GENESIS = "0" * 64
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


def link(previous: str, row: Sequence[object]) -> str:
    """The link of an event: its columns (as stored, seq first) after the link before."""
    canonical = json.dumps(list(row), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last link: (seq, link), (0, GENESIS) for an empty chain."""
    row = conn.execute("SELECT seq, link FROM event_chain ORDER BY seq DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def extend(conn: sqlite3.Connection, rows: Iterable[StoredEvent]) -> None:
    """Link new rows after the chain's head (inside the appending transaction)."""
    _, previous = head(conn)
    links = []
    for row in rows:
        previous = link(previous, row)
        links.append((row.seq, previous))
    conn.executemany("INSERT INTO event_chain (seq, link) VALUES (?, ?)", links)


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
    problems: list[str] = []
    chain = conn.execute("SELECT seq, link FROM event_chain ORDER BY seq")
    events = (StoredEvent(*row) for row in conn.execute(_SELECT))
    previous = GENESIS
    for seq, stored, row in _pairs(chain, events):
        if row is None:
            problems.append(f"seq {seq}: the chain links an event the log no longer holds"
                            " (deleted?)")
        elif stored is None:
            problems.append(f"seq {seq} ({row.event_id[:12]}): not in the hash chain (inserted"
                            " behind tracker's back?)")
        elif link(previous, row) != stored:
            problems.append(f"seq {seq} ({row.event_id[:12]}): does not match its link in the"
                            " hash chain (edited, moved, or an event before it removed)")
        previous = stored or previous
    return problems


def _pairs(chain: Iterable[tuple[int, str]], events: Iterator[StoredEvent]
           ) -> Iterator[tuple[int, str | None, StoredEvent | None]]:
    """Links and events side by side by seq: (seq, link or None, event or None)."""
    links = iter(chain)
    link_row = next(links, None)
    event = next(events, None)
    while link_row is not None or event is not None:
        if event is None or (link_row is not None and link_row[0] < event.seq):
            assert link_row is not None
            yield link_row[0], link_row[1], None
            link_row = next(links, None)
        elif link_row is None or event.seq < link_row[0]:
            yield event.seq, None, event
            event = next(events, None)
        else:
            yield event.seq, link_row[1], event
            link_row, event = next(links, None), next(events, None)
