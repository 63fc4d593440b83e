"""What `tracker feeds list` shows: each configured feed with what polling remembers of
it (last success, last error, failures in a row, next poll)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from events.clock import parse_instant
from tracker.cli.table import format_table
from tracker.model import Feed, FeedState

Health = tuple[Feed, FeedState | None]  # None: never polled (or not since its URL changed)


def pair_states(feeds: Sequence[Feed], states: Sequence[FeedState]) -> list[Health]:
    """Each configured feed with its stored state; a state for another URL is stale."""
    by_name = {state.name: state for state in states}
    paired: list[Health] = []
    for feed in feeds:
        state = by_name.get(feed.name)
        paired.append((feed, state if state is not None and state.url == feed.url else None))
    return paired


def health_json(feed: Feed, state: FeedState | None) -> dict[str, Any]:
    """One feed as `tracker feeds list --format json` prints it (times in UTC)."""
    return {
        "name": feed.name, "url": feed.url, "language": feed.language,
        "full_text": feed.full_text, "polled": state is not None,
        "last_success_at": state.last_success_at if state else None,
        "last_polled_at": state.last_polled_at if state else None,
        "last_error": state.last_error if state else None,
        "last_error_at": state.last_error_at if state else None,
        "error_count": state.error_count if state else 0,
        "next_poll_at": state.next_poll_at if state else None,
        "disabled_reason": state.disabled_reason if state else None,
    }


def health_table(paired: Sequence[Health], *, zone: ZoneInfo, now: datetime) -> str:
    """A terminal table of the feeds, times in `zone`."""
    rows = [(feed.name, feed.url, feed.language or "", _success(state, zone),
             state.error_count if state else 0, _next_poll(state, zone, now),
             state.last_error if state and state.last_error else "")
            for feed, state in paired]
    return format_table(("NAME", "URL", "LANG", "LAST SUCCESS", "FAILURES", "NEXT POLL",
                         "LAST ERROR"), rows, max_width=40)


def _success(state: FeedState | None, zone: ZoneInfo) -> str:
    if state is None:
        return "never polled"
    return _local(state.last_success_at, zone) if state.last_success_at else "never"


def _next_poll(state: FeedState | None, zone: ZoneInfo, now: datetime) -> str:
    if state is None or state.next_poll_at is None or parse_instant(state.next_poll_at) <= now:
        return "due"
    when = _local(state.next_poll_at, zone)
    return f"{when} ({state.disabled_reason})" if state.disabled_reason else when


def _local(iso_utc: str, zone: ZoneInfo) -> str:
    return parse_instant(iso_utc).astimezone(zone).strftime("%Y-%m-%d %H:%M")
