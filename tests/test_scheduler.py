"""The jobs of `tracker run` with the clock set by the test: due reports, DST, catch-up."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.feeds import NEWS, rss
from tracker.archive.sqlite_archive import SQLiteArchive as Archive
from tracker.cli.app import open_archive
from tracker.config import Config, load_config
from tracker.errors import AlreadyRunning
from tracker.jobs.runlock import RunLock, lock_path
from tracker.jobs.scheduler import (
    Jobs,
    build_scheduler,
    due_report_day,
    last_report_time,
    poll_jitter,
    report_trigger,
    serve,
    stop_on_signals,
)

PARIS = ZoneInfo("Europe/Paris")


def paris(text: str) -> datetime:
    """An aware datetime from 'YYYY-MM-DDTHH:MM', local time in Paris."""
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def make_config(tmp_path: Path, *, report_at: str = "07:00", feed: str | None = None,
                database: str = "tracker.db", email: bool = False, smtp_port: int = 25) -> Config:
    feeds = f'[[feeds]]\nname = "news"\nurl = "{feed}"\n' if feed else ""
    mail = ('[email]\nsmtp_host = "127.0.0.1"\n'
            f'smtp_port = {smtp_port}\nsender = "t@example.org"\nto = ["desk@example.org"]\n'
            if email else "")
    path = tmp_path / "tracker.toml"
    path.write_text(f'[tracker]\ntimezone = "Europe/Paris"\ndatabase = "{database}"\n\n'
                    f'[schedule]\npoll_every = "15m"\nreport_at = "{report_at}"\n\n'
                    f"{mail}{feeds}", encoding="utf-8")
    return load_config(path)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Reports:
    """Stands in for tracker.reporting: remembers each call and the days reported."""

    calls: list[tuple[date, bool]] = field(default_factory=list)

    def run(self, config: Config, store: Any, archive: Archive, *, day: date,
            email: bool) -> SimpleNamespace:
        self.calls.append((day, email))
        return SimpleNamespace(day=day, html_path=Path(f"{day}.html"), sent=email, subject="")

    def days(self, archive: Archive, *, delivered: bool = False) -> set[date]:
        return {day for day, _ in self.calls}


def make_jobs(config: Config, clock: Clock, reports: Reports) -> Jobs:
    return Jobs(config, open_archive=lambda: open_archive(config.database), clock=clock,
                report=reports.run, reported_days=reports.days)


def test_report_is_due_for_today_once_report_time_has_passed(tmp_path: Path) -> None:
    trigger = report_trigger(make_config(tmp_path))
    assert due_report_day(trigger, paris("2026-03-10T07:00"), set()) == date(2026, 3, 10)
    assert due_report_day(trigger, paris("2026-03-10T06:59"), set()) == date(2026, 3, 9)
    assert due_report_day(trigger, paris("2026-03-10T23:59"), set()) == date(2026, 3, 10)


def test_no_report_is_due_for_a_day_already_reported(tmp_path: Path) -> None:
    trigger = report_trigger(make_config(tmp_path))
    assert due_report_day(trigger, paris("2026-03-10T08:00"), {date(2026, 3, 10)}) is None


@pytest.mark.parametrize("start", ["2026-03-27T12:00", "2026-10-23T12:00"])
def test_daily_report_fires_once_a_day_at_local_time_across_dst(tmp_path: Path,
                                                                 start: str) -> None:
    trigger = report_trigger(make_config(tmp_path))
    fires, previous, now = [], None, paris(start)
    for _ in range(4):
        previous = now = trigger.get_next_fire_time(previous, now)
        fires.append(now.astimezone(PARIS))
    assert [f.strftime("%H:%M") for f in fires] == ["07:00"] * 4
    assert [f.date() for f in fires] == [fires[0].date() + timedelta(days=n) for n in range(4)]
    # the UTC hour moves with the offset: 06:00Z <-> 05:00Z
    assert len({f.astimezone(UTC).hour for f in fires}) == 2


def step_through(jobs: Jobs, clock: Clock, start: str, end: str) -> list[tuple[date, str]]:
    """Call report_if_due every 15 minutes from start to end; (day, local time) produced."""
    produced = []
    clock.now = paris(start).astimezone(UTC)
    while clock.now <= paris(end):
        day = jobs.report_if_due()
        if day is not None:
            produced.append((day, clock.now.astimezone(PARIS).strftime("%H:%M")))
        clock.now += timedelta(minutes=15)
    return produced


@pytest.mark.parametrize(("report_at", "days"), [
    ("07:00", [("2026-03-29", "07:00"), ("2026-03-30", "07:00")]),
    # 02:30 does not exist on 29 March: that day's report comes an hour later, once
    ("02:30", [("2026-03-29", "03:30"), ("2026-03-30", "02:30")]),
])
def test_spring_dst_day_neither_skips_nor_doubles_the_report(
        tmp_path: Path, report_at: str, days: list[tuple[str, str]]) -> None:
    reports = Reports(calls=[(date(2026, 3, 28), False)])
    jobs = make_jobs(make_config(tmp_path, report_at=report_at), Clock(datetime.now(UTC)),
                     reports)
    produced = step_through(jobs, jobs.clock, "2026-03-28T08:00", "2026-03-30T08:00")
    assert produced == [(date.fromisoformat(d), t) for d, t in days]


@pytest.mark.parametrize("report_at", ["07:00", "02:30"])
def test_autumn_dst_day_neither_skips_nor_doubles_the_report(tmp_path: Path,
                                                             report_at: str) -> None:
    reports = Reports(calls=[(date(2026, 10, 24), False)])
    jobs = make_jobs(make_config(tmp_path, report_at=report_at), Clock(datetime.now(UTC)),
                     reports)
    produced = step_through(jobs, jobs.clock, "2026-10-24T08:00", "2026-10-26T08:00")
    assert [day for day, _ in produced] == [date(2026, 10, 25), date(2026, 10, 26)]
    assert {time for _, time in produced} == {report_at}


def test_a_repeated_hour_fires_once_and_the_report_is_produced_once(tmp_path: Path) -> None:
    config = make_config(tmp_path, report_at="02:30")
    trigger = report_trigger(config)
    first = trigger.get_next_fire_time(None, paris("2026-10-25T00:00"))
    second = trigger.get_next_fire_time(first, first)
    # 02:30 CEST happens, 02:30 CET an hour later is the same local time: no second fire
    assert first.utcoffset() == timedelta(hours=2)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=25)
    reports = Reports()
    jobs = make_jobs(config, Clock(first), reports)
    assert jobs.report_if_due() == date(2026, 10, 25)
    jobs.clock.now = first + timedelta(hours=1)
    assert jobs.report_if_due() is None
    assert reports.calls == [(date(2026, 10, 25), False)]


def test_missed_reports_are_produced_once_on_return_not_once_per_day(tmp_path: Path) -> None:
    reports = Reports(calls=[(date(2026, 3, 1), False)])
    jobs = make_jobs(make_config(tmp_path), Clock(paris("2026-03-05T09:30")), reports)
    assert jobs.report_if_due() == date(2026, 3, 5)
    assert jobs.report_if_due() is None
    jobs.clock.now = paris("2026-03-05T18:00")
    assert jobs.report_if_due() is None
    assert [day for day, _ in reports.calls] == [date(2026, 3, 1), date(2026, 3, 5)]


def test_back_before_report_time_produces_yesterdays_missed_report(tmp_path: Path) -> None:
    reports = Reports(calls=[(date(2026, 3, 1), False)])
    jobs = make_jobs(make_config(tmp_path), Clock(paris("2026-03-05T06:00")), reports)
    assert jobs.report_if_due() == date(2026, 3, 4)
    jobs.clock.now = paris("2026-03-05T07:00")
    assert jobs.report_if_due() == date(2026, 3, 5)


def test_report_is_emailed_when_email_is_configured(tmp_path: Path) -> None:
    reports = Reports()
    jobs = make_jobs(make_config(tmp_path, email=True), Clock(paris("2026-03-05T07:00")),
                     reports)
    jobs.report_if_due()
    assert reports.calls == [(date(2026, 3, 5), True)]


def test_last_report_time_is_the_latest_fire_at_or_before_now(tmp_path: Path) -> None:
    trigger = report_trigger(make_config(tmp_path))
    assert last_report_time(trigger, paris("2026-03-29T07:00")) == paris("2026-03-29T07:00")
    assert last_report_time(trigger, paris("2026-03-29T06:59")) == paris("2026-03-28T07:00")


def test_poll_records_a_run_then_produces_the_due_report(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    feed = tmp_path / "news.xml"
    feed.write_bytes(rss(NEWS))
    reports = Reports()
    jobs = make_jobs(make_config(tmp_path, feed=str(feed)), Clock(paris("2026-03-05T08:00")),
                     reports)
    with caplog.at_level(logging.INFO, logger="tracker.jobs.scheduler"):
        summary = jobs.poll()
    assert summary is not None and summary.new_articles == 3
    assert reports.calls == [(date(2026, 3, 5), False)]
    lines = [r.getMessage() for r in caplog.records if r.name == "tracker.jobs.scheduler"]
    assert lines == ["poll run 1: " + summary.line(),
                     "report for 2026-03-05: 2026-03-05.html, not sent (no [email] in the config)"]


def test_a_failing_poll_is_logged_and_the_next_tick_polls_again(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    feed = tmp_path / "news.xml"
    feed.write_bytes(rss(NEWS))
    config = make_config(tmp_path, feed=str(feed), database="data/tracker.db")
    jobs = make_jobs(config, Clock(paris("2026-03-05T08:00")), Reports())
    assert jobs.poll() is None  # the database folder does not exist yet
    assert "poll failed: cannot create database" in caplog.text
    (tmp_path / "data").mkdir()
    summary = jobs.poll()
    assert summary is not None and summary.new_articles == 3


def test_a_bug_in_a_report_is_logged_and_does_not_stop_the_job(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise KeyError("oops")

    config = make_config(tmp_path)
    jobs = Jobs(config, open_archive=lambda: open_archive(config.database),
                clock=Clock(paris("2026-03-05T08:00")), report=broken,
                reported_days=lambda archive, **_: set())
    assert jobs.report_if_due() is None
    assert "report for 2026-03-05 failed; trying again after the next poll" in caplog.text
    assert "KeyError: 'oops'" in caplog.text


def test_scheduler_polls_at_once_one_at_a_time_and_reports_at_local_time(
        tmp_path: Path) -> None:
    config = make_config(tmp_path)
    start = datetime.now(UTC)
    scheduler = build_scheduler(make_jobs(config, Clock(start), Reports()), start=start)
    scheduler.start(paused=True)
    try:
        poll, report = scheduler.get_job("poll"), scheduler.get_job("report")
        assert poll.next_run_time == start
        assert poll.trigger.interval == timedelta(minutes=15) and poll.trigger.jitter == 30
        for job in (poll, report):
            assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, None)
        assert report.trigger.timezone == PARIS
        local = report.next_run_time.astimezone(PARIS)
        assert (local.hour, local.minute) == (7, 0)
        assert scheduler._executors["default"]._pool._max_workers == 1
    finally:
        scheduler.shutdown(wait=False)


def test_poll_jitter_is_a_tenth_of_the_interval_at_most_thirty_seconds() -> None:
    assert poll_jitter(1) == pytest.approx(0.1)
    assert poll_jitter(60) == pytest.approx(6.0)
    assert poll_jitter(900) == 30.0


def test_serve_returns_when_stopped_and_hands_the_stop_to_its_jobs(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    jobs = make_jobs(config, Clock(paris("2026-03-05T06:00")), Reports())
    stop = threading.Event()
    stop.set()
    finished = threading.Event()
    threading.Thread(target=lambda: (serve(jobs, stop=stop), finished.set()),
                     daemon=True).start()
    assert finished.wait(timeout=30), "serve did not return once stopped"
    assert jobs.stopping is stop, "a poll in progress would not see the stop"


def test_first_signal_sets_stop_and_handlers_are_restored() -> None:
    stop = threading.Event()
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals(stop):
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(timeout=5)
    assert signal.getsignal(signal.SIGTERM) is before


def test_second_run_lock_on_a_database_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    refused = pytest.raises(AlreadyRunning, match=rf"pid {os.getpid()}\) is already using")
    with RunLock(database), refused:
        RunLock(database).acquire()
    with RunLock(database):
        pass  # released on exit
    assert lock_path(database) == tmp_path / "tracker.db.lock"


def test_run_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    code = ("import sys, time; from pathlib import Path; from tracker.jobs.runlock import RunLock;"
            f"RunLock(Path({str(database)!r})).acquire(); print('locked', flush=True);"
            " time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(AlreadyRunning, match=f"pid {holder.pid}"):
            RunLock(database).acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        with RunLock(database):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)


@dataclass
class Inbox:
    """An aiosmtpd handler keeping every envelope."""

    envelopes: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_real_report_is_written_and_emailed_once_per_day(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = make_config(tmp_path, email=True, smtp_port=port)
        jobs = Jobs(config, open_archive=lambda: open_archive(config.database),
                    clock=Clock(paris("2026-03-29T07:00")))
        with caplog.at_level(logging.INFO, logger="tracker.jobs.scheduler"):
            assert jobs.report_if_due() == date(2026, 3, 29)
            assert jobs.report_if_due() is None
    finally:
        controller.stop()
    assert (config.reports_dir / "2026-03-29.html").exists()
    assert [e.rcpt_tos for e in inbox.envelopes] == [["desk@example.org"]]
    assert (f"report for 2026-03-29: {config.reports_dir / '2026-03-29.html'},"
            " sent to desk@example.org") in caplog.text


def test_a_report_whose_email_failed_is_sent_once_the_server_is_back(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from aiosmtpd.controller import Controller

    port = free_port()
    config = make_config(tmp_path, email=True, smtp_port=port)  # nobody listens yet
    clock = Clock(paris("2026-03-29T07:00"))
    jobs = Jobs(config, open_archive=lambda: open_archive(config.database), clock=clock)
    assert jobs.report_if_due() is None
    assert "report for 2026-03-29 failed: report written to" in caplog.text
    assert "sending is tried again after the next poll" in caplog.text
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert jobs.report_if_due() == date(2026, 3, 29)
        assert jobs.report_if_due() is None, "sent: never twice"
    finally:
        controller.stop()
    assert len(inbox.envelopes) == 1


def test_a_failing_feed_is_logged_once_by_the_scheduler(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    jobs = make_jobs(make_config(tmp_path, feed=str(tmp_path / "gone.xml")),
                     Clock(paris("2026-03-05T06:00")), Reports())
    with caplog.at_level(logging.INFO):
        summary = jobs.poll()
    assert summary is not None and summary.failed == 1
    told = [r for r in caplog.records if "gone.xml" in r.getMessage()]
    assert [(r.name, r.levelname) for r in told] == [("tracker.jobs.scheduler", "WARNING")]
