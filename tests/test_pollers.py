"""Several pollers sharing one PostgreSQL database: each due feed fetched once a round.

Three pollers start at once (threads, each on its own connection, as three machines
would be) against 30 feeds served on 127.0.0.1; the log they write together is the
log one poller writes alone.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from events.clock import parse_instant
from tests.conftest import CONFIG_TEXT
from tests.feeds import rss
from tracker.archive import Archive
from tracker.cli.app import open_archive
from tracker.config import Config, load_config
from tracker.jobs.poll import poll_feeds
from tracker.jobs.runs import PollSummary

FEEDS = 30
START = parse_instant("2026-03-10T09:00:00Z")


def story(n: int) -> bytes:
    """Feed n: two deal stories of its own, and one about nothing configured."""
    return rss([
        (f"f{n}-talks", f"Microsoft confirms talks to buy TikTok ({n})",
         "<p>Microsoft confirmed it is in talks to buy TikTok's US business.</p>",
         "2020-08-02T19:00"),
        (f"f{n}-deadline", "TikTok deal decision due by September 15",
         "<p>A decision on Microsoft's purchase of TikTok is due by September 15.</p>",
         "2020-08-03T08:00"),
        (f"f{n}-cloud", "Cloud results", "<p>Revenue grew.</p>", "2020-08-04T08:00"),
    ], link_base=f"https://news{n}.example/")


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    # threaded, as a real publisher is: the pollers' fetches really overlap
    served = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    for n in range(FEEDS):
        served.expect_request(f"/feed{n}").respond_with_data(
            story(n), content_type="application/rss+xml")
    served.start()
    yield served
    served.clear()
    served.stop()


def make_config(tmp_path: Path, server: HTTPServer) -> Config:
    feeds = "".join(f'[[feeds]]\nname = "feed{n}"\nurl = "{server.url_for(f"/feed{n}")}"\n\n'
                    for n in range(FEEDS))
    path = tmp_path / "tracker.toml"
    path.write_text(CONFIG_TEXT + '\n[schedule]\npoll_every = "15m"\n\n' + feeds,
                    encoding="utf-8")
    return load_config(path)


def fetches(server: HTTPServer) -> Counter[str]:
    return Counter(request.path for request, _ in server.log)


def poll_together(config: Config, archives: list[Archive], **options: object
                  ) -> list[PollSummary]:
    """Every archive's poller polls once, all starting at the same moment."""
    start = threading.Barrier(len(archives))
    summaries: dict[int, PollSummary] = {}
    errors: list[BaseException] = []

    def poll(n: int) -> None:
        start.wait()
        try:
            summaries[n] = poll_feeds(config, archives[n], **options)  # type: ignore[arg-type]
        except BaseException as error:  # the test reports it: a thread would swallow it
            errors.append(error)

    threads = [threading.Thread(target=poll, args=(n,)) for n in range(len(archives))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return [summaries[n] for n in range(len(archives))]


def event_ids(archive: Archive) -> list[str]:
    return [row.event_id for row in archive.store.read()]


@pytest.mark.slow
def test_three_pollers_fetch_each_feed_once_a_round_and_write_one_pollers_log(
        tmp_path: Path, server: HTTPServer, postgres_url: str) -> None:
    config = make_config(tmp_path, server)
    pollers = [open_archive(postgres_url) for _ in range(3)]
    try:
        first = poll_together(config, pollers, now=START)
        assert fetches(server) == {f"/feed{n}": 1 for n in range(FEEDS)}
        assert sum(s.fetched for s in first) == FEEDS
        assert [(s.failed, s.errors, s.warnings) for s in first] == [(0, [], [])] * 3
        shared = event_ids(pollers[0])

        within = poll_together(config, pollers, now=START + timedelta(minutes=5))
        assert [s.due for s in within] == [0, 0, 0]  # this round's feeds are all taken

        second = poll_together(config, pollers, now=START + timedelta(minutes=15))
        assert fetches(server) == {f"/feed{n}": 2 for n in range(FEEDS)}
        assert sum(s.fetched for s in second) == FEEDS and sum(s.new_events for s in second) == 0
        assert [row.seq for row in pollers[0].store.read()] == list(range(1, len(shared) + 1))
        assert event_ids(pollers[1]) == shared
        types = Counter(row.type for row in pollers[0].store.read())
    finally:
        for archive in pollers:
            archive.close()

    server.clear_log()
    alone = open_archive(tmp_path / "alone.db")  # one poller, on SQLite
    try:
        summary = poll_feeds(config, alone, now=START)
        assert summary.fetched == FEEDS
        assert sorted(event_ids(alone)) == sorted(shared)
    finally:
        alone.close()
    assert len(shared) == len(set(shared))
    assert types == {"negotiation": FEEDS, "deadline": FEEDS}  # the talks, the due date


def test_a_poller_started_after_the_round_finds_nothing_to_fetch(
        tmp_path: Path, server: HTTPServer, postgres_url: str) -> None:
    config = make_config(tmp_path, server)
    first, late = open_archive(postgres_url), open_archive(postgres_url)
    try:
        assert poll_feeds(config, first, now=START).fetched == FEEDS
        nothing = poll_feeds(config, late, now=START + timedelta(minutes=1))
        assert (nothing.due, nothing.taken) == (0, FEEDS)
        assert f"{FEEDS} due feed(s) already taken this round" in nothing.line()
        assert poll_feeds(config, late, now=START + timedelta(minutes=1),
                          all_feeds=True).fetched == FEEDS  # --all takes every feed
    finally:
        first.close()
        late.close()


def test_two_pollers_produce_and_email_the_daily_report_once(tmp_path: Path,
                                                             postgres_url: str) -> None:
    from aiosmtpd.controller import Controller

    from tests.test_scheduler import Clock, Inbox, free_port, paris
    from tests.test_scheduler import make_config as report_config
    from tracker.jobs.scheduler import Jobs

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = report_config(tmp_path, email=True, smtp_port=port)
        clock = Clock(paris("2026-03-29T07:00"))
        jobs = [Jobs(config, open_archive=lambda: open_archive(postgres_url), clock=clock)
                for _ in range(2)]
        start = threading.Barrier(2)
        days: list[object] = []

        def report(job: Jobs) -> None:
            start.wait()
            days.append(job.report_if_due())

        threads = [threading.Thread(target=report, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(days, key=str) == sorted([None, paris("2026-03-29T07:00").date()],
                                               key=str)
        assert [job.report_if_due() for job in jobs] == [None, None]
    finally:
        controller.stop()
    assert [e.rcpt_tos for e in inbox.envelopes] == [["desk@example.org"]]


@pytest.mark.slow
def test_two_tracker_runs_share_a_postgresql_database(tmp_path: Path, server: HTTPServer,
                                                       postgres_url: str) -> None:
    import os
    import signal
    import subprocess
    import sys

    config = make_config(tmp_path, server)
    env = {**os.environ, "TRACKER_DATABASE_URL": postgres_url,
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    runs = [subprocess.Popen([sys.executable, "-m", "tracker", "--config", str(config.path),
                              "run"], env=env, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    try:
        for run in runs:  # each polls (no file lock refuses the second), then is stopped
            assert run.stderr is not None
            line = ""
            while "poll run" not in line and run.poll() is None:
                line = run.stderr.readline()
            assert "poll run" in line, line
            run.send_signal(signal.SIGTERM)
        assert [run.wait(timeout=120) for run in runs] == [0, 0]
    finally:
        for run in runs:
            run.kill()
            run.wait(timeout=10)
    assert fetches(server) == {f"/feed{n}": 1 for n in range(FEEDS)}
    assert not list(tmp_path.glob("*.lock"))
