"""`tracker report` and the job behind it: files, index.html, the reports table, the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from events.sqlite_store import SQLiteEventStore
from tests.test_report_story import SUBJECT, build_story
from tracker.archive.sqlite_archive import SQLiteArchive as Archive
from tracker.cli import cli
from tracker.config import load_config
from tracker.jobs.report import reported_days, run_daily_report


def run(config_path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config_path), *args])


def ok(config_path: Path, *args: str) -> Result:
    result = run(config_path, *args)
    assert result.exit_code == 0, result.output
    return result


def test_report_writes_the_day_the_index_and_the_feed(config_path: Path) -> None:
    build_story(config_path.parent / "tracker.db").close()
    result = ok(config_path, "report", "--date", "2020-08-03")
    folder = config_path.parent / "reports"
    assert f"Wrote {folder / '2020-08-03.html'}" in result.output
    assert SUBJECT in result.output
    assert "seq 4" in result.output
    day = (folder / "2020-08-03.html").read_text(encoding="utf-8")
    assert (folder / "index.html").read_text(encoding="utf-8") == day
    assert (folder / "feed.atom").read_bytes().startswith(b"<?xml")
    assert 'data-status="negotiating"' in day


def test_an_older_day_leaves_the_index_on_the_latest(config_path: Path, tmp_path: Path) -> None:
    build_story(config_path.parent / "tracker.db").close()
    out = tmp_path / "site"
    ok(config_path, "report", "--date", "2020-09-03", "--out", str(out))
    latest = (out / "index.html").read_text(encoding="utf-8")
    feed = (out / "feed.atom").read_bytes()
    ok(config_path, "report", "--date", "2020-08-03", "--out", str(out))
    assert (out / "index.html").read_text(encoding="utf-8") == latest
    assert (out / "feed.atom").read_bytes() == feed
    assert "in 12 days" in latest
    assert sorted(p.name for p in out.iterdir()) == [
        "2020-08-03.html", "2020-09-03.html", "feed.atom", "index.html"]
    with SQLiteEventStore(config_path.parent / "tracker.db") as store:
        assert reported_days(Archive(store)) == set(), "pages elsewhere are previews"
    ok(config_path, "report", "--date", "2020-09-03")
    with SQLiteEventStore(config_path.parent / "tracker.db") as store:
        assert reported_days(Archive(store)) == {date(2020, 9, 3)}


def test_a_day_still_to_come_is_refused(config_path: Path) -> None:
    build_story(config_path.parent / "tracker.db").close()
    result = CliRunner().invoke(cli, ["--config", str(config_path), "report", "--date",
                                      "2999-01-01"])
    assert result.exit_code == 1
    assert "2999-01-01 is still to come" in result.output


def test_known_at_rebuilds_the_report_as_it_was(config_path: Path, tmp_path: Path) -> None:
    build_story(config_path.parent / "tracker.db").close()
    ok(config_path, "report", "--date", "2020-08-10", "--known-at", "2020-08-10T15:00:00+02:00",
       "--out", str(tmp_path / "then"))
    ok(config_path, "report", "--date", "2020-08-10", "--out", str(tmp_path / "now"))
    then = (tmp_path / "then" / "2020-08-10.html").read_text(encoding="utf-8")
    now = (tmp_path / "now" / "2020-08-10.html").read_text(encoding="utf-8")
    assert 'data-status="agreed"' in then and 'data-status="agreed"' not in now
    assert "--known-at 2020-08-10T13:00:00.000000Z" in then


def test_bad_options_are_one_line_errors(config_path: Path) -> None:
    build_story(config_path.parent / "tracker.db").close()  # report never creates it
    for args, message in ((["--date", "3/8/2020"], "--date: expected a date as YYYY-MM-DD"),
                          (["--known-at", "noon"], "--known-at: expected an ISO-8601 time"),
                          (["--email"], "--email: no [email] section in")):
        result = run(config_path, "report", *args)
        assert result.exit_code == 1, result.output
        assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_dry_run_without_email_config_still_writes_an_eml(config_path: Path) -> None:
    build_story(config_path.parent / "tracker.db").close()
    result = ok(config_path, "report", "--date", "2020-08-03", "--dry-run")
    eml = config_path.parent / "reports" / "2020-08-03.eml"
    assert f"Wrote the e-mail to {eml} (not sent)." in result.output
    assert f"Subject: {SUBJECT}".encode() in eml.read_bytes()


def test_an_unwritable_folder_is_a_clear_error(config_path: Path, tmp_path: Path) -> None:
    build_story(config_path.parent / "tracker.db").close()  # report never creates it
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run(config_path, "report", "--out", str(blocker / "sub"))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot write the report to {blocker / 'sub'}")


def test_the_day_defaults_to_today_and_is_recorded(config_path: Path) -> None:
    config = load_config(config_path)
    with SQLiteEventStore(config.database) as store:
        outcome = run_daily_report(config, store, Archive(store))

        assert outcome.day == datetime.now(config.zone).date()
        assert reported_days(Archive(store)) == {outcome.day}
        assert outcome.html_path.name == f"{outcome.day.isoformat()}.html"


def test_demo_renders_the_report_in_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    page = folder / "reports" / "2020-09-15.html"
    assert f"Report: {page}" in result.output
    assert f"E-mail it would send: {folder / 'reports' / '2020-09-15.eml'}" in result.output
    html = page.read_text(encoding="utf-8")
    assert "Deals on Tuesday 15 September 2020" in html
    assert 'data-deal="microsoft-tiktok"' in html and 'data-deal="oracle-tiktok"' in html


def test_report_in_a_real_process(config_path: Path) -> None:
    build_story(config_path.parent / "tracker.db").close()
    env = {**os.environ, "TRACKER_CONFIG": str(config_path)}
    done = subprocess.run([sys.executable, "-m", "tracker.cli", "report", "--date", "2020-08-03"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert SUBJECT in done.stdout
