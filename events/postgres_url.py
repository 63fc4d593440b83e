"""PostgreSQL URLs as a `database` setting names them, and as they may be printed.

No psycopg here: the configuration reads a URL (and shows it in messages) whether or
not the `postgres` extra is installed.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

SCHEMES = ("postgresql", "postgres")


def is_postgres_url(text: str) -> bool:
    """Whether a `database` setting names a PostgreSQL server rather than a file."""
    return text.startswith(tuple(f"{scheme}://" for scheme in SCHEMES))


def check_postgres_url(text: str) -> str:
    """`text` when it is a usable postgresql:// URL; ValueError saying what is wrong."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError when not a number or out of range)
    except ValueError:
        raise ValueError("a malformed port or host") from None
    if parts.scheme not in SCHEMES:
        raise ValueError("not a postgresql:// URL")
    if not parts.path.strip("/"):
        raise ValueError("no database name (postgresql://user@host:5432/DBNAME)")
    return text


def password_of(url: str) -> str | None:
    """The password a URL holds, if any (to scrub it from messages)."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    return unquote(password) if password else None


def redacted(url: str) -> str:
    """The URL as it may be printed: the password replaced by `***`, the query dropped
    (it may hold `password=` too)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the PostgreSQL database (its URL is malformed)"
    user = f"{parts.username}{':***' if parts.password else ''}@" if parts.username else ""
    host = f"[{host}]" if ":" in host else host
    return urlunsplit((parts.scheme, f"{user}{host}{port}", parts.path, "", ""))
