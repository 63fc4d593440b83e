"""Command-line values turned into dates and instants, with one-line errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from events.clock import format_occurred, parse_instant, start_of_day
from tracker.errors import ConfigError, TrackerError

# Days and times outside these years overflow time-zone arithmetic; no deal news needs them.
YEARS = range(1900, 9000)


def parse_day(text: str, *, option: str) -> date:
    """Parse `YYYY-MM-DD`; raise TrackerError naming the option otherwise."""
    try:
        if len(text.strip()) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise TrackerError(f"{option}: expected a date as YYYY-MM-DD, got {text!r}") from None
    if day.year not in YEARS:
        raise TrackerError(f"{option}: {text} is out of range (years 1900 to 8999)")
    return day


def parse_since(text: str, *, option: str, zone: ZoneInfo) -> str:
    """The start of day `text` in `zone`, written as the log writes times (`--since`)."""
    return format_occurred(start_of_day(parse_day(text, option=option), zone))


def parse_moment(text: str, *, option: str) -> datetime:
    """Parse ISO-8601 with an offset or `Z` into an aware UTC datetime."""
    try:
        moment = parse_instant(text)
        if moment.year not in YEARS:
            raise TrackerError(f"{option}: {text} is out of range (years 1900 to 8999)")
        return moment
    except (ValueError, OverflowError):
        raise TrackerError(
            f"{option}: expected an ISO-8601 time with an offset or Z"
            f" (e.g. 2020-08-03T09:00:00Z), got {text!r}"
        ) from None


def parse_occurred(text: str, *, option: str, zone: ZoneInfo) -> datetime:
    """Parse a day (midnight in `zone`) or a full ISO-8601 time with an offset."""
    if len(text.strip()) == 10:
        return start_of_day(parse_day(text, option=option), zone)
    return parse_moment(text, option=option)


def check_web_url(text: str | None, *, option: str) -> str | None:
    """Return `text` when it is an http(s) URL (or None); raise TrackerError otherwise."""
    if text is None:
        return None
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 (raises ValueError when out of range)
    except ValueError:  # "http://[::1": an IPv6 host never closed
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise TrackerError(f"{option}: expected an http(s) URL, got {text!r}")
    return text.strip()


def option_error(error: ConfigError, *, entry: str, options: Mapping[str, str]) -> TrackerError:
    """A config error about the entry a command adds, told with the option that gave the
    value (`--acquirer: expected a company name, got ''`); any other error as it is."""
    key = error.key or ""
    if key.startswith(entry + "."):
        option = options.get(key[len(entry) + 1:])
        if option:
            return TrackerError(f"{option}: {error.problem}")
    return error
