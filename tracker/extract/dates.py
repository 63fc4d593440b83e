"""Dates in news text: spans found by regex, read from their groups, years inferred.

The words (month names with their numbers, weekdays, number words, units of time,
markers of the past) are the lexicon's `date.*` kinds; how they combine is here.
Only days are dates: a month or a year alone ("fin mars", "by the end of 2021") is a
period, too vague to be a deadline.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from functools import cache

from tracker.extract.vocabulary import lexicon

_MONTH = lexicon().regex("date.month")
_WEEKDAY = lexicon().regex("date.weekday")
_YEAR = r"(?:19|20)\d\d"
# "le samedi 16 janvier", "Saturday, Jan. 16", "16 janvier 2021", "06-March-2018",
# "2021-01-16", "01/16/2021" (day first in French), "16.01.2021" (always day first).
DATE_RE = re.compile(
    rf"(?:{_WEEKDAY},?\s+)?"
    rf"(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>{_YEAR}))?"
    rf"|\b(?P<d2>[0-3]?\d)(?:er|st|nd|rd|th|e)?(?:\s+|-)(?:of\s+)?(?P<m2>{_MONTH})\.?"
    rf"(?:(?:,?\s+|-)(?P<y2>{_YEAR}))?"
    rf"|\b(?P<y3>{_YEAR})-(?P<n3>[01]\d)-(?P<d3>[0-3]\d)"
    rf"|\b(?P<a4>[0-3]?\d)/(?P<b4>[0-3]?\d)/(?P<y4>{_YEAR})"
    rf"|\b(?P<d5>[0-3]?\d)\.(?P<n5>[01]?\d)\.(?P<y5>{_YEAR}))\b"
)
MONTH_ONLY_RE = re.compile(rf"\b(?:in|en|since|depuis|d'|de)\s+(?P<m>{_MONTH})"
                           r"(?!\.?\s+\d{1,2}\b)"
                           rf"(?:\s+(?P<y>{_YEAR}))?")
# The lookahead first lets the engine skip offsets that cannot start a year cheaply.
YEAR_RE = re.compile(r"(?=[12])(?<![\d$.,])(?:19|20)\d\d(?![\d%])")
_PAST_WORDS = lexicon().compiled("date.past")
#: How far back a date without a year may lie before we read it as next year's.
PAST_TOLERANCE = timedelta(days=60)


@cache
def month_number(name: str) -> int:
    """The number of a month name as DATE_RE found it ("janv" -> 1); 0 if unknown."""
    value = lexicon().value_of("date.month", name)
    return value if isinstance(value, int) else 0


def _from_parts(match: re.Match[str], language: str) -> tuple[int | None, int, int]:
    """(year or None, month, day) read straight from the regex groups."""
    g = match.groupdict()
    if g["m1"] or g["m2"]:
        month = month_number(g["m1"] or g["m2"])
        day = int(g["d1"] or g["d2"])
        year = g["y1"] or g["y2"]
        return (int(year) if year else None, month, day)
    if g["y3"]:
        return int(g["y3"]), int(g["n3"]), int(g["d3"])
    if g["y5"]:
        return int(g["y5"]), int(g["n5"]), int(g["d5"])
    first, second = int(g["a4"]), int(g["b4"])
    day, month = (first, second) if language == "fr" else (second, first)
    return int(g["y4"]), month, day


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def resolve(match: re.Match[str], *, language: str, published: datetime,
            future: bool) -> date | None:
    """The date a DATE_RE match stands for; a missing year is inferred from `published`.

    The groups name day, month and year outright, so no date parser is needed.
    """
    year, month, day = _from_parts(match, language)
    today = published.date()
    candidate = _safe_date(year if year is not None else today.year, month, day)
    if candidate is None or year is not None:
        return candidate
    return _shift_year(candidate, today, future=future)


def _shift_year(candidate: date, today: date, *, future: bool) -> date | None:
    """A date written without a year, moved to the year the writer meant."""
    if future and candidate < today - PAST_TOLERANCE:
        return _safe_date(candidate.year + 1, candidate.month, candidate.day)
    if not future and candidate > today + timedelta(days=183):
        return _safe_date(candidate.year - 1, candidate.month, candidate.day)
    return candidate


def has_past_marker(folded: str, published: datetime) -> bool:
    """Whether a clause dates itself before the article: an old year, "last year", etc."""
    if _PAST_WORDS.search(folded):
        return True
    if any(int(y.group()) < published.year for y in YEAR_RE.finditer(folded)):
        return True
    for match in MONTH_ONLY_RE.finditer(folded):
        year = int(match.group("y")) if match.group("y") else published.year
        if (year, month_number(match.group("m"))) < (published.year, published.month):
            return True
    return False


def add_period(start: date, amount: int, unit: str) -> date:
    """`start` plus a number of days, business days, weeks, months or years."""
    if unit == "business_days":
        day, left = start, amount
        while left > 0:
            day += timedelta(days=1)
            left -= day.weekday() < 5
        return day
    if unit in ("days", "weeks"):
        return start + timedelta(days=amount * (7 if unit == "weeks" else 1))
    months = amount * (12 if unit == "years" else 1)
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))
