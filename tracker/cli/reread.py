"""`tracker reprocess`: read the stored articles again with today's extractor and deals."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from events.clock import format_occurred, format_recorded, start_of_day
from events.model import EventRetracted
from reports.wording import summarize
from tracker.cli.app import FORMATS, App
from tracker.cli.completion import complete_deal_ids
from tracker.cli.options import parse_day
from tracker.cli.table import format_table
from tracker.errors import TrackerError

if TYPE_CHECKING:
    from tracker.jobs.reprocess import ReprocessResult


@click.command()
@click.option("--deal", "deal_id", metavar="ID", help="Only the events of this deal.",
              shell_complete=complete_deal_ids)
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE.")
@click.option("--dry-run", is_flag=True, help="Print what it would append; change nothing.")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def reprocess(app: App, deal_id: str | None, since: str | None, dry_run: bool,
              format_: str) -> None:
    """Read the latest version of every stored article again, with the current extractor
    and deal names: append the events now found that the log lacks, retract those read
    from these articles that they no longer support, reinstate those an earlier
    reprocess retracted. Events added or retracted by hand are left as they are.

    Example: tracker reprocess --deal microsoft-tiktok --dry-run
    """
    from tracker.jobs.reprocess import Reprocessor, mark_read_for

    config = app.config
    if not config.deals:
        raise TrackerError(f"no deals configured in {config.path}: add a [[deals]] table")
    if deal_id is not None:
        app.require_deal(deal_id)
    since_at = None
    if since is not None:
        since_at = format_occurred(start_of_day(parse_day(since, option="--since"),
                                                config.zone))
    archive = app.archive(create=False)
    reprocessor = Reprocessor(archive, config.deals,
                              deal_ids=[deal_id] if deal_id else None)
    result = reprocessor.run(since=since_at, dry_run=dry_run)
    if not dry_run and since is None and not result.stopped:
        read = [d for d in config.deals if deal_id in (None, d.id)]
        mark_read_for(archive, read, version=reprocessor.version,
                      at=format_recorded(reprocessor.now))
    if format_ == "json":
        click.echo(json.dumps(result_document(result), ensure_ascii=False, indent=2))
    else:
        if result.corrections:
            click.echo(corrections_table(result))
        click.echo(result.line())


def result_document(result: ReprocessResult) -> dict[str, Any]:
    """The `tracker reprocess --format json` object."""
    return {
        "dry_run": result.dry_run,
        "articles": result.articles,
        "appended": {action: result.count(action)
                     for action in ("add", "retract", "reinstate")},
        "kept_retracted": result.kept_retracted,
        "corrections": [{
            "action": c.action,
            "event_id": c.event.event_id,
            "deal_id": c.event.deal_id,
            "type": c.event.type,
            "data": c.event.data(),
            "subject": c.subject,
            "article": {"id": c.article.id, "feed": c.article.article.feed,
                        "link": c.article.article.link, "title": c.article.article.title},
            "rule": c.rule,
        } for c in result.corrections],
    }


def corrections_table(result: ReprocessResult) -> str:
    """One row per event a reprocess appends (or would)."""
    rows = []
    for c in result.corrections:
        what = (f"{c.subject[:12]}: {c.event.reason}" if isinstance(c.event, EventRetracted)
                and c.subject else summarize(c.event))
        rows.append([c.action, c.event.event_id[:12], c.event.deal_id, c.event.type, what,
                     c.article.article.link or c.article.article.feed])
    return format_table(["ACTION", "EVENT", "DEAL", "TYPE", "WHAT", "ARTICLE"], rows)
