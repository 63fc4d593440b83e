"""`tracker check`: is the event log sound, and does replay succeed on it?"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from events.clock import parse_instant
from events.errors import EventsError
from events.model import event_from_data
from events.replay import replay
from events.store import EventStore, StoredEvent


@dataclass
class CheckReport:
    """What `tracker check` found: problems (bad) and facts (for the verdict line)."""

    problems: list[str] = field(default_factory=list)
    events: int = 0
    retractions: int = 0
    deals: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def verdict(self) -> str:
        """One line: OK with the counts, or how many problems were found."""
        if self.ok:
            return (f"OK: {self.events} events ({self.retractions} retractions) over"
                    f" {self.deals} deals; integrity, append-only triggers and replay checked.")
        return f"FAILED: {len(self.problems)} problem(s) found."


def check_log(store: EventStore, *, today: date, zone: ZoneInfo) -> CheckReport:
    """Verify the store, every event's payload, retractions, time order and replay."""
    report = CheckReport(problems=store.verify())
    previous_recorded = ""
    for row in store.read():
        report.events += 1
        report.retractions += row.type == "retraction"
        report.problems.extend(_row_problems(store, row))
        if row.recorded_at < previous_recorded:
            report.problems.append(f"seq {row.seq}: recorded_at goes backwards")
        previous_recorded = row.recorded_at
    try:
        report.deals = len(replay(store, as_of=today, zone=zone).deals)
    except (EventsError, KeyError, ValueError) as error:
        report.problems.append(f"replay fails: {type(error).__name__} {error}")
    return report


def _row_problems(store: EventStore, row: StoredEvent) -> list[str]:
    where = f"seq {row.seq} ({row.event_id[:12]})"
    try:
        data = json.loads(row.data)
        event = event_from_data(row.type, deal_id=row.deal_id, data=data,
                                occurred_at=parse_instant(row.occurred_at),
                                source_url=row.source_url)
    except (ValueError, EventsError) as error:
        return [f"{where}: invalid {row.type} event: {error}"]
    problems = []
    if event.event_id != row.event_id:
        # the id is a hash of the fact and its source: a mismatch means an edit
        problems.append(f"{where}: its content no longer matches its id (edited after it was"
                        " appended?)")
    if row.type == "retraction":
        target = store.get(data["event_id"])
        if target is None:
            problems.append(f"{where}: retracts {data['event_id'][:12]}, which does not exist")
        elif target.seq >= row.seq:
            problems.append(f"{where}: retracts an event appended after it")
    return problems
