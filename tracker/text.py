"""Plain text from feed HTML, and a cheap guess of its language (French or English)."""

from __future__ import annotations

import html
import re
import unicodedata

# Text inside these never reaches a reader; block elements end a line.
_HIDDEN = re.compile(
    r"<!--.*?(?:-->|$)|<(script|style|head|title|noscript|template|svg|math)\b.*?(?:</\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|header|footer"
    r"|figcaption|pre|hr|dd|dt)\b[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<![^>]*>")
# Control characters other than tab and newline, and the zero-width ones that
# str.split() does not treat as space.
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")
_WORD = re.compile(r"[a-zà-ÿœ']+")

_FRENCH = frozenset("le la les des du de un une et est sont dans pour que qui sur par avec "
                    "au aux ne pas plus ce cette ses son sa été selon aussi mais où".split())
_ENGLISH = frozenset("the of and to in is are for that with on by as from was were has have "
                     "its it this be will said which but not after would".split())


def html_to_text(markup: str) -> str:
    """Strip tags, decode entities, fold whitespace (keeping line breaks), NFC."""
    if "<" in markup:
        markup = _HIDDEN.sub(" ", markup)
        markup = _BLOCK_TAG.sub("\n", markup)
        markup = _ANY_TAG.sub("", markup)
    if "&" in markup:
        markup = html.unescape(markup)
    return clean_text(markup)


def clean_text(text: str) -> str:
    """Fold whitespace, drop control characters and NUL, normalise Unicode to NFC."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = _DROPPED.sub("", text).replace("\r", "\n")
    if "\n" not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def guess_language(text: str) -> str | None:
    """"fr" or "en" from common function words; None when the text says too little."""
    words = _WORD.findall(text[:4000].lower())
    french = sum(1 for word in words if word in _FRENCH)
    english = sum(1 for word in words if word in _ENGLISH)
    if french + english < 3 or french == english:
        return None
    return "fr" if french > english else "en"
