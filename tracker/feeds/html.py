"""Plain text from the HTML of feed entries: tags stripped, entities decoded, lines kept."""

from __future__ import annotations

import html
import re

from tracker.text import clean_text

# Text inside these never reaches a reader; block elements end a line.
_HIDDEN = re.compile(
    r"<!--.*?(?:-->|$)|<(script|style|head|title|noscript|template|svg|math)\b.*?(?:</\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
# A tag ends at the next ">" before any "<": each "<" is read up to the next one, so
# 130,000 unclosed "<p " cost one pass, not one pass each to the end of the text.
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|header|footer"
    r"|figcaption|pre|hr|dd|dt)\b[^<>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<![^<>]*>")


def html_to_text(markup: str) -> str:
    """Strip tags, decode entities, fold whitespace (keeping line breaks), NFC."""
    if "<" in markup:
        markup = _HIDDEN.sub(" ", markup)
        markup = _BLOCK_TAG.sub("\n", markup)
        markup = _ANY_TAG.sub("", markup)
    if "&" in markup:
        markup = html.unescape(markup)
    return clean_text(markup)
