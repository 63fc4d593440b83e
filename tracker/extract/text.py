"""Text normalisation shared by the extractors: NFC, a length-preserving fold, limits."""

from __future__ import annotations

import re
import unicodedata

#: Articles longer than this are cut: no real news item is, and it bounds the work
#: a hostile feed can ask of us.
MAX_TEXT_CHARS = 200_000

# Characters that read the same to a human but would defeat our patterns.
_SAME_AS: dict[str, str] = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u200a": " ",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u0153": "o", "\u0152": "o", "\u00e6": "a", "\u00c6": "a", "\u00df": "s",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff]")


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
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return unicodedata.normalize("NFC", text)[:MAX_TEXT_CHARS]


_FR_WORDS = re.compile(r"\b(?:le|la|les|des|du|est|une|et|que|qui|pour|dans|sur|nous|pas)\b")
_EN_WORDS = re.compile(r"\b(?:the|of|and|is|to|that|for|with|we|are|will|has|this|not)\b")


def guess_language(folded: str, default: str = "en") -> str:
    """Guess fr or en from common function words of already folded text."""
    sample = folded[:4000]
    french = len(_FR_WORDS.findall(sample))
    english = len(_EN_WORDS.findall(sample))
    if french == english:
        return default if default in ("fr", "en") else "en"
    return "fr" if french > english else "en"
