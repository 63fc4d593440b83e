"""Append benchmark: the same synthetic events appended to SQLite and to PostgreSQL.

Appends through the public API (`store.append`, one transaction per batch: ids
checked, recorded_at stamped, seq taken under the log's write lock, the hash chain
extended), into a fresh SQLite file and a fresh PostgreSQL schema, and prints events
per second side by side with their ratio, for each size asked.

    python bench/append.py                          # 100,000 and 1,000,000 events
    python bench/append.py --events 100000 --batch 1000
    python bench/append.py --events 2000 --batch 1  # one event per transaction
    python bench/append.py --postgres postgresql://user@host:5432/db
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import DEFAULT_SERVER, throwaway_schema  # noqa: E402
from bench.replay import synthetic_event  # noqa: E402
from events.model import Event  # noqa: E402
from events.store import EventStore  # noqa: E402


def batches(count: int, batch: int, *, deals: int = 1000, seed: int = 7
            ) -> Iterator[list[Event]]:
    """`count` plausible events (as the replay benchmark builds them), `batch` at a time:
    the same ones each time, made as they are appended so memory stays flat."""
    rng = random.Random(seed)
    for start in range(0, count, batch):
        yield [synthetic_event(rng, n, deals, count)
               for n in range(start, min(start + batch, count))]


def timed_append(store: EventStore, count: int, batch: int) -> float:
    """Seconds spent in `append` for `count` events in batches of `batch`, one
    transaction each (making the events is not counted)."""
    took = 0.0
    for events in batches(count, batch):
        started = time.perf_counter()
        store.append(events)
        took += time.perf_counter() - started
    assert store.last_seq() == count, "every event appended once"
    return took


def measure(open_store: Callable[[], EventStore], count: int, batch: int) -> float:
    store = open_store()
    try:
        return timed_append(store, count, batch)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, action="append",
                        help="How many events (repeat for several sizes; default 100k and 1M).")
    parser.add_argument("--batch", type=int, default=1000, help="Events per append.")
    parser.add_argument("--postgres", default=DEFAULT_SERVER, metavar="URL",
                        help="The PostgreSQL server (a throwaway schema is made there).")
    args = parser.parse_args()
    from events.postgres_store import PostgresEventStore
    from events.sqlite_store import SQLiteEventStore

    print(f"append, {args.batch} event(s) per transaction")
    print(f"{'events':>10}  {'SQLite ev/s':>12}  {'PostgreSQL ev/s':>15}  {'PG/SQLite':>9}")
    for count in args.events or [100_000, 1_000_000]:
        with tempfile.TemporaryDirectory(prefix="tracker-bench-") as folder:
            sqlite = measure(partial(SQLiteEventStore, Path(folder) / "append.db"), count,
                             args.batch)
        with throwaway_schema(args.postgres) as url:
            postgres = measure(partial(PostgresEventStore, url), count, args.batch)
        print(f"{count:>10,}  {count / sqlite:>12,.0f}  {count / postgres:>15,.0f}"
              f"  {sqlite / postgres:>8.2f}x")


if __name__ == "__main__":
    main()
