"""Dates in news text: spans found by regex, parsed by dateparser, years inferred."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from typing import Any

_MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "janv": 1, "february": 2, "feb": 2, "fevrier": 2,
    "fevr": 2, "fev": 2, "march": 3, "mar": 3, "mars": 3, "april": 4, "apr": 4, "avril": 4,
    "avr": 4, "may": 5, "mai": 5, "june": 6, "jun": 6, "juin": 6, "july": 7, "jul": 7,
    "juillet": 7, "juil": 7, "august": 8, "aug": 8, "aout": 8, "september": 9, "sept": 9,
    "sep": 9, "septembre": 9, "october": 10, "oct": 10, "octobre": 10, "november": 11,
    "nov": 11, "novembre": 11, "december": 12, "dec": 12, "decembre": 12,
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
DATE_RE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<y1>(?:19|20)\d\d))?"
    rf"|(?P<d2>[0-3]?\d)(?:er|st|nd|rd|th|e)?\s+(?:of\s+)?(?P<m2>{_MONTH})\b\.?"
    rf"(?:,?\s+(?P<y2>(?:19|20)\d\d))?"
    r"|(?P<y3>(?:19|20)\d\d)-(?P<n3>[01]\d)-(?P<d3>[0-3]\d)"
    r"|(?P<a4>[0-3]?\d)/(?P<b4>[0-3]?\d)/(?P<y4>(?:19|20)\d\d))\b"
)
MONTH_ONLY_RE = re.compile(rf"\b(?:in|en|since|depuis|d'|de)\s+(?P<m>{_MONTH})\b"
                           r"(?!\.?\s+\d{1,2}\b)"
                           r"(?:\s+(?P<y>(?:19|20)\d\d))?")
YEAR_RE = re.compile(r"(?<![\d$.,])(?:19|20)\d\d(?![\d%])")
_PAST_WORDS = re.compile(
    r"\b(?:last year|years? ago|earlier this year|a year earlier|previously|at the time"
    r"|l'an dernier|l'annee derniere|l'an passe|il y a (?:\w+ )?ans?|plus tot cette annee"
    r"|a l'epoque|auparavant|in the past|last (?:january|february|march|april|may|june|july"
    r"|august|september|october|november|december|spring|summer|fall|autumn|winter))\b"
)
#: How far back a date without a year may lie before we read it as next year's.
PAST_TOLERANCE = timedelta(days=60)
_dateparser: Any = None


def _parse_with_dateparser(span: str, language: str, base: datetime) -> date | None:
    """Parse one date span with dateparser, imported on first use to keep imports fast."""
    global _dateparser
    if _dateparser is None:
        import dateparser

        _dateparser = dateparser
    settings = {"RELATIVE_BASE": base.replace(tzinfo=None), "PREFER_DATES_FROM": "current_period",
                "REQUIRE_PARTS": ["day", "month"], "RETURN_TIME_AS_PERIOD": False}
    try:
        found = _dateparser.parse(span, languages=[language], settings=settings)
    except Exception:  # dateparser raises many kinds on odd input; a miss is fine here
        return None
    return found.date() if found else None


def _from_parts(match: re.Match[str], language: str) -> tuple[int, int, int | None] | None:
    """(year or None, month, day) read straight from the regex groups."""
    g = match.groupdict()
    if g["m1"] or g["m2"]:
        month = _MONTHS[g["m1"] or g["m2"]]
        day = int(g["d1"] or g["d2"])
        year = g["y1"] or g["y2"]
        return (int(year) if year else None, month, day)
    if g["y3"]:
        return int(g["y3"]), int(g["n3"]), int(g["d3"])
    first, second = int(g["a4"]), int(g["b4"])
    day, month = (first, second) if language == "fr" else (second, first)
    return int(g["y4"]), month, day


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def resolve(match: re.Match[str], text: str, *, language: str, published: datetime,
            future: bool) -> date | None:
    """The date a DATE_RE match stands for; a missing year is inferred from `published`."""
    parts = _from_parts(match, language)
    if parts is None:
        return None
    year, month, day = parts
    today = published.date()
    guess_year = year if year is not None else today.year
    parsed = _parse_with_dateparser(text, language, published)
    if parsed is not None:
        month, day = parsed.month, parsed.day
    candidate = _safe_date(guess_year, month, day)
    if candidate is None:
        return None
    if year is None and future and candidate < today - PAST_TOLERANCE:
        candidate = _safe_date(guess_year + 1, month, day)
    elif year is None and not future and candidate > today + timedelta(days=183):
        candidate = _safe_date(guess_year - 1, month, day)
    return candidate


def has_past_marker(folded: str, published: datetime) -> bool:
    """Whether a clause dates itself before the article: an old year, "last year", etc."""
    if _PAST_WORDS.search(folded):
        return True
    if any(int(y.group()) < published.year for y in YEAR_RE.finditer(folded)):
        return True
    for match in MONTH_ONLY_RE.finditer(folded):
        year = int(match.group("y")) if match.group("y") else published.year
        if (year, _MONTHS[match.group("m")]) < (published.year, published.month):
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
