"""Replay benchmark: 1,000,000 synthetic events over 1,000 deals.

Prints, measured in one run: the replay time, a raw floor (a plain `sqlite3` scan of
the same table with `json.loads` of each `data`), their ratio, and peak memory; then
the same log copied into a throwaway schema of a PostgreSQL server, replayed there,
side by side with SQLite (events per second, and the ratio).

    python bench/replay.py                 # 1M events, 1,000 deals
    python bench/replay.py --events 100000 --deals 100
    python bench/replay.py --postgres postgresql://user@host:5432/db
    python bench/replay.py --no-postgres   # SQLite alone
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.postgres import DEFAULT_SERVER  # noqa: E402
from events.model import (  # noqa: E402
    STAGES,
    DeadlineSet,
    Event,
    EventRetracted,
    NegotiationReported,
    StatementMade,
)
from events.replay import replay  # noqa: E402
from events.sqlite_store import SQLiteEventStore  # noqa: E402
from events.store import EventStore  # noqa: E402

START = datetime(2019, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 5 * 365 * 86400
WORDS = ("talks", "offer", "board", "regulator", "shareholders", "deal", "price", "review",
         "approval", "closing", "agreement", "statement", "market", "premium", "bid")


def synthetic_event(rng: random.Random, n: int, deals: int, total: int) -> Event:
    """One plausible event; time grows with `n`, with jitter as late articles arrive."""
    deal = f"deal-{rng.randrange(deals):04d}"
    offset = int(SPAN_SECONDS * n / total) + rng.randint(-3 * 86400, 0)
    when = START + timedelta(seconds=max(offset, 0))
    url = f"https://news.example/{n}"
    kind = rng.random()
    if kind < 0.30:
        return NegotiationReported(deal_id=deal, stage=rng.choice(STAGES), occurred_at=when,
                                   source_url=url, evidence="Synthetic sentence about talks.")
    if kind < 0.55:
        due = (when.date() + timedelta(days=rng.randint(1, 180))).isoformat()
        return DeadlineSet(deal_id=deal, due=due, label="decision", occurred_at=when,
                           source_url=url)
    quote = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 25)))
    return StatementMade(deal_id=deal, speaker=f"Speaker {rng.randrange(50)}",
                         organization="Example Corp", quote=quote, occurred_at=when,
                         source_url=url)


def build(path: Path, *, events: int, deals: int, seed: int = 7) -> None:
    """Fill `path` through the public append API, in batches, with some retractions."""
    rng = random.Random(seed)
    store = SQLiteEventStore(path)
    batch: list[Event] = []
    for n in range(events):
        batch.append(synthetic_event(rng, n, deals, events))
        if len(batch) == 20_000 or n == events - 1:
            appended = store.append(batch)
            retract = rng.sample(appended, k=min(20, len(appended)))
            store.append([
                EventRetracted(deal_id=r.deal_id, occurred_at=START + timedelta(days=2000),
                               retracted_id=r.event_id, reason="synthetic correction")
                for r in retract if r.type != "retraction"
            ])
            batch = []
    store.close()


def raw_floor(path: Path) -> tuple[float, int]:
    """A plain scan of the table with json.loads of each `data`: the floor replay aims at."""
    started = time.perf_counter()
    conn = sqlite3.connect(path)
    count = 0
    loads = json.loads
    for row in conn.execute("SELECT * FROM events"):
        loads(row[6])
        count += 1
    conn.close()
    return time.perf_counter() - started, count


def timed_replay(path: Path | str) -> tuple[float, int, int]:
    """Open the log (a SQLite file, or a postgresql:// URL) and replay it whole."""
    started = time.perf_counter()
    if isinstance(path, str):
        from events.postgres_store import PostgresEventStore

        store: EventStore = PostgresEventStore(path)
    else:
        store = SQLiteEventStore(path)
    result = replay(store, as_of=date(2030, 1, 1), zone=ZoneInfo("UTC"))
    store.close()
    return time.perf_counter() - started, result.events_applied, len(result.deals)


def side_by_side(path: Path, server: str, sqlite: tuple[float, int, int]) -> None:
    """The log copied to PostgreSQL and replayed there, beside the SQLite figure."""
    from bench.postgres import copy_log, throwaway_schema

    with throwaway_schema(server) as url:
        started = time.perf_counter()
        copied = copy_log(path, url)
        print(f"copied {copied:,} events to PostgreSQL in {time.perf_counter() - started:.1f} s")
        postgres = best_of(3, timed_replay, url)
        heap, rss = replay_peak_memory(url)
    assert postgres[1:] == sqlite[1:], "both replays apply the same events to the same deals"
    print(f"replay, best of 3: {'events':>10}  {'SQLite ev/s':>12}  {'PostgreSQL ev/s':>15}"
          f"  {'PG/SQLite':>9}")
    print(f"{'':18} {sqlite[1]:>10,}  {sqlite[1] / sqlite[0]:>12,.0f}"
          f"  {postgres[1] / postgres[0]:>15,.0f}  {sqlite[0] / postgres[0]:>8.2f}x")
    print(f"peak memory of replay on PostgreSQL: {heap:.1f} MB Python heap,"
          f" {rss:.0f} MB process RSS")


def replay_peak_memory(path: Path | str) -> tuple[float, float]:
    """Peak Python heap (tracemalloc) and peak process RSS of a replay, each measured
    in a fresh process: tracemalloc's own bookkeeping would inflate the RSS figure."""
    prelude = ("import resource, sys, tracemalloc; sys.path.insert(0, sys.argv[2]);"
               "from bench.replay import timed_replay; from pathlib import Path;"
               "log = sys.argv[1] if '://' in sys.argv[1] else Path(sys.argv[1]);")
    heap_code = prelude + ("tracemalloc.start(); timed_replay(log);"
                           "print(tracemalloc.get_traced_memory()[1])")
    rss_code = prelude + ("timed_replay(log);"
                          "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    heap, rss = (
        int(subprocess.run([sys.executable, "-c", code, str(path), str(ROOT)], check=True,
                           capture_output=True, text=True).stdout)
        for code in (heap_code, rss_code)
    )
    return heap / 2**20, rss / 1024


def best_of(runs: int, fn, *args):  # type: ignore[no-untyped-def]
    results = [fn(*args) for _ in range(runs)]
    return min(results, key=lambda r: r[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--deals", type=int, default=1_000)
    parser.add_argument("--db", type=Path, help="Reuse or build the log here.")
    parser.add_argument("--postgres", default=DEFAULT_SERVER, metavar="URL",
                        help="The PostgreSQL server to compare with (a throwaway schema).")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite alone.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    path = args.db or folder / "bench.db"
    if not path.exists():
        started = time.perf_counter()
        build(path, events=args.events, deals=args.deals)
        print(f"built {args.events:,} events over {args.deals:,} deals"
              f" in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 2**20:.0f} MB)")
    floor, rows = best_of(3, raw_floor, path)
    took, applied, deals = best_of(3, timed_replay, path)
    heap, rss = replay_peak_memory(path)
    print(f"raw floor (sqlite3 scan + json.loads): {floor:.2f} s for {rows:,} rows"
          f" ({rows / floor:,.0f} rows/s)")
    print(f"replay:                                {took:.2f} s, {applied:,} events applied,"
          f" {deals:,} deals ({applied / took:,.0f} events/s)")
    print(f"ratio replay / raw floor:              {took / floor:.2f}x (target <= 2x)")
    print(f"peak memory of replay:                 {heap:.1f} MB Python heap,"
          f" {rss:.0f} MB process RSS (target < 150 MB)")
    if not args.no_postgres:
        side_by_side(path, args.postgres, (took, applied, deals))


if __name__ == "__main__":
    main()
