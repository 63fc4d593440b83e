"""A real PostgreSQL server for the tests: one fresh schema per test, dropped after it.

The server is `$TRACKER_TEST_POSTGRES` (default: postgres on 127.0.0.1:5432, database
`test`, trust authentication, as on this project's machines). When none answers, the
tests needing it skip with one line; under `CI=true` they fail instead, so CI never
passes with the PostgreSQL store untested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from urllib.parse import quote

import pytest

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def need_psycopg() -> ModuleType:
    """psycopg, for a test module that imports it; without it the module skips (fails
    under CI=true), as without a server."""
    try:
        import psycopg
    except ImportError:
        why = "psycopg is not installed (pip install -e '.[postgres]')"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the PostgreSQL tests cannot run: {why}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {why}", allow_module_level=True)
    return psycopg


def server_url() -> str:
    """The server (and database) the tests use."""
    return os.environ.get("TRACKER_TEST_POSTGRES", DEFAULT_SERVER)


def unavailable() -> str | None:
    """Why no PostgreSQL test can run here (no psycopg, no server), or None."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        psycopg.connect(server_url(), connect_timeout=5).close()
    except psycopg.Error as error:
        return f"no PostgreSQL server answers at {server_url()}: {str(error).splitlines()[0]}"
    return None


def require_server() -> str:
    """The server URL; skip (fail under CI=true) when there is none."""
    why = unavailable()
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the PostgreSQL tests cannot run: {why}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    return server_url()


def with_schema(url: str, schema: str) -> str:
    """`url` connecting with `schema` first on the search path."""
    option = quote(f"-csearch_path={schema}")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


@contextmanager
def fresh_schema(server: str) -> Iterator[str]:
    """A URL whose tables live in a new, empty schema, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(server, schema)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
