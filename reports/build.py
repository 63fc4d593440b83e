"""Build the report's contexts from the log: replay as of the day, plus history and changes.

"What changed" covers the events that occurred on the day before the report day and on
the report day itself (up to the moment the log was read): a fixed window, so that the
same `day` and `known_at` always give the same report, whichever reports ran before.
The Atom feed lists the same changes over a longer window (what occurred, or what the log
learnt, in the last `ATOM_DAYS` days), described by the same code, so that a subscriber
reads what the e-mail says, late news and corrections included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from events.clock import (
    end_of_day,
    format_occurred,
    format_recorded,
    parse_instant,
    start_of_day,
)
from events.model import STAGE_RANK, EventRetracted
from events.replay import DealState, ReplayResult, StatusStep, replay
from events.store import EventStore, StoredEvent
from reports.atom import ATOM_FILE, MAX_ENTRIES, build_feed
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
from reports.deals import QUIET_DAYS, build_card, by_urgency, latest_first
from reports.formatting import (
    STAGE_COLORS,
    STAGE_LABELS,
    day_label,
    long_day_label,
    moment_label,
    one_line,
    plural,
    short_day_label,
    shorten,
    stage_label,
)
from reports.history import Bounds, late_events, recent_events, status_history
from reports.wording import describe_change

UPCOMING_DAYS = 30
ATOM_DAYS = 30
MAX_CHANGES = 100
SUBJECT_CHARS = 120
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
    late: list[StoredEvent]  # learnt in the Atom window about earlier days, in that order

    def shown(self) -> list[StoredEvent]:
        """Every event the report may show (to look their headlines up)."""
        return [*self.late, *self.recent]

    def changed_rows(self) -> list[StoredEvent]:
        """The events of "What changed", oldest first: the news learnt in the window about
        earlier days, then what occurred on the day before the report day and on it (so
        that, newest first, late news comes last)."""
        since = _changes_since(self.day, self.zone)
        learnt_from = format_recorded(start_of_day(self.day - timedelta(days=1), self.zone))
        learnt_to = _learnt_to(self.day, self.zone)
        earlier = [row for row in (*self.late, *self.recent)
                   if row.occurred_at < since and learnt_from <= row.recorded_at <= learnt_to]
        return earlier + [row for row in self.recent if row.occurred_at >= since]

    def atom_rows(self) -> list[StoredEvent]:
        """The events of the Atom feed, in the order the log learnt them."""
        return sorted((*self.late, *self.recent), key=_LEARNT_ORDER)


_LEARNT_ORDER = attrgetter("recorded_at", "seq")


def build_report(store: EventStore, *, day: date, zone: ZoneInfo, deals: Sequence[DealRef],
                 feeds: Sequence[FeedStatus] = (), known_at: datetime | None = None,
                 feed_id: str = PLACEHOLDER_FEED_ID,
                 headlines: Mapping[str, str] | None = None,
                 base_url: str | None = None) -> Report:
    """Replay the log as of the end of `day` as known at `known_at` (default: now).

    `headlines` maps article links to their titles, shown with the changes read there.
    A caller that must look them up first calls `read_log`, asks for the headlines of
    `LogWindow.shown()`, then `compose_report`: the log is read once either way.
    """
    window = read_log(store, day=day, zone=zone, known_at=known_at)
    return compose_report(store, window, deals=deals, feeds=feeds, feed_id=feed_id,
                          headlines=headlines or {}, base_url=base_url)


def read_log(store: EventStore, *, day: date, zone: ZoneInfo,
             known_at: datetime | None = None) -> LogWindow:
    """Replay as of the end of `day` and read the events the report lists, in one snapshot."""
    with store.snapshot():  # the replay and the recent events read one state of the log
        result = replay(store, as_of=day, zone=zone, known_at=known_at,
                        status_changes_kept=STATUS_CHANGES_DRAWN)
        bounds = Bounds(format_occurred(end_of_day(day, zone)), result.known_at,
                        frozenset(store.retracted_ids(recorded_until=result.known_at)))
        since = _atom_since(day, zone)
        recent = recent_events(store, bounds, occurred_from=since)
        # what the log learnt in the window about earlier days is news too
        late = late_events(
            store, bounds, occurred_before=since,
            recorded_from=format_recorded(parse_instant(since)),
            recorded_to=_learnt_to(day, zone))
    return LogWindow(day, zone, result, recent, late)


def compose_report(store: EventStore, window: LogWindow, *, deals: Sequence[DealRef],
                   feeds: Sequence[FeedStatus] = (), headlines: Mapping[str, str],
                   feed_id: str = PLACEHOLDER_FEED_ID, base_url: str | None = None) -> Report:
    """The page and the Atom feed of what `read_log` read; `headlines`: link -> title.

    With `base_url` (where the reports folder is served), the e-mail and the Atom feed
    link to the pages with absolute URLs.
    """
    day, zone, result = window.day, window.zone, window.result
    history = status_history(result)
    titles = _titles(deals, result)
    steps = {step.event_id: step for deal in history.values() for step in deal}
    describe = _Describer(store, steps, titles, zone=zone, headlines=headlines)
    changed = describe.news(window.changed_rows())
    changes = describe.changes(changed[:MAX_CHANGES], day=day)
    cards = _cards(result, history, titles, changed={row.deal_id for row in changed}, zone=zone)
    links = _Links(base_url, day)
    page = _page(result, changes, len(changed), cards, feeds, zone=zone, links=links)
    atom = describe.changes(describe.news(window.atom_rows())[:MAX_ENTRIES], day=None)
    feed = build_feed(atom, day=day, feed_id=feed_id, zone=zone, self_link=links.feed,
                      page_link=links.index)
    return Report(page, feed)


class _Links:
    """Where the e-mail and the Atom feed point: absolute under a base URL, else relative."""

    def __init__(self, base_url: str | None, day: date) -> None:
        self.base_url = base_url
        self.day_file = f"{day.isoformat()}.html"
        self.feed = self.at(ATOM_FILE) or ATOM_FILE
        self.index = self.at("index.html") or "index.html"

    def at(self, name: str) -> str | None:
        """`name` under the base URL; None without one."""
        return urljoin(self.base_url, name) if self.base_url else None


class _Describer:
    """Rows of the log as lines of "What changed" (and entries of the Atom feed)."""

    def __init__(self, store: EventStore, steps: Mapping[str, StatusStep],
                 titles: Mapping[str, str], *, zone: ZoneInfo,
                 headlines: Mapping[str, str]) -> None:
        self.store, self.steps, self.titles = store, steps, titles
        self.zone, self.headlines = zone, headlines

    def news(self, rows: Sequence[StoredEvent]) -> list[StoredEvent]:
        """The rows that are news, newest first: a stage reported again is no change."""
        return [row for row in reversed(rows)
                if row.type != "negotiation" or row.event_id in self.steps]

    def changes(self, rows: Sequence[StoredEvent], *, day: date | None) -> list[Change]:
        """Each row as a change, counted from `day` (None: nothing counted, for Atom)."""
        changes = []
        for row in rows:
            event = row.event()
            target = (self.store.get(event.retracted_id)
                      if isinstance(event, EventRetracted) else None)
            title = self.titles.get(row.deal_id, one_line(row.deal_id))
            changes.append(describe_change(row, title, self.steps.get(row.event_id), target,
                                           day=day, zone=self.zone, headlines=self.headlines))
        return changes


def _changes_since(day: date, zone: ZoneInfo) -> str:
    """Where "What changed" begins: the start of the day before the report day."""
    return format_occurred(start_of_day(day - timedelta(days=1), zone))


def _learnt_to(day: date, zone: ZoneInfo) -> str:
    """The last recorded_at of the report day: what the log learnt later is another
    day's news (a rebuild of an old day does not count it as learnt then)."""
    return format_recorded(end_of_day(day, zone) + timedelta(seconds=1))


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


def _cards(result: ReplayResult, history: dict[str, list[StatusStep]], titles: dict[str, str],
           *, changed: set[str], zone: ZoneInfo) -> list[DealCard]:
    cards = []
    for deal_id, title in titles.items():
        state = result.deals.get(deal_id) or DealState(deal_id)
        card = build_card(state, title, history.get(deal_id, []), day=result.as_of, zone=zone,
                          changed=deal_id in changed)
        cards.append((card, state.last_event_at or ""))
    return [*by_urgency([pair for pair in cards if not pair[0].closed]),
            *latest_first([pair for pair in cards if pair[0].closed])]


def _page(result: ReplayResult, changes: list[Change], total: int, cards: list[DealCard],
          feeds: Sequence[FeedStatus], *, zone: ZoneInfo, links: _Links) -> ReportPage:
    day = result.as_of
    health = tuple(_health(feed, zone) for feed in feeds)
    open_cards = [card for card in cards if not card.closed]
    return ReportPage(
        day=day, day_label=long_day_label(day),
        subject=subject_line(day, changes, total, open_cards),
        zone=zone.key, changes_since=day_label(day - timedelta(days=1)),
        changes=tuple(changes), changes_omitted=max(0, total - len(changes)),
        upcoming=_upcoming(open_cards), upcoming_days=UPCOMING_DAYS, deals=tuple(open_cards),
        closed=tuple(card for card in cards if card.closed), quiet_days=QUIET_DAYS,
        feeds=health, failing_feeds=tuple(h for h in health if h.failing),
        last_refreshed=_last_refreshed(feeds, zone), known_at=result.known_at,
        last_seq=result.last_seq, events_applied=result.events_applied,
        stages=tuple(StageKey(stage, label, *STAGE_COLORS[stage])
                     for stage, label in STAGE_LABELS.items() if stage != "unknown"),
        day_file=links.day_file, atom_file=ATOM_FILE, page_url=links.at(links.day_file),
        feed_url=links.at(ATOM_FILE),
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


#: What leads the subject: a status change says most, a statement least.
_LEAD_ORDER = ("status", "deadline", "retraction", "statement")


def subject_line(day: date, changes: Sequence[Change], total: int,
                 cards: Sequence[DealCard]) -> str:
    """ "Deals 3 Aug 2020: Microsoft / TikTok US negotiating; 2 more changes".

    The change leading it is of the most telling kind (a status change to the stage
    furthest along, a deal closed before one rumoured; today's news before news learnt
    late), the newest of them; the subject is
    one line of at most SUBJECT_CHARS characters (what comes from feeds is cut to fit),
    and says the next deadline when nothing changed.
    """
    head = f"Deals {short_day_label(day)}: "
    if not changes:
        return f"{head}no changes, {_next_deadline(cards)}"
    # min keeps the first of equals: `changes` are newest first
    lead = min(changes, key=lambda change: (_LEAD_ORDER.index(change.kind), bool(change.late),
                                            -STAGE_RANK.get(change.stage or "", -1)))
    rest = f"; {plural(total - 1, 'more change')}" if total > 1 else ""
    return head + shorten(_gist(lead), SUBJECT_CHARS - len(head) - len(rest)) + rest


def _gist(change: Change) -> str:
    if change.kind == "status" and change.stage:
        return f"{change.deal_title} {stage_label(change.stage)}"
    if change.kind == "retraction":
        return f"{change.deal_title}: correction"
    return f"{change.deal_title}: {change.headline}"


def _next_deadline(cards: Sequence[DealCard]) -> str:
    dues = [card.next_deadline for card in cards
            if card.next_deadline is not None and card.next_deadline.days >= 0]
    nearest = min(dues, key=lambda deadline: deadline.days, default=None)
    return f"next deadline {nearest.countdown}" if nearest else "no deadline ahead"
