"""Words and safe values for the report: dates, countdowns, stage names, links, one-line text.

Everything shown comes through here first, so the templates only print ready strings:
feed text is folded onto one line without control or bidi-override characters, and a
link survives only when it is an http(s) URL.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from events.model import CLOSED_STAGES as CLOSED_STAGES  # re-exported: a closed deal

UNKNOWN = "unknown"

STAGE_LABELS: dict[str, str] = {
    "rumored": "rumored",
    "negotiating": "negotiating",
    "agreed": "agreed",
    "under_review": "under review",
    "approved": "approved",
    "blocked": "blocked",
    "completed": "completed",
    "abandoned": "abandoned",
    UNKNOWN: "no status yet",
}

# Fill and text colour per stage: distinct in hue and in lightness, so bands still
# differ when printed in grey; every band also carries its name as text or a title.
STAGE_COLORS: dict[str, tuple[str, str]] = {
    "rumored": ("#d9d9d9", "#1a1a1a"),
    "negotiating": ("#f4c542", "#1a1a1a"),
    "agreed": ("#4a86e8", "#ffffff"),
    "under_review": ("#9b6fd1", "#ffffff"),
    "approved": ("#5cb85c", "#1a1a1a"),
    "blocked": ("#d9363e", "#ffffff"),
    "completed": ("#1e6b33", "#ffffff"),
    "abandoned": ("#5f5f5f", "#ffffff"),
    UNKNOWN: ("#f0f0f0", "#1a1a1a"),
}

# C0/C1 controls, DEL, zero-width and bidi-override characters: none belongs in a
# one-line field, and bidi overrides can make a quote display as something else.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# browsers read a backslash as a slash, urlsplit does not: the hosts they see would differ
_SPACE_OR_BACKSLASH = re.compile(r"[\s\\]")
# scheme, a plain host name (no user, no brackets), an optional port, then a path
_PLAIN_WEB_URL = re.compile(r"(?i:https?)://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
                            r"(?::\d{1,5})?(?:[/?#].*)?$")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# English names of our own, not strftime's: those follow the process locale.
_LONG_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def one_line(text: str | None) -> str:
    """Fold `text` onto one line: controls become spaces, runs of space become one."""
    if not text:
        return ""
    return " ".join(_INVISIBLE.sub(" ", text).split())


def safe_url(url: str | None) -> str | None:
    """Return `url` when it is an http(s) URL with a host and no spaces, else None."""
    if not url:
        return None
    url = url.strip()
    if _INVISIBLE.search(url) or _SPACE_OR_BACKSLASH.search(url):
        return None
    if _PLAIN_WEB_URL.match(url):
        return url  # the common case, without the cost of urlsplit
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def outlet(url: str | None) -> str | None:
    """The host of an http(s) link without a leading "www." ("lemonde.fr"), else None."""
    link = safe_url(url)
    if link is None:
        return None
    try:
        host = urlsplit(link).hostname or ""
    except ValueError:
        return None
    host = host.rstrip(".")  # "lemonde.fr." is the same outlet, written absolutely
    return host.removeprefix("www.") or host or None


def shorten(text: str | None, limit: int) -> str:
    """`text` on one line, cut on a word boundary to at most `limit` characters, with "…".

    A text with no space in its last third is cut mid-word: one endless word (a URL, a
    hostile run of letters) must not escape the limit.
    """
    line = one_line(text)
    if len(line) <= limit:
        return line
    space = line.rfind(" ", 0, limit)  # a space right after the cut: it ends on a word
    end = space if space > limit * 2 // 3 else limit - 1
    return line[:end].rstrip(" ,;:.-–—") + "…"


def stage_label(stage: str) -> str:
    """The stage as a reader says it ("under review")."""
    return STAGE_LABELS.get(stage, one_line(stage))


def day_label(day: date) -> str:
    """A day as "Mon 3 Aug 2020"."""
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_day_label(day: date) -> str:
    """A day as "3 Aug 2020" (for a subject line, where every character counts)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def month_label(day: date) -> str:
    """The month of `day` as "Aug"."""
    return _MONTHS[day.month - 1]


def long_day_label(day: date) -> str:
    """A day as "Monday 3 August 2020"."""
    return f"{_LONG_DAYS[day.weekday()]} {day.day} {_LONG_MONTHS[day.month - 1]} {day.year}"


def local_time(iso_utc: str, zone: ZoneInfo) -> datetime:
    """An ISO-8601 UTC text from the log as an aware datetime in `zone`."""
    return datetime.fromisoformat(iso_utc.replace("Z", "+00:00")).astimezone(zone)


def local_day(iso_utc: str, zone: ZoneInfo) -> date:
    """The day in `zone` on which an ISO-8601 UTC instant falls."""
    return local_time(iso_utc, zone).date()


def moment_label(iso_utc: str, zone: ZoneInfo) -> str:
    """An instant as "Sun 2 Aug 2020, 21:30" in `zone`."""
    moment = local_time(iso_utc, zone)
    return f"{day_label(moment.date())}, {moment:%H:%M}"


def plural(count: int, word: str) -> str:
    """ "1 day", "2 days"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def countdown(due: date, day: date, *, closed: bool = False) -> tuple[str, str]:
    """How far `due` is from `day`: ("in 12 days", "upcoming"), ("today", "today"), ...

    A past deadline is "overdue by N days" while the deal is open, and "passed N days
    ago" once it is completed or abandoned (the deadline no longer binds anyone).
    """
    days = (due - day).days
    if days == 0:
        return "today", "today"
    if days == 1:
        return "tomorrow", "upcoming"
    if days > 1:
        return f"in {days} days", "upcoming"
    if closed:
        return f"passed {plural(-days, 'day')} ago", "passed"
    return f"overdue by {plural(-days, 'day')}", "overdue"
