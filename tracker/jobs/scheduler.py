"""`tracker run`: the poll and the daily report as jobs of an APScheduler 3 scheduler.

The jobs call the same functions as `tracker poll` and `tracker report`
(`poll_feeds`, `run_daily_report`), each job on its own connection to the database.
One worker thread runs them, so a poll never overlaps another poll or a report. The
report is due at the latest `report_at` (in the configured zone, once a day whatever
DST does: `tracker.jobs.daily`) whose day has no report yet: the report job
produces it on time, and every poll checks again, so a report missed while
the machine slept or the job was stopped is produced once, after the first poll back.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from events.clock import utc_now
from events.errors import EventsError
from tracker.archive import Archive
from tracker.config import Config
from tracker.errors import TrackerError
from tracker.jobs.daily import DailyTrigger
from tracker.jobs.poll import poll_feeds
from tracker.jobs.runs import PollSummary

if TYPE_CHECKING:
    from events.store import EventStore

log = logging.getLogger(__name__)

# Up to this share of poll_every (at most POLL_JITTER_MAX seconds) is added to each
# interval, so installations started together drift apart instead of hitting a
# publisher at the same second.
POLL_JITTER_SHARE = 0.1
POLL_JITTER_MAX = 30.0
# Problems a job reports in one line and survives; anything else is a bug: traceback.
EXPECTED_ERRORS = (TrackerError, EventsError, OSError)

Clock = Callable[[], datetime]
OpenArchive = Callable[[], Archive]


def report_trigger(config: Config) -> DailyTrigger:
    """Every day at `[schedule].report_at`, local time in `[tracker].timezone`."""
    hour, minute = config.schedule.report_at
    return DailyTrigger(hour, minute, config.zone)


def last_report_time(trigger: DailyTrigger, now: datetime) -> datetime | None:
    """The latest fire time of `trigger` at or before `now`."""
    return trigger.latest(now)


def due_report_day(trigger: DailyTrigger, now: datetime, reported: Collection[date]) -> date | None:
    """The day whose report is due at `now`: that of the latest report time, if not done."""
    latest = last_report_time(trigger, now)
    if latest is None:
        return None
    day = latest.astimezone(trigger.timezone).date()
    return None if day in reported else day


def poll_jitter(poll_every: int) -> float:
    """The most seconds added at random to each poll interval."""
    return min(poll_every * POLL_JITTER_SHARE, POLL_JITTER_MAX)


class Jobs:
    """The jobs of `tracker run`; time comes from `clock`, so tests can set it."""

    def __init__(self, config: Config, *, open_archive: OpenArchive, clock: Clock = utc_now,
                 report: Callable[..., Any] | None = None,
                 reported_days: Callable[..., set[date]] | None = None) -> None:
        self.config = config
        self.open_archive = open_archive
        self.clock = clock
        self.trigger = report_trigger(config)
        self._report = report
        self._reported_days = reported_days
        # set by `serve` on SIGTERM/SIGINT: a poll stops between feeds and between
        # batches of articles, each batch committed whole
        self.stopping = threading.Event()

    @contextmanager
    def _opened(self) -> Iterator[tuple[EventStore, Archive]]:
        archive = self.open_archive()
        try:
            yield archive.store, archive
        finally:
            archive.close()

    def poll(self) -> PollSummary | None:
        """Poll the due feeds once and log one line, then produce the report if due."""
        summary = None
        try:
            with self._opened() as (_, archive):
                summary = poll_feeds(self.config, archive, now=self.clock(),
                                     should_stop=self.stopping.is_set)
            _log_poll(summary)
        except EXPECTED_ERRORS as error:
            log.error("poll failed: %s; trying again at the next tick", error)
        except Exception:
            # a job must outlive any bug in one poll: log it whole, keep the schedule
            log.exception("poll failed; trying again at the next tick")
        if self.stopping.is_set():
            # a poll cut short is no ground for the day's official report: it waits
            log.info("stopping: the report waits for a complete poll")
            return summary
        self.report_if_due()
        return summary

    def report_if_due(self) -> date | None:
        """Produce the due report (see `due_report_day`), if any; return its day."""
        day = None
        try:
            report, reported_days = self._report_functions()
            # pollers sharing a database: one produces the report, the others skip it
            with self._opened() as (store, archive), archive.exclusively("daily report") as mine:
                if not mine:
                    return None
                # with [email], a day counts as done once e-mailed: a report whose
                # sending failed is sent again after each poll, until the next day's
                done = reported_days(archive, delivered=self.config.email is not None)
                day = due_report_day(self.trigger, self.clock(), done)
                if day is None:
                    return None
                outcome = report(self.config, store, archive, day=day,
                                 email=self.config.email is not None)
            _log_report(day, outcome, self.config)
            return day
        except EXPECTED_ERRORS as error:
            log.error("report for %s failed: %s; %s", day or "the due day", error,
                      self._next_try(day))
        except Exception:
            log.exception("report for %s failed; %s", day or "the due day", self._next_try(day))
        return None

    def _next_try(self, day: date | None) -> str:
        try:
            with self._opened() as (_, archive):
                if day is not None and day in self._report_functions()[1](archive):
                    return "it was written; sending is tried again after the next poll"
        except EXPECTED_ERRORS:
            pass
        return "trying again after the next poll"

    def _report_functions(self) -> tuple[Callable[..., Any], Callable[..., set[date]]]:
        if self._report is None or self._reported_days is None:
            from tracker.jobs.report import reported_days, run_daily_report

            self._report = self._report or run_daily_report
            self._reported_days = self._reported_days or reported_days
        return self._report, self._reported_days


def _log_poll(summary: PollSummary) -> None:
    # the poll itself logs none of these: each is told here, once
    for warning in summary.warnings:
        log.warning("poll: %s", warning)
    for error in summary.errors:
        log.warning("poll: %s", error)
    if summary.due and summary.failed == summary.due:
        log.error("poll run %d: %s Every feed failed; trying again at the next tick.",
                  summary.run_id, summary.line())
    else:
        log.info("poll run %d: %s", summary.run_id, summary.line())


def _log_report(day: date, outcome: Any, config: Config) -> None:
    if outcome.sent:
        sent = "sent to " + ", ".join(config.email.to if config.email else ())
    else:
        sent = "not sent (no [email] in the config)" if config.email is None else "not sent"
    log.info("report for %s: %s, %s", day.isoformat(), outcome.html_path, sent)


def build_scheduler(jobs: Jobs, *, start: datetime) -> BackgroundScheduler:
    """A scheduler polling from `start`, then every poll_every, and reporting at report_at."""
    # One worker: jobs run one after the other, never two on the database at once.
    # No misfire grace limit and coalescing: after a sleep, a late job runs once.
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=jobs.config.zone,
    )
    every = jobs.config.schedule.poll_every
    interval = IntervalTrigger(seconds=every, jitter=poll_jitter(every), timezone=UTC)
    scheduler.add_job(jobs.poll, interval, id="poll", name="poll", next_run_time=start)
    scheduler.add_job(jobs.report_if_due, jobs.trigger, id="report", name="daily report")
    return scheduler


def serve(jobs: Jobs, *, stop: threading.Event) -> None:
    """Run the jobs until `stop` is set, then let the job in progress finish."""
    jobs.stopping = stop
    scheduler = build_scheduler(jobs, start=datetime.now(UTC))
    scheduler.start()
    log.info("tracker run: %s", _describe(jobs, scheduler))
    try:
        while not stop.wait(timeout=1.0):
            pass
    finally:
        log.info("stopping: waiting for the job in progress to finish")
        scheduler.shutdown(wait=True)
    log.info("stopped")


def _describe(jobs: Jobs, scheduler: BackgroundScheduler) -> str:
    config = jobs.config
    report_job = scheduler.get_job("report")
    next_report = report_job.next_run_time.isoformat() if report_job else "never"
    hour, minute = config.schedule.report_at
    mail = f"e-mailed to {', '.join(config.email.to)}" if config.email else "not e-mailed"
    return (f"{config.database_label}, {len(config.feeds)} feed(s) every"
            f" {config.schedule.poll_every}s"
            f" (+ up to {poll_jitter(config.schedule.poll_every):g}s), report at"
            f" {hour:02d}:{minute:02d} {config.timezone} (next {next_report}), {mail}")


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop`; a second one ends the process at once."""

    def handle(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            # SQLite rolls back the transaction in flight: nothing is half-written
            log.warning("second %s: stopping now, without waiting for the job", name)
            os._exit(1)
        log.info("%s received: stopping after the job in progress", name)
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve_until_signalled(jobs: Jobs) -> None:
    """Run the jobs in the foreground until SIGTERM or SIGINT (call from the main thread)."""
    stop = threading.Event()
    with stop_on_signals(stop):
        serve(jobs, stop=stop)
