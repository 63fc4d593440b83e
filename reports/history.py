"""What the report needs from the log beyond `replay`: status history and recent events.

Replay keeps only where each deal stands now. The report also draws every status period
and lists what changed lately, so it reads the negotiation events once more (through the
store's type index) and the events of the last days, within the same bounds as the
replay: occurred by the end of the report day, recorded by `known_at`, not retracted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from events.model import STAGE_RANK
from events.store import EventStore, StoredEvent

UNKNOWN = "unknown"
_TIMELINE_ORDER = attrgetter("occurred_at", "seq")  # the order replay folds in


class StatusStep(NamedTuple):
    """A deal's status changed from `previous` to `stage` at `occurred_at`."""

    deal_id: str
    stage: str
    previous: str
    occurred_at: str
    seq: int
    event_id: str
    source_url: str | None


@dataclass(frozen=True, slots=True)
class Bounds:
    """The part of the log a report reads: the same one the replay folded."""

    occurred_until: str
    recorded_until: str
    retracted: frozenset[str]

    def holds(self, row: StoredEvent) -> bool:
        """True when `row` is within the bounds and not retracted."""
        return (row.occurred_at <= self.occurred_until
                and row.recorded_at <= self.recorded_until
                and row.event_id not in self.retracted)


def status_history(store: EventStore, bounds: Bounds) -> dict[str, list[StatusStep]]:
    """Each deal's status changes, oldest first, folded by the same rule as replay."""
    rows = [row for row in store.read(type="negotiation") if bounds.holds(row)]
    rows.sort(key=_TIMELINE_ORDER)
    current: dict[str, tuple[str, str]] = {}  # deal -> (stage, occurred_at of its event)
    history: dict[str, list[StatusStep]] = {}
    stages: dict[str, str] = {}
    rank, start = STAGE_RANK, (UNKNOWN, "")
    for seq, event_id, deal_id, _, occurred, _, data, url, *_ in rows:
        stage = stages.get(data)
        if stage is None:  # a handful of distinct payloads: decode each once
            stage = stages[data] = json.loads(data)["stage"]
        status, status_at = current.get(deal_id, start)
        if occurred == status_at and rank[stage] < rank.get(status, -1):
            continue  # same instant: the stage furthest along wins, as in replay
        current[deal_id] = (stage, occurred)
        if stage != status:
            step = StatusStep(deal_id, stage, status, occurred, seq, event_id, url)
            _record_step(history.setdefault(deal_id, []), step)
    return history


def _record_step(steps: list[StatusStep], step: StatusStep) -> None:
    if steps and steps[-1].occurred_at == step.occurred_at:
        # one article, two stages at one instant: a single change, to the last one
        previous = steps.pop().previous
        if previous == step.stage:
            return
        step = step._replace(previous=previous)
    steps.append(step)


def recent_events(store: EventStore, bounds: Bounds, *, occurred_from: str) -> list[StoredEvent]:
    """Events that occurred from `occurred_from` within the bounds, in (occurred_at, seq) order."""
    rows = [row for row in store.read(occurred_from=occurred_from) if bounds.holds(row)]
    rows.sort(key=_TIMELINE_ORDER)
    return rows
