"""`tracker run` as a real process: polls every second, refuses a twin, stops on signals."""

from __future__ import annotations

import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.feeds import NEWS, rss
from tracker.cli import cli

pytestmark = pytest.mark.slow  # real processes killed and started: seconds each

DEADLINE_SECONDS = 30.0
REPORT_TIME = datetime.now(ZoneInfo("Europe/Paris")) - timedelta(hours=3)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/feed"


def write_config(tmp_path: Path, *urls: str, report_at: str = "07:00") -> Path:
    feeds = "".join(f'[[feeds]]\nname = "feed{n}"\nurl = "{u}"\n\n' for n, u in enumerate(urls))
    path = tmp_path / "tracker.toml"
    path.write_text('[tracker]\ntimezone = "Europe/Paris"\nconnect_timeout = 2\n'
                    f'read_timeout = 2\n\n[schedule]\npoll_every = "1s"\n'
                    f'report_at = "{report_at}"\n\n' + feeds)
    return path


def start_run(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as stderr:
        return subprocess.Popen([sys.executable, "-m", "tracker.cli", "--config", str(config),
                                 "run"], stdout=subprocess.DEVNULL, stderr=stderr,
                                cwd=config.parent)


def query(database: Path, sql: str) -> list[tuple[object, ...]]:
    if not database.exists():
        return []
    with sqlite3.connect(database, timeout=10) as conn:
        try:
            return conn.execute(sql).fetchall()
        except sqlite3.OperationalError:  # the tables are not created yet
            return []


def wait_until(check: Callable[[], bool], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not check():
        assert process.poll() is None, f"tracker run exited early:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"timed out; tracker run said:\n{log.read_text()}"
        time.sleep(0.05)


def finished_runs(database: Path) -> int:
    return len(query(database, "SELECT id FROM runs WHERE finished_at IS NOT NULL"))


@pytest.fixture
def running(httpserver: HTTPServer, tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[bytes],
                                                                      list[tuple[str, ...]]]]:
    """`tracker run` on a served feed (plus one that refuses connections); the feed's items."""
    items = [NEWS[0]]

    def feed(request: Request) -> Response:
        return Response(rss(items), content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(feed)
    # three hours ago: the start finds that report time passed and its day not reported
    config = write_config(tmp_path, httpserver.url_for("/feed"), closed_port_url(),
                          report_at=REPORT_TIME.strftime("%H:%M"))
    process = start_run(config, tmp_path / "run.log")
    try:
        yield config, process, items
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=DEADLINE_SECONDS)


def test_run_polls_every_second_and_stops_cleanly_on_sigterm(running, tmp_path: Path) -> None:
    config, process, items = running
    database, log = tmp_path / "tracker.db", tmp_path / "run.log"
    wait_until(lambda: finished_runs(database) >= 1, process, log)
    items.append(NEWS[1])  # a new entry appears between polls
    articles = lambda: {key for (key,) in query(database, "SELECT key FROM articles")}  # noqa: E731
    wait_until(lambda: finished_runs(database) >= 3 and "a2" in articles(), process, log)

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=DEADLINE_SECONDS) == 0, log.read_text()
    assert query(database, "PRAGMA integrity_check") == [("ok",)]
    assert query(database, "SELECT count(*) FROM runs WHERE finished_at IS NULL") == [(0,)]
    text = log.read_text()
    polls = re.findall(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO tracker.jobs.scheduler:"
                       r" poll run \d+: Polled \d feed\(s\)", text, flags=re.MULTILINE)
    assert len(polls) >= 3, text
    assert "SIGTERM received" in text and "stopped" in text


def test_run_produces_the_missed_report_once_after_the_first_poll(running,
                                                                  tmp_path: Path) -> None:
    _, process, _ = running
    database, log = tmp_path / "tracker.db", tmp_path / "run.log"
    wait_until(lambda: finished_runs(database) >= 3, process, log)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=DEADLINE_SECONDS) == 0, log.read_text()
    day = REPORT_TIME.date().isoformat()
    assert query(database, "SELECT day FROM reports") == [(day,)]
    assert (tmp_path / "reports" / f"{day}.html").exists()
    text = log.read_text()
    assert text.count("report for") == 1, text
    assert text.index("poll run 1:") < text.index(f"report for {day}:")


def test_a_second_run_on_the_same_database_is_refused(running, tmp_path: Path) -> None:
    config, process, _ = running
    wait_until(lambda: finished_runs(tmp_path / "tracker.db") >= 1, process, tmp_path / "run.log")
    second = subprocess.run([sys.executable, "-m", "tracker.cli", "--config", str(config), "run"],
                            capture_output=True, text=True, timeout=DEADLINE_SECONDS)
    assert second.returncode == 1
    assert second.stderr.strip() == (
        f"Error: another `tracker run` (pid {process.pid}) is already using"
        f" {tmp_path / 'tracker.db'} (lock {tmp_path / 'tracker.db.lock'}); stop it first")
    assert process.poll() is None  # the first one runs on


def test_run_stops_cleanly_on_sigint(running, tmp_path: Path) -> None:
    _, process, _ = running
    database, log = tmp_path / "tracker.db", tmp_path / "run.log"
    wait_until(lambda: finished_runs(database) >= 1, process, log)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=DEADLINE_SECONDS) == 0, log.read_text()
    assert "SIGINT received" in log.read_text()
    assert query(database, "PRAGMA integrity_check") == [("ok",)]


def test_run_without_feeds_says_how_to_add_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(write_config(tmp_path)), "run"])
    assert result.exit_code == 1
    assert "no feeds configured" in result.output and "[[feeds]]" in result.output
    assert not (tmp_path / "tracker.db.lock").exists()


@pytest.fixture
def slow_feed(httpserver: HTTPServer, tmp_path: Path) -> Iterator[tuple[
        subprocess.Popen[bytes], threading.Event, threading.Event]]:
    """`tracker run` whose first poll hangs on the feed until the test releases it."""
    entered, release = threading.Event(), threading.Event()

    def feed(request: Request) -> Response:
        entered.set()
        release.wait(timeout=DEADLINE_SECONDS)
        return Response(rss(NEWS), content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(feed)
    config = write_config(tmp_path, httpserver.url_for("/feed"))
    config.write_text(config.read_text().replace("read_timeout = 2", "read_timeout = 60"))
    process = start_run(config, tmp_path / "run.log")
    try:
        yield process, entered, release
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
        process.wait(timeout=DEADLINE_SECONDS)


def test_sigterm_lets_the_poll_in_progress_finish(slow_feed, tmp_path: Path) -> None:
    process, entered, release = slow_feed
    database, log = tmp_path / "tracker.db", tmp_path / "run.log"
    wait_until(entered.is_set, process, log)
    process.send_signal(signal.SIGTERM)
    wait_until(lambda: "SIGTERM received" in log.read_text(), process, log)
    assert process.poll() is None  # still polling
    release.set()
    assert process.wait(timeout=DEADLINE_SECONDS) == 0, log.read_text()
    assert query(database, "SELECT count(*) FROM articles") == [(3,)]
    assert query(database, "SELECT count(*) FROM runs WHERE finished_at IS NULL") == [(0,)]


def test_a_second_signal_stops_at_once_and_leaves_a_consistent_database(
        slow_feed, tmp_path: Path) -> None:
    process, entered, _ = slow_feed
    database, log = tmp_path / "tracker.db", tmp_path / "run.log"
    wait_until(entered.is_set, process, log)
    process.send_signal(signal.SIGTERM)
    wait_until(lambda: "SIGTERM received" in log.read_text(), process, log)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=DEADLINE_SECONDS) == 1, log.read_text()
    assert "second SIGINT: stopping now" in log.read_text()
    assert query(database, "PRAGMA integrity_check") == [("ok",)]
    assert query(database, "SELECT count(*) FROM articles") == [(0,)]
