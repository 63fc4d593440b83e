"""Plain-text hygiene shared by the stages that read text: control characters, a
language guess. One definition each, so feeds and extraction agree on what text is."""

from __future__ import annotations

import re
import unicodedata

#: Control characters other than tab and newline, and the zero-width ones that
#: str.split() does not treat as space: never part of what a reader sees.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
#: What must never reach a terminal or a log line raw: controls (ESC above all, and
#: line breaks, which would forge a line), C1 controls, bidi overrides and isolates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_WORD = re.compile(r"[a-zà-ÿœ']+")

_FRENCH = frozenset("le la les des du de un une et est sont dans pour que qui sur par avec "
                    "au aux ne pas plus ce cette ses son sa été selon aussi mais où nous".split())
_ENGLISH = frozenset("the of and to in is are for that with on by as from was were has have "
                     "its it this be will said which but not after would we".split())


def clean_text(text: str) -> str:
    """Fold whitespace (keeping line breaks), drop control characters, normalise to NFC."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = CONTROL_CHARS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if "\n" not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def printable(text: str) -> str:
    """`text` safe for a terminal and a log: each control or bidi override escaped."""
    if text.isascii() and text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def guess_language(text: str) -> str | None:
    """"fr" or "en" from common function words; None when the text says too little."""
    words = _WORD.findall(text[:4000].lower())
    french = sum(1 for word in words if word in _FRENCH)
    english = sum(1 for word in words if word in _ENGLISH)
    if french + english < 3 or french == english:
        return None
    return "fr" if french > english else "en"
