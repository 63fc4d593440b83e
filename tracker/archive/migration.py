"""Moving a SQLite log and archive into an empty PostgreSQL database (`tracker migrate`).

Everything is copied as it is: events with their seq, ids and recorded_at, the hash
chain link by link (so `tracker check` finds on the server what it found in the file,
tampering included), the notices, and every row of the archive's tables with its id.
The copy is one PostgreSQL transaction read from one SQLite snapshot: the server
holds all of it or none of it. Only the search index is built anew, its words folded
as the PostgreSQL archive folds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from tracker.archive.interface import Archive
from tracker.archive.postgres_archive import PostgresArchive
from tracker.archive.sqlite_archive import SQLiteArchive
from tracker.errors import TrackerError

#: The archive's tables, in an order where each row's references are copied before it.
TABLES = ("feeds", "articles", "runs", "reports", "deal_definitions", "article_deals",
          "event_sources", "deal_reads", "robots", "deals")
IDENTITIES = ("articles", "runs")  # ids the copy sets: the server's counters move past them
BATCH = 5000


@dataclass
class Migrated:
    """What a migration copied."""

    events: int = 0
    last_seq: int = 0
    head: tuple[int, str] | None = None
    rows: dict[str, int] = field(default_factory=dict)


def migrate(source: Archive, target: Archive) -> Migrated:
    """Copy `source` (SQLite) whole into `target` (PostgreSQL), which must hold nothing."""
    if not isinstance(source, SQLiteArchive) or not isinstance(target, PostgresArchive):
        raise TrackerError("migrate copies a SQLite database into a PostgreSQL one")
    _require_empty(target)
    done = Migrated()
    with source.store.snapshot(), target.store.transaction():
        done.events = _copy_log(source, target)
        done.rows = {table: _copy_table(source, target, table) for table in TABLES}
        for table in IDENTITIES:
            target.conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                                f" coalesce(max(id), 0) + 1, false) FROM {table}")
    target.index_for_search()
    done.last_seq, done.head = target.store.last_seq(), target.store.chain_head()
    return done


def _require_empty(target: PostgresArchive) -> None:
    held = {table: target.conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            for table in ("events", "event_chain", *TABLES)}
    full = {table: int(row[0]) for table, row in held.items() if row and row[0]}
    if full:
        what = ", ".join(f"{count} row(s) in {table}" for table, count in full.items())
        raise TrackerError(f"{target.location} is not empty ({what}): migrate copies into an"
                           " empty database only")


def _copy_log(source: SQLiteArchive, target: PostgresArchive) -> int:
    """The events, their chain and the notices, as stored; how many events."""
    events = source.store.read()
    count = 0
    while batch := list(islice(events, BATCH)):
        target.store.copy_in(batch)
        count += len(batch)
    links = source.conn.execute("SELECT seq, link FROM event_chain ORDER BY seq")
    while chunk := links.fetchmany(BATCH):
        target.store.copy_links(chunk)
    target.store.copy_notices(source.conn.execute(
        "SELECT noticed_at, notice, acknowledged_at FROM log_notices ORDER BY id").fetchall())
    return count


def _copy_table(source: SQLiteArchive, target: PostgresArchive, table: str) -> int:
    """Every row of one archive table, in the columns both databases have; how many."""
    theirs = [row[1] for row in source.conn.execute(f"PRAGMA table_info({table})")]
    ours = {row[0] for row in target.conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema ="
        " current_schema() AND table_name = %s", (table,))}
    columns = ", ".join(column for column in theirs if column in ours)
    rows = source.conn.execute(f"SELECT {columns} FROM {table}")
    count = 0
    with target.conn.cursor() as cursor, cursor.copy(
            f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := rows.fetchmany(BATCH):
            for row in chunk:
                copy.write_row(row)
            count += len(chunk)
    return count
