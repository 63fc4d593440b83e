"""Timestamps as the event log stores them.

Both time columns hold ISO-8601 UTC text in one fixed width per column, so that
comparing strings compares instants and SQLite can range-scan them on an index:
`occurred_at` to the second ("2020-08-02T14:30:00Z"), `recorded_at` to the
microsecond ("2020-08-02T14:30:00.000000Z"), since appends within one second must
still be told apart when replaying "as known at" a time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = UTC


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)


def format_occurred(moment: datetime) -> str:
    """Format an aware datetime as an `occurred_at` value (UTC, seconds)."""
    # not strftime("%Y"): it writes year 999 as "999", which sorts after "2026"
    return _as_utc(moment).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def format_recorded(moment: datetime) -> str:
    """Format an aware datetime as a `recorded_at` value (UTC, microseconds)."""
    return _as_utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse_instant(text: str) -> datetime:
    """Parse ISO-8601 text with an offset or `Z` into an aware UTC datetime."""
    moment = datetime.fromisoformat(text.strip().replace("z", "Z"))
    return _as_utc(moment)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Return the last second of `day` in `zone`, as an aware UTC datetime."""
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return next_midnight.astimezone(UTC) - timedelta(seconds=1)


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Return midnight at the start of `day` in `zone`, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
