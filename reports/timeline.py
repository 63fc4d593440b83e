"""The geometry of a deal's timeline picture (drawn as inline SVG by `report.html`).

Computed here, not in the template, so that the template only prints numbers and the
layout can be tested. Units are SVG user units in a `WIDTH` x `HEIGHT` view box that
the page scales to its width; one unit per day would be too wide, so days map linearly.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from events.replay import StatusStep
from reports.context import Band, DeadlineView, Marker, Tick, Timeline
from reports.formatting import (
    STAGE_COLORS,
    UNKNOWN,
    day_label,
    local_day,
    month_label,
    stage_label,
)

WIDTH, HEIGHT = 480, 52
LEFT, RIGHT = 4.0, 4.0
MAX_BEFORE, MAX_AFTER = timedelta(days=180), timedelta(days=180)
MIN_BEFORE, MIN_AFTER = timedelta(days=14), timedelta(days=14)
LABEL_UNITS_PER_CHAR = 6.0  # about one character at the labels' font size (11)


def _span(starts: Sequence[date], dues: Sequence[date], day: date) -> tuple[date, date]:
    """From the first status or deadline to the last deadline, within limits around `day`."""
    first = min([*starts, *dues, day - MIN_BEFORE])
    last = max([*dues, day + MIN_AFTER])
    return max(first, day - MAX_BEFORE), min(last + timedelta(days=1), day + MAX_AFTER)


class _Axis:
    """Days from `start` to `end` mapped onto the width of the picture."""

    def __init__(self, start: date, end: date) -> None:
        self.start, self.end = start, end
        self.scale = (WIDTH - LEFT - RIGHT) / max((end - start).days, 1)

    def x(self, when: date, fraction: float = 0.0) -> float:
        """The position of `when` (plus a fraction of a day)."""
        return round(LEFT + ((when - self.start).days + fraction) * self.scale, 1)


def build_timeline(steps: Sequence[StatusStep], deadlines: Sequence[DeadlineView], *,
                   day: date, zone: ZoneInfo) -> Timeline:
    """Status periods as bands up to the report day, deadlines as markers, month ticks."""
    steps = _in_view(steps, day)
    starts = [local_day(step.occurred_at, zone) for step in steps]
    axis = _Axis(*_span(starts, [d.due for d in deadlines], day))
    today_x = axis.x(day, 0.5)
    markers = tuple(Marker(axis.x(d.due, 0.5), d.state, _marker_title(d))
                    for d in deadlines if axis.start <= d.due < axis.end)
    return Timeline(WIDTH, HEIGHT, _bands(steps, starts, axis, today_x), markers,
                    _ticks(axis), today_x, _describe(steps, starts, deadlines, day))


def _in_view(steps: Sequence[StatusStep], day: date) -> Sequence[StatusStep]:
    """The steps the picture can show: from the last one before its earliest start on."""
    # a day of margin: the cut-off compares UTC text, the picture is in local days
    cutoff = (day - MAX_BEFORE - timedelta(days=1)).isoformat()
    first_inside = bisect.bisect_left(steps, cutoff, key=lambda step: step.occurred_at)
    return steps[max(0, first_inside - 1):]


def _bands(steps: Sequence[StatusStep], starts: Sequence[date], axis: _Axis,
           today_x: float) -> tuple[Band, ...]:
    bands: list[Band] = []
    for n, step in enumerate(steps):
        left = axis.x(max(starts[n], axis.start))
        right = axis.x(starts[n + 1]) if n + 1 < len(steps) else today_x
        right = min(right, today_x)
        if right <= left:
            continue  # a period shorter than a day, or before the picture starts
        color, text_color = STAGE_COLORS.get(step.stage, STAGE_COLORS[UNKNOWN])
        label = stage_label(step.stage)
        bands.append(Band(left, round(right - left, 1), step.stage, label, color, text_color,
                          f"{label} from {day_label(starts[n])}",
                          right - left >= (len(label) + 1) * LABEL_UNITS_PER_CHAR))
    return tuple(bands)


def _ticks(axis: _Axis) -> tuple[Tick, ...]:
    ticks: list[Tick] = []
    month = date(axis.start.year, axis.start.month, 1)
    while month < axis.end:
        if month >= axis.start:
            label = month_label(month)
            if month.month == 1 or not ticks:
                label += f" {month.year}"
            ticks.append(Tick(axis.x(month), label))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return tuple(ticks)


def _marker_title(deadline: DeadlineView) -> str:
    what = f": {deadline.label}" if deadline.label else ""
    return f"{deadline.due_label}{what} ({deadline.countdown})"


def _describe(steps: Sequence[StatusStep], starts: Sequence[date],
              deadlines: Sequence[DeadlineView], day: date) -> str:
    periods = "; ".join(f"{stage_label(s.stage)} from {day_label(d)}"
                        for s, d in zip(steps, starts, strict=True)) or "no status reported"
    dues = ", ".join(d.due_label for d in deadlines) or "none"
    return f"Timeline to {day_label(day)}: {periods}. Deadlines: {dues}."
