"""What each template is given: one documented dataclass per template context.

`report.html`, `email.html` and `email.txt` all receive the fields of `ReportPage` as
top-level variables (`tests/test_report_templates.py` checks that every name a template
uses is a field here). `feed.atom` is written by `reports.atom` from an `AtomFeed`.
Every string in these objects is ready to print: one line, no control characters,
links already checked to be http(s) (or None); the templates add escaping only.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class DealRef:
    """A deal to report on, as configured: its id and its title."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """A configured feed's health, as the poller last left it (input to the report)."""

    name: str
    last_success_at: str | None = None  # ISO-8601 UTC
    error_count: int = 0
    last_error: str | None = None
    disabled_reason: str | None = None


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """One feed in the header: when it last worked and, when failing, why."""

    name: str
    last_success: str | None  # "Mon 3 Aug 2020, 06:45" (local), None when never
    failing: bool
    problem: str | None  # the last error, or why it was set aside


@dataclass(frozen=True, slots=True)
class StageKey:
    """A stage of the legend: its name, its label and its colours."""

    stage: str
    label: str
    color: str
    text_color: str


@dataclass(frozen=True, slots=True)
class DeadlineView:
    """A live deadline of a deal, counted from the report day."""

    due: date
    due_label: str  # "Tue 15 Sep 2020"
    label: str  # what is due ("decision"); may be ""
    countdown: str  # "in 12 days", "tomorrow", "today", "overdue by 3 days", "passed 3 days ago"
    days: int  # due minus the report day
    state: str  # "upcoming" | "today" | "overdue" | "passed"
    moved_from: str | None  # the due date it replaced ("Tue 15 Sep 2020"), if moved
    source_url: str | None  # http(s) only


@dataclass(frozen=True, slots=True)
class StatementView:
    """A quotation on a deal card: who said what, when, and where it was read."""

    speaker: str
    organization: str | None
    quote: str
    language: str  # "fr" | "en", for the lang attribute
    said_on: str  # "Tue 4 Aug 2020"
    source_url: str | None  # http(s) only


@dataclass(frozen=True, slots=True)
class Change:
    """One line of "What changed": a status change, deadline, statement or correction.

    An event read from a feed also says where: the outlet, the article's headline (the
    link goes on it; without a stored headline, on the outlet) and the evidence. An
    event added by hand has none of them, unless it was given a link or a note.
    """

    kind: str  # "status" | "deadline" | "statement" | "retraction"
    deal_id: str
    deal_title: str
    when: str  # "Sun 2 Aug 2020, 21:30" (local)
    occurred_at: str  # ISO-8601 UTC, from the log
    recorded_at: str  # ISO-8601 UTC: when the log learnt it
    headline: str  # "rumored → negotiating", "new deadline Tue 15 Sep 2020 (decision), in 43 days"
    stage: str | None  # the new stage, for a status change
    quote: str | None  # the words, for a statement
    source_url: str | None  # http(s) only
    event_id: str
    short_id: str  # the event id's first 8 characters, for `tracker explain`
    outlet: str | None  # "lemonde.fr": the host of `source_url` without "www.", else the feed
    article_title: str | None  # the headline of the article read, as archived
    evidence: str | None  # the sentence the event was read from, at most ~300 characters
    evidence_is_headline: bool  # it was read from the headline itself (`evidence` is None)
    late: str | None  # "reported on Sat 25 Jul 2020, learnt today": learnt on a later day


@dataclass(frozen=True, slots=True)
class Band:
    """A status period on a timeline: a coloured rectangle from `x`, `width` wide."""

    x: float  # per cent of the picture's width
    width: float  # per cent
    stage: str
    label: str
    color: str
    text_color: str
    title: str  # "negotiating from Sun 2 Aug 2020"
    show_label: bool  # wide enough to print the label inside on a wide screen
    label_fits_phone: bool  # ... and on a phone too (else the label is hidden there)


@dataclass(frozen=True, slots=True)
class Marker:
    """A deadline on a timeline, at `x`."""

    x: float  # per cent of the picture's width
    state: str  # as DeadlineView.state
    title: str  # "Tue 15 Sep 2020: decision (in 12 days)"


@dataclass(frozen=True, slots=True)
class Tick:
    """A month boundary on a timeline's axis."""

    x: float  # per cent of the picture's width
    label: str  # "Aug" or "Jan 2021"; "" when it has no room before the right edge
    fits_phone: bool  # far enough from the label before it to be printed on a phone


@dataclass(frozen=True, slots=True)
class Timeline:
    """The picture of one deal: status bands, deadline markers, the report day as a line.

    Positions are per cent of the page's width, not units of a view box: the picture is
    stretched to the card without scaling its text, so labels keep their size on a phone.
    """

    height: int  # pixels
    bands: tuple[Band, ...]
    markers: tuple[Marker, ...]
    ticks: tuple[Tick, ...]
    today_x: float
    description: str  # the same in words, for screen readers


@dataclass(frozen=True, slots=True)
class DealCard:
    """One deal: where it stands, what is due, what was said, and its timeline."""

    id: str
    title: str
    status: str  # a stage or "unknown"
    status_label: str  # "under review", "no status yet"
    status_since: str | None  # "Sun 2 Aug 2020"
    next_deadline: DeadlineView | None  # the next one due, else an overdue one
    other_deadlines: tuple[DeadlineView, ...]
    statements: tuple[StatementView, ...]  # newest first
    timeline: Timeline
    event_count: int
    last_change: str | None  # "Sun 2 Aug 2020, 21:30": the latest event applied
    has_news: bool  # False: no event about this deal yet
    changed: bool  # something about it is in "What changed"
    closed: bool  # completed or abandoned: no deadline, no countdown
    quiet_since: str | None  # "Sun 2 Aug 2020": an open deal with no news for QUIET_DAYS


@dataclass(frozen=True, slots=True)
class UpcomingDeadline:
    """A deadline due within the next days, with the deal it belongs to."""

    deal_id: str
    deal_title: str
    deadline: DeadlineView


@dataclass(frozen=True, slots=True)
class ReportPage:
    """The context of `report.html`, `email.html` and `email.txt`."""

    day: date
    day_label: str  # "Monday 3 August 2020"
    subject: str  # "Deals 3 Aug 2020: Microsoft / TikTok US negotiating; 2 more changes"
    zone: str  # the configured time zone; every time shown is in it
    changes_since: str  # "Sun 2 Aug 2020": "What changed" covers that day and the report day
    changes: tuple[Change, ...]  # newest first, at most MAX_CHANGES
    changes_omitted: int  # how many more changes there were
    upcoming: tuple[UpcomingDeadline, ...]  # due within `upcoming_days`, soonest first
    upcoming_days: int
    deals: tuple[DealCard, ...]  # open deals, by urgency
    closed: tuple[DealCard, ...]  # completed or abandoned deals, latest change first
    quiet_days: int  # an open deal with no news for this many days says so
    feeds: tuple[FeedHealth, ...]
    failing_feeds: tuple[FeedHealth, ...]
    last_refreshed: str | None  # the latest successful poll, local time; None when never
    known_at: str  # ISO-8601 UTC: the log as it stood then
    last_seq: int  # the highest event seq the report was built from
    events_applied: int
    stages: tuple[StageKey, ...]  # the legend
    day_file: str  # "2020-08-03.html": this day's own page, beside index.html
    atom_file: str  # "feed.atom"
    page_url: str | None  # the day's page, absolute ([report] base_url), for the e-mail
    feed_url: str | None  # the Atom feed, absolute; both None without a base_url


def context_of(page: Any) -> dict[str, Any]:
    """The template variables of a context dataclass: its fields, by name."""
    return {f.name: getattr(page, f.name) for f in fields(page)}


@dataclass(frozen=True, slots=True)
class AtomEntry:
    """One entry of `feed.atom`: one change, as "What changed" lists it."""

    id: str  # urn:uuid, derived from the event id: the same event, the same entry
    title: str
    updated: str  # ISO-8601 UTC: when the log learnt it (when it became news here)
    published: str  # ISO-8601 UTC: when it happened
    summary: str
    link: str  # the source (http(s)) or the report page


@dataclass(frozen=True, slots=True)
class AtomFeed:
    """The context of `feed.atom`."""

    id: str
    title: str
    updated: str  # ISO-8601 UTC
    self_link: str  # absolute with a base_url, else relative to the reports folder
    page_link: str
    entries: tuple[AtomEntry, ...]  # latest learnt first
