"""Splitting text into paragraphs and sentences, never inside a quotation."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

#: A sentence longer than this is cut into pieces: it bounds the cost of each pattern.
MAX_SENTENCE_CHARS = 3000

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st inc corp co ltd jr sr no vs etc approx jan feb mar apr jun jul aug sep "
    "sept oct nov dec gen gov sen rep prof mme mm mlle cf ex art fig p pp u.s u.k e.u s.a".split()
)
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*\u2022]|\d+[.)])\s)")
# A run of full stops is tried once, from its start, and never backtracked into: a
# hostile run of 200,000 dots costs one pass, not one pass per dot.
_END = re.compile(
    r"(?<![.!?\u2026])[.!?\u2026]++[\"'\u201d\u00bb)]*+"
    r"(?=\s+[\"'\u201c\u00ab(\[]?\s*[A-Z\u00c0-\u00de0-9])"
)


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the article text: its bounds and the paragraph it belongs to."""

    start: int
    end: int
    paragraph: int


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Bounds of the paragraphs of `text` (blank lines, list items or single newlines)."""
    bounds, start = [], 0
    for match in _PARAGRAPH.finditer(text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


_QUOTE_MARK = re.compile("[\u00ab\u201c\u00bb\u201d\"]")


class _Quotes:
    """Which offsets of a paragraph lie inside an open quotation.

    Only the quote marks are visited (a handful per paragraph), not every character.
    """

    def __init__(self, text: str, start: int, end: int) -> None:
        depth, straight = 0, False
        self.marks: list[int] = []
        self.inside: list[bool] = []  # the state just after each mark
        for match in _QUOTE_MARK.finditer(text, start, end):
            char = match.group()
            if char in "\u00ab\u201c":
                depth += 1
            elif char in "\u00bb\u201d":
                depth = max(0, depth - 1)
            else:
                straight = not straight
            self.marks.append(match.start())
            self.inside.append(depth > 0 or straight)

    def at(self, offset: int) -> bool:
        """Whether `offset` lies inside a quotation (a mark counts from its own offset)."""
        index = bisect.bisect_right(self.marks, offset) - 1
        return index >= 0 and self.inside[index]


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` ends an abbreviation or an initial, not a sentence."""
    word = re.search(r"([\w.]+)$", text[max(0, dot - 12):dot])
    if not word:
        return False
    token = word.group(1).lower().strip(".")
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def _cut_long(start: int, end: int) -> list[tuple[int, int]]:
    return [(s, min(s + MAX_SENTENCE_CHARS, end)) for s in range(start, end, MAX_SENTENCE_CHARS)]


def sentences(text: str) -> list[Span]:
    """Sentences of `text` with their paragraph numbers, quotations kept whole."""
    spans: list[Span] = []
    for number, (p_start, p_end) in enumerate(paragraphs(text)):
        quotes = _Quotes(text, p_start, p_end)
        start = p_start
        for match in _END.finditer(text, p_start, p_end):
            if quotes.at(match.end() - 1) and quotes.at(match.start()):
                continue
            if text[match.start()] == "." and _is_abbreviation(text, match.start()):
                continue
            spans.extend(Span(s, e, number) for s, e in _cut_long(start, match.end()))
            start = match.end()
        spans.extend(Span(s, e, number) for s, e in _cut_long(start, p_end))
    return [span for span in spans if text[span.start:span.end].strip()]
