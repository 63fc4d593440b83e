"""Parsing feed bytes with feedparser, after repairing the damage real feeds carry."""

from __future__ import annotations

import re
from typing import Any

from tracker.errors import FeedError


def parse_feed(content: bytes, *, source: str, content_type: str | None = None) -> Any:
    """Parse feed bytes; a malformed feed with entries is kept, with its problem noted."""
    import feedparser

    # No content-location: feedparser would resolve every element against it, which
    # costs a third of the parse; articles resolve their own links (articles.py).
    headers = {"content-type": content_type} if content_type else {}
    content = repair_utf8(content, content_type)
    try:
        parsed = feedparser.parse(content, response_headers=headers, sanitize_html=False,
                                  resolve_relative_uris=False)
    # feedparser is a large parser of hostile input: whatever it raises is a bad feed
    except Exception as error:  # noqa: BLE001
        raise FeedError(f"{source}: cannot parse feed: {error}") from error
    if parsed.get("bozo") and not parsed.entries:
        reason = _one_line(parsed.get("bozo_exception")) or "not a feed"
        raise FeedError(f"{source}: not a readable feed ({reason})")
    return parsed


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)""")


def repair_utf8(content: bytes, content_type: str | None = None) -> bytes:
    """Replace the few broken sequences of a UTF-8 feed, so one bad byte costs one
    character, not the whole document read as Windows-1252 (feedparser's fallback)."""
    declared = _DECLARED.match(content[:200])
    charset = (declared.group(1).decode() if declared else "") or (
        (content_type or "").partition("charset=")[2].strip(" \"'"))
    if charset.lower().replace("_", "-") not in ("", "utf-8", "utf8"):
        return content
    try:
        content.decode("utf-8")
        return content
    except UnicodeDecodeError:
        text = content.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    # mostly valid multi-byte characters: UTF-8 with damage; otherwise leave it to
    # feedparser's own detection (an undeclared Latin-1 feed, say)
    if sum(1 for char in text if ord(char) > 127) > 2 * broken:
        return text.encode("utf-8")
    return content


def bozo_warning(parsed: Any) -> str | None:
    """The reason feedparser flagged a feed it could still read, or None."""
    return _one_line(parsed.get("bozo_exception")) if parsed.get("bozo") else None


def _one_line(value: object) -> str:
    return " ".join(str(value or "").split())[:300]
