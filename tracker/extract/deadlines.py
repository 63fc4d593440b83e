"""Deadlines: days by which something about a deal must happen, stated or counted.

Two shapes, each only behind a cue that looks forward (the words are the lexicon's
`deadline.*` kinds; how they combine is here):
- a day: "by September 15", "d'ici le 15 septembre", "expires on June 10", "the Nov. 24
  termination date", "by 5 p.m. on May 10", the last day of "du 3 au 24 mai", or a bare
  "on"/"le" when the sentence says what is due that day ("will vote on May 10",
  "expects to close on 29.01.2021", "sera clôturée le 2 mars");
- a period from the article's date: "within 45 days", "dans un délai de 90 jours",
  "has 30 days to", "dispose de 25 jours ouvrés pour". A bare duration is elapsed
  time, not a deadline: "after six weeks of talks", "the largest deal in 20 years".
Vague periods are not deadlines: DATE_RE finds days only, never "by the end of March",
"fin 2018", "by mid-December" or a quarter. A date the text calls previous or initial
is not one to meet; a moved one records the date it replaces. Each deadline is
labelled with what is due (see labels.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from tracker.extract.dates import DATE_RE, add_period, resolve
from tracker.extract.labels import deadline_label, words_by_value
from tracker.extract.vocabulary import lexicon

_LEXICON = lexicon()


def _words(name: str) -> str:
    return _LEXICON.regex(f"deadline.{name}")


_CUE_BEFORE = re.compile(rf"(?:{_words('cue_before')})\W*(?:le |the |l')?$")
_CUE_AFTER = re.compile(rf"\W*(?:{_words('cue_after')})")
# ":" is punctuation, not a word of the lexicon: "Décision attendue : 10 mai"
_WEAK_CUE = re.compile(rf"(?:{_words('weak_cue')}|:)\s*$")
_PAST_VERB = re.compile(rf"(?:{_words('past_verb')})[^,;]{{0,20}}$")
_DUE_ACT = _LEXICON.compiled("deadline.due_act")
#: A shareholders' meeting makes a sentence one to read for its date, deal words or not.
MEETING = _LEXICON.compiled("deadline.meeting")
_DECISION = _LEXICON.compiled("deadline.decision")
_OFFER = re.compile(words_by_value("deadline.party")["offer"])
# "by 5 p.m. on May 10" is "by May 10"; "du 3 au 24 mai", "from May 3 to May 24" end
_TIME = re.compile(rf"(?:{_LEXICON.regex('date.time')})\W*(?:{_words('weak_cue')})?\s*$")
_RANGE = re.compile(rf"(?:{_LEXICON.regex('date.range')})\s*$")
_EXTENSION = _LEXICON.compiled("deadline.extension")
_EXTENDED_TO = re.compile(rf"(?:{_words('extended_to')})\W*(?:le |the )?$")
_REPLACED = re.compile(rf"(?:{_words('replaced')})\W*(?:le |the |l')?$")
# in the same clause, or just before a comma and a word or two: "sa précédente date
# limite, fixée au 14 février"
_PREVIOUS = re.compile(rf"(?:{_words('previous')})(?:[^,;]{{0,60}}|,\s*(?:[\w'-]+\s+){{0,2}})$")
_DIGIT = re.compile(r"\d")
_QUESTION = re.compile(r"\?\s*[\"'\u201d\u00bb)]*\s*$")
#: How far back from a date the act due on it may be named: "prévoient de finaliser
#: leur rapprochement le samedi 16 janvier".
_ACT_REACH = 80


DATE_RULE = "deadline: a date introduced as one to meet"
PERIOD_RULE = "deadline: a period counted forward from the article's date"


@dataclass(frozen=True, slots=True)
class DeadlineDraft:
    """A deadline read from one sentence, before it is tied to a deal."""

    due: date
    label: str
    replaces: date | None = None
    span: tuple[int, int] = (0, 0)
    rule: str = ""  # how it was read, for provenance


def may_hold_deadline(folded: str) -> bool:
    """Whether a sentence (folded) holds a digit or a number word: most hold neither, and
    no deadline is read in them."""
    return _DIGIT.search(folded) is not None or _NUMBER_WORD.search(folded) is not None


def find_deadlines(folded: str, *, published: datetime, language: str,
                   context: str = "") -> list[DeadlineDraft]:
    """Deadlines stated in one sentence (folded); `context` is the sentence before it."""
    if not may_hold_deadline(folded) or _QUESTION.search(folded):
        return []  # "Is a sale by September 15 realistic?" sets nothing
    found = _absolute(folded, published, language) if _DIGIT.search(folded) else []
    # A sentence that gives the date itself ("90 days, until December 15") needs no sum.
    found = found or _relative(folded, published)
    return [replace(d, label=deadline_label(folded, *d.span, context)) for d in found]


def _clause_before(folded: str, start: int, reach: int) -> str:
    """Up to `reach` characters before `start`, from the last ",", ";" or ":" on."""
    before = folded[max(0, start - reach):start]
    cut = max(before.rfind(","), before.rfind(";"), before.rfind(": "))
    return before[cut + 1:]


def _is_cued(folded: str, start: int, end: int, extension: bool) -> bool:
    """Whether the date at [start, end) is introduced as a deadline."""
    before = folded[max(0, start - 45):start]
    if _CUE_BEFORE.search(_TIME.sub("", before)) or _CUE_AFTER.match(folded, end, end + 30):
        return True
    if extension and _EXTENDED_TO.search(before):
        return True
    if _PAST_VERB.search(before):
        return False
    # "on May 10" alone is any day: it is one to meet when the act due then is named
    due = _DUE_ACT.search(_clause_before(folded, start, _ACT_REACH)) or _DECISION.search(folded)
    if _RANGE.search(before):
        return bool(due or _OFFER.search(folded))  # "l'offre sera ouverte du 3 au 24 mai"
    return bool(_WEAK_CUE.search(before) and due)


def _absolute(folded: str, published: datetime, language: str) -> list[DeadlineDraft]:
    extension = _EXTENSION.search(folded) is not None
    dues, replaced = [], []
    for match in DATE_RE.finditer(folded):
        before = folded[max(0, match.start() - 30):match.start()]
        if extension and _REPLACED.search(before):
            replaced.append(resolve(match, language=language, published=published, future=False))
        elif _PREVIOUS.search(folded, max(0, match.start() - _ACT_REACH), match.start()):
            continue  # "its previous deadline was Nov. 13": not the one to meet
        elif _is_cued(folded, match.start(), match.end(), extension):
            due = resolve(match, language=language, published=published, future=True)
            if due is not None and due >= published.date():
                dues.append((due, match.span()))
    old = replaced[0] if extension and len(replaced) == 1 and len(dues) == 1 else None
    return [DeadlineDraft(due, "", old if old != due else None, span, DATE_RULE)
            for due, span in dues]


# A period is a deadline only behind a cue that looks forward. `strong` cues say so on
# their own; `given` ones ("has 30 days", "dispose de 25 jours") need the purpose after
# ("to sell", "pour se prononcer"); a bare "in" needs a future verb before it.
_NUMBER_WORD = _LEXICON.compiled("date.number")
_PERIOD = re.compile(
    rf"(?:(?P<strong>{_words('period_strong')})|(?P<given>{_words('period_given')})"
    rf"|(?P<weak>{_words('period_weak')}))\s*"  # "dispose d'une semaine": no space
    rf"(?P<n>\b\d{{1,3}}\b|{_LEXICON.regex('date.number')})\s+(?P<u>{_LEXICON.regex('date.unit')})"
)
_ELAPSED = re.compile(rf"\s*(?:{_words('elapsed')})")
_SPENT = re.compile(rf"\s*(?:{_words('spent')})")
_PURPOSE = re.compile(rf"\s*(?:[\w'-]+\s+){{0,2}}?(?:{_words('purpose')})")
_FUTURE = re.compile(rf"(?:{_words('future')})[^.;]{{0,40}}$")
_SUPERLATIVE = re.compile(rf"(?:{_words('superlative')})[^.;,]{{0,40}}$")


def _relative(folded: str, published: datetime) -> list[DeadlineDraft]:
    found = []
    for match in _PERIOD.finditer(folded):
        if not _looks_forward(folded, match):
            continue
        words = match.group("n")
        amount = int(words) if words.isdigit() else _LEXICON.value_of("date.number", words)
        unit = _LEXICON.value_of("date.unit", match.group("u"))
        if not isinstance(amount, int) or not 0 < amount <= 1000 or not isinstance(unit, str):
            continue
        try:
            due = add_period(published.date(), amount, unit)
        except (OverflowError, ValueError):
            continue
        found.append(DeadlineDraft(due, "", span=match.span(), rule=PERIOD_RULE))
    return found


def _looks_forward(folded: str, match: re.Match[str]) -> bool:
    """Whether a period counts forward from now, not time already spent."""
    after = match.end()
    if _ELAPSED.match(folded, after):
        return False  # "45 days ago", "dans les 30 jours qui ont suivi"
    if match.group("strong"):
        return True
    if _SPENT.match(folded, after):
        return False  # "six semaines de négociations", "after 20 years of"
    if match.group("given"):
        return bool(_PURPOSE.match(folded, after))
    before = folded[max(0, match.start() - 60):match.start()]
    return bool(_FUTURE.search(before)) and not _SUPERLATIVE.search(before)
