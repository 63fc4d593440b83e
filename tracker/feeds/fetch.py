"""Fetching one feed from wherever it is: an http(s) URL, a file:// URL or a file path."""

from __future__ import annotations

import re

import httpx

from tracker.errors import FetchError, FetchErrorKind
from tracker.feeds.files import read_file
from tracker.feeds.http import DEFAULT_MAX_BYTES, fetch_http
from tracker.model import FetchResult

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


def fetch_feed(url: str, *, etag: str | None = None, last_modified: str | None = None,
               connect_timeout: float = 10, read_timeout: float = 30,
               max_bytes: int = DEFAULT_MAX_BYTES,
               client: httpx.Client | None = None) -> FetchResult:
    """Fetch a feed from an http(s) URL, a file:// URL or a file path; raise FetchError."""
    scheme = url_scheme(url)
    if not url.strip():
        raise FetchError(url, FetchErrorKind.URL, "no URL or file path given")
    if scheme is None or scheme == "file":
        return read_file(url, etag=etag)
    return fetch_http(url, scheme=scheme, etag=etag, last_modified=last_modified,
                      connect_timeout=connect_timeout, read_timeout=read_timeout,
                      max_bytes=max_bytes, client=client)


def url_scheme(location: str) -> str | None:
    """The URL scheme, lowercased; None for a plain path (a drive letter is not a scheme)."""
    match = _SCHEME.match(location)
    return match.group(1).lower() if match else None
