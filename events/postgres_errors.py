"""PostgreSQL errors become `StoreError` at the boundary, in one line, password removed.

Every public method of the PostgreSQL event store and archive is wrapped by
`translated`, as the SQLite adapters are by `events.sqlite_errors.translated`: a server
that refuses, a dropped connection or a refused statement reaches the caller as one
line naming the database (its URL without the password) and what was being done.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar, cast

import psycopg

from events.errors import StoreError
from events.postgres_url import password_of, redacted

__all__ = ["password_of", "redacted", "store_error", "translated", "translating"]

F = TypeVar("F", bound=Callable[..., Any])


class HasLocation(Protocol):
    """An adapter that knows the database it works on, as it may be shown."""

    @property
    def location(self) -> str: ...

    @property
    def secret(self) -> str | None: ...


def one_line(error: BaseException, secret: str | None) -> str:
    """What the server or libpq said, on one line, the password (if given) removed."""
    said = " ".join(part.strip() for part in str(error).splitlines() if part.strip())
    said = said or type(error).__name__
    if secret:
        said = said.replace(secret, "***")
    return said


def store_error(location: str, doing: str, error: BaseException,
                secret: str | None = None) -> StoreError:
    """One line: the database, what was being done, what is wrong."""
    return StoreError(f"{location}: cannot {doing}: {one_line(error, secret)}")


@contextmanager
def translating(location: str, doing: str, secret: str | None = None) -> Iterator[None]:
    """Inside, a `psycopg.Error` is raised as a `StoreError` naming `location`."""
    try:
        yield
    except psycopg.Error as error:
        raise store_error(location, doing, error, secret) from error


def translated(doing: str) -> Callable[[F], F]:
    """Decorate a method of an adapter with a `location`: psycopg errors become StoreError.

    Generator methods are translated while they are iterated, not only when called.
    """
    def decorate(method: F) -> F:
        if inspect.isgeneratorfunction(method):
            @functools.wraps(method)
            def stream(self: HasLocation, *args: Any, **kwargs: Any) -> Iterator[Any]:
                with translating(self.location, doing, self.secret):
                    yield from method(self, *args, **kwargs)
            return cast(F, stream)

        @functools.wraps(method)
        def call(self: HasLocation, *args: Any, **kwargs: Any) -> Any:
            with translating(self.location, doing, self.secret):
                return method(self, *args, **kwargs)
        return cast(F, call)
    return decorate
