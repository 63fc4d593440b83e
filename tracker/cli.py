"""The `tracker` command: the composition root, mapping errors to exit statuses.

Library code raises `TrackerError` or `EventsError`; here they become one line on
stderr and exit status 1. Bad options are click usage errors, exit status 2.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from events.errors import EventsError
from events.model import (
    EVENT_TYPES,
    STAGES,
    DeadlineSet,
    Event,
    EventRetracted,
    NegotiationReported,
    StatementMade,
)
from events.replay import replay
from events.store import EventStore, StoredEvent
from tracker import __version__
from tracker.config import Config, find_config_path, load_config
from tracker.errors import TrackerError, UnknownDeal
from tracker.options import check_web_url, parse_day, parse_moment, parse_occurred
from tracker.starter import write_starter_config
from tracker.views import events_table, iter_events_json, replay_document, replay_table

if TYPE_CHECKING:
    from events.sqlite_store import SQLiteEventStore
    from tracker.archive import Archive

FORMATS = click.Choice(["table", "json"])


@dataclass
class App:
    """What every command shares: the config (loaded once) and the event store."""

    config_option: str | None
    _config: Config | None = None
    _store: SQLiteEventStore | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            path, explicit = find_config_path(self.config_option)
            self._config = load_config(path, must_exist=explicit)
        return self._config

    def store(self) -> SQLiteEventStore:
        """Open the event store, creating the database on first use."""
        if self._store is None:
            self._store = open_store(self.config.database)
        return self._store

    def archive(self) -> Archive:
        """The feeds, articles, runs and reports tables, beside the event log."""
        from tracker.sqlite_archive import SQLiteArchive

        return SQLiteArchive(self.store())

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def require_deal(self, deal_id: str, *, in_log_ok: bool = False) -> None:
        """Refuse a deal id that is neither configured nor (optionally) in the log."""
        if self.config.deal(deal_id):
            return
        if in_log_ok and next(self.store().read(deal_id=deal_id), None) is not None:
            return
        known = ", ".join(d.id for d in self.config.deals) or "none"
        where = self.config.path if self.config.found else f"{self.config.path} (not found)"
        raise UnknownDeal(f"unknown deal {deal_id!r}: deals in {where}: {known}")


def open_archive(path: Path) -> Archive:
    """The archive beside the event log at `path`: SQLite, the embedded default."""
    from tracker.sqlite_archive import SQLiteArchive

    return SQLiteArchive(open_store(path))


def open_store(path: Path) -> SQLiteEventStore:
    """The event store used by the command line: SQLite, the embedded default."""
    from events.sqlite_store import SQLiteEventStore

    if not path.parent.is_dir():
        raise TrackerError(f"cannot create database {path}: folder {path.parent} does not exist")
    return SQLiteEventStore(path)


class TrackerGroup(click.Group):
    """A click group that shows our own errors as one line with exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (TrackerError, EventsError) as error:
            raise click.ClickException(str(error)) from error
        except BrokenPipeError:
            # the reader went away (`tracker events | head`): not an error of ours
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except OSError as error:
            where = f" ({error.filename})" if error.filename else ""
            raise click.ClickException(f"{error.strerror or error}{where}") from error


@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_option", metavar="PATH", envvar="TRACKER_CONFIG",
              help="Config file (default: $TRACKER_CONFIG, else ./tracker.toml).")
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-vv: debug).")
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, config_option: str | None, verbose: int) -> None:
    """Follow company deals through the news, from an append-only event log."""
    setup_logging(verbose)
    app = App(config_option)
    ctx.obj = app
    ctx.call_on_close(app.close)


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.pass_obj
def init(app: App, force: bool) -> None:
    """Write a starter tracker.toml and create its database.

    Example: tracker init && tracker replay
    """
    path, _ = find_config_path(app.config_option)
    write_starter_config(path, force=force)
    app._config = load_config(path)
    app.store()
    click.echo(f"Wrote {path} and created {app.config.database}.")
    click.echo("Edit the [[feeds]] and [[deals]] in it, then run `tracker replay`.")


@cli.command()
@click.option("--deal", "deal_id", metavar="ID", help="Only this deal.")
@click.option("--type", "type_", type=click.Choice(EVENT_TYPES), help="Only this type.")
@click.option("--since", metavar="DATE", help="Only events that occurred on or after DATE.")
@click.option("--after", "after_seq", type=click.IntRange(min=0), default=0, metavar="SEQ",
              help="Only events appended after SEQ (to follow the log).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N events.")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def events(app: App, deal_id: str | None, type_: str | None, since: str | None,
           after_seq: int, limit: int | None, format_: str) -> None:
    """List the event log itself, in append order, for audit.

    Example: tracker events --deal microsoft-tiktok --since 2020-08-01 --format json
    """
    from events.clock import format_occurred, start_of_day

    occurred_from = None
    if since is not None:
        day = parse_day(since, option="--since")
        occurred_from = format_occurred(start_of_day(day, app.config.zone))
    if deal_id is not None:
        app.require_deal(deal_id, in_log_ok=True)
    rows: Iterable[StoredEvent] = app.store().read(
        after_seq=after_seq, deal_id=deal_id, type=type_, occurred_from=occurred_from)
    if limit is not None:
        rows = itertools.islice(rows, limit)
    if format_ == "json":
        for piece in iter_events_json(rows):
            click.echo(piece, nl=False)
    else:
        click.echo(events_table(rows))


@cli.command("replay")
@click.option("--as-of", metavar="DATE", help="State at the end of DATE (default: today).")
@click.option("--known-at", metavar="TIME",
              help="Only what the log held at TIME (ISO-8601 with offset or Z).")
@click.option("--deal", "deal_id", metavar="ID", help="Only this deal.")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def replay_command(app: App, as_of: str | None, known_at: str | None, deal_id: str | None,
                   format_: str) -> None:
    """Rebuild every deal's state from the log, as of a day, as known at a time.

    Example: tracker replay --as-of 2020-08-03 --known-at 2020-08-03T09:00:00+02:00
    """
    day = parse_day(as_of, option="--as-of") if as_of else today(app.config)
    moment = parse_moment(known_at, option="--known-at") if known_at else None
    if deal_id is not None:
        app.require_deal(deal_id, in_log_ok=True)
    result = replay(app.store(), as_of=day, zone=app.config.zone, known_at=moment,
                    deal_id=deal_id)
    if format_ == "json":
        document = replay_document(result, app.config, deal_id=deal_id)
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        click.echo(replay_table(result, app.config, deal_id=deal_id))


def today(config: Config) -> date:
    """Today's date in the configured time zone."""
    return datetime.now(config.zone).date()


@cli.command()
@click.argument("event_id")
@click.option("--reason", required=True, help="Why the event is wrong.")
@click.pass_obj
def retract(app: App, event_id: str, reason: str) -> None:
    """Append a retraction: replay will skip EVENT_ID (a unique id prefix is enough).

    Example: tracker retract 3f2a9c1b7d4e --reason "misread: the talks were denied"
    """
    from events.clock import utc_now

    store = app.store()
    target = store.find(event_id)
    retraction = EventRetracted(deal_id=target.deal_id, occurred_at=utc_now(),
                                retracted_id=target.event_id, reason=reason)
    _record(store, retraction, what=f"retraction of {target.type} {target.event_id[:12]}")


@cli.command()
@click.pass_obj
def check(app: App) -> None:
    """Verify the database: integrity, append-only triggers, every event's payload,
    retractions, time order, and that replay succeeds. Exit status 1 on a problem.

    Example: tracker check
    """
    from tracker.check import check_log

    report = check_log(app.store(), today=today(app.config), zone=app.config.zone)
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    click.echo(report.verdict())
    if not report.ok:
        raise TrackerError(f"{app.config.database} failed its check")


@cli.group(cls=TrackerGroup)
def add() -> None:
    """Record a fact learned outside the feeds (a negotiation, deadline or statement)."""


def _record(store: EventStore, event: Event, *, what: str) -> None:
    appended = store.append([event])
    if appended:
        row = appended[0]
        click.echo(f"Recorded {what} for {row.deal_id}: id {row.event_id[:12]}, seq {row.seq}.")
    else:
        click.echo(f"Already recorded: {what} for {event.deal_id} (id {event.event_id[:12]}).")


def _deal_option(fn: Any) -> Any:
    return click.option("--deal", "deal_id", required=True, metavar="ID",
                        help="The deal's id in the config.")(fn)


def _date_option(fn: Any) -> Any:
    return click.option("--date", "when", required=True, metavar="YYYY-MM-DD",
                        help="When it happened (midnight in the configured time zone,"
                             " or a full ISO-8601 time).")(fn)


@add.command("negotiation")
@_deal_option
@click.option("--stage", required=True, type=click.Choice(STAGES))
@_date_option
@click.option("--note", help="Why you know it; kept as the event's evidence.")
@click.option("--source", metavar="URL", help="Where it was reported (http or https).")
@click.pass_obj
def add_negotiation(app: App, deal_id: str, stage: str, when: str, note: str | None,
                    source: str | None) -> None:
    """Record a negotiation stage.

    Example: tracker add negotiation --deal microsoft-tiktok --stage abandoned --date 2020-09-13
    """
    app.require_deal(deal_id)
    event = NegotiationReported(
        deal_id=deal_id, stage=stage, evidence=note,
        occurred_at=parse_occurred(when, option="--date", zone=app.config.zone),
        source_url=check_web_url(source, option="--source"),
    )
    _record(app.store(), event, what=f"negotiation stage {stage}")


@add.command("deadline")
@_deal_option
@click.option("--due", required=True, metavar="YYYY-MM-DD", help="The due date.")
@click.option("--label", default="", help="What is due, e.g. 'decision'.")
@click.option("--replaces", metavar="YYYY-MM-DD", help="The due date this one moves.")
@_date_option
@click.pass_obj
def add_deadline(app: App, deal_id: str, due: str, label: str, replaces: str | None,
                 when: str) -> None:
    """Record a deadline, or move one with --replaces.

    Example: tracker add deadline --deal microsoft-tiktok --due 2020-09-15
    --label decision --date 2020-08-03
    """
    app.require_deal(deal_id)
    event = DeadlineSet(
        deal_id=deal_id, label=label,
        due=parse_day(due, option="--due").isoformat(),
        replaces=parse_day(replaces, option="--replaces").isoformat() if replaces else None,
        occurred_at=parse_occurred(when, option="--date", zone=app.config.zone),
    )
    _record(app.store(), event, what=f"deadline {event.due}")


@add.command("statement")
@_deal_option
@click.option("--speaker", required=True, metavar="NAME", help="Who said it.")
@click.option("--organization", metavar="ORG", help="Whom the speaker speaks for.")
@click.option("--quote", required=True, help="The words, verbatim.")
@click.option("--language", type=click.Choice(["fr", "en"]), default="en", show_default=True)
@_date_option
@click.pass_obj
def add_statement(app: App, deal_id: str, speaker: str, organization: str | None, quote: str,
                  language: str, when: str) -> None:
    """Record a public statement.

    Example: tracker add statement --deal microsoft-tiktok --speaker "Vanessa Pappas"
    --organization TikTok --quote "We're here for the long run" --date 2020-08-01
    """
    app.require_deal(deal_id)
    event = StatementMade(
        deal_id=deal_id, speaker=speaker, organization=organization, quote=quote,
        language=language, occurred_at=parse_occurred(when, option="--date", zone=app.config.zone),
    )
    _record(app.store(), event, what=f"statement by {speaker}")


@cli.command("report")
@click.option("--date", "day", metavar="DATE", help="The report day (default: today).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the pages (default: reports_dir of the config).")
@click.option("--email", is_flag=True, help="E-mail the report as configured in [email].")
@click.option("--dry-run", is_flag=True, help="Write the e-mail as DATE.eml instead of sending.")
@click.option("--known-at", metavar="TIME",
              help="Only what the log held at TIME (ISO-8601 with offset or Z).")
@click.pass_obj
def report_command(app: App, day: str | None, out_dir: Path | None, email: bool, dry_run: bool,
                   known_at: str | None) -> None:
    """Render the daily report: DATE.html, index.html and feed.atom; e-mail it with --email.

    The page is written (and the day recorded) before any e-mail is attempted.

    Example: tracker report --date 2020-08-03 --email --dry-run
    """
    from tracker.reporting import run_daily_report

    outcome = run_daily_report(
        app.config, app.store(), app.archive(),
        day=parse_day(day, option="--date") if day else None, out_dir=out_dir, email=email,
        dry_run=dry_run, known_at=parse_moment(known_at, option="--known-at") if known_at else None,
    )
    also = " (and index.html, feed.atom)" if outcome.index_path else ""
    click.echo(f"Wrote {outcome.html_path}{also}: {outcome.subject}"
               f" [events up to seq {outcome.last_seq}].")
    if outcome.eml_path is not None:
        click.echo(f"Wrote the e-mail to {outcome.eml_path} (not sent).")
    if outcome.sent:
        click.echo("E-mailed the report.")


def setup_logging(verbose: int) -> None:
    """Log to stderr with timestamps: warnings by default, more with -v."""
    import logging

    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@cli.command()
@click.option("--all", "all_feeds", is_flag=True,
              help="Poll every feed, even those backing off after errors.")
@click.pass_obj
def poll(app: App, all_feeds: bool) -> None:
    """Fetch every due feed once, extract events, append them; print a summary.

    Exit status 1 when every feed polled failed.

    Example: tracker poll
    """
    from tracker.poll import poll_feeds

    if not app.config.feeds:
        raise TrackerError(f"no feeds configured in {app.config.path}: add a [[feeds]] table")
    with _progress(len(app.config.feeds)) as advance:
        summary = poll_feeds(app.config, app.archive(), all_feeds=all_feeds, progress=advance)
    _report_poll(summary)


@cli.command()
@click.argument("locations", nargs=-1, required=True, metavar="PATH_OR_URL...")
@click.pass_obj
def ingest(app: App, locations: tuple[str, ...]) -> None:
    """Ingest feed files or URLs now, outside the schedule.

    A location that is a configured feed's URL is stored under that feed's name.

    Example: tracker ingest ~/Downloads/feed.xml https://example.org/rss.xml
    """
    from tracker.poll import ingest_locations

    with _progress(len(locations)) as advance:
        summary = ingest_locations(app.config, app.archive(), locations, progress=advance)
    _report_poll(summary)


def _report_poll(summary: Any) -> None:
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in summary.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(summary.line())
    if summary.due and summary.failed == summary.due:
        raise TrackerError(f"every feed failed ({summary.failed}); see the errors above")


class _progress:
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


@cli.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo (default: a new temporary folder).")
@click.pass_context
def demo(ctx: click.Context, folder: Path | None) -> None:
    """Run the main job offline: bundled sample feeds -> a demo database -> status.

    Example: tracker demo --dir /tmp/tracker-demo
    """
    from tracker.demo import DEMO_AS_OF, prepare_demo
    from tracker.poll import poll_feeds
    from tracker.reporting import run_daily_report

    config_path = prepare_demo(folder)
    app = App(str(config_path))
    ctx.call_on_close(app.close)
    summary = poll_feeds(app.config, app.archive(), all_feeds=True)
    click.echo(summary.line())
    result = replay(app.store(), as_of=DEMO_AS_OF, zone=app.config.zone)
    click.echo(replay_table(result, app.config, deal_id=None))
    outcome = run_daily_report(app.config, app.store(), app.archive(), day=DEMO_AS_OF,
                               dry_run=True)
    click.echo(f"\nReport: {outcome.html_path}")
    click.echo(f"E-mail it would send: {outcome.eml_path}")
    click.echo(f"\nDemo folder: {config_path.parent}")
    click.echo(f"Replay any day: tracker --config {config_path} replay --as-of 2020-08-03")


@cli.command("run")
@click.pass_obj
def run_command(app: App) -> None:
    """Run in the foreground: poll at once and every poll_every, report at report_at.

    A report missed while stopped is produced once on return. Logs go to stderr, one
    line per poll and per report (-v for more). SIGTERM or Ctrl-C stops it cleanly.
    Only one `tracker run` per database: a second one refuses to start.

    Example: tracker --config /etc/tracker/tracker.toml run
    """
    import logging

    from tracker.runlock import RunLock
    from tracker.scheduler import Jobs, serve_until_signalled

    config = app.config
    if not config.feeds:
        raise TrackerError(f"no feeds configured in {config.path}: add a [[feeds]] table")
    app.archive()  # creates the database and its tables now: a bad path fails here
    if logging.getLogger().getEffectiveLevel() > logging.INFO:
        # the one line per poll and per report is shown even without -v
        logging.getLogger("tracker.scheduler").setLevel(logging.INFO)
    with RunLock(config.database):
        serve_until_signalled(Jobs(config, open_archive=lambda: open_archive(config.database)))


def main() -> None:
    """Entry point of the `tracker` console script."""
    cli(prog_name="tracker")


if __name__ == "__main__":
    main()
