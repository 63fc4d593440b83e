"""Statements: each quotation of an article, attributed to a speaker and tied to its deals."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING

from tracker.extract.matching import DealIndex
from tracker.extract.sentences import paragraphs
from tracker.extract.statements import (
    Speaker,
    full_name,
    person_opening,
    quotes,
    speaker_after,
    speaker_before,
)
from tracker.extract.text import fold
from tracker.text import guess_language

if TYPE_CHECKING:
    from tracker.extract.extractor import _Reading

#: Records one statement: the deal's number, the evidence, and the event's fields.
AddStatement = Callable[..., None]


def read_statements(r: _Reading, names: DealIndex, add: AddStatement) -> None:
    """Find the article's quotations about its deals and pass each one, attributed, to `add`."""
    if not r.topical:
        return
    starts = [s.span.start for s in r.sentences]
    for p_start, p_end in paragraphs(r.text):
        for q_start, q_end, quote in quotes(r.text[p_start:p_end]):
            q_start, q_end = q_start + p_start, q_end + p_start
            index = bisect.bisect_right(starts, q_start) - 1
            if index < 0:
                continue
            sentence = r.sentences[index]
            deals = sentence.deals & r.topical
            speaker = _speaker(r, names, sentence.span.start, q_start, q_end, p_start)
            if not deals or speaker is None:
                continue
            evidence = r.text[sentence.span.start:max(sentence.span.end, q_end)]
            language = guess_language(quote) or r.language
            for number in sorted(deals):
                add(number, evidence, speaker=speaker.name,
                    organization=speaker.organization, quote=quote, language=language)


def _speaker(r: _Reading, names: DealIndex, sentence_start: int, q_start: int, q_end: int,
             p_start: int) -> Speaker | None:
    """Who said the quotation at [q_start, q_end), with names and pronouns resolved."""
    clause_start = max(sentence_start, p_start)
    clause = r.folded[clause_start:q_start]
    found = speaker_before(r.text, r.folded, clause_start, q_start)
    if found is None and (not clause.strip() or clause.rstrip()[-1:] in ":-\u2014"):
        found = speaker_after(r.text, r.folded, q_end)
    if found is None:
        return None
    if found.kind == "pronoun":
        found = _previous_person(r, sentence_start, p_start) or r.last_speaker
        r.last_speaker = found
        return found
    if found.kind == "generic":
        party = _party_before(r, q_start, p_start - 600)
        found = Speaker(party) if party else None
    elif found.kind == "name" and found.organization is None:
        key = " ".join(fold(found.name).replace("-", " ").split())
        if not names.roles(key) and len(found.name.split()) == 1:
            found = full_name(r.text, r.folded, found.name, q_start) or found
        if not names.roles(key) and found.organization is None and len(
                found.name.split()) >= 2:
            found = Speaker(found.name, _previous_subject(r, sentence_start, p_start))
    r.last_speaker = found or r.last_speaker
    return found

def _previous_person(r: _Reading, sentence_start: int, p_start: int) -> Speaker | None:
    """The person opening this sentence's predecessor: what "he said" points back to."""
    starts = [s.span.start for s in r.sentences]
    index = bisect.bisect_left(starts, sentence_start) - 1
    if index < 0 or r.sentences[index].span.start < p_start:
        return None
    span = r.sentences[index].span
    return person_opening(r.text, span.start, span.end)

def _previous_subject(r: _Reading, sentence_start: int, p_start: int) -> str | None:
    """The party that opens the previous sentence of the paragraph ("TikTok, for its part")."""
    starts = [s.span.start for s in r.sentences]
    index = bisect.bisect_left(starts, sentence_start) - 1
    if index < 0 or r.sentences[index].span.start < p_start:
        return None
    previous = r.sentences[index].span
    lead = len(r.text[previous.start:previous.end]) - len(
        r.text[previous.start:previous.end].lstrip())
    for mention in r.mentions:
        if mention.start == previous.start + lead:
            return mention.written.replace("\u2019", "'").removesuffix("'s")
    return None

def _party_before(r: _Reading, position: int, floor: int) -> str | None:
    """The party name written last before `position` (not before `floor`)."""
    for mention in reversed(r.mentions):
        if floor <= mention.start < position:
            return mention.written.replace("\u2019", "'").removesuffix("'s")
    return None

