"""Dates in news text: spans found by regex, read from their groups, years inferred."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

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
# The lookahead first lets the engine skip offsets that cannot start a year cheaply.
YEAR_RE = re.compile(r"(?=[12])(?<![\d$.,])(?:19|20)\d\d(?![\d%])")
_PAST_WORDS = re.compile(
    r"\b(?:last year|years? ago|earlier this year|a year earlier|previously|at the time"
    r"|l'an dernier|l'annee derniere|l'an passe|il y a (?:\w+ )?ans?|plus tot cette annee"
    r"|a l'epoque|auparavant|in the past|last (?:january|february|march|april|may|june|july"
    r"|august|september|october|november|december|spring|summer|fall|autumn|winter))\b"
)
#: How far back a date without a year may lie before we read it as next year's.
PAST_TOLERANCE = timedelta(days=60)
#: The end or the middle of a month or a year: "end of March", "fin 2023", "mid-October",
#: "year-end", "la fin de l'année prochaine". Resolved by `period_end`.
PERIOD_END_RE = re.compile(
    r"\b(?:(?P<end>(?:the )?(?:end|close) of (?:the |this |next |the current )?|end-"
    r"|(?:la )?fin (?:de l'|de la |du |de |d')?(?:cette )?)"
    r"|(?P<mid>(?:the )?middle of (?:the |this |next )?|mid[- ]?|(?:la )?mi-))"
    rf"(?P<unit>{_MONTH}|(?:19|20)\d\d|year|annee|an|month|mois)\b\.?"
    r"(?:\s+(?P<y>(?:19|20)\d\d)\b)?(?P<next>\s+(?:prochaine?|next|suivante?))?"
    r"(?!\s+(?:derniere|dernier|passee?|last|ago|precedente?))"
    r"|\b(?P<ye>year-end|year end|yearend|end-year|fin d'annee)\b"
)


def _from_parts(match: re.Match[str], language: str) -> tuple[int | None, int, int] | None:
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


def resolve(match: re.Match[str], *, language: str, published: datetime,
            future: bool) -> date | None:
    """The date a DATE_RE match stands for; a missing year is inferred from `published`.

    The groups name day, month and year outright, so no date parser is needed.
    """
    parts = _from_parts(match, language)
    if parts is None:
        return None
    year, month, day = parts
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


def period_end(match: re.Match[str], published: datetime) -> date | None:
    """The day a PERIOD_END_RE match stands for: a month's last day or 15th, or Dec 31.

    "End of March" is March 31, "mid-October" October 15, "year-end" and "fin 2023"
    December 31, "mid-2024" June 30; a month written without a year is the coming one.
    """
    today = published.date()
    unit, mid = match.group("unit"), match.group("mid") is not None
    step = 1 if match.group("next") or "next " in match.group() else 0
    if match.group("ye") or unit in ("year", "annee", "an") or unit.isdigit():
        year = int(unit) if unit and unit.isdigit() else today.year + step
        return date(year, 6, 30) if mid else date(year, 12, 31)
    if unit in ("month", "mois"):
        more, month = divmod(today.month - 1 + step, 12)
        year, month, explicit = today.year + more, month + 1, True
    else:
        explicit = match.group("y") is not None
        year, month = int(match.group("y")) if explicit else today.year, _MONTHS[unit]
    day = date(year, month, 15 if mid else calendar.monthrange(year, month)[1])
    return day if explicit else _shift_year(day, today, future=True)


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
