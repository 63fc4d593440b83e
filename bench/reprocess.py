"""Reading the archive again: reprocess speed and search latency over 100,000 articles.

Builds an archive the way polling does (articles read and stored by the ingestor, one
in ten naming the configured deal), then measures, in one run:

- the first reading (ingest of the same articles), articles per second;
- `tracker reprocess` as a dry run and for real, articles re-read per second, and its
  ratio to the first reading;
- `tracker articles` latency: full-text searches (found and not found), the plain
  listing and `--without-events`, the median of five each.

    python bench/reprocess.py
    python bench/reprocess.py --articles 20000
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from events.sqlite_store import SQLiteEventStore
from tracker.archive.sqlite_archive import SQLiteArchive
from tracker.jobs.ingest import Ingestor
from tracker.jobs.reprocess import Reprocessor
from tracker.model import Article, Deal

DEAL = Deal("microsoft-tiktok", "Microsoft / TikTok", "Microsoft", "TikTok",
            seller="ByteDance")
DEAL_SENTENCES = (
    "Microsoft confirmed it is in talks to buy the US business of TikTok from ByteDance.",
    "The decision on TikTok is due by September 15, people close to Microsoft said.",
    "“We are committed to the talks,” said a Microsoft spokesperson about TikTok.",
    "TikTok said its US users would see no change while the talks go on.",
)
FILLER = ("Markets rose on Tuesday as investors weighed earnings from retailers and banks. "
          "Analysts expect the central bank to hold rates steady at its next meeting. "
          "Shipping costs fell for a third week while oil prices were little changed. ")
QUERIES = ("spokesperson", "decision september", "users change", "shipping", "zeppelin")


def articles(count: int, *, seed: int = 5) -> list[Article]:
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    made = []
    for n in range(count):
        text = FILLER * rng.randint(1, 3)
        if n % 10 == 0:
            text = rng.choice(DEAL_SENTENCES) + " " + text
        made.append(Article(feed=f"feed{n % 20}", key=f"k{n}", link=f"https://b.example/{n}",
                            title=f"News item {n}", text=text,
                            published=start + timedelta(minutes=17 * n), language="en"))
    return made


def _latency(archive: SQLiteArchive, **options: Any) -> tuple[float, int]:
    """The median time of five listings, and how many articles they gave."""
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        found = archive.list_articles(limit=50, **options)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    stored = articles(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        archive = SQLiteArchive(SQLiteEventStore(Path(tmp) / "tracker.db"))
        started = time.perf_counter()
        Ingestor(archive, [DEAL]).save(stored, fetched_at=datetime.now(UTC))
        first = time.perf_counter() - started
        timings = {}
        for dry_run in (True, False):
            reprocessor = Reprocessor(archive, [DEAL])
            started = time.perf_counter()
            result = reprocessor.run(dry_run=dry_run)
            timings[dry_run] = time.perf_counter() - started
        latencies = {repr(query): _latency(archive, search=query) for query in QUERIES}
        latencies["(no search)"] = _latency(archive)
        latencies["--without-events"] = _latency(archive, without_events=True)
        archive.close()
    print(f"archive: {args.articles:,} articles, 10% naming the deal;"
          f" last reprocess read {result.articles:,}")
    print(f"first reading (ingest, in process):   {args.articles / first:9,.0f} articles/s")
    for dry_run, took in timings.items():
        label = "reprocess --dry-run" if dry_run else "reprocess"
        print(f"{label + ' (in process):':39s}{args.articles / took:9,.0f} articles/s"
              f"   {first / took:.2f}x the first reading's speed")
    print("tracker articles (in process), newest 50, median of 5:")
    for query, (took, hits) in latencies.items():
        print(f"  {query:24s} {took * 1000:7.1f} ms   {hits} found")


if __name__ == "__main__":
    main()
