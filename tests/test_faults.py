"""Faults: kill -9 mid-ingest, a full or read-only disk, polls and replays at once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.ingest import make_feed
from events.errors import StoreError
from events.sqlite_store import SQLiteEventStore
from tracker.archive.sqlite_archive import SQLiteArchive as Archive
from tracker.config import load_config
from tracker.jobs.ingest import Ingestor

pytestmark = pytest.mark.slow  # real processes killed and started: seconds each

ROOT = Path(__file__).resolve().parents[1]
ENTRIES = 6_000
CONFIG = """\
[[deals]]
id = "microsoft-tiktok"
acquirer = "Microsoft"
target = "TikTok"
seller = "ByteDance"
"""


@pytest.fixture(scope="module")
def big_feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("feed") / "big.xml"
    path.write_bytes(make_feed(ENTRIES))
    return path


def workspace(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracker.toml").write_text(CONFIG)
    return {**os.environ, "TRACKER_CONFIG": str(folder / "tracker.toml")}


def tracker(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tracker.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet


def event_ids(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT event_id FROM events")}


@pytest.fixture(scope="module")
def clean_run(big_feed: Path, tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    folder = tmp_path_factory.mktemp("clean")
    done = tracker("ingest", str(big_feed), env=workspace(folder))
    assert done.wait(timeout=300) == 0, done.stderr.read() if done.stderr else ""
    ids = event_ids(folder / "tracker.db")
    assert len(ids) > 100
    return ids


@pytest.mark.parametrize("kill_after_articles", [1, ENTRIES // 3, 2 * ENTRIES // 3])
def test_kill_9_mid_ingest_loses_nothing_and_doubles_nothing(
        big_feed: Path, clean_run: set[str], tmp_path: Path, kill_after_articles: int) -> None:
    env, db = workspace(tmp_path), tmp_path / "tracker.db"
    victim = tracker("ingest", str(big_feed), env=env)
    deadline = time.monotonic() + 120
    while count(db, "SELECT count(*) FROM articles") < kill_after_articles:
        assert victim.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # every article stored has all its events, or it is not stored at all
        half = conn.execute(
            "SELECT a.link, a.events, (SELECT count(*) FROM events e WHERE e.source_url = a.link)"
            " FROM articles a WHERE a.events != (SELECT count(*) FROM events e"
            " WHERE e.source_url = a.link)").fetchall()
        assert half == []
    again = tracker("ingest", str(big_feed), env=env)
    assert again.wait(timeout=300) == 0
    assert event_ids(db) == clean_run
    assert count(db, "SELECT count(*) FROM articles") == ENTRIES


def test_two_polls_and_a_replay_at_once_collide_on_nothing(big_feed: Path,
                                                           tmp_path: Path) -> None:
    env = workspace(tmp_path)
    with open(tmp_path / "tracker.toml", "a") as config:
        config.write(f'\n[[feeds]]\nname = "big"\nurl = "{big_feed}"\n')
    SQLiteEventStore(tmp_path / "tracker.db").close()  # replay never creates it: it refuses
    runs = [tracker("poll", "--all", env=env) for _ in range(2)]
    replays = []
    while any(run.poll() is None for run in runs):
        replays.append(tracker("replay", "--format", "json", env=env))
        replays[-1].wait(timeout=60)
        time.sleep(0.1)
    outputs = [run.communicate()[1] for run in runs + replays]
    assert [p.returncode for p in runs + replays] == [0] * (len(runs) + len(replays)), outputs
    assert not any("locked" in err for err in outputs)
    db = tmp_path / "tracker.db"
    assert count(db, "SELECT count(*) FROM articles") == ENTRIES
    assert count(db, "SELECT count(DISTINCT source_url || type || data) FROM events") == count(
        db, "SELECT count(*) FROM events")


def test_a_full_disk_is_a_clear_error_and_appends_nothing_partially(
        big_feed: Path, tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "tracker.db")
    archive = Archive(store)
    config = load_config(Path(workspace(tmp_path)["TRACKER_CONFIG"]))
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own limit on the file size fails writes exactly as a full disk does
    store.conn.execute(f"PRAGMA max_page_count = {pages + 200}")
    ingestor = Ingestor(archive, config.deals)
    from datetime import UTC, datetime

    with pytest.raises(StoreError, match="full"):
        ingestor.ingest_bytes(big_feed.read_bytes(), feed="big",
                              fetched_at=datetime(2020, 8, 3, tzinfo=UTC))
    stored = store.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 0 < stored < ENTRIES
    half = store.conn.execute(
        "SELECT count(*) FROM articles a WHERE a.events != (SELECT count(*) FROM events e"
        " WHERE e.source_url = a.link)").fetchone()[0]
    assert half == 0


def test_a_read_only_database_is_a_clear_error(big_feed: Path, tmp_path: Path) -> None:
    env, db = workspace(tmp_path), tmp_path / "tracker.db"
    SQLiteEventStore(db).close()  # the event log, as `tracker replay` used to create it
    if os.geteuid() == 0:
        # root ignores file modes; the immutable attribute binds root too
        if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
            pytest.skip("cannot make the database read-only for root here")
    else:
        db.chmod(0o444)
    try:
        failed = tracker("ingest", str(big_feed), env=env)
        _, err = failed.communicate(timeout=120)
    finally:
        subprocess.run(["chattr", "-i", str(db)], capture_output=True)
    assert failed.returncode == 1, err
    assert err.startswith("Error:") and "readonly" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert count(db, "SELECT count(*) FROM articles") == 0
