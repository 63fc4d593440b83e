"""`tracker history DEAL`: one deal's chronology, oldest first, in the configured time zone.

Every event of the deal in the order replay folds them (occurred, then appended): status
changes, deadlines set or moved, statements and corrections, each with where it was read
(the outlet, the archived headline, the link, the evidence) and, when the log learnt it
on a later day than it happened, when. Retracted events stay in the story, marked: the
history is the record, replay is what stands. What the terminal and JSON show of it is
in `tracker.cli.history_views`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter
from zoneinfo import ZoneInfo

import click

from events.errors import EventsError
from events.model import DeadlineSet, EventRetracted, NegotiationReported
from events.store import EventStore, StoredEvent, in_force
from reports.formatting import stage_label
from reports.wording import (
    deadline_headline,
    late_note,
    provenance,
    retraction_headline,
    summarize,
)
from tracker.archive import Archive
from tracker.archive.headlines import headlines_of
from tracker.cli.app import FORMATS, App
from tracker.cli.completion import complete_deal_ids
from tracker.cli.history_views import history_document, history_text
from tracker.cli.provenance import dumps, target_of

KINDS = {"negotiation": "status", "deadline": "deadline", "statement": "statement",
         "retraction": "correction"}


@dataclass(frozen=True)
class Entry:
    """One event of a deal's history, with where it was read."""

    row: StoredEvent
    kind: str  # status | deadline | statement | correction
    what: str  # "rumored → negotiating", "new deadline Tue 15 Sep 2020 (decision)"
    status: str  # in_force | retracted | reinstated; a correction: in_force | undone
    outlet: str | None  # the link's host, else the feed's name
    headline: str | None  # the archived title of the article read
    link: str | None  # http(s) only
    learnt_late: bool  # learnt on a later day than it happened (the report's "learnt" mark)
    evidence_is_headline: bool = False  # the evidence is the headline (said once)


def deal_history(store: EventStore, archive: Archive, deal_id: str, *,
                 zone: ZoneInfo) -> list[Entry]:
    """The events of `deal_id` in (occurred_at, seq) order, each described."""
    rows = sorted(store.read(deal_id=deal_id), key=attrgetter("occurred_at", "seq"))
    targets = {row.event_id: aimed for row in rows
               if row.type == "retraction" and (aimed := target_of(row))}
    retracted = in_force(targets)
    by_id = {row.event_id: row for row in rows}
    headlines = headlines_of(archive, rows)
    stages = _Stages()
    entries = []
    for row in rows:
        status = _status(row, targets, retracted)
        what = _what(row, by_id, stages, counts=status in ("in_force", "reinstated"), zone=zone)
        source = provenance(row, headlines)
        entries.append(Entry(row, KINDS.get(row.type, row.type), what, status, source.outlet,
                             source.article_title, source.source_url,
                             late_note(row, zone, None) is not None, source.evidence_is_headline))
    return entries


def _status(row: StoredEvent, targets: Mapping[str, str], retracted: set[str]) -> str:
    if row.type == "retraction":
        return "undone" if row.event_id in retracted else "in_force"
    if row.event_id in retracted:
        return "retracted"
    return "reinstated" if row.event_id in targets.values() else "in_force"


class _Stages:
    """The status as the history unfolds: what each negotiation event changes it from."""

    def __init__(self) -> None:
        self.current = "unknown"

    def step(self, stage: str, *, counts: bool) -> str:
        """ "rumored → negotiating", "first reported: rumored" or "negotiating (again)";
        a retracted event is told, but does not move the status."""
        if not counts:
            return stage_label(stage)
        before, self.current = self.current, stage
        if before == stage:
            return f"{stage_label(stage)} (reported again)"
        if before == "unknown":
            return f"first reported: {stage_label(stage)}"
        return f"{stage_label(before)} → {stage_label(stage)}"


def _what(row: StoredEvent, by_id: Mapping[str, StoredEvent], stages: _Stages, *,
          counts: bool, zone: ZoneInfo) -> str:
    """What one event records, in words; a row another tool wrote is shown, not fatal."""
    try:
        event = row.event()
    except EventsError as error:
        return f"(unreadable {row.type}: {error})"
    if isinstance(event, NegotiationReported):
        return stages.step(event.stage, counts=counts)
    if isinstance(event, DeadlineSet):
        return deadline_headline(event, None)
    if isinstance(event, EventRetracted):
        return retraction_headline(event, by_id.get(event.retracted_id), zone)
    return summarize(event)


@click.command("history")
@click.argument("deal_id", metavar="DEAL", shell_complete=complete_deal_ids)
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def history_command(app: App, deal_id: str, format_: str) -> None:
    """Tell one deal's story, oldest first, in the configured time zone: status changes,
    deadlines, statements and corrections, each with its outlet, headline, link and
    evidence, and when the log learnt it when that was a later day.

    Example: tracker history microsoft-tiktok
    """
    app.require_deal(deal_id, in_log_ok=True)
    deal = app.config.deal(deal_id)
    title = deal.title if deal else deal_id
    entries = deal_history(app.store(create=False), app.archive(create=False), deal_id,
                           zone=app.config.zone)
    if format_ == "json":
        click.echo(dumps(history_document(deal_id, title, entries, app.config.zone)))
    else:
        click.echo(history_text(deal_id, title, entries, app.config.zone))

