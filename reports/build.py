"""Build the report's contexts from the log: replay as of the day, plus history and changes.

"What changed" covers the events that occurred on the day before the report day and on
the report day itself (up to the moment the log was read): a fixed window, so that the
same `day` and `known_at` always give the same report, whichever reports ran before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from events.clock import end_of_day, format_occurred, format_recorded, start_of_day
from events.model import EventRetracted
from events.replay import DealState, ReplayResult, StatusStep, replay
from events.store import EventStore, StoredEvent
from reports.atom import build_feed
from reports.context import (
    AtomFeed,
    Change,
    DealCard,
    DealRef,
    FeedHealth,
    FeedStatus,
    ReportPage,
    StageKey,
    UpcomingDeadline,
)
from reports.deals import build_card, by_urgency
from reports.formatting import (
    STAGE_COLORS,
    STAGE_LABELS,
    day_label,
    long_day_label,
    moment_label,
    one_line,
    plural,
)
from reports.history import Bounds, late_events, recent_events, status_history
from reports.wording import describe_change

UPCOMING_DAYS = 30
ATOM_DAYS = 30
MAX_CHANGES = 100
#: The Atom feed's id when the caller has no folder to derive one from (tests, benches).
PLACEHOLDER_FEED_ID = "urn:uuid:00000000-0000-5000-8000-000000000000"


@dataclass(frozen=True, slots=True)
class Report:
    """Everything rendered for one day: the page (also the e-mail) and the Atom feed."""

    page: ReportPage
    feed: AtomFeed


# Status changes drawn per deal: the timeline's window holds far fewer in any real story.
STATUS_CHANGES_DRAWN = 100


@dataclass(frozen=True, slots=True)
class LogWindow:
    """What a report reads of the log, in one snapshot: the replay and the events it lists."""

    day: date
    zone: ZoneInfo
    result: ReplayResult
    recent: list[StoredEvent]  # occurred in the Atom window, in (occurred_at, seq) order
    late: list[StoredEvent]  # learnt in the "What changed" window about earlier days

    def links(self) -> set[str]:
        """The source links of every event the report may show (to look their headlines up)."""
        return {row.source_url for row in (*self.late, *self.recent) if row.source_url}


def build_report(store: EventStore, *, day: date, zone: ZoneInfo, deals: Sequence[DealRef],
                 feeds: Sequence[FeedStatus] = (), known_at: datetime | None = None,
                 feed_id: str = PLACEHOLDER_FEED_ID,
                 headlines: Mapping[str, str] | None = None) -> Report:
    """Replay the log as of the end of `day` as known at `known_at` (default: now).

    `headlines` maps article links to their titles, shown with the changes read there.
    A caller that must look them up first calls `read_log`, asks for the headlines of
    `LogWindow.links()`, then `compose_report`: the log is read once either way.
    """
    window = read_log(store, day=day, zone=zone, known_at=known_at)
    return compose_report(store, window, deals=deals, feeds=feeds, feed_id=feed_id,
                          headlines=headlines or {})


def read_log(store: EventStore, *, day: date, zone: ZoneInfo,
             known_at: datetime | None = None) -> LogWindow:
    """Replay as of the end of `day` and read the events the report lists, in one snapshot."""
    with store.snapshot():  # the replay and the recent events read one state of the log
        result = replay(store, as_of=day, zone=zone, known_at=known_at,
                        status_changes_kept=STATUS_CHANGES_DRAWN)
        bounds = Bounds(format_occurred(end_of_day(day, zone)), result.known_at,
                        frozenset(store.retracted_ids(recorded_until=result.known_at)))
        recent = recent_events(store, bounds, occurred_from=_atom_since(day, zone))
        since = _changes_since(day, zone)
        # what the log learnt in the window about earlier days is news too
        late = late_events(
            store, bounds, occurred_before=since,
            recorded_from=format_recorded(start_of_day(day - timedelta(days=1), zone)),
            recorded_to=format_recorded(end_of_day(day, zone) + timedelta(seconds=1)))
    return LogWindow(day, zone, result, recent, late)


def compose_report(store: EventStore, window: LogWindow, *, deals: Sequence[DealRef],
                   feeds: Sequence[FeedStatus] = (), headlines: Mapping[str, str],
                   feed_id: str = PLACEHOLDER_FEED_ID) -> Report:
    """The page and the Atom feed of what `read_log` read; `headlines`: link -> title."""
    day, zone, result = window.day, window.zone, window.result
    history = status_history(result)
    titles = _titles(deals, result)
    since = _changes_since(day, zone)
    shown = window.late + [r for r in window.recent if r.occurred_at >= since]
    changes = _changes(store, shown, history, titles, day=day, zone=zone, headlines=headlines)
    cards = _cards(result, history, titles, changed={c.deal_id for c in changes}, zone=zone)
    page = _page(result, changes, cards, feeds, zone=zone)
    feed = build_feed(history, window.recent, titles, day=day, feed_id=feed_id, zone=zone,
                      since=_atom_since(day, zone), headlines=headlines)
    return Report(page, feed)


def _changes_since(day: date, zone: ZoneInfo) -> str:
    """Where "What changed" begins: the start of the day before the report day."""
    return format_occurred(start_of_day(day - timedelta(days=1), zone))


def _atom_since(day: date, zone: ZoneInfo) -> str:
    """Where the Atom feed (and the events read for it) begins."""
    oldest = min(day - timedelta(days=ATOM_DAYS - 1), day - timedelta(days=1))
    return format_occurred(start_of_day(oldest, zone))


def _titles(deals: Sequence[DealRef], result: ReplayResult) -> dict[str, str]:
    """Configured deals in config order, then deals found only in the log, by id."""
    titles = {deal.id: one_line(deal.title) or deal.id for deal in deals}
    for deal_id in sorted(set(result.deals) - set(titles)):
        titles[deal_id] = one_line(deal_id)
    return titles


def _changes(store: EventStore, rows: Sequence[StoredEvent],
             history: dict[str, list[StatusStep]], titles: dict[str, str], *, day: date,
             zone: ZoneInfo, headlines: Mapping[str, str]) -> list[Change]:
    """The window's events as changes, newest first; a repeated stage is no change."""
    steps = {step.event_id: step for deal in history.values() for step in deal}
    changes = []
    for row in reversed(rows):
        if row.type == "negotiation" and row.event_id not in steps:
            continue
        event = row.event()
        target = store.get(event.retracted_id) if isinstance(event, EventRetracted) else None
        title = titles.get(row.deal_id, one_line(row.deal_id))
        changes.append(describe_change(row, title, steps.get(row.event_id), target,
                                       day=day, zone=zone, headlines=headlines))
    return changes


def _cards(result: ReplayResult, history: dict[str, list[StatusStep]], titles: dict[str, str],
           *, changed: set[str], zone: ZoneInfo) -> list[DealCard]:
    cards = []
    for deal_id, title in titles.items():
        state = result.deals.get(deal_id) or DealState(deal_id)
        card = build_card(state, title, history.get(deal_id, []), day=result.as_of, zone=zone,
                          changed=deal_id in changed)
        cards.append((card, state.last_event_at or ""))
    return by_urgency(cards)


def _page(result: ReplayResult, changes: list[Change], cards: list[DealCard],
          feeds: Sequence[FeedStatus], *, zone: ZoneInfo) -> ReportPage:
    day = result.as_of
    health = tuple(_health(feed, zone) for feed in feeds)
    upcoming = _upcoming(cards)
    return ReportPage(
        day=day, day_label=long_day_label(day),
        subject=subject_line(day, len(changes), cards),
        zone=zone.key, changes_since=day_label(day - timedelta(days=1)),
        changes=tuple(changes[:MAX_CHANGES]), changes_omitted=max(0, len(changes) - MAX_CHANGES),
        upcoming=upcoming, upcoming_days=UPCOMING_DAYS, deals=tuple(cards),
        feeds=health, failing_feeds=tuple(h for h in health if h.failing),
        last_refreshed=_last_refreshed(feeds, zone), known_at=result.known_at,
        last_seq=result.last_seq, events_applied=result.events_applied,
        stages=tuple(StageKey(stage, label, *STAGE_COLORS[stage])
                     for stage, label in STAGE_LABELS.items() if stage != "unknown"),
        day_file=f"{day.isoformat()}.html", atom_file="feed.atom",
    )


def _upcoming(cards: Sequence[DealCard]) -> tuple[UpcomingDeadline, ...]:
    """Deadlines due from the report day to `UPCOMING_DAYS` after it, soonest first."""
    found = [
        UpcomingDeadline(card.id, card.title, deadline)
        for card in cards
        for deadline in (card.next_deadline, *card.other_deadlines)
        if deadline is not None and 0 <= deadline.days <= UPCOMING_DAYS
    ]
    return tuple(sorted(found, key=lambda u: (u.deadline.due, u.deal_title)))


def _health(feed: FeedStatus, zone: ZoneInfo) -> FeedHealth:
    failing = feed.error_count > 0 or feed.disabled_reason is not None
    problem = feed.disabled_reason or (feed.last_error if feed.error_count else None)
    last = moment_label(feed.last_success_at, zone) if feed.last_success_at else None
    return FeedHealth(one_line(feed.name), last, failing, one_line(problem) or None)


def _last_refreshed(feeds: Sequence[FeedStatus], zone: ZoneInfo) -> str | None:
    times = [feed.last_success_at for feed in feeds if feed.last_success_at]
    return moment_label(max(times), zone) if times else None


def subject_line(day: date, changes: int, cards: Sequence[DealCard]) -> str:
    """ "Deals 2020-08-03: 2 changes, next deadline in 12 days"."""
    dues = [card.next_deadline for card in cards
            if card.next_deadline is not None and card.next_deadline.days >= 0]
    nearest = min(dues, key=lambda deadline: deadline.days, default=None)
    tail = f"next deadline {nearest.countdown}" if nearest else "no deadline ahead"
    return f"Deals {day.isoformat()}: {plural(changes, 'change')}, {tail}"
