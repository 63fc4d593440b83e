"""Text normalisation for the extractors: NFC, a cut, and a fold that keeps every index."""

from __future__ import annotations

import unicodedata

from tracker.model import MAX_TEXT_CHARS
from tracker.text import CONTROL_CHARS

# Characters that read the same to a human but would defeat our patterns.
_SAME_AS: dict[str, str] = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u200a": " ",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u0153": "o", "\u0152": "o", "\u00e6": "a", "\u00c6": "a", "\u00df": "s",
}


def _fold_char(char: str) -> str:
    """One character folded to one character: lower case, accents dropped."""
    if char in _SAME_AS:
        return _SAME_AS[char]
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    lowered = base.lower() if base else char.lower()
    if len(lowered) == 1:
        return lowered
    single = char.lower()
    return single if len(single) == 1 else char


class _FoldTable(dict[int, str]):
    """A `str.translate` table that computes and caches each new character's fold."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case `text` and strip accents, keeping every index where it was."""
    if text.isascii():
        return text.lower().replace("`", "'")
    return text.translate(_FOLD)


def clean(text: object) -> str:
    """Return `text` as NFC without control characters, cut to MAX_TEXT_CHARS."""
    if not isinstance(text, str):
        return ""
    text = text[: MAX_TEXT_CHARS * 2]
    text = CONTROL_CHARS.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", text)[:MAX_TEXT_CHARS]
