"""Report benchmark: the daily report of 1,000 deals from 200,000 synthetic events.

Prints, measured in one process pinned to one core (best of 3): the time spent in
replay, in reading history and building the context, in rendering the page, the
e-mail and the Atom feed, the total, and the size of each output.

    python bench/report.py                       # 200,000 events, 1,000 deals
    python bench/report.py --events 50000 --deals 200 --db /tmp/report-bench.db
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.replay import build  # noqa: E402
from events.replay import replay  # noqa: E402
from events.sqlite_store import SQLiteEventStore  # noqa: E402
from reports.atom import render_atom  # noqa: E402
from reports.build import build_report  # noqa: E402
from reports.context import DealRef  # noqa: E402
from reports.mailer import build_message  # noqa: E402
from reports.render import environment, render_email_html, render_email_text, render_page  # noqa: E402

ZONE = ZoneInfo("Europe/Paris")
# the synthetic log spans 2019-2023: report on its last day, so "what changed" is busy
DAY = date(2023, 12, 30)
T = TypeVar("T")


def timed(fn: Callable[[], T], runs: int = 3) -> tuple[float, T]:
    """The best time of `runs` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result  # type: ignore[return-value]


def pin_to_one_core() -> str:
    """Run on one core, as the target says; report which."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    core = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def measure(path: Path, deals: int) -> None:
    """Time each stage on the log at `path` and print the figures."""
    refs = [DealRef(f"deal-{n:04d}", f"Deal {n:04d}: Acquirer / Target") for n in range(deals)]
    known_at = datetime.now(UTC)
    environment()  # templates compiled once per process, as in `tracker run`
    with SQLiteEventStore(path) as store:
        t_replay, result = timed(lambda: replay(store, as_of=DAY, zone=ZONE, known_at=known_at))
        t_build, report = timed(lambda: build_report(store, day=DAY, zone=ZONE, deals=refs,
                                                     known_at=known_at))
    t_page, page = timed(lambda: render_page(report.page))
    t_text, text = timed(lambda: render_email_text(report.page))
    t_html, html = timed(lambda: render_email_html(report.page))
    t_mail, mail = timed(lambda: build_message(subject=report.page.subject, sender="t@x.org",
                                               to=["d@x.org"], text=text, html=html,
                                               now=known_at).as_bytes())
    t_atom, atom = timed(lambda: render_atom(report.feed))
    total = t_build + t_page + t_text + t_html + t_mail + t_atom
    print(f"report of {DAY}: {result.events_applied:,} events applied, {len(report.page.deals):,}"
          f" open and {len(report.page.closed):,} closed deals,"
          f" {len(report.page.changes)} changes shown (+{report.page.changes_omitted})")
    print(f"replay:                         {t_replay:.3f} s")
    print(f"history + context (w/o replay): {t_build - t_replay:.3f} s")
    print(f"render page:                    {t_page:.3f} s  -> {len(page.encode()):,} bytes")
    print(f"render e-mail text + html:      {t_text + t_html:.3f} s  -> {len(text.encode()):,}"
          f" + {len(html.encode()):,} bytes")
    print(f"build MIME message:             {t_mail:.3f} s  -> {len(mail):,} bytes")
    print(f"render Atom:                    {t_atom:.3f} s  -> {len(atom):,} bytes,"
          f" {len(report.feed.entries)} entries")
    print(f"total:                          {total:.3f} s (target < 2 s);"
          f" replay {t_replay / total:.0%}, the rest {1 - t_replay / total:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--deals", type=int, default=1_000)
    parser.add_argument("--db", type=Path, help="Reuse or build the log here.")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="tracker-bench-")) / "bench.db"
    if not path.exists():
        started = time.perf_counter()
        build(path, events=args.events, deals=args.deals)
        print(f"built {args.events:,} events over {args.deals:,} deals"
              f" in {time.perf_counter() - started:.1f} s")
    print(pin_to_one_core())
    measure(path, args.deals)


if __name__ == "__main__":
    main()
