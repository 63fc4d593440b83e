"""Each event of the log as one line of "What changed" (and of the Atom feed)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from events.model import DeadlineSet, Event, EventRetracted, NegotiationReported, StatementMade
from events.replay import StatusStep
from events.store import StoredEvent
from reports.context import Change
from reports.formatting import (
    UNKNOWN,
    countdown,
    day_label,
    local_day,
    moment_label,
    one_line,
    outlet,
    safe_url,
    shorten,
    stage_label,
)

#: Evidence is a sentence, but a hostile feed can make it a page: a line stays readable.
EVIDENCE_CHARS = 300
ARTICLE_TITLE_CHARS = 200
SHORT_ID_CHARS = 8


class Provenance(NamedTuple):
    """Where an event was read: the link, its outlet, the article's headline, the sentence."""

    source_url: str | None  # http(s) only
    outlet: str | None
    article_title: str | None
    evidence: str | None  # None when it says nothing more (see `evidence_is_headline`)
    evidence_is_headline: bool = False  # read in the headline: printed once, not twice


def provenance(row: StoredEvent, headlines: Mapping[str, str],
               quote: str | None = None) -> Provenance:
    """The provenance of `row`, ready to print; `headlines` maps links to archived titles
    (and the id of an event read from an entry with no link to its entry's title).

    The outlet is the link's host (an aggregating feed carries many outlets), else the
    feed's name. Evidence that only repeats the headline, or a statement's quote, is
    left out.
    """
    stored_title = headlines.get(row.source_url or row.event_id)
    title = shorten(stored_title, ARTICLE_TITLE_CHARS) or None
    evidence = shorten(row.evidence, EVIDENCE_CHARS) or None
    in_headline = evidence is not None and _same_words(row.evidence, stored_title)
    if in_headline or (quote and _same_words(row.evidence, quote)):
        evidence = None
    where = outlet(row.source_url) or one_line(row.source_feed) or None
    return Provenance(safe_url(row.source_url), where, title, evidence, in_headline)


def late_note(row: StoredEvent, zone: ZoneInfo, day: date | None) -> str | None:
    """ "reported on Sat 25 Jul 2020, learnt today" when the log learnt of `row` on a later
    local day than it happened; None otherwise. Counted from `day` ("today", "yesterday");
    without one (the Atom feed, whose entries must not change) the day is named."""
    happened = local_day(row.occurred_at, zone)
    learnt = local_day(row.recorded_at, zone)
    if learnt <= happened:
        return None
    if learnt == day:
        when = "today"
    elif day is not None and learnt == day - timedelta(days=1):
        when = "yesterday"
    else:
        when = f"on {day_label(learnt)}"
    return f"reported on {day_label(happened)}, learnt {when}"


_MARKS = "\"'“”«»‘’ .!?…"  # put aside when comparing evidence with a headline or a quote


def _same_words(one: str | None, other: str | None) -> bool:
    """Whether two texts say the same once case, quotation marks and end stops are put aside."""
    def words(text: str | None) -> str:
        return one_line(text).strip(_MARKS).casefold()
    return bool(one and other) and words(one) == words(other)


def status_headline(step: StatusStep) -> str:
    """ "rumored → negotiating", or "first reported: rumored"."""
    if step.previous == UNKNOWN:
        return f"first reported: {stage_label(step.stage)}"
    return f"{stage_label(step.previous)} → {stage_label(step.stage)}"


def summarize(event: Event) -> str:
    """One line saying what an event records, as `tracker events` lists it."""
    if isinstance(event, NegotiationReported):
        return event.stage
    if isinstance(event, DeadlineSet):
        moved = f" (was {event.replaces})" if event.replaces else ""
        return f"due {event.due}{moved} {event.label}".rstrip()
    if isinstance(event, StatementMade):
        org = f" ({event.organization})" if event.organization else ""
        return f"{event.speaker}{org}: “{event.quote}”"
    if isinstance(event, EventRetracted):
        return f"retracts {event.retracted_id[:12]}: {event.reason}"
    return event.type


def deadline_headline(event: DeadlineSet, day: date | None) -> str:
    """ "new deadline Tue 15 Sep 2020 (decision), in 43 days", or "deadline moved ...".

    Without a `day` there is no countdown (the Atom feed: an entry must not change).
    """
    due = date.fromisoformat(event.due)
    label = one_line(event.label)
    what = f" ({label})" if label else ""
    when = f", {countdown(due, day)[0]}" if day else ""
    if event.replaces:
        moved = day_label(date.fromisoformat(event.replaces))
        return f"deadline moved from {moved} to {day_label(due)}{what}{when}"
    return f"new deadline {day_label(due)}{what}{when}"


def speaker_headline(event: StatementMade) -> str:
    """ "Vanessa Pappas (TikTok) said"."""
    organization = one_line(event.organization)
    return f"{one_line(event.speaker)}{f' ({organization})' if organization else ''} said"


def retraction_headline(event: EventRetracted, target: StoredEvent | None,
                        zone: ZoneInfo) -> str:
    """ "correction: withdrawn: negotiation of Sun 2 Aug 2020 (negotiating): reason"."""
    reason = one_line(event.reason)
    if target is None:
        return f"correction: an earlier event was withdrawn: {reason}"
    if target.type == "retraction":  # a withdrawal undone: the event stands again
        return f"correction: a withdrawal was undone, the event stands again: {reason}"
    when = day_label(local_day(target.occurred_at, zone))
    return f"correction: withdrawn: {target.type} of {when} ({_gist(target.event())}): {reason}"


def _gist(event: Event) -> str:
    if isinstance(event, NegotiationReported):
        return stage_label(event.stage)
    if isinstance(event, DeadlineSet):
        return f"due {event.due}"
    if isinstance(event, StatementMade):
        return f"by {one_line(event.speaker)}"
    return event.type


def describe_change(row: StoredEvent, title: str, step: StatusStep | None,
                    target: StoredEvent | None, *, day: date | None, zone: ZoneInfo,
                    headlines: Mapping[str, str]) -> Change:
    """One event of the window as a change; `step` is its status change, if any.

    Without a `day` nothing is counted from it (no countdown, learnt days named): the
    Atom feed's entries must read the same whichever day built them.
    """
    event = row.event()
    quote = None
    if isinstance(event, NegotiationReported) and step is not None:
        headline = status_headline(step)
    elif isinstance(event, DeadlineSet):
        headline = deadline_headline(event, day)
    elif isinstance(event, StatementMade):
        headline, quote = speaker_headline(event), one_line(event.quote)
    elif isinstance(event, EventRetracted):
        headline = retraction_headline(event, target, zone)
    else:
        headline = summarize(event)
    source = provenance(row, headlines, quote)
    return Change(
        kind=row.type if row.type != "negotiation" else "status", deal_id=row.deal_id,
        deal_title=title, when=moment_label(row.occurred_at, zone), occurred_at=row.occurred_at,
        recorded_at=row.recorded_at, headline=headline, stage=step.stage if step else None,
        quote=quote, source_url=source.source_url, event_id=row.event_id,
        short_id=row.event_id[:SHORT_ID_CHARS], outlet=source.outlet,
        article_title=source.article_title, evidence=source.evidence,
        evidence_is_headline=source.evidence_is_headline, late=late_note(row, zone, day))
