"""Deadlines: dates by which something must happen, absolute or counted from the article.

Three shapes, each only behind a forward-looking cue:
- a day ("by September 15", "d'ici le 15 septembre au plus tard", "expires on June 10");
- the end or middle of a month or year ("by the end of March", "d'ici fin mars",
  "before year-end", "by mid-October"): the month's last day, December 31, the 15th
  (mid-year: June 30);
- a period from the article's date ("within 45 days", "dans un délai de 90 jours",
  "has 30 days to", "dispose de 25 jours ouvrés pour"). A bare duration is elapsed
  time, not a deadline: "after six weeks of talks", "mettant fin à six semaines de
  négociations", "the largest deal in 20 years".
Each deadline is labelled with what is due (see labels.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from tracker.extract.dates import DATE_RE, PERIOD_END_RE, add_period, period_end, resolve
from tracker.extract.labels import deadline_label
from tracker.extract.vocabulary import lexicon

_CUE_BEFORE = re.compile(
    r"(?:\bby|\buntil|\btill|\bbefore|no later than|not later than|\bdeadline(?: of| is| was"
    r"| on| to| for)?|\bdue(?: on| by)?|on or before|expected (?:on|by|before)|set for"
    r"|scheduled for|slated for|\bd'ici(?: le| au| a la| a)?|au plus tard(?: le)?"
    r"|\bjusqu'(?:au|a)|\bavant(?: le| la)?|date limite(?: du| au| est| fixee au| le)?"
    r"|echeance(?: du| au| est| fixee au)?|date butoir(?: du| au| est| fixee au)?|\bpour le"
    r"|\bprevue?s? (?:le|pour le|d'ici le)|attendue?s? (?:le|pour le|d'ici le)|\bfixee? (?:au|a)"
    r"|has until|have until|\ba jusqu'|ont jusqu'|\bextended to|\bmoved to|\bpushed back to"
    r"|\breported to|\b(?:ends?|expires?|expiring|lapses?|runs? out) on|\bexpire(?:ra)? le"
    r"|prend(?:ra)? fin le|se terminera? le|\bcourt jusqu')"
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
_DIGIT = re.compile(r"\d")
_DECISION = lexicon().compiled("words.decision")
#: Substrings every period end and every unit of time contains ("fin" in "fin mars"...).
_END_WORDS = ("end", "fin", "mid", "mi-", "close of", "middle")
_QUESTION = re.compile(r"\?\s*[\"'\u201d\u00bb)]*\s*$")
_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty-five": 45, "sixty": 60, "ninety": 90, "un": 1, "une": 1, "deux": 2,
    "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "quarante-cinq": 45,
    "soixante": 60, "quatre-vingt-dix": 90,
}
_NUMBER = r"\d{1,3}|" + "|".join(sorted(_NUMBERS, key=len, reverse=True))
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")\b")
_UNIT = (r"business days|working days|jours ouvres|jours ouvrables|days|day|weeks|week|months"
         r"|month|years|year|jours|jour|semaines|semaine|mois|ans|an")
# A period is a deadline only behind a cue that looks forward. `strong` cues say so on
# their own; `given` ones ("has 30 days", "dispose de 25 jours") need the purpose after
# ("to sell", "pour se prononcer"); a bare "in" needs a future verb before it.
_PERIOD = re.compile(
    r"\b(?:(?P<strong>within|in the next|over the next|in the coming|inside of|in under"
    r"|dans un delai d(?:e |')|dans les|dans|sous|d'ici(?: a)?|no later than|deadline of"
    r"|delai de)"
    r"|(?P<given>has|have|is given|are given|was given|were given|given|granted \w+(?: \w+)?"
    r"|(?:gave|gives|giving|grants|allows|allowed) \w+(?: \w+){0,2}|a|ont|disposera?"
    r"|disposent|dispose de|disposera de|disposent de|(?:accorde|donne|laisse|octroie)\w* (?:a )?"
    r"\w+(?: \w+)?|accorde|donne|laisse)"
    r"|(?P<weak>in))\s+"
    rf"(?P<n>{_NUMBER})\s+(?P<u>{_UNIT})\b"
)
_PURPOSE_AFTER = re.compile(
    r"^\s*(?:more |additional |extra |supplementaires )?(?:\w+ )?(?:to|pour|in which to|afin de"
    r"|de plus|more|additional|supplementaires|for (?:a|the|its|their) (?:decision|review"
    r"|sale|ruling))\b"
)
_FUTURE_BEFORE = re.compile(
    r"\b(?:will|shall|must|should|expect\w*|due to|set to|plans? to|aims? to|hopes? to"
    r"|intends? to|needs? to|has to|have to|going to|to (?:close|complete|decide|rule|sell"
    r"|divest|finish|conclude))\b[^.;]{0,40}$"
)
# "the largest deal in 20 years", "the first time in a decade": a span of history.
_SUPERLATIVE = re.compile(r"\b(?:\w+est|first|most|more|fewer|less|only|ever)\b[^.;,]{0,40}$")
_ELAPSED_AFTER = re.compile(r"^\s*(?:of|de|d'|ago|earlier|before|plus tot|auparavant|avant"
                            r"|after|apres|since|depuis)\b")
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
    span: tuple[int, int] = (0, 0)


def _is_cued(folded: str, start: int, end: int, extension: bool) -> bool:
    """Whether the date at [start, end) is introduced as a deadline."""
    before = folded[max(0, start - 45):start]
    if _CUE_BEFORE.search(before) or _CUE_AFTER.match(folded[end:end + 25]):
        return True
    if extension and re.search(r"(?:\bto|\bau|\ba)\W*(?:le |the )?$", before):
        return True
    if _PAST_VERB.search(before):
        return False
    return bool(_DECIDE_ON.search(before) and _DECISION.search(folded))


def find_deadlines(folded: str, *, published: datetime, language: str,
                   context: str = "") -> list[DeadlineDraft]:
    """Deadlines stated in one sentence (folded); `context` is the sentence before it."""
    # Cheap tests first: most sentences hold no digit, no period end, no number word.
    digits = _DIGIT.search(folded) is not None
    ends = any(word in folded for word in _END_WORDS)
    number = digits or _NUMBER_WORD.search(folded) is not None
    if not (number or ends) or _QUESTION.search(folded):
        return []  # "Is a sale by mid-September realistic?" sets nothing
    found = []
    if digits:
        found = _absolute(folded, published, language, bool(_EXTENSION.search(folded)))
    found += _period_ends(folded, published) if ends else []
    # A sentence that gives the date itself ("90 days, until December 15") needs no sum.
    found = found or (_relative(folded, published) if number else [])
    return [DeadlineDraft(d.due, deadline_label(folded, *d.span, context), d.replaces)
            for d in found]


def _absolute(folded: str, published: datetime, language: str,
              extension: bool) -> list[DeadlineDraft]:
    dues, replaced = [], []
    for match in DATE_RE.finditer(folded):
        before = folded[max(0, match.start() - 30):match.start()]
        if extension and _REPLACED.search(before):
            replaced.append(resolve(match, language=language, published=published, future=False))
        elif _is_cued(folded, match.start(), match.end(), extension):
            due = resolve(match, language=language, published=published, future=True)
            if due is not None and due >= published.date():
                dues.append((due, match.span()))
    old = replaced[0] if extension and len(replaced) == 1 and len(dues) == 1 else None
    return [DeadlineDraft(due, "", old if old != due else None, span) for due, span in dues]


def _period_ends(folded: str, published: datetime) -> list[DeadlineDraft]:
    """ "By the end of March", "d'ici fin 2023", "before year-end", "by mid-October"."""
    found = []
    for match in PERIOD_END_RE.finditer(folded):
        if not _CUE_BEFORE.search(folded[max(0, match.start() - 45):match.start()]):
            continue
        due = period_end(match, published)
        if due is not None and due >= published.date():
            found.append(DeadlineDraft(due, "", span=match.span()))
    return found


def _relative(folded: str, published: datetime) -> list[DeadlineDraft]:
    found = []
    for match in _PERIOD.finditer(folded):
        if not _looks_forward(folded, match):
            continue
        words = match.group("n")
        amount = int(words) if words.isdigit() else _NUMBERS.get(words, 0)
        if not 0 < amount <= 1000:
            continue
        try:
            due = add_period(published.date(), amount, _UNITS[match.group("u")])
        except (OverflowError, ValueError):
            continue
        found.append(DeadlineDraft(due, "", span=match.span()))
    return found


def _looks_forward(folded: str, match: re.Match[str]) -> bool:
    """Whether a period counts forward from now, not time already spent."""
    after = folded[match.end():match.end() + 40]
    if match.group("strong"):
        return not re.match(r"^\s*(?:ago|earlier|plus tot|qui ont suivi|passe|derniers)", after)
    if _ELAPSED_AFTER.match(after):
        return False  # "six semaines de négociations", "45 days ago"
    if match.group("given"):
        return bool(_PURPOSE_AFTER.match(after))
    before = folded[max(0, match.start() - 60):match.start()]
    return bool(_FUTURE_BEFORE.search(before)) and not _SUPERLATIVE.search(before)
