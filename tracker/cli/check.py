"""`tracker check`: is the event log sound, and does replay succeed on it?"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from events.errors import EventsError, StoreError
from events.model import EventRetracted
from events.replay import replay
from events.store import EventStore, StoredEvent
from tracker.archive import Archive


@dataclass
class CheckReport:
    """What `tracker check` found: problems (bad) and facts (for the verdict line)."""

    problems: list[str] = field(default_factory=list)
    events: int = 0
    retractions: int = 0
    deals: int = 0
    unreadable: str | None = None  # why the database itself could not be read through
    head: tuple[int, str] | None = None  # where the hash chain ends

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems and self.unreadable is None

    def verdict(self) -> str:
        """One line: OK with the counts, or what was found wrong."""
        if self.unreadable is not None:
            return f"FAILED: {self.unreadable}"
        if self.ok:
            chained = (f"; chain head {self.head[1][:16]} at seq {self.head[0]}"
                       if self.head else "")
            return (f"OK: {self.events} events ({self.retractions} retractions) over"
                    f" {self.deals} deals; integrity, append-only triggers, hash chain and"
                    f" replay checked{chained}.")
        return f"FAILED: {len(self.problems)} problem(s) found."


def check_log(store: EventStore, *, today: date, zone: ZoneInfo,
              archive: Archive | None = None) -> CheckReport:
    """Verify the store, every event's payload, retractions, time order and replay,
    and that every article the archive says gave events still has some in the log.

    A database too damaged to read through is the verdict itself, not an error.
    """
    report = CheckReport()
    try:
        report.problems = store.verify()
        report.head = store.chain_head()
        sources = _check_rows(store, report)
        if archive is not None:
            report.problems += _missing_events(archive, sources)
    except StoreError as error:
        report.unreadable = str(error)
        return report
    try:
        report.deals = len(replay(store, as_of=today, zone=zone).deals)
    except StoreError as error:
        report.unreadable = str(error)
    except (EventsError, KeyError, ValueError) as error:
        report.problems.append(f"replay fails: {type(error).__name__} {error}")
    return report


def _missing_events(archive: Archive, sources: set[str]) -> list[str]:
    """Articles that gave events whose link the log no longer holds any event of."""
    missing = sorted(archive.links_with_events() - sources)
    if not missing:
        return []
    return [f"{len(missing)} article(s) gave events the log holds no event of (first:"
            f" {missing[0]}): the log may have been emptied"]


def _check_rows(store: EventStore, report: CheckReport) -> set[str]:
    """Check every row; return the source links the log holds events of."""
    sources: set[str] = set()
    previous_recorded = ""
    for row in store.read():
        if row.source_url:
            sources.add(row.source_url)
        report.events += 1
        report.retractions += row.type == "retraction"
        report.problems.extend(_row_problems(store, row))
        if row.recorded_at < previous_recorded:
            report.problems.append(f"seq {row.seq}: recorded_at goes backwards")
        previous_recorded = row.recorded_at
    return sources


def _row_problems(store: EventStore, row: StoredEvent) -> list[str]:
    where = f"seq {row.seq} ({row.event_id[:12]})"
    try:
        event = row.event()
    except EventsError as error:
        return [f"{where}: invalid {row.type} event: {error}"]
    problems = []
    if event.event_id != row.event_id:
        # the id is a hash of the fact and its source: a mismatch means an edit
        problems.append(f"{where}: its content no longer matches its id (edited after it was"
                        " appended?)")
    if isinstance(event, EventRetracted):
        target = store.get(event.retracted_id)
        if target is None:
            problems.append(f"{where}: retracts {event.retracted_id[:12]}, which does not exist")
        elif target.seq >= row.seq:
            problems.append(f"{where}: retracts an event appended after it")
    return problems
