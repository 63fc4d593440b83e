"""`tracker explain` and `tracker articles`: where an event comes from, and what the
stored articles gave.

An event is explained from three places: the log (the event, and the retractions
acting on it), the provenance tables (the article version, rule, trigger and extractor
behind it) and the articles table (the article itself). Gathering is here; what the
terminal and JSON show of it is in `tracker.cli.provenance_views`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import NamedTuple

import click

from events.store import EventStore, StoredEvent, in_force
from tracker.archive import Archive
from tracker.cli.app import FORMATS, App
from tracker.cli.completion import complete_deal_ids
from tracker.cli.log import MAX_SEQ
from tracker.cli.lookup import find_event
from tracker.cli.options import parse_since
from tracker.cli.provenance_views import (
    articles_document,
    articles_table,
    explanation_document,
    explanation_text,
)
from tracker.errors import TrackerError
from tracker.model import EventSource, ListedArticle, StoredArticle


class ArticleSource(NamedTuple):
    """One article version an event was read from, as the archive keeps it."""

    source: EventSource
    stored: StoredArticle | None  # None when the archive no longer holds that version
    versions: int  # how many versions of that entry (feed and key) are stored


class Correction(NamedTuple):
    """A retraction acting on the explained event, or one undoing such a retraction."""

    row: StoredEvent  # the retraction event
    action: str  # "retracted", "reinstated" (its retraction undone), "undone" (a retraction)
    by: str  # "hand" (no provenance) or "reprocess"
    extractor: str | None  # the reprocess's extractor
    reason: str


@dataclass(frozen=True)
class Explanation:
    """Everything `tracker explain` says about one event."""

    row: StoredEvent
    sources: tuple[ArticleSource, ...]
    corrections: tuple[Correction, ...]  # in log order
    retracted: bool  # replay skips it now (for a retraction: it was undone)
    by: tuple[str, str | None] | None = None  # a retraction's author, and extractor
    target: StoredEvent | None = None  # what a retraction retracts
    reinstated: StoredEvent | None = None  # what a retraction of a retraction puts back
    reason: str | None = None  # why a retraction was made

    @property
    def status(self) -> str:
        """in_force, retracted or reinstated; for a retraction, in_force or undone."""
        if self.row.type == "retraction":
            return "undone" if self.retracted else "in_force"
        if self.retracted:
            return "retracted"
        return "reinstated" if self.corrections else "in_force"

    @property
    def origin(self) -> str:
        """article (provenance kept), hand (added by hand) or unrecorded (read from a
        feed before provenance was kept, its article not found)."""
        if self.sources:
            return "article"
        return "hand" if self.row.source_feed is None else "unrecorded"


class ListedEvent(NamedTuple):
    """An event an article gave, as `tracker articles` shows it."""

    row: StoredEvent | None  # None when the log lacks it (`tracker check` says so)
    retracted: bool


def explain(store: EventStore, archive: Archive, row: StoredEvent) -> Explanation:
    """Gather what the log and the archive say about the event `row`."""
    retractions = {r.event_id: r for r in store.read(type="retraction")}
    targets = {rid: aimed for rid, r in retractions.items() if (aimed := target_of(r))}
    by: tuple[str, str | None] | None = None
    target = reinstated = reason = None
    if row.type == "retraction":
        by, reason = _author(archive, row.event_id), _reason(row)
        target = _get(store, targets.get(row.event_id))
        if target is not None and target.type == "retraction":
            reinstated = _get(store, targets.get(target.event_id))
    return Explanation(row, _sources(archive, row.event_id),
                       _corrections(archive, row, retractions, targets),
                       retracted=row.event_id in in_force(targets), by=by, target=target,
                       reinstated=reinstated, reason=reason)


def _corrections(archive: Archive, row: StoredEvent, retractions: dict[str, StoredEvent],
                 targets: dict[str, str]) -> tuple[Correction, ...]:
    """The retractions of `row` and those undoing them, in log order."""
    acting = {rid for rid, target in targets.items() if target == row.event_id}
    undoing = {rid for rid, target in targets.items() if target in acting}
    action = "undone" if row.type == "retraction" else "retracted"
    found = [_correction(archive, retractions[rid], action if rid in acting else "reinstated")
             for rid in acting | undoing]
    return tuple(sorted(found, key=lambda c: c.row.seq))


def _get(store: EventStore, event_id: str | None) -> StoredEvent | None:
    return store.get(event_id) if event_id else None


def target_of(retraction: StoredEvent) -> str | None:
    """The id a retraction retracts; None when another tool wrote something else."""
    try:
        target = json.loads(retraction.data).get("event_id")
    except (TypeError, ValueError, AttributeError):
        return None
    return target if isinstance(target, str) else None


def _reason(retraction: StoredEvent) -> str:
    try:
        reason = json.loads(retraction.data).get("reason")
    except (TypeError, ValueError, AttributeError):
        return ""
    return reason if isinstance(reason, str) else ""


def _author(archive: Archive, event_id: str) -> tuple[str, str | None]:
    """Who wrote a retraction: by hand (no provenance), else a reprocess (its extractor)."""
    sources = archive.event_sources(event_id)
    return ("reprocess", sources[0].extractor) if sources else ("hand", None)


def _correction(archive: Archive, row: StoredEvent, action: str) -> Correction:
    by, extractor = _author(archive, row.event_id)
    return Correction(row, action, by, extractor, _reason(row))


def _sources(archive: Archive, event_id: str) -> tuple[ArticleSource, ...]:
    """The article versions an event was read from, each with its entry's version count."""
    counts: dict[str, dict[str, int]] = {}
    found = []
    for source in archive.event_sources(event_id):
        stored = archive.stored_article(source.article_id)
        versions = 0
        if stored is not None:
            feed, key = stored.article.feed, stored.article.key
            if feed not in counts:  # versions are numbered from 1: the latest is the count
                counts[feed] = {k: v.version for k, v in archive.known_versions(feed).items()}
            versions = counts[feed].get(key, stored.version)
        found.append(ArticleSource(source, stored, versions))
    return tuple(found)


# --- the commands --------------------------------------------------------------------------


@click.command("explain")
@click.argument("event_id")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def explain_command(app: App, event_id: str, format_: str) -> None:
    """Say where an event comes from: its article, the sentence and the words that
    triggered it, the rule, the extractor, and any retraction (a unique id prefix is
    enough).

    Example: tracker explain 3f2a9c1b
    """
    store = app.store(create=False)
    explanation = explain(store, app.archive(create=False), find_event(store, event_id))
    if format_ == "json":
        click.echo(dumps(explanation_document(explanation)))
    else:
        click.echo(explanation_text(explanation, app.config))


@click.command("articles")
@click.option("--deal", "deal_id", metavar="ID", help="Only articles naming this deal.",
              shell_complete=complete_deal_ids)
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE.")
@click.option("--search", metavar="TEXT",
              help="Only articles holding every word of TEXT (title or text, accents ignored).")
@click.option("--without-events", is_flag=True, help="Only articles that gave no event.")
@click.option("--limit", type=int, default=50, show_default=True, metavar="N",
              help="At most N articles.")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def articles_command(app: App, deal_id: str | None, since: str | None, search: str | None,
                     without_events: bool, limit: int, format_: str) -> None:
    """List the stored articles that name a configured deal, newest first, with the
    events each gave (the latest version of each article).

    Example: tracker articles --deal microsoft-tiktok --without-events
    """
    if limit < 1:
        raise TrackerError(f"--limit: expected 1 or more articles, got {limit}")
    if search is not None and not re.search(r"\w", search):
        raise TrackerError(f"--search: expected words to look for, got {search!r}")
    if deal_id is not None:
        app.require_deal(deal_id, in_log_ok=True)
    listed = app.archive(create=False).list_articles(
        deal_id=deal_id, search=search, without_events=without_events,
        limit=min(limit, MAX_SEQ),  # more than any archive holds, and SQLite's largest integer
        since=parse_since(since, option="--since", zone=app.config.zone) if since else None)
    events = _events_of(app.store(create=False), listed)
    if format_ == "json":
        click.echo(dumps(articles_document(listed, events)))
    else:
        click.echo(articles_table(listed, events))


def _events_of(store: EventStore, listed: list[ListedArticle]) -> dict[str, ListedEvent]:
    """event id -> the event, for every event the listed articles gave."""
    retracted = store.retracted_ids()
    return {event_id: ListedEvent(store.get(event_id), event_id in retracted)
            for item in listed for event_id in item.event_ids}


#: Characters JSON may carry raw but a terminal must not get raw: C1 controls, line and
#: paragraph separators, bidi overrides and isolates (the C0 ones json escapes itself).
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def dumps(document: object) -> str:
    """JSON as other tools read it, with what could drive a terminal written as \\u escapes
    (the same document once parsed)."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
