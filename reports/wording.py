"""Each event of the log as one line of "What changed" (and of the Atom feed)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from events.replay import StatusStep
from events.store import StoredEvent
from reports.context import Change
from reports.formatting import (
    UNKNOWN,
    countdown,
    day_label,
    local_day,
    moment_label,
    one_line,
    safe_url,
    stage_label,
)


def status_headline(step: StatusStep) -> str:
    """ "rumored → negotiating", or "first reported: rumored"."""
    if step.previous == UNKNOWN:
        return f"first reported: {stage_label(step.stage)}"
    return f"{stage_label(step.previous)} → {stage_label(step.stage)}"


def deadline_headline(data: dict[str, Any], day: date | None) -> str:
    """ "new deadline Tue 15 Sep 2020 (decision), in 43 days", or "deadline moved ...".

    Without a `day` there is no countdown (the Atom feed: an entry must not change).
    """
    due = date.fromisoformat(data["due"])
    label = one_line(data.get("label"))
    what = f" ({label})" if label else ""
    when = f", {countdown(due, day)[0]}" if day else ""
    if data.get("replaces"):
        moved = day_label(date.fromisoformat(data["replaces"]))
        return f"deadline moved from {moved} to {day_label(due)}{what}{when}"
    return f"new deadline {day_label(due)}{what}{when}"


def speaker_headline(data: dict[str, Any]) -> str:
    """ "Vanessa Pappas (TikTok) said"."""
    organization = one_line(data.get("organization"))
    return f"{one_line(data['speaker'])}{f' ({organization})' if organization else ''} said"


def retraction_headline(data: dict[str, Any], target: StoredEvent | None,
                        zone: ZoneInfo) -> str:
    """ "correction: withdrawn: negotiation of Sun 2 Aug 2020 (negotiating): reason"."""
    reason = one_line(data.get("reason"))
    if target is None:
        return f"correction: an earlier event was withdrawn: {reason}"
    when = day_label(local_day(target.occurred_at, zone))
    return f"correction: withdrawn: {target.type} of {when} ({_gist(target)}): {reason}"


def _gist(row: StoredEvent) -> str:
    data = json.loads(row.data)
    if row.type == "negotiation":
        return stage_label(data["stage"])
    if row.type == "deadline":
        return f"due {data['due']}"
    if row.type == "statement":
        return f"by {one_line(data['speaker'])}"
    return row.type


def describe_change(row: StoredEvent, title: str, step: StatusStep | None,
                    target: StoredEvent | None, *, day: date, zone: ZoneInfo) -> Change:
    """One event of the window as a change; `step` is its status change, if any."""
    data = json.loads(row.data)
    quote = None
    if row.type == "negotiation" and step is not None:
        headline = status_headline(step)
    elif row.type == "deadline":
        headline = deadline_headline(data, day)
    elif row.type == "statement":
        headline, quote = speaker_headline(data), one_line(data["quote"])
    else:
        headline = retraction_headline(data, target, zone)
    return Change(row.type if row.type != "negotiation" else "status", row.deal_id, title,
                  moment_label(row.occurred_at, zone), row.occurred_at, headline,
                  step.stage if step else None, quote, safe_url(row.source_url), row.event_id)
