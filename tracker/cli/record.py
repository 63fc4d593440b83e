"""`tracker add`: facts learnt outside the feeds, appended like any other event."""

from __future__ import annotations

from typing import Any

import click

from events.model import STAGES, DeadlineSet, Event, NegotiationReported, StatementMade
from events.store import EventStore
from tracker.cli.app import App, TrackerGroup
from tracker.cli.completion import complete_deal_ids
from tracker.cli.options import check_web_url, parse_day, parse_occurred


@click.group(cls=TrackerGroup)
def add() -> None:
    """Record a fact learned outside the feeds (a negotiation, deadline or statement)."""


def record(store: EventStore, event: Event, *, what: str) -> None:
    """Append one event and say what was recorded (or that it already was)."""
    appended = store.append([event])
    if appended:
        row = appended[0]
        click.echo(f"Recorded {what} for {row.deal_id}: id {row.event_id[:12]}, seq {row.seq}.")
    else:
        click.echo(f"Already recorded: {what} for {event.deal_id} (id {event.event_id[:12]}).")


def _deal_option(fn: Any) -> Any:
    return click.option("--deal", "deal_id", required=True, metavar="ID",
                        shell_complete=complete_deal_ids,
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
    record(app.store(), event, what=f"negotiation stage {stage}")


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
    record(app.store(), event, what=f"deadline {event.due}")


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
    record(app.store(), event, what=f"statement by {speaker}")
