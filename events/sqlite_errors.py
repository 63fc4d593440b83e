"""SQLite errors become `StoreError` at the boundary: one translator for every adapter.

Every public method of the SQLite event store and of the SQLite archive is wrapped by
`translated`, so a damaged, locked or unreadable file reaches the caller as one line
naming the file and what is wrong, never as a raw `sqlite3` traceback.
"""

from __future__ import annotations

import functools
import inspect
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from events.errors import DamagedStore, StoreError

F = TypeVar("F", bound=Callable[..., Any])

# What SQLite says, and what a user should read: the file's state in plain words.
_PLAIN = (
    ("database disk image is malformed", "the database file is damaged"),
    ("file is not a database", "not a tracker database, or damaged beyond reading"),
    ("database is locked", "locked by another process for too long"),
    ("database or disk is full", "the disk is full"),
    ("attempt to write a readonly database", "the database is read-only"),
    ("unable to open database file", "the file cannot be opened"),
    ("disk i/o error", "the disk could not be read or written"),
)


class HasPath(Protocol):
    """An adapter that knows the file it works on."""

    @property
    def path(self) -> Path: ...


def store_error(path: object, doing: str, error: sqlite3.Error) -> StoreError:
    """One line: the file, what was being done, what is wrong in plain words, SQLite's words."""
    said = str(error) or type(error).__name__
    plain = next((words for key, words in _PLAIN if key in said.lower()), None)
    problem = f"{plain} ({said})" if plain else said
    kind = DamagedStore if plain is not None and "damaged" in plain else StoreError
    return kind(f"{path}: cannot {doing}: {problem}")


@contextmanager
def translating(path: object, doing: str) -> Iterator[None]:
    """Inside, a `sqlite3.Error` is raised as a `StoreError` naming `path`."""
    try:
        yield
    except sqlite3.Error as error:
        raise store_error(path, doing, error) from error


def translated(doing: str) -> Callable[[F], F]:
    """Decorate a method of an adapter with a `path`: SQLite errors become StoreError.

    Generator methods are translated while they are iterated, not only when called.
    """
    def decorate(method: F) -> F:
        if inspect.isgeneratorfunction(method):
            @functools.wraps(method)
            def stream(self: HasPath, *args: Any, **kwargs: Any) -> Iterator[Any]:
                with translating(self.path, doing):
                    yield from method(self, *args, **kwargs)
            return cast(F, stream)

        @functools.wraps(method)
        def call(self: HasPath, *args: Any, **kwargs: Any) -> Any:
            with translating(self.path, doing):
                return method(self, *args, **kwargs)
        return cast(F, call)
    return decorate
