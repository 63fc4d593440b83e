"""Commands that fetch: `poll` (the due feeds), `ingest` (named locations) and `run`
(the scheduler in the foreground)."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.app import App, database_of, open_archive
from tracker.cli.progress import ProgressBar
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
        raise TrackerError(no_feeds(app.config.path))
    with ProgressBar(len(app.config.feeds)) as bar:
        summary = poll_feeds(app.config, app.archive(), all_feeds=all_feeds,
                             progress=bar.advance)
        bar.notes(summary_notes(summary))
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

    with ProgressBar(len(locations), label="Ingesting") as bar:
        summary = ingest_locations(app.config, app.archive(), locations, progress=bar.advance)
        bar.notes(summary_notes(summary))
    report_poll(summary)


def no_feeds(path: Path) -> str:
    """Why there is nothing to poll, and how to add feeds."""
    return (f"no feeds configured in {path}: add a [[feeds]] table, or use `tracker feeds add"
            " NAME URL` or `tracker feeds import FILE`")


def summary_notes(summary: PollSummary) -> list[str]:
    """The poll's warnings and errors, one line each, as stderr shows them."""
    return ([f"warning: {printable(warning)}" for warning in summary.warnings]
            + [f"error: {printable(error)}" for error in summary.errors])


def report_poll(summary: PollSummary) -> None:
    """The summary line; exit status 1 when every feed failed (the errors are above)."""
    click.echo(summary.line())
    if summary.due and summary.failed == summary.due:
        raise TrackerError(f"every feed failed ({summary.failed}); see the errors above")


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
        raise TrackerError(no_feeds(config.path))
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
