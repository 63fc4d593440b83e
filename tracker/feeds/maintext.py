"""The main text of an article's web page: the story, without what surrounds it.

trafilatura does the work (see bench/maintext.py for how it compares on pages we wrote):
navigation, cookie banners, related-article boxes, newsletters and comments are left out.
"""

from __future__ import annotations

import logging

import trafilatura

from tracker.model import MAX_TEXT_CHARS
from tracker.text import clean_text

log = logging.getLogger(__name__)


def main_text(content: bytes, *, url: str, charset: str | None = None) -> str:
    """The page's main text as paragraphs (blank-line separated); empty if it has none."""
    html = _decoded(content, charset)
    try:
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False,
                                   include_images=False, include_links=False)
    # A hostile page must never stop a poll: whatever the parser trips on only loses
    # this page, whose feed text is still read.
    except Exception as error:  # noqa: BLE001
        log.info("%s: main text not extracted: %s", url, error)
        return ""
    if not text:
        return ""
    paragraphs = (clean_text(line) for line in text.splitlines())
    return "\n\n".join(p for p in paragraphs if p)[:MAX_TEXT_CHARS]


def _decoded(content: bytes, charset: str | None) -> str | bytes:
    """The page as text when the server named a charset we know; otherwise bytes, for
    trafilatura to decode from the page's own <meta charset> or by guessing."""
    if charset:
        try:
            return content.decode(charset, errors="replace")
        except LookupError:
            pass
    return content
