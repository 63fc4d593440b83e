"""`tracker migrate`: move the SQLite log and archive onto a PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import click

from events.postgres_url import check_postgres_url, redacted
from tracker.cli.app import App, open_archive
from tracker.errors import TrackerError


@click.command()
@click.option("--to", "url", required=True, metavar="URL",
              help="The empty PostgreSQL database: postgresql://user@host:5432/dbname.")
@click.option("--from", "source", type=click.Path(dir_okay=False, path_type=Path),
              help="The SQLite file (default: [tracker].database).")
@click.pass_obj
def migrate(app: App, url: str, source: Path | None) -> None:
    """Copy the SQLite log and archive into an empty PostgreSQL database, keeping every
    seq, event id, recorded_at and article; then point [tracker].database (or
    $TRACKER_DATABASE_URL) at it.

    Example: tracker migrate --to postgresql://tracker@db.example:5432/tracker
    """
    try:
        check_postgres_url(url)
    except ValueError as error:  # not the URL itself: it may hold a password
        raise TrackerError(f"--to: expected a postgresql:// URL: {error}") from None
    path = source or _configured_file(app)
    if not path.is_file():
        raise TrackerError(f"--from: no SQLite database at {path}")
    postgres = open_archive(url)  # first: without the postgres extra, one line says so
    sqlite = open_archive(path)
    try:
        from tracker.archive.migration import migrate as copy_database

        done = copy_database(sqlite, postgres)
    finally:
        sqlite.close()
        postgres.close()
    head = f"; chain head {done.head[1][:16]} at seq {done.head[0]}" if done.head else ""
    click.echo(f"Copied {done.events} event(s) (last seq {done.last_seq}),"
               f" {done.rows['articles']} article version(s), {done.rows['feeds']} feed(s),"
               f" {done.rows['runs']} run(s) and {done.rows['reports']} report(s) from {path}"
               f" to {redacted(url)}{head}.")


def _configured_file(app: App) -> Path:
    if app.config.database_url:
        raise TrackerError("the configured database is already PostgreSQL"
                           f" ({app.config.database_label}): name the SQLite file with --from")
    return app.config.database
