"""What every command shares: the config and the stores, opened once, and our errors
shown as one line.

This is the composition root: the only place that picks the adapters, SQLite for a
file (the embedded default), PostgreSQL for a postgresql:// URL.
Library code raises `TrackerError` or `EventsError`; here they become one line on
stderr and exit status 1. Bad options are click usage errors, exit status 2.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from events.errors import EventsError, NoEventLog
from events.postgres_url import redacted
from tracker.config import Config, find_config_path, load_config
from tracker.errors import ConfigError, NoDatabase, TrackerError, UnknownDeal
from tracker.text import printable

if TYPE_CHECKING:
    from events.store import EventStore
    from tracker.archive import Archive

POSTGRES_EXTRA = "PostgreSQL needs the postgres extra: pip install 'tracker[postgres]'"

FORMATS = click.Choice(["table", "json"])


@dataclass
class App:
    """What every command shares: the config (loaded once) and the event store."""

    config_option: str | None
    _config: Config | None = None
    _store: EventStore | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        """The configuration, loaded on first use."""
        if self._config is None:
            path, explicit = find_config_path(self.config_option)
            self._config = load_config(path, must_exist=explicit)
        return self._config

    def store(self, *, create: bool = True) -> EventStore:
        """Open the event store, creating the database on first use unless `create` is
        false: a command that only reads refuses then, saying where it looked (a
        PostgreSQL server has its tables made on first use, whatever the command)."""
        if self._store is None:
            if not create and not self.config.database_url and not self.config.database.exists():
                raise NoDatabase(no_database(self.config))
            try:
                self._store = open_store(database_of(self.config), create=create)
            except NoEventLog:
                raise NoDatabase(no_database(self.config)) from None
        return self._store

    def archive(self, *, create: bool = True) -> Archive:
        """The feeds, articles, runs and reports tables, beside the event log."""
        return archive_beside(self.store(create=create))

    def config_file(self) -> Path:
        """The config file a command edits: it must exist (`tracker init` writes one)."""
        path, _ = find_config_path(self.config_option)
        if not path.exists():
            raise ConfigError(path.absolute(), None,
                              "no such file (create one with `tracker init`)")
        return path

    def close(self) -> None:
        """Close the store, if it was opened."""
        if self._store is not None:
            self._store.close()

    def require_deal(self, deal_id: str, *, in_log_ok: bool = False) -> None:
        """Refuse a deal id that is neither configured nor (optionally) in the log."""
        if self.config.deal(deal_id):
            return
        # no database: the log holds no deal, and the unknown id is the user's mistake
        if in_log_ok and self._log_holds(deal_id):
            return
        known = ", ".join(d.id for d in self.config.deals) or "none"
        where = (self.config.path if self.config.found
                 else f"{self.config.path} (not found: start with `tracker init`)")
        raise UnknownDeal(f"unknown deal {deal_id!r}: deals in {where}: {known}")

    def _log_holds(self, deal_id: str) -> bool:
        try:
            return next(self.store(create=False).read(deal_id=deal_id), None) is not None
        except NoDatabase:
            return False


def database_of(config: Config) -> Path | str:
    """What the config points at: a postgresql:// URL, else the SQLite file."""
    return config.database_url or config.database


def no_database(config: Config) -> str:
    """Where a command looked for the database, and how to start one."""
    if config.database_url:
        return (f"no event log in {redacted(config.database_url)}: `tracker poll` makes it"
                " there (or `tracker migrate --to URL` moves a SQLite log into it)")
    if not config.found:
        return (f"no database at {config.database} and no config at {config.path}: start with"
                " `tracker init` (it writes both), then `tracker poll`")
    return (f"no database at {config.database} (the database of {config.path}): `tracker poll`"
            " creates it (or start afresh elsewhere with `tracker init`)")


def open_archive(database: Path | str) -> Archive:
    """The archive beside the event log at `database` (a file, or a postgresql:// URL)."""
    return archive_beside(open_store(database))


def archive_beside(store: EventStore) -> Archive:
    """The archive sharing `store`'s database and transactions."""
    from events.sqlite_store import SQLiteEventStore

    if isinstance(store, SQLiteEventStore):
        from tracker.archive.sqlite_archive import SQLiteArchive

        return SQLiteArchive(store)
    from events.postgres_store import PostgresEventStore
    from tracker.archive.postgres_archive import PostgresArchive

    if isinstance(store, PostgresEventStore):
        return PostgresArchive(store)
    raise TrackerError(f"no archive is kept beside a {type(store).__name__}")


def open_store(database: Path | str, *, create: bool = True) -> EventStore:
    """The event store used by the command line: SQLite for a file, the embedded
    default; PostgreSQL for a postgresql:// URL (where, without `create`, a database with
    no log raises NoEventLog)."""
    if isinstance(database, str):
        return open_postgres_store(database, create=create)
    from events.sqlite_store import SQLiteEventStore

    path = database
    if not path.parent.is_dir():
        raise TrackerError(f"cannot create database {path}: folder {path.parent} does not exist")
    return SQLiteEventStore(path)


def open_postgres_store(url: str, *, create: bool = True) -> EventStore:
    """The PostgreSQL event store at `url`; a one-line error when psycopg is missing."""
    try:
        from events.postgres_store import PostgresEventStore
    except ImportError as error:
        if error.name not in ("psycopg", "psycopg_binary", None):
            raise
        raise TrackerError(POSTGRES_EXTRA) from None
    return PostgresEventStore(url, create=create)


class TrackerGroup(click.Group):
    """A click group that shows our own errors as one line with exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; our errors become one line and exit status 1."""
        try:
            return super().invoke(ctx)
        except (TrackerError, EventsError) as error:
            raise click.ClickException(printable(str(error))) from error
        except BrokenPipeError:
            # the reader went away (`tracker events | head`): not an error of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            raise click.ClickException(f"{error.strerror or error}{where}") from error


def today(config: Config) -> date:
    """Today's date in the configured time zone."""
    return datetime.now(config.zone).date()


def setup_logging(verbose: int) -> None:
    """Log to stderr with timestamps: warnings by default, more with -v."""
    import logging

    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_printable_record)


def _printable_record(record: Any) -> bool:
    """Escape what a feed or a server put in a log line: it could drive the terminal."""
    message = record.getMessage()
    if not (message.isascii() and message.isprintable()):
        record.msg, record.args = printable(message), None
    return True
