"""What `tracker explain` and `tracker articles` show: JSON documents and terminal text.

Feed text (titles, evidence, links, feed names) is hostile until shown: every piece
reaches the terminal through `printable`, and styling is added after it, so that no
escape a feed wrote can pass for ours.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from events.clock import format_occurred
from events.errors import EventsError
from events.model import NegotiationReported
from events.store import StoredEvent
from tracker.cli.table import format_table
from tracker.cli.views import event_json, event_summary
from tracker.config import Config
from tracker.model import ListedArticle, StoredArticle
from tracker.text import printable

if TYPE_CHECKING:  # the commands' module imports this one
    from tracker.cli.provenance import ArticleSource, Correction, Explanation, ListedEvent

SHORT_ID = 12  # as `tracker events` shows ids
ARTICLE_EVENT_ID = 8  # as the report shows them: enough for `tracker explain`
TEXT_SOURCES = {"feed": "the feed", "page": "the article's page"}
BY = {"hand": "by hand", "reprocess": "by a reprocess"}


def _safe(text: object) -> str:
    """One line of text, safe for the terminal."""
    return printable(" ".join(str(text).split()))


def valid_trigger(evidence: str | None, trigger: tuple[int, int] | None) -> tuple[int, int] | None:
    """The trigger's offsets when they fall inside the evidence (a damaged or foreign
    row may hold others)."""
    if evidence is None or trigger is None:
        return None
    start, end = trigger
    return trigger if 0 <= start < end <= len(evidence) else None


def marked_evidence(evidence: str, trigger: tuple[int, int] | None) -> str:
    """The evidence with the triggering words between [[ and ]], in bold on a terminal
    (click.echo drops the bold elsewhere)."""
    span = valid_trigger(evidence, trigger)
    if span is None:
        return _safe(evidence)
    start, end = span
    pieces = [printable(re.sub(r"\s+", " ", piece))
              for piece in (evidence[:start], evidence[start:end], evidence[end:])]
    marked = click.style(f"[[{pieces[1]}]]", bold=True)
    return f"{pieces[0]}{marked}{pieces[2]}".strip()


# --- explain: JSON -------------------------------------------------------------------------


def explanation_document(x: Explanation) -> dict[str, Any]:
    """The `tracker explain --format json` object, exactly as documented."""
    return {
        "event": event_json(x.row),
        "summary": event_summary(x.row),
        "status": x.status,
        "origin": x.origin,
        "evidence": x.row.evidence,
        "sources": [_source_json(x.row, source) for source in x.sources],
        "retraction": _retraction_json(x) if x.row.type == "retraction" else None,
        "corrections": [_correction_json(c) for c in x.corrections],
    }


def article_json(stored: StoredArticle) -> dict[str, Any]:
    """A stored article version as both commands give it in JSON (its text left out)."""
    article = stored.article
    return {
        "article_id": stored.id, "feed": article.feed, "key": article.key,
        "version": stored.version, "title": article.title, "link": article.link,
        "published": format_occurred(article.published),
        "published_estimated": article.published_estimated, "language": article.language,
        "fetched_at": stored.fetched_at, "read_by": stored.read_by,
        "text_source": stored.text_source,
    }


def _source_json(row: StoredEvent, item: ArticleSource) -> dict[str, Any]:
    source = item.source
    article = None
    if item.stored is not None:
        article = article_json(item.stored) | {"versions": item.versions}
    span = valid_trigger(row.evidence, source.trigger)
    trigger = None
    if span is not None and row.evidence is not None:
        trigger = {"start": span[0], "end": span[1], "text": row.evidence[span[0]:span[1]]}
    return {"article_id": source.article_id, "article": article, "deal_id": source.deal_id,
            "rule": source.rule, "trigger": trigger, "extractor": source.extractor}


def _brief(row: StoredEvent | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"event_id": row.event_id, "type": row.type, "deal_id": row.deal_id,
            "occurred_at": row.occurred_at, "summary": event_summary(row)}


def _retraction_json(x: Explanation) -> dict[str, Any]:
    by, extractor = x.by or ("hand", None)
    return {"retracts": _brief(x.target), "reason": x.reason, "by": by, "extractor": extractor,
            "reinstates": _brief(x.reinstated)}


def _correction_json(c: Correction) -> dict[str, Any]:
    return {"event_id": c.row.event_id, "action": c.action, "by": c.by,
            "extractor": c.extractor, "reason": c.reason, "recorded_at": c.row.recorded_at}


# --- explain: the terminal -----------------------------------------------------------------


def explanation_text(x: Explanation, config: Config) -> str:
    """What `tracker explain` prints: the event, where it was read, its corrections."""
    blocks = [_event_block(x, config), *_origin_blocks(x), _corrections_block(x)]
    return "\n\n".join(blocks)


def _fields(title: str, pairs: Sequence[tuple[str, str | None]]) -> str:
    """A heading and its labelled values, aligned; values already safe, None left out."""
    kept = [(label, value) for label, value in pairs if value is not None]
    width = max((len(label) for label, _ in kept), default=0)
    return "\n".join([title, *(f"  {label.ljust(width)}  {value}" for label, value in kept)])


def _event_block(x: Explanation, config: Config) -> str:
    row = x.row
    deal = config.deal(row.deal_id)
    title = f" ({_safe(deal.title)})" if deal and deal.title != row.deal_id else ""
    pairs: list[tuple[str, str | None]] = [
        ("type", _safe(row.type)), ("deal", _safe(row.deal_id) + title),
        ("what", None if row.type == "retraction" else _safe(event_summary(row))),
        ("occurred", _safe(row.occurred_at)), ("recorded", _safe(row.recorded_at)),
        ("status", x.status.replace("_", " "))]
    if row.type == "retraction":
        pairs += _retraction_pairs(x)
    return _fields(f"Event {_safe(row.event_id)} (seq {row.seq})", pairs)


def _retraction_pairs(x: Explanation) -> list[tuple[str, str | None]]:
    by, extractor = x.by or ("hand", None)
    who = BY.get(by, by) + (f" (extractor {_safe(extractor)})" if extractor else "")
    retracts = _one_event(x.target) if x.target else "an event not in the log"
    return [("made", who), ("retracts", retracts), ("reason", _safe(x.reason or "")),
            ("reinstates", _one_event(x.reinstated) if x.reinstated else None)]


def _one_event(row: StoredEvent) -> str:
    """ "negotiation 6e88ec4eae45 of 2020-08-03T10:00:00Z: agreed"; a retraction without
    its reason (the line `reinstates` says what undoing it puts back)."""
    what = _safe(f"{row.type} {row.event_id[:SHORT_ID]} of {row.occurred_at}")
    return what if row.type == "retraction" else f"{what}: {_safe(event_summary(row))}"


def _origin_blocks(x: Explanation) -> list[str]:
    row = x.row
    if x.origin == "hand" and row.type == "retraction":
        return []  # its "made by hand" says it all
    if x.origin == "hand":
        return [_fields("Added by hand: no article.", [
            ("source", _safe(row.source_url) if row.source_url else None),
            ("note", _safe(row.evidence) if row.evidence else None)])]
    if x.origin == "unrecorded":
        return [_fields(f"Read from feed {_safe(row.source_feed)} before provenance was kept:"
                        " the archive does not say from which article.", [
            ("link", _safe(row.source_url) if row.source_url else None),
            ("evidence", _safe(row.evidence) if row.evidence else None)])]
    return [_source_block(row, item) for item in x.sources]


def _source_block(row: StoredEvent, item: ArticleSource) -> str:
    source, stored = item.source, item.stored
    evidence = marked_evidence(row.evidence, source.trigger) if row.evidence else None
    if evidence is None and row.type != "retraction":  # a correction has no sentence
        evidence = "(none kept)"
    provenance = [("evidence", evidence), ("rule", _safe(source.rule)),
                  ("extractor", _safe(source.extractor))]
    read = "Read again from" if row.type == "retraction" else "Read from"
    if stored is None:
        return _fields(f"{read} article {source.article_id}, no longer in the archive:",
                       provenance)
    article = stored.article
    text_from = TEXT_SOURCES.get(stored.text_source, _safe(stored.text_source))
    return _fields(f"{read} article {stored.id}:", [
        ("feed", _safe(article.feed)), ("title", _safe(article.title)),
        ("link", _safe(article.link) if article.link else None),
        ("published", format_occurred(article.published)
         + (" (not given: when first fetched)" if article.published_estimated else "")),
        ("version", f"{stored.version} of {item.versions} stored for this entry"),
        ("text", f"from {text_from}"), *provenance])


def _corrections_block(x: Explanation) -> str:
    if not x.corrections:
        return "Corrections: none."
    rows = [(c.row.recorded_at[:19].replace("T", " "), c.action,
             BY.get(c.by, c.by) + (f" ({c.extractor})" if c.extractor else ""),
             c.row.event_id[:SHORT_ID], c.reason) for c in x.corrections]
    table = format_table(("RECORDED (UTC)", "WHAT", "BY", "ID", "REASON"), rows, max_width=100)
    return f"Corrections:\n{table}"


# --- articles ------------------------------------------------------------------------------


def articles_document(listed: Sequence[ListedArticle],
                      events: Mapping[str, ListedEvent]) -> list[dict[str, Any]]:
    """The `tracker articles --format json` array, exactly as documented."""
    return [article_json(item.stored) | {
        "deals": list(item.deals),
        "events": [_listed_event_json(event_id, event)
                   for event_id, event in _in_log_order(item, events)],
    } for item in listed]


def _in_log_order(item: ListedArticle,
                  events: Mapping[str, ListedEvent]) -> list[tuple[str, ListedEvent]]:
    """The article's events by seq (those the log lacks last)."""
    return sorted(((event_id, events[event_id]) for event_id in item.event_ids),
                  key=lambda pair: (pair[1].row is None, pair[1].row.seq if pair[1].row else 0))


def _listed_event_json(event_id: str, event: ListedEvent) -> dict[str, Any]:
    row = event.row
    return {"event_id": event_id, "type": row.type if row else None,
            "summary": event_summary(row) if row else None, "retracted": event.retracted}


def articles_table(listed: Sequence[ListedArticle], events: Mapping[str, ListedEvent]) -> str:
    """A terminal table of articles, one line each, with their events' short ids."""
    if not listed:
        return "No articles."
    rows = [(format_occurred(item.stored.article.published)[:16].replace("T", " "),
             item.stored.article.feed, " ".join(item.deals), item.stored.article.title,
             _events_cell(item, events))
            for item in listed]
    return format_table(("PUBLISHED (UTC)", "FEED", "DEALS", "TITLE", "EVENTS"), rows)


def _events_cell(item: ListedArticle, events: Mapping[str, ListedEvent]) -> str:
    """ "6e88ec4e agreed, 7eec2724 deadline (retracted)", in log order. A reprocess's
    corrections are left out: the "(retracted)" of their event says what they did."""
    shown = [_short_event(event_id, event) for event_id, event in _in_log_order(item, events)
             if event.row is None or event.row.type != "retraction"]
    return ", ".join(shown) or "none"


def _short_event(event_id: str, event: ListedEvent) -> str:
    kind = "not in the log" if event.row is None else _kind(event.row)
    return f"{event_id[:ARTICLE_EVENT_ID]} {kind}" + (" (retracted)" if event.retracted else "")


def _kind(row: StoredEvent) -> str:
    """A negotiation's stage, else the event's type."""
    try:
        event = row.event()
    except EventsError:
        return row.type
    return event.stage if isinstance(event, NegotiationReported) else row.type
