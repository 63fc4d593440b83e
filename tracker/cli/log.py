"""Commands that read the log: `events`, `replay` and `check`; and `retract`, which
corrects it the only way an append-only log allows."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable

import click

from events.errors import StoreError
from events.model import EVENT_TYPES, EventRetracted
from events.replay import replay
from events.store import StoredEvent
from tracker.cli.app import FORMATS, App, today
from tracker.cli.completion import complete_deal_ids
from tracker.cli.lookup import find_event
from tracker.cli.options import parse_day, parse_moment, parse_since
from tracker.cli.record import record
from tracker.cli.views import events_table, iter_events_json, replay_document, replay_table
from tracker.errors import TrackerError
from tracker.text import printable

MAX_SEQ = 2**63 - 1  # SQLite's largest integer: no seq is beyond it


@click.command()
@click.option("--deal", "deal_id", metavar="ID", help="Only this deal.",
              shell_complete=complete_deal_ids)
@click.option("--type", "type_", type=click.Choice(EVENT_TYPES), help="Only this type.")
@click.option("--since", metavar="DATE", help="Only events that occurred on or after DATE.")
@click.option("--after", "after_seq", type=click.IntRange(min=0, max=MAX_SEQ), default=0,
              metavar="SEQ",
              help="Only events appended after SEQ (to follow the log).")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="At most N events.")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def events(app: App, deal_id: str | None, type_: str | None, since: str | None,
           after_seq: int, limit: int | None, format_: str) -> None:
    """List the event log itself, in append order, for audit.

    Example: tracker events --deal microsoft-tiktok --since 2020-08-01 --format json
    """
    occurred_from = None
    if since is not None:
        occurred_from = parse_since(since, option="--since", zone=app.config.zone)
    if deal_id is not None:
        app.require_deal(deal_id, in_log_ok=True)
    rows: Iterable[StoredEvent] = app.store(create=False).read(
        after_seq=after_seq, deal_id=deal_id, type=type_, occurred_from=occurred_from)
    if limit is not None:
        rows = itertools.islice(rows, limit)
    if format_ == "json":
        for piece in iter_events_json(rows):
            click.echo(piece, nl=False)
    else:
        click.echo(events_table(rows))


@click.command("replay")
@click.option("--as-of", metavar="DATE", help="State at the end of DATE (default: today).")
@click.option("--known-at", metavar="TIME",
              help="Only what the log held at TIME (ISO-8601 with offset or Z).")
@click.option("--deal", "deal_id", metavar="ID", help="Only this deal.",
              shell_complete=complete_deal_ids)
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
    result = replay(app.store(create=False), as_of=day, zone=app.config.zone, known_at=moment,
                    deal_id=deal_id)
    if format_ == "json":
        document = replay_document(result, app.config, deal_id=deal_id)
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        click.echo(replay_table(result, app.config, deal_id=deal_id))


@click.command()
@click.argument("event_id")
@click.option("--reason", required=True, help="Why the event is wrong.")
@click.pass_obj
def retract(app: App, event_id: str, reason: str) -> None:
    """Append a retraction: replay will skip EVENT_ID (a unique id prefix is enough).

    Example: tracker retract 3f2a9c1b7d4e --reason "misread: the talks were denied"
    """
    from events.clock import utc_now

    store = app.store(create=False)
    target = find_event(store, event_id)
    retraction = EventRetracted(deal_id=target.deal_id, occurred_at=utc_now(),
                                retracted_id=target.event_id, reason=reason)
    record(store, retraction, what=f"retraction of {target.type} {target.event_id[:12]}")


@click.command()
@click.option("--acknowledge", is_flag=True,
              help="Mark the notices shown (guards put back...) as seen, after showing them.")
@click.pass_obj
def check(app: App, acknowledge: bool) -> None:
    """Verify the database: integrity, append-only triggers, the hash chain over every
    event, every event's payload, retractions, time order, that the articles' events
    are in the log, and that replay succeeds. Exit status 1 on a problem.

    Example: tracker check
    """
    from tracker.cli.check import CheckReport, check_log

    try:
        store = app.store(create=False)
        archive = app.archive(create=False)
    except StoreError as error:  # too damaged to open: that is the verdict
        report = CheckReport(unreadable=str(error))
    else:
        if acknowledge:
            store.acknowledge_notices()
        report = check_log(store, today=today(app.config), zone=app.config.zone,
                           archive=archive)
    for problem in report.problems:
        click.echo(f"problem: {printable(problem)}", err=True)
    click.echo(printable(report.verdict()))
    if not report.ok:
        raise TrackerError(f"{app.config.database_label} failed its check")
