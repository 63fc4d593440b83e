"""Negotiation stages: what one sentence says about where a deal stands."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from tracker.extract.matching import trie_pattern
from tracker.extract.vocabulary import lexicon

_LEXICON = lexicon()
#: The readings of a sentence, in the order that breaks ties (the earlier wins), each
#: with the stage it reports; court_dismissal and rejection are decided by who acts.
READINGS = ("court_dismissal", "rejection", "abandoned", "completed", "blocked", "approved",
            "under_review", "agreed", "negotiating")
_PATTERNS: dict[str, list[str]] = {
    reading: [entry.regex for entry in _LEXICON.entries(f"stage.{reading}")]
    for reading in READINGS
}
_STAGE_OF = {"court_dismissal": "approved", "rejection": "abandoned", "pending": "under_review"}
_AUTHORITIES = _LEXICON.compiled("words.authority")
_DEAL_WORDS = _LEXICON.compiled("words.deal")
_COURT = _LEXICON.compiled("words.court")


def _starts(items: list[Any]) -> tuple[set[str], bool] | None:
    """How every match of a parsed pattern begins: (literal prefixes, whether complete).

    Expansion stops once each prefix is long enough for a key; None when unknown.
    """
    found, complete = {""}, True
    for index, (op, av) in enumerate(items):
        if min(map(len, found)) >= _KEY + 2:  # room for an elision ("s'o...")
            return found, False
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT) and found == {""}:
            continue  # zero width: the match still starts with what follows
        part: tuple[set[str], bool] | None = None
        if op is _c.LITERAL:
            part = {chr(av)}, True
        elif op is _c.IN and len(av) <= 4 and all(o is _c.LITERAL for o, _ in av):
            part = {chr(v) for _, v in av}, True
        elif op is _c.BRANCH:
            branches = [_starts(list(b)) for b in av[1]]
            if None not in branches:
                part = (set().union(*(b[0] for b in branches if b)),
                        all(b[1] for b in branches if b))
        elif op is _c.SUBPATTERN:
            part = _starts(list(av[-1]))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] == 0:
            inner, rest = _starts(list(av[2])), _starts(items[index + 1:])
            if inner is not None and rest is not None:
                return {f + x for f in found for x in inner[0] | rest[0]}, False
        if part is None:
            return (found, False) if found != {""} else None
        found = {f + x for f in found for x in part[0]}
        if not part[1]:
            return found, False
    return found, complete


#: How many first letters of a word the stage prefilter compares.
_KEY = 3
#: The word a match starts with; after an elision ("s'oppose") the word proper.
_FIRST_WORD = re.compile(r"(?:\w'(?=\w))?(\w+)")

def _stage_keys(patterns: list[str]) -> set[tuple[str, int]]:
    """The first letters (up to three) of the word every match of a stage begins with.

    Each key comes with how far before that word the match starts: 2 after an elision
    (`s'oppos` is keyed on "opp"). Raises ValueError for a pattern that cannot be keyed.
    """
    keys: set[tuple[str, int]] = set()
    for pattern in patterns:
        starts = _starts(list(_parser.parse(pattern)))
        if starts is None or not pattern.startswith("\\b"):
            raise ValueError(f"a stage pattern must start with \\b and a literal: {pattern}")
        for start in starts[0]:
            word = _FIRST_WORD.match(start)
            if word is None:
                raise ValueError(f"a stage pattern must start with a word: {pattern}")
            keys.add((word.group(1)[:_KEY], word.start(1)))
    return keys


def _compile(patterns: list[str]) -> re.Pattern[str]:
    """One regex for a stage; the word boundary every alternative starts with, factored out.

    Tested once per offset instead of once per alternative: the scan runs faster.
    """
    if all(p.startswith("\\b") for p in patterns):
        return re.compile(r"\b(?:" + "|".join(p[2:] for p in patterns) + ")")
    return re.compile("|".join(patterns))


_COMPILED = [(name, _compile(p)) for name, p in _PATTERNS.items()]
#: A word's first letters -> the stages a match starting there (or just before, after an
#: elision) may belong to. Matching is then tried only at those offsets, with `match`,
#: instead of scanning every clause with every stage's regex.
_KEYMAP: dict[str, list[tuple[int, int]]] = {}
for _index, _patterns in enumerate(_PATTERNS.values()):
    for _key, _back in sorted(_stage_keys(_patterns)):
        _KEYMAP.setdefault(_key, []).append((_index, _back))
# The scan finds the longest key a word starts with; a shorter key it also starts with
# ("in" for "int...") brings its stages along.
_KEYMAP = {key: sorted({*stages, *(s for n in range(1, len(key)) for s in
                                   _KEYMAP.get(key[:n], ()))}) for key, stages in _KEYMAP.items()}
_KEYS = re.compile(r"\b" + trie_pattern(sorted(_KEYMAP)))


def _trigger_offsets(text: str) -> dict[int, list[int]]:
    """For each stage (by index), the offsets of `text` where one of its matches may start.

    Ascending: an elision's offset (2 back) never precedes the word before it.
    """
    found: dict[int, list[int]] = {}
    for key in _KEYS.finditer(text):
        for stage, back in _KEYMAP[key.group()]:
            found.setdefault(stage, []).append(key.start() - back)
    return found


_RANK_ORDER = {n: i for i, n in enumerate(_PATTERNS)}
# A ruling or a closing is the news; talks, offers and probes in the same sentence are
# what it acts on ("rejected the offer", "cleared after a probe").
_DECISIVE = frozenset({"approved", "blocked", "completed", "abandoned"})
_PRELIMINARY = frozenset({"rumored", "negotiating", "under_review"})
_NEEDS_AUTHORITY = frozenset({"under_review", "approved", "blocked"})
_QUESTION = re.compile(r"\?\s*[\"'\u201d\u00bb)]*\s*$")
_QUOTE_MARKS = re.compile("[\"\u00ab\u00bb\u201c\u201d]")


def _cue(kind: str) -> str:
    return _LEXICON.regex(f"cue.{kind}")


_DENIAL = _LEXICON.compiled("cue.denial")
_RUMOR = _LEXICON.compiled("cue.rumor")
_CONFIRM = _LEXICON.compiled("cue.confirm")
# a negation or a verb of ending at most a few words before the wording
_NEGATION = re.compile(rf"(?:{_cue('negation')})[^,;]{{0,25}}$")
# a verb of ending just before: "dropped its bid for" ends the bid, it is no bid
_ENDED = re.compile(rf"(?:{_cue('ended')})[^,;]{{0,25}}$")
# a possibility, a plan or a condition up to five words before; or an aim ("to")
_NOT_YET = f"{_cue('modal')}|{_cue('expected')}|{_cue('before')}"
_MODAL = re.compile(rf"(?:(?:{_NOT_YET})\s+(?:[\w']+\s+){{0,5}}"
                    rf"(?:\w')?|(?:{_cue('purpose')})\s*)$")
_EXPECTED = re.compile(rf"(?:{_cue('expected')})\s+(?:[\w']+\s+){{0,5}}(?:\w')?$")
_PLUPERFECT = _LEXICON.compiled("cue.pluperfect")
_UNLESS = _LEXICON.compiled("cue.unless")
_VOTERS = _LEXICON.compiled("cue.voters")
_CONDITION = re.compile(rf"{_cue('condition')}|{_cue('unless')}")
_SEGMENT = re.compile(r",\s+|;\s*|:\s+|\s+[-\u2014]\s+|\(|\)")
_RELATIVE = _LEXICON.compiled("cue.relative")
_IGNORED = _LEXICON.compiled("cue.ignored")


def _segments(folded: str) -> list[tuple[int, str]]:
    """Clauses split at commas and brackets, with their offsets."""
    parts, start = [], 0
    for match in _SEGMENT.finditer(folded):
        parts.append((start, folded[start:match.start()]))
        start = match.end()
    parts.append((start, folded[start:]))
    return parts


def _live_segments(folded: str, is_past: Callable[[str], bool]) -> list[tuple[int, str, bool]]:
    """Clauses that speak of the present, with whether each is a relative clause.

    Dated background is dropped; relative clauses ("Microsoft, which agreed to buy...")
    are kept apart: they only describe a party, except for an ongoing probe.
    """
    live, skip_next = [], False
    # A sentence without any past marker has none in its clauses: test it once.
    dated = is_past(folded)
    for start, segment in _segments(folded):
        stripped = segment.strip()
        if skip_next or not stripped:
            skip_next = False
            continue
        if dated and is_past(stripped):
            # A short dated lead-in ("In January 2022,") dates the clause that follows.
            skip_next = len(stripped.split()) <= 5
            continue
        live.append((start, segment, bool(_RELATIVE.match(stripped))))
    return live


# "after the collapse of", "weeks after a judge blocked it", "après l'échec de": what
# follows "after" is the past the news builds on, unless it is just past ("hours after").
_AFTER = _LEXICON.compiled("cue.after")
_WORD_BEFORE = re.compile(r"([\w']+)\s+$")
_JUST_AFTER = re.compile(rf"^(?:{_cue('just_after')})$")
_SPAN = re.compile(rf"^(?:{_cue('span')})$")
# With no news before it, the part after "after" counts, except a noun phrase that
# recalls the past: "after the collapse of", "since the $69bn acquisition closed".
_AFTER_NOUN = re.compile(rf"(?:{_cue('recalled')})$")
_INFINITIVE = re.compile(rf"(?:{_cue('purpose')})\s*$")
_NEGATED_NEWS = _LEXICON.compiled("cue.negated_news")
_REPORTED = re.compile(rf"(?:{_cue('reported')})$")
_UNMODAL = re.compile(rf"(?:{_cue('unmodal')})\s+$")
_SHARES = _LEXICON.compiled("cue.shares")
_REPORTING = _LEXICON.compiled("cue.reporting")
_PAST_PERFECT = re.compile(rf"(?:{_cue('past_perfect')})\s+(?:[\w']+\s+){{0,2}}$")
# a price or a share that moved, right after the wording: "abandonne 2,6 %", "sheds 3 pct"
_MARKET = re.compile(rf"\s*(?:[\w']+\s+){{0,2}}?[-+]?\d+(?:[.,]\d+)?\s*(?:%|{_cue('market')})")


def _guarded(clause: str, start: int, end: int, stage: str, *,
             headline: bool = False) -> str | None:
    """Why a trigger at clause[start:end] is not news: "negated", "hypothetical",
    "background" (a pluperfect, a share price), "expected" (will, is set to), "intended"
    (could, plans to); None when it is news."""
    before = clause[max(0, start - 40):start]
    if _CONDITION.search(clause[:start]) or _UNLESS.search(clause):
        return "hypothetical"
    if _NEGATION.search(before) or (stage != "abandoned" and _ENDED.search(before)):
        return "negated"
    if _MARKET.match(clause, end) and _SHARES.search(clause):
        return "background"  # "le titre abandonne 2,6 %" is a price
    if _PAST_PERFECT.search(before) and not _REPORTING.search(clause[max(0, start - 80):start]):
        return "background"  # "avait reçu le feu vert"; but "said it had agreed" is news
    if stage in ("under_review", "negotiating") and _INFINITIVE.search(before):
        return None  # "asked the CMA to examine", "teamed up to make an offer": that is news
    wider = clause[max(0, start - 60):start]
    if _REPORTED.search(wider):
        return None  # "the CMA said it would open a probe": reported speech, not a guess
    if not _MODAL.search(wider) or _UNMODAL.search(wider):
        return None
    if _EXPECTED.search(wider) or (headline and _INFINITIVE.search(before)):
        return "expected"  # in a headline, "FTC to sue to block" is what it will do
    return "intended"


def _news_part(clause: str, *, strict: bool) -> str:
    """The clause up to the past it recalls: "X called off the deal | after a judge blocked it".

    Not `strict`, only a span of time ago ("three months after") makes the rest past.
    """
    for match in _AFTER.finditer(clause):
        before = _WORD_BEFORE.search(clause, max(0, match.start() - 20), match.start())
        word = before.group(1) if before else ""
        if strict and not _JUST_AFTER.match(word) or _SPAN.match(word):
            return clause[:match.start()]
    return clause


def _recalled(clause: str, start: int) -> bool:
    """Whether the trigger at `start` follows "after the ..." (a noun recalling the past)."""
    return bool(_AFTER_NOUN.search(clause[max(0, start - 60):start]))


def _stages_in(text: str, bounds: tuple[int, int], offsets: dict[int, list[int]], *,
               strict: bool, headline: bool = False) -> list[tuple[str, int, int, str]]:
    """Readings triggered in the clause text[bounds], guards applied, in pattern order,
    each with where its wording is in `text` and the lexicon table it is from.

    `offsets` are where each reading's matches may start (see `_trigger_offsets`).
    `strict` reads only the part before "after"; otherwise a recalled trigger makes the
    whole clause background. A ruling only expected ("will approve", "is expected to
    sue to block") is a pending decision: the deal is under review.
    """
    start = bounds[0]
    clause = _news_part(text[start:bounds[1]], strict=strict)
    end = start + len(clause)
    found: list[tuple[str, int, int, str]] = []
    for index, (name, pattern) in enumerate(_COMPILED):
        if name in ("rejection", "abandoned", "blocked") and any(
                f[0] == "court_dismissal" for f in found):
            continue  # "the judge rejected the bid to block" clears the deal
        for match in _matches(pattern, text, offsets.get(index, ()), start, end):
            at, to = match.start() - start, match.end() - start
            if not strict and _recalled(clause, at):
                return []
            if name == "abandoned" and _NEGATED_NEWS.match(match.group()):
                found.append((name, match.start(), match.end(), name))  # "no longer in talks"
                break
            why = _guarded(clause, at, to, name, headline=headline)
            if why is None:
                found.append((name, match.start(), match.end(), name))
                break
            if why == "expected" and name in ("approved", "blocked"):
                found.append(("pending", match.start(), match.end(), name))
                break
    return found


def _matches(pattern: re.Pattern[str], text: str, offsets: Sequence[int], start: int,
             end: int) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text[start:end])` finds, trying only the given offsets."""
    resume = start
    for offset in offsets[bisect.bisect_left(offsets, start):]:
        if offset >= end:
            return
        if offset < resume:
            continue
        match = pattern.match(text, offset, end)
        if match is not None:
            resume = match.end()
            yield match


@dataclass(frozen=True, slots=True)
class StageReading:
    """A stage read from a sentence, with the bounds of the clause that says it and of
    the wording that triggered it."""

    stage: str
    start: int
    end: int
    trigger_start: int = 0
    trigger_end: int = 0
    wording: str = ""  # the lexicon table of the trigger: "stage.approved"


def classify(folded: str, is_past: Callable[[str], bool], *, deal_words: bool | None = None,
             authority: bool | None = None, rumor: bool = False,
             headline: bool = False) -> list[StageReading]:
    """The stages a sentence (folded) reports; none for a denial or a question.

    `deal_words` and `authority` say whether the sentence has deal words or names an
    authority, when the caller already knows (None: look); `rumor`, whether what
    surrounds it reports its news as unconfirmed (a headline over a lede saying so).
    """
    text = _answerable(folded)
    if not text.strip() or len(folded) < 12:
        return []
    if authority is None:
        authority = _AUTHORITIES.search(folded) is not None
    if not (authority or (_DEAL_WORDS.search(folded) is not None if deal_words is None
                          else deal_words)):
        return []
    # quotation marks inside a sentence break no wording: "a « récemment soumis » une offre"
    text = _QUOTE_MARKS.sub(" ", text)
    if _IGNORED.search(text):
        text = _IGNORED.sub(lambda m: " " * len(m.group()), text)
        # "in talks with regulators" is not a regulator acting
        authority = authority and _AUTHORITIES.search(text) is not None
    found = _read_segments(text, is_past, authority, strict=True, headline=headline)
    if not found and _AFTER.search(text):
        # Nothing new before any "after": what follows it may be the news itself
        # ("gave Musk until Oct. 28, after he offered to go ahead").
        found = _read_segments(text, is_past, authority, strict=False, headline=headline)
    return _distinct(found, text, rumor)


def _answerable(folded: str) -> str:
    """The sentence without the question it ends with: a question reports nothing, but
    in "TF1 rachète M6 : à quoi va ressembler le géant ?" the part before the colon does."""
    if not _QUESTION.search(folded):
        return folded
    colon = folded.rfind(": ")
    return folded[:colon].ljust(len(folded)) if colon > 0 else ""


def _read_segments(text: str, is_past: Callable[[str], bool], authority: bool, *,
                   strict: bool, headline: bool = False) -> list[StageReading]:
    """Stage readings of each live clause of a sentence."""
    offsets = _trigger_offsets(text)
    if not offsets:
        return []
    found: list[StageReading] = []
    for start, clause, relative in _live_segments(text, is_past):
        if relative and _PLUPERFECT.search(clause):
            continue
        for name, at, to, table in _stages_in(text, (start, start + len(clause)), offsets,
                                              strict=strict, headline=headline):
            if relative and name != "under_review":
                continue
            # A regulator or a court rejecting a deal blocks it; a seller (or its
            # shareholders) rejecting a bid ends it.
            if name == "court_dismissal" and not _COURT.search(text):
                name = "rejection"  # "Qualcomm's board rejects Broadcom's bid": no court
            blocks = name == "rejection" and _AUTHORITIES.search(clause) is not None
            found.append(StageReading("blocked" if blocks else _STAGE_OF.get(name, name),
                                      start, start + len(clause), at, to, f"stage.{table}"))
    return _allowed(found, text, authority)


def _allowed(found: list[StageReading], text: str, authority: bool) -> list[StageReading]:
    """The readings a denial leaves, and probes and rulings only where someone can rule."""
    if not found:
        return found  # the two scans below cost more than the rest for most sentences
    denied = _DENIAL.search(text) is not None
    # shareholders can approve or reject a deal, but only a regulator reviews one
    voting = _VOTERS.search(text) is not None
    return [r for r in found if (r.stage not in _NEEDS_AUTHORITY or authority
                                 or (voting and r.stage != "under_review"))
            and (not denied or r.stage == "approved")]


def _distinct(found: list[StageReading], text: str, rumor_context: bool) -> list[StageReading]:
    """One reading per stage, the news kept over what it acts on, rumours marked."""
    stages = {r.stage for r in found}
    if stages & _DECISIVE:
        found = [r for r in found if r.stage not in _PRELIMINARY and r.stage != "agreed"]
    elif "agreed" in stages:
        found = [r for r in found if r.stage != "negotiating"]
    rumor = is_rumor(text) or (rumor_context and not _CONFIRM.search(text))
    readings: dict[str, StageReading] = {}
    for reading in found:
        stage = "rumored" if rumor and reading.stage in ("negotiating", "agreed") else reading.stage
        readings.setdefault(stage, replace(reading, stage=stage))
    return list(readings.values())


def is_rumor(folded: str) -> bool:
    """Whether text says its news is reported by others, not confirmed."""
    return bool(_RUMOR.search(folded)) and not _CONFIRM.search(folded)
