"""One row in `runs` per poll or ingest: what it fetched, stored and failed on.

`PollSummary` is what a poll reports (its summary line and the run's counts);
`recorded_run` opens the run's row before the work and closes it after, so `tracker
poll`, `tracker ingest` and `tracker run` record their runs the same way.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from events.clock import format_recorded, utc_now
from tracker.archive import Archive


@dataclass
class PollSummary:
    """What one poll did, for the summary line and the `runs` table."""

    run_id: int = 0
    due: int = 0
    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    new_versions: int = 0
    new_events: int = 0
    unreadable: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    network_down: bool = False
    #: the backfill for new or renamed deals, before polling: articles read again, and
    #: the events it appended (retractions and reinstatements among them)
    reread: int = 0
    reread_events: int = 0
    reread_retractions: int = 0
    reread_reinstated: int = 0
    #: article pages read after the feeds (their events are among new_events)
    pages_read: int = 0
    pages_failed: int = 0
    pages_waiting: bool = False
    #: due feeds another poller sharing the database took this round (PostgreSQL)
    taken: int = 0

    def line(self) -> str:
        """One line for a terminal or a log."""
        versions = f", {self.new_versions} changed" if self.new_versions else ""
        text = ""
        if self.reread:
            text = (f"Read {self.reread} stored article(s) again for new or renamed deals:"
                    f" {self.reread_events} event(s) added, {self.reread_retractions}"
                    f" retracted, {self.reread_reinstated} reinstated. ")
        text += (f"Polled {self.due} feed(s): {self.fetched} fetched, {self.not_modified} not"
                f" modified, {self.failed} failed; {self.new_articles} new article(s){versions},"
                f" {self.new_events} new event(s).")
        if self.taken:
            text += (f" {self.taken} due feed(s) already taken this round by a poller"
                     " sharing the database.")
        if self.pages_read or self.pages_failed or self.pages_waiting:
            text += f" Pages: {self.pages_read} read, {self.pages_failed} failed"
            text += ", more wait for the next poll." if self.pages_waiting else "."
        if self.unreadable:
            text += (f" {self.unreadable} article(s) could not be read for events"
                     " (a bug: see the log).")
        if self.network_down:
            text += " The network looks down: failures not held against the feeds."
        return text

    def counts(self) -> dict[str, int]:
        """The run's counts, as the `runs` table names them."""
        return {"feeds_fetched": self.fetched, "feeds_not_modified": self.not_modified,
                "feeds_failed": self.failed, "new_articles": self.new_articles,
                "new_events": self.new_events + self.reread_events + self.reread_retractions
                + self.reread_reinstated}


@contextmanager
def recorded_run(archive: Archive, *, due: int,
                 started: datetime | None = None) -> Iterator[PollSummary]:
    """A summary for a run of `due` feeds, its row opened now and closed when it ends well."""
    stamp = format_recorded(started or utc_now())
    close_aborted_runs(archive)
    summary = PollSummary(due=due, run_id=archive.start_run(stamp))
    yield summary
    archive.finish_run(summary.run_id, finished_at=format_recorded(utc_now()),
                           counts=summary.counts(), errors=summary.errors)


def close_aborted_runs(archive: Archive) -> list[int]:
    """Close the runs of this machine whose process is gone (killed mid-run) as aborted."""
    here = socket.gethostname()
    closed = []
    for run_id, pid, host in archive.unfinished_runs():
        if host != here or pid is None or _alive(pid):
            continue  # another machine's, or still running, or from before pids were kept
        archive.finish_run(run_id, finished_at=format_recorded(utc_now()), counts={},
                           errors=[f"aborted: process {pid} ended before the run finished"])
        closed.append(run_id)
    return closed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process: alive, not ours to judge
    return True
