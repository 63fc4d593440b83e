"""Articles: feed entries normalised into what extraction reads.

Each entry becomes plain text with a stable key within its feed (guid, else link,
else a hash of title and date), its publication time in UTC (else the fetch time,
flagged as such) and a language (entry, feed, config hint, else guessed).
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from tracker.feeds.fetch import url_scheme
from tracker.feeds.html import html_to_text
from tracker.model import MAX_TEXT_CHARS, MAX_TITLE_CHARS, Article
from tracker.text import guess_language

# A publication date further ahead than this is a feed's mistake, not news from the future;
# one before OLDEST is a mistake too (year 1, year 999): both give way to the fetch time.
FUTURE_TOLERANCE = timedelta(days=2)
OLDEST = datetime(1900, 1, 1, tzinfo=UTC)
#: Query parameters that say who clicked or which session, never which article.
_SESSION_PARAMETERS = frozenset({
    "sessionid", "session_id", "sid", "phpsessid", "jsessionid", "cfid", "cftoken",
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga",
    "_gl", "xtor", "at_medium", "at_campaign", "at_source"})
_TRACKING_PREFIXES = ("utm_",)
_PATH_SESSION = re.compile(r";jsessionid=[^/?#]*", re.IGNORECASE)


def articles_from_entries(entries: Iterable[Mapping[str, Any]], *, feed: str,
                          fetched_at: datetime, language: str | None = None,
                          base_url: str | None = None) -> list[Article]:
    """Normalise feedparser entries of one fetch into articles with stable keys."""
    entries = list(entries)
    keys = entry_keys(entries)
    return [
        _article(entry, key=key, feed=feed, fetched_at=fetched_at, language=language,
                 base_url=base_url)
        for entry, key in zip(entries, keys, strict=True)
    ]


def entry_keys(entries: list[Mapping[str, Any]]) -> list[str]:
    """Each entry's guid, else its link, else a hash of its title and date.

    A guid that is blank or reused within the fetch is passed over for that entry
    alone (one reused guid must not collapse a feed into a single item, and the other
    entries keep their keys from fetch to fetch); a key still seen twice gets a hash.
    """
    guids = [key_link(_text_field(_raw(e, "id"))) for e in entries]
    links = [key_link(_text_field(_raw(e, "link"))) for e in entries]
    guid_uses, link_uses = Counter(guids), Counter(links)
    keys = []
    for entry, guid, link in zip(entries, guids, links, strict=True):
        if guid and guid_uses[guid] == 1:
            keys.append(guid)
        elif link and link_uses[link] == 1:
            keys.append(link)
        else:
            keys.append(guid or link or _hash_key(entry))
    counts = Counter(keys)
    return [k if counts[k] == 1 else f"{k}#{_hash_key(e)}" for k, e in zip(keys, entries,
                                                                            strict=True)]


def key_link(link: str) -> str:
    """A link as an article's key: without the tracking and session parameters some
    feeds change at every fetch (the article would look new each time)."""
    if "?" not in link and ";" not in link or not link.startswith(("http://", "https://")):
        return link
    try:
        parts = urlsplit(link)
    except ValueError:
        return link
    path = _PATH_SESSION.sub("", parts.path)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if name.lower() not in _SESSION_PARAMETERS
            and not name.lower().startswith(_TRACKING_PREFIXES)]
    if path == parts.path and len(kept) == len(pairs):
        return link  # as it was: a key written before stays the same
    return urlunsplit(parts._replace(path=path, query=urlencode(kept)))


def _hash_key(entry: Mapping[str, Any]) -> str:
    parts = [_text_field(_raw(entry, name)) for name in ("title", "published", "updated", "link")]
    parts.append(_entry_body(entry)[:2000])
    return "sha256:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]


def _article(entry: Mapping[str, Any], *, key: str, feed: str, fetched_at: datetime,
             language: str | None, base_url: str | None) -> Article:
    title = html_to_text(_text_field(_raw(entry, "title")))[:MAX_TITLE_CHARS]
    text = html_to_text(_entry_body(entry)[: MAX_TEXT_CHARS * 2])[:MAX_TEXT_CHARS]
    published = _published(entry, fetched_at)
    return Article(
        feed=feed,
        key=key[:2000],
        link=_web_link(_text_field(_raw(entry, "link")), base_url),
        title=title,
        text=text,
        published=published or fetched_at,
        published_estimated=published is None,
        language=_language(entry, language, f"{title}\n{text}"),
    )


def _entry_body(entry: Mapping[str, Any]) -> str:
    contents = _raw(entry, "content") or []
    bodies = [c.get("value", "") for c in contents if isinstance(c, Mapping)]
    body = max(bodies, key=len, default="")
    summary = _text_field(_raw(entry, "summary"))
    return body if len(body) >= len(summary) else summary


def _published(entry: Mapping[str, Any], fetched_at: datetime) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        # read the raw dict: feedparser's own lookup maps updated to published, with a warning
        parsed = _raw(entry, name)
        if not parsed:
            continue
        try:
            moment = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        except (OverflowError, ValueError, OSError, TypeError):
            continue
        if OLDEST <= moment <= fetched_at + FUTURE_TOLERANCE:
            return moment
    return None


def _language(entry: Mapping[str, Any], hint: str | None, text: str) -> str | None:
    declared = _text_field(_raw(entry, "language")).lower()[:2]
    if declared in ("fr", "en"):
        return declared
    return hint or guess_language(text)


def _web_link(link: str, base_url: str | None) -> str | None:
    """An absolute http(s) link, resolved against the feed's URL; None for anything else.

    A feed that is a local file may also link to local files (a file: URL): the offline
    demo's entries point at pages beside it. A feed from the web never does.
    """
    local = base_url is not None and url_scheme(base_url) in (None, "file")
    if local and base_url is not None and url_scheme(base_url) is None:
        base_url = Path(base_url).absolute().as_uri()
    if link and not link.startswith(("http://", "https://")) and base_url:
        link = urljoin(base_url, link)
    if link.startswith(("http://", "https://")) or (local and link.startswith("file:///")):
        return link
    return None


def _raw(entry: Mapping[str, Any], name: str) -> Any:
    # feedparser's own lookup maps `updated` to `published`, warning each time
    return dict.get(entry, name) if isinstance(entry, dict) else entry.get(name)


def _text_field(value: object) -> str:
    # keys and links only need trimming; titles and bodies are cleaned by html_to_text
    return value.strip() if isinstance(value, str) else ""
