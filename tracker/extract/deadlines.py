"""Deadlines: dates by which something must happen, absolute or counted from the article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from tracker.extract.dates import DATE_RE, add_period, resolve
from tracker.extract.vocabulary import DECISION_RE

_CUE_BEFORE = re.compile(
    r"(?:\bby|\buntil|\btill|\bbefore|no later than|not later than|\bdeadline(?: of| is| was"
    r"| on| to| for)?|\bdue(?: on| by)?|on or before|expected (?:on|by|before)|set for"
    r"|scheduled for|slated for|\bd'ici(?: le| au| a la)?|au plus tard(?: le)?|\bjusqu'(?:au|a)"
    r"|avant le|date limite(?: du| au| est| fixee au| le)?|echeance(?: du| au| est| fixee au)?"
    r"|date butoir(?: du| au| est| fixee au)?|\bpour le|\bprevue?s? (?:le|pour le|d'ici le)"
    r"|attendue?s? (?:le|pour le|d'ici le)|\bfixee? (?:au|a)|has until|have until|\ba jusqu'"
    r"|ont jusqu'|\bextended to|\bmoved to|\bpushed back to|\breported to)"
    r"\W*(?:le |the |l'|the end of |la fin )?$"
)
_CUE_AFTER = re.compile(r"^\W*(?:au plus tard|at the latest|deadline|date limite|echeance)")
_DECIDE_ON = re.compile(r"(?:\bon|\ble|\bis|\best|:|\bfor|\bpour le|\bset at|\bfixee? au)\s*$")
_PAST_VERB = re.compile(
    r"\b(?:announced|signed|agreed|filed|opened|launched|said|was|were|began|started|closed"
    r"|annonce|signe|ouvert|lance|depose|conclu|etait|a eu lieu|avait)\b[^,;]{0,20}$"
)
_EXTENSION = re.compile(
    r"\b(?:extend\w*|push\w* back|postpon\w*|delay\w*|moved? back|prolong\w*|repouss\w*"
    r"|report(?:e|ee|ees|er|ent|ait)|decal\w*|allong\w*|prorog\w*)\b"
)
_REPLACED = re.compile(
    r"(?:\bfrom|\bdu|\bde|instead of|au lieu du?|initially|originally|initialement|previously"
    r"|\bcontre|set for|prevue? le|fixee? au)\W*(?:le |the |l')?$"
)
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty-five": 45, "sixty": 60, "ninety": 90, "un": 1, "une": 1, "deux": 2,
    "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "quarante-cinq": 45,
    "soixante": 60, "quatre-vingt-dix": 90,
}
_NUMBER = r"\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True))
_UNIT = (r"business days|working days|jours ouvres|jours ouvrables|days|day|weeks|week|months"
         r"|month|years|year|jours|jour|semaines|semaine|mois|ans|an")
_RELATIVE = re.compile(
    r"\b(?:within|in the next|in|inside|under|dans un delai de|dans un delai d'|dans les"
    r"|dans|sous|d'ici|has|have|had|given|gave \w+|giving \w+|gives \w+|a|ont|dispose de"
    r"|disposent de|delai de|deadline of|accorde \w+|donne \w+|accorde|donne|donnant|gave|gives"
    r"|giving)\s+"
    rf"(?P<n>{_NUMBER})\s+(?P<u>{_UNIT})\b(?!\s+(?:ago|earlier|before|plus tot))"
)
_UNITS = {"business days": "business_days", "working days": "business_days",
          "jours ouvres": "business_days", "jours ouvrables": "business_days",
          "day": "days", "days": "days", "jour": "days", "jours": "days",
          "week": "weeks", "weeks": "weeks", "semaine": "weeks", "semaines": "weeks",
          "month": "months", "months": "months", "mois": "months",
          "year": "years", "years": "years", "an": "years", "ans": "years"}


@dataclass(frozen=True, slots=True)
class DeadlineDraft:
    """A deadline read from one sentence, before it is tied to a deal."""

    due: date
    label: str
    replaces: date | None = None


def _is_cued(folded: str, start: int, end: int, extension: bool) -> bool:
    """Whether the date at [start, end) is introduced as a deadline."""
    before = folded[max(0, start - 45):start]
    if _CUE_BEFORE.search(before) or _CUE_AFTER.match(folded[end:end + 25]):
        return True
    if extension and re.search(r"(?:\bto|\bau|\ba)\W*(?:le |the )?$", before):
        return True
    if _PAST_VERB.search(before):
        return False
    return bool(_DECIDE_ON.search(before) and DECISION_RE.search(folded))


def _label(text: str, folded: str, start: int, end: int) -> str:
    """A short label: the cue leading to the date, the date, "at the latest" if said."""
    window = max(0, start - 45)
    cue = _CUE_BEFORE.search(folded[window:start])
    head = window + cue.start() if cue else start
    tail = _CUE_AFTER.match(folded[end:end + 25])
    return " ".join(text[head:end + (tail.end() if tail else 0)].split())[:100]


def find_deadlines(text: str, folded: str, *, published: datetime,
                   language: str) -> list[DeadlineDraft]:
    """Deadlines stated in one sentence (given as written and folded)."""
    extension = bool(_EXTENSION.search(folded))
    found = _absolute(text, folded, published, language, extension)
    # A sentence that gives the date itself ("90 days, until December 15") needs no sum.
    return found or _relative(text, folded, published)


def _absolute(text: str, folded: str, published: datetime, language: str,
              extension: bool) -> list[DeadlineDraft]:
    dues, replaced = [], []
    for match in DATE_RE.finditer(folded):
        before = folded[max(0, match.start() - 30):match.start()]
        if extension and _REPLACED.search(before):
            old = resolve(match, text[match.start():match.end()], language=language,
                          published=published, future=False)
            replaced.append(old)
        elif _is_cued(folded, match.start(), match.end(), extension):
            due = resolve(match, text[match.start():match.end()], language=language,
                          published=published, future=True)
            if due is not None and due >= published.date():
                dues.append((due, _label(text, folded, match.start(), match.end())))
    old = replaced[0] if extension and len(replaced) == 1 and len(dues) == 1 else None
    return [DeadlineDraft(due, label, old if old != due else None) for due, label in dues]


def _relative(text: str, folded: str, published: datetime) -> list[DeadlineDraft]:
    found = []
    for match in _RELATIVE.finditer(folded):
        if re.search(r"(?:il y a|over the|for the|past|last|after|apres|depuis)\W*$",
                     folded[max(0, match.start() - 15):match.start()]):
            continue
        words = match.group("n")
        amount = int(words) if words.isdigit() else _NUMBERS.get(words, 0)
        if not 0 < amount <= 1000:
            continue
        try:
            due = add_period(published.date(), amount, _UNITS[match.group("u")])
        except (OverflowError, ValueError):
            continue
        found.append(DeadlineDraft(due, " ".join(text[match.start():match.end()].split())))
    return found
