"""Deadline labels: a short English noun phrase saying what is due, read from the sentence.

Labels are English whatever the article's language: the report around them is English,
and one deal's deadlines often come from French and English articles alike, so
"decision" and "décision" would read as two things. Unknown: "deadline".
"""

from __future__ import annotations

import re

from tracker.extract.vocabulary import lexicon

#: Labels in order of precedence: on a tie of distance, the earlier one wins. Their
#: keywords are the lexicon's `deadline.label` entries (the label is each one's value).
LABELS = ("go-shop", "regulatory decision", "expiry", "filing", "shareholder vote", "remedies",
          "response", "divestiture", "sale", "ban", "end of talks", "agreement", "trial",
          "hearing", "closing", "court ruling", "decision")
_LEXICON = lexicon()


def words_by_value(kind: str) -> dict[str, str]:
    """One regular expression per value of a kind's entries, in file order."""
    found: dict[str, list[str]] = {}
    for entry in _LEXICON.entries(kind):
        found.setdefault(str(entry.value), []).append(entry.regex)
    return {value: "|".join(regexes) for value, regexes in found.items()}


_KEYWORDS = words_by_value("deadline.label")
_WHAT_RE = re.compile("|".join(rf"(?P<k{i}>{_KEYWORDS[label]})"
                               for i, label in enumerate(LABELS) if label in _KEYWORDS))
_PARTY = {party: re.compile(regex) for party, regex in words_by_value("deadline.party").items()}
_CLAUSE_MARKS = (";", ": ", " - ")
_PURPOSE = re.compile(rf"^\W*(?:[\w'-]+\W+){{0,3}}?(?:{_LEXICON.regex('deadline.purpose')})\s*$")


def deadline_label(folded: str, start: int, end: int, context: str = "") -> str:
    """What is due by the date at folded[start:end]: "sale", "court ruling"...

    `context` (the sentence before, folded) can say who acts when this one says
    only "elle" or "it": "La Commission... Elle a jusqu'au 7 décembre pour se prononcer".
    """
    best: tuple[int, int, str, str] | None = None
    low, high = _clause(folded, start, end)
    for match in _WHAT_RE.finditer(folded, low, high):
        if start <= match.start() < end:
            continue
        rank = int(match.lastgroup[1:]) if match.lastgroup else 0
        if match.end() <= start:
            distance = start - match.end()
        else:
            # After the date, only a purpose counts fully: "has until May 10 to decide",
            # not "must sell by May 10 or face a ban".
            gap = folded[end:match.start()]
            distance = len(gap) * (1 if _PURPOSE.match(gap) else 3)
        if best is None or (distance, rank) < best[:2]:
            best = (distance, rank, LABELS[rank], match.group())
    if best is None:
        return "deadline"
    return _qualified(best[2], best[3], folded) or _qualified(best[2], best[3], context) or best[2]


def _clause(folded: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the part of the sentence around [start, end) up to a ";", ":" or dash."""
    low = max((folded.rfind(mark, 0, start) for mark in _CLAUSE_MARKS), default=-1)
    ends = [i for i in (folded.find(mark, end) for mark in _CLAUSE_MARKS) if i >= 0]
    return low + 1, min(ends, default=len(folded))


def _qualified(label: str, keyword: str, folded: str) -> str | None:
    """The label with who must act, where `folded` says it; None when it does not."""
    if label == "decision":
        if _PARTY["court"].search(folded):
            return "court ruling"
        if _PARTY["shareholders"].search(folded):
            return "shareholder vote"
        if _PARTY["regulator"].search(folded):
            return "regulatory decision"
        if _PARTY["government"].search(folded):
            return "government decision"
        return None
    if label in ("expiry", "filing"):
        return f"offer {label}" if _PARTY["offer"].search(folded) else label
    if label == "shareholder vote" and not _PARTY["shareholders"].search(folded):
        return "vote"
    return label
