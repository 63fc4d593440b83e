"""The daily report time as an APScheduler trigger: once a day, whatever DST does.

APScheduler's cron trigger skips a day whose report time does not exist (a clock moved
from 00:00 to 01:00 at midnight, as in Santiago or Beirut) and fires twice in an hour
that happens twice. Here each local day has exactly one report instant: the local time
read with the offset in force just before it, so a time in a skipped hour comes an
hour later, and a time that happens twice comes the first time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger


class DailyTrigger(BaseTrigger):  # type: ignore[misc]
    """Fires once each day at `hour:minute` local time in `timezone`."""

    def __init__(self, hour: int, minute: int, timezone: ZoneInfo) -> None:
        self.hour, self.minute, self.timezone = hour, minute, timezone

    def instant(self, day: date) -> datetime:
        """When the report of `day` is due (aware, in the trigger's zone)."""
        local = datetime.combine(day, time(self.hour, self.minute), tzinfo=self.timezone)
        # through UTC: a time in a gap keeps the offset before it, landing after the gap
        return local.astimezone(UTC).astimezone(self.timezone)

    def get_next_fire_time(self, previous_fire_time: datetime | None,
                           now: datetime) -> datetime:
        """The first report instant after `previous_fire_time` and at or after `now`."""
        day = now.astimezone(self.timezone).date() - timedelta(days=1)
        while True:
            fire = self.instant(day)
            if fire >= now and (previous_fire_time is None or fire > previous_fire_time):
                return fire
            day += timedelta(days=1)

    def latest(self, now: datetime) -> datetime:
        """The latest report instant at or before `now`."""
        day = now.astimezone(self.timezone).date() + timedelta(days=1)
        while self.instant(day) > now:
            day -= timedelta(days=1)
        return self.instant(day)

    def __repr__(self) -> str:
        return f"DailyTrigger({self.hour:02d}:{self.minute:02d}, {self.timezone.key})"
