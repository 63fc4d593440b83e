"""The geometry of a deal's timeline picture (drawn as inline SVG by `report.html`).

Computed here, not in the template, so that the template only prints numbers and the
layout can be tested. Horizontal positions are per cent of the picture's width, which
is the card's: a view box scaled to a phone's width would shrink every label with it
(to about 6 px), while text in a percent-placed picture keeps its size in pixels.
Whether a label fits its band is decided for a phone and for a wide screen; the page
hides on a phone the labels that only fit a wide one.
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

HEIGHT = 52  # pixels
LEFT, RIGHT = 1.0, 1.0  # per cent
MAX_BEFORE, MAX_AFTER = timedelta(days=180), timedelta(days=180)
MIN_BEFORE, MIN_AFTER = timedelta(days=14), timedelta(days=14)
#: The picture's width in pixels on a 390 px phone and on a wide screen (the page's
#: 46rem column), less the body's and the card's padding; measured in Chromium.
PHONE_PX, WIDE_PX = 318.0, 668.0
#: About one character of the labels (11 px, semibold), with a little to spare.
CHAR_PX = 7.0


def _span(starts: Sequence[date], dues: Sequence[date], day: date) -> tuple[date, date]:
    """From the first status or deadline to the last deadline, within limits around `day`."""
    first = min([*starts, *dues, day - MIN_BEFORE])
    last = max([*dues, day + MIN_AFTER])
    return max(first, day - MAX_BEFORE), min(last + timedelta(days=1), day + MAX_AFTER)


class _Axis:
    """Days from `start` to `end` mapped onto the width of the picture."""

    def __init__(self, start: date, end: date) -> None:
        self.start, self.end = start, end
        self.scale = (100.0 - LEFT - RIGHT) / max((end - start).days, 1)

    def x(self, when: date, fraction: float = 0.0) -> float:
        """The position of `when` (plus a fraction of a day), in per cent."""
        return round(LEFT + ((when - self.start).days + fraction) * self.scale, 2)


def fits(text: str, percent: float, width_px: float) -> bool:
    """Whether `text` (and a character of margin) fits in `percent` of `width_px`."""
    return percent * width_px / 100 >= (len(text) + 1) * CHAR_PX


def build_timeline(steps: Sequence[StatusStep], deadlines: Sequence[DeadlineView], *,
                   day: date, zone: ZoneInfo) -> Timeline:
    """Status periods as bands up to the report day, deadlines as markers, month ticks."""
    steps = _in_view(steps, day)
    starts = [local_day(step.occurred_at, zone) for step in steps]
    axis = _Axis(*_span(starts, [d.due for d in deadlines], day))
    today_x = axis.x(day, 0.5)
    markers = tuple(Marker(axis.x(d.due, 0.5), d.state, _marker_title(d))
                    for d in deadlines if axis.start <= d.due < axis.end)
    return Timeline(HEIGHT, _bands(steps, starts, axis, today_x), markers,
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
        label, width = stage_label(step.stage), round(right - left, 2)
        bands.append(Band(left, width, step.stage, label, color, text_color,
                          f"{label} from {day_label(starts[n])}", fits(label, width, WIDE_PX),
                          fits(label, width, PHONE_PX)))
    return tuple(bands)


def _ticks(axis: _Axis) -> tuple[Tick, ...]:
    """Month boundaries; a label with no room before the picture's right edge is left out,
    and on a phone so is one too close to the last one printed."""
    ticks: list[Tick] = []
    shown: Tick | None = None  # the last tick labelled on a phone
    month = date(axis.start.year, axis.start.month, 1)
    while month < axis.end:
        if month >= axis.start:
            label = month_label(month)
            if month.month == 1 or not ticks:
                label += f" {month.year}"
            x = axis.x(month)
            room = 100.0 - x  # to the right edge, where the picture clips
            if not fits(label, room, WIDE_PX):
                label = ""
            phone = bool(label) and fits(label, room, PHONE_PX) and (
                shown is None or fits(shown.label, x - shown.x, PHONE_PX))
            tick = Tick(x, label, phone)
            shown = tick if phone else shown
            ticks.append(tick)
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
