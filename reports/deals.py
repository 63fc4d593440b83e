"""One card per deal, from its replayed state and its status history; urgency order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from events.replay import Deadline, DealState, Statement, StatusStep
from reports.context import DeadlineView, DealCard, StatementView
from reports.formatting import (
    CLOSED_STAGES,
    countdown,
    day_label,
    local_day,
    moment_label,
    one_line,
    safe_url,
    stage_label,
)
from reports.timeline import build_timeline

STATEMENTS_SHOWN = 3
PAST_DEADLINES_SHOWN = 3
#: An open deal with no news for this many days says so on its card.
QUIET_DAYS = 60


def deadline_view(deadline: Deadline, day: date, *, closed: bool) -> DeadlineView:
    """A live deadline, counted from `day`."""
    due = date.fromisoformat(deadline.due)
    words, state = countdown(due, day, closed=closed)
    moved = day_label(date.fromisoformat(deadline.replaces)) if deadline.replaces else None
    return DeadlineView(due, day_label(due), one_line(deadline.label), words, (due - day).days,
                        state, moved, safe_url(deadline.source_url))


def statement_view(statement: Statement, zone: ZoneInfo) -> StatementView:
    """A statement as a card shows it."""
    return StatementView(
        one_line(statement.speaker), one_line(statement.organization) or None,
        one_line(statement.quote), statement.language if statement.language == "fr" else "en",
        day_label(local_day(statement.said_at, zone)), safe_url(statement.source_url),
    )


def _shown(deadlines: Sequence[Deadline], day: date) -> Sequence[Deadline]:
    """All deadlines to come and the few latest past ones (the others are never shown)."""
    today = day.isoformat()
    past = sum(1 for deadline in deadlines if deadline.due < today)
    return deadlines[max(0, past - PAST_DEADLINES_SHOWN):]


def pick_deadlines(views: Sequence[DeadlineView], *, closed: bool
                   ) -> tuple[DeadlineView | None, tuple[DeadlineView, ...]]:
    """The headline deadline (next due, else the latest overdue) and the others shown."""
    ahead = [v for v in views if v.days >= 0]
    past = [v for v in views if v.days < 0][-PAST_DEADLINES_SHOWN:]
    if ahead:
        return ahead[0], (*past, *ahead[1:])
    if past and not closed:
        return past[-1], tuple(past[:-1])
    return None, tuple(past)


def build_card(state: DealState, title: str, steps: Sequence[StatusStep], *, day: date,
               zone: ZoneInfo, changed: bool) -> DealCard:
    """Where one deal stands on `day`, with its timeline.

    A closed deal (completed, abandoned) has no deadline left to meet: its card shows
    none, and so no countdown.
    """
    closed = state.status in CLOSED_STAGES
    views = [] if closed else [deadline_view(d, day, closed=False)
                               for d in _shown(state.live_deadlines(), day)]
    headline, others = pick_deadlines(views, closed=closed)
    return DealCard(
        id=state.deal_id, title=title, status=state.status,
        status_label=stage_label(state.status),
        status_since=day_label(local_day(state.status_since, zone)) if state.status_since else None,
        next_deadline=headline, other_deadlines=others,
        statements=tuple(statement_view(s, zone)
                         for s in state.latest_statements()[:STATEMENTS_SHOWN]),
        timeline=build_timeline(steps, [d for d in (headline, *others) if d], day=day, zone=zone),
        event_count=state.event_count,
        last_change=moment_label(state.last_event_at, zone) if state.last_event_at else None,
        has_news=state.event_count > 0, changed=changed, closed=closed,
        quiet_since=None if closed else _quiet_since(state.last_event_at, day, zone),
    )


def _quiet_since(last_event_at: str | None, day: date, zone: ZoneInfo) -> str | None:
    """The day of the latest news when it is QUIET_DAYS or more before `day`."""
    if last_event_at is None:
        return None
    latest = local_day(last_event_at, zone)
    return day_label(latest) if (day - latest).days >= QUIET_DAYS else None


def latest_first(cards: Sequence[tuple[DealCard, str]]) -> list[DealCard]:
    """The latest change first; `cards` pairs each card with its latest event time."""
    return [card for card, _ in sorted(cards, key=lambda pair: pair[1], reverse=True)]


def by_urgency(cards: Sequence[tuple[DealCard, str]]) -> list[DealCard]:
    """Nearest deadline first (an overdue one is nearest), then the latest change first.

    `cards` pairs each card with its latest event time (ISO-8601 UTC, "" when none);
    deals with no news come last.
    """
    latest_first = sorted(cards, key=lambda pair: pair[1], reverse=True)
    ordered = sorted(latest_first, key=lambda pair: _deadline_rank(pair[0]))
    return [card for card, _ in ordered]


def _deadline_rank(card: DealCard) -> tuple[int, date]:
    if card.next_deadline is not None:
        return 0, card.next_deadline.due
    return (1 if card.has_news else 2), date.min
