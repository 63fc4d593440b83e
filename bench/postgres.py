"""The PostgreSQL side of the benchmarks: a throwaway schema on a real server.

The server is `--postgres URL`, else `$TRACKER_BENCH_POSTGRES`, else postgres on
127.0.0.1:5432, database `test` (as on this project's machines).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from urllib.parse import quote

DEFAULT_SERVER = os.environ.get("TRACKER_BENCH_POSTGRES",
                                "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def throwaway_schema(server: str) -> Iterator[str]:
    """A URL on a new, empty schema of `server`, dropped afterwards."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{server}{'&' if '?' in server else '?'}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def copy_log(sqlite_path: Path, url: str) -> int:
    """Copy a SQLite log's events and chain into the (empty) PostgreSQL log at `url`,
    as `tracker migrate` does; how many events."""
    from events.postgres_store import PostgresEventStore
    from events.sqlite_store import SQLiteEventStore

    source, target = SQLiteEventStore(sqlite_path), PostgresEventStore(url)
    count = 0
    with target.transaction():
        rows = source.read()
        while batch := list(islice(rows, 20_000)):
            target.copy_in(batch)
            count += len(batch)
        links = source.conn.execute("SELECT seq, link FROM event_chain ORDER BY seq")
        while chunk := links.fetchmany(20_000):
            target.copy_links(chunk)
    target.conn.execute("ANALYZE events")
    source.close()
    target.close()
    return count
