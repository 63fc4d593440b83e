"""Feeds read from files: a path or a file:// URL, read whole, its mtime and size as ETag."""

from __future__ import annotations

import email.utils
import mimetypes
from pathlib import Path
from stat import S_ISREG
from urllib.parse import urlsplit
from urllib.request import url2pathname

from tracker.errors import FetchError, FetchErrorKind
from tracker.model import FetchResult


def read_file(location: str, *, etag: str | None) -> FetchResult:
    """Read a feed file whole (no cap: the user named it); etag is its mtime and size."""
    path = _file_path(location)
    try:
        # stat before reading: if the file changes in between, the next poll re-reads it.
        stat = path.stat()
        if not S_ISREG(stat.st_mode):
            # /dev/zero or a FIFO would be read for ever
            raise FetchError(location, FetchErrorKind.FILE, "not a regular file")
        tag = _file_etag(stat.st_mtime_ns, stat.st_size)
        content = None if etag == tag else path.read_bytes()
    except OSError as error:
        raise FetchError(location, FetchErrorKind.FILE,
                         f"cannot read: {error.strerror or error}") from None
    if content is not None and not content.strip():
        raise FetchError(location, FetchErrorKind.FILE, "empty file (no feed)")
    return FetchResult(
        url=location, final_url=str(path), permanent_url=None, not_modified=content is None,
        content=content, etag=tag,
        last_modified=email.utils.formatdate(stat.st_mtime, usegmt=True),
        content_type=mimetypes.guess_type(path.name)[0],
    )


def _file_path(location: str) -> Path:
    if not location.lower().startswith("file:"):
        return Path(location)
    parts = urlsplit(location)
    if parts.netloc not in ("", "localhost"):
        raise FetchError(location, FetchErrorKind.FILE,
                         f"file URL on another host {parts.netloc!r}")
    return Path(url2pathname(parts.path))


def _file_etag(mtime_ns: int, size: int) -> str:
    return f'"{mtime_ns:x}-{size:x}"'
