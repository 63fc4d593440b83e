"""Commands that fetch: `poll` (the due feeds), `ingest` (named locations) and `run`
(the scheduler in the foreground)."""

from __future__ import annotations

import sys
from typing import Any

import click

from tracker.cli.app import App, database_of, open_archive
from tracker.errors import TrackerError
from tracker.jobs.runs import PollSummary
from tracker.text import printable


@click.command()
@click.option("--all", "all_feeds", is_flag=True,
              help="Poll every feed, even those backing off after errors.")
@click.pass_obj
def poll(app: App, all_feeds: bool) -> None:
    """Fetch every due feed once, extract events, append them; print a summary.

    Exit status 1 when every feed polled failed.

    Example: tracker poll
    """
    from tracker.jobs.poll import poll_feeds

    if not app.config.feeds:
        raise TrackerError(f"no feeds configured in {app.config.path}: add a [[feeds]] table")
    with ProgressBar(len(app.config.feeds)) as advance:
        summary = poll_feeds(app.config, app.archive(), all_feeds=all_feeds, progress=advance)
    report_poll(summary)


@click.command()
@click.argument("locations", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.pass_obj
def ingest(app: App, locations: tuple[str, ...]) -> None:
    """Ingest feed files or URLs now, outside the schedule.

    A location that is a configured feed's URL is stored under that feed's name.

    Example: tracker ingest ~/Downloads/feed.xml https://example.org/rss.xml
    """
    from tracker.jobs.poll import ingest_locations

    with ProgressBar(len(locations)) as advance:
        summary = ingest_locations(app.config, app.archive(), locations, progress=advance)
    report_poll(summary)


def report_poll(summary: PollSummary) -> None:
    """Warnings and errors on stderr, the summary line; exit status 1 when all failed."""
    for warning in summary.warnings:
        click.echo(f"warning: {printable(warning)}", err=True)
    for error in summary.errors:
        click.echo(f"error: {printable(error)}", err=True)
    click.echo(summary.line())
    if summary.due and summary.failed == summary.due:
        raise TrackerError(f"every feed failed ({summary.failed}); see the errors above")


class ProgressBar:
    """A progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, length: int) -> None:
        self.bar = (click.progressbar(length=length, label="Polling", file=sys.stderr)
                    if sys.stderr.isatty() and length > 1 else None)

    def __enter__(self) -> Any:
        if self.bar is None:
            return None
        bar = self.bar.__enter__()
        return lambda _name: bar.update(1)

    def __exit__(self, *exc_info: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc_info)


@click.command("run")
@click.pass_obj
def run_command(app: App) -> None:
    """Run in the foreground: poll at once and every poll_every, report at report_at.

    A report missed while stopped is produced once on return. Logs go to stderr, one
    line per poll and per report (-v for more). SIGTERM or Ctrl-C stops it cleanly.
    On SQLite only one `tracker run` per database: a second one refuses to start. On
    PostgreSQL any number may share it: each due feed is fetched by one of them per
    round, and the daily report is produced and e-mailed once.

    Example: tracker --config /etc/tracker/tracker.toml run
    """
    import logging

    from tracker.jobs.runlock import RunLock
    from tracker.jobs.scheduler import Jobs, serve_until_signalled

    config = app.config
    if not config.feeds:
        raise TrackerError(f"no feeds configured in {config.path}: add a [[feeds]] table")
    app.archive()  # creates the database and its tables now: a bad path fails here
    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        # the one line per poll and per report is shown even without -v
        logging.getLogger("tracker.jobs.scheduler").setLevel(logging.INFO)
    database = database_of(config)
    jobs = Jobs(config, open_archive=lambda: open_archive(database))
    if config.database_url:
        serve_until_signalled(jobs)  # pollers share the server: leases, not a file lock
        return
    with RunLock(config.database):
        serve_until_signalled(jobs)
