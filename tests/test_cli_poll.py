"""`tracker poll`, `tracker ingest` and `tracker demo` from the command line."""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from tests.feeds import NEWS, rss
from tracker.cli import cli


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def write_config(tmp_path: Path, *urls: str) -> Path:
    feeds = "".join(f'[[feeds]]\nname = "feed{n}"\nurl = "{u}"\n\n' for n, u in enumerate(urls))
    path = tmp_path / "tracker.toml"
    path.write_text(f"[tracker]\nconnect_timeout = 2\nread_timeout = 2\n\n{feeds}")
    return path


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/feed"


def test_poll_prints_a_summary(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(NEWS))
    result = run(write_config(tmp_path, httpserver.url_for("/feed")), "poll")
    assert result.exit_code == 0, result.output
    assert "Polled 1 feed(s): 1 fetched" in result.output
    assert "3 new article(s)" in result.output


def test_poll_fails_only_when_every_feed_fails(httpserver: HTTPServer, tmp_path: Path) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(NEWS))
    some = run(write_config(tmp_path, closed_port_url(), httpserver.url_for("/feed")), "poll")
    assert some.exit_code == 0, some.output
    assert "1 failed" in some.output
    every = run(write_config(tmp_path, closed_port_url()), "poll", "--all")
    assert every.exit_code == 1
    assert "error: feed0:" in every.output and "every feed failed" in every.output
    assert "Traceback" not in every.output


def test_poll_without_feeds_says_how_to_add_one(tmp_path: Path) -> None:
    result = run(write_config(tmp_path), "poll")
    assert result.exit_code == 1
    assert "no feeds configured" in result.output and "[[feeds]]" in result.output


def test_ingest_reads_files_named_on_the_command_line(tmp_path: Path) -> None:
    feed = tmp_path / "saved.xml"
    feed.write_bytes(rss(NEWS))
    config = write_config(tmp_path)
    result = run(config, "ingest", str(feed), str(tmp_path / "missing.xml"))
    assert result.exit_code == 0, result.output
    assert "3 new article(s)" in result.output and "1 failed" in result.output
    assert "missing.xml" in result.output
    again = run(config, "ingest", str(feed))
    assert "0 new article(s)" in again.output


def test_ingest_of_nothing_readable_is_status_1(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"\x00\x01 not xml at all")
    result = run(write_config(tmp_path), "ingest", str(junk))
    assert result.exit_code == 1
    assert "not a readable feed" in result.output


def test_an_unchanged_repoll_is_a_304_in_a_real_process(httpserver: HTTPServer,
                                                        tmp_path: Path) -> None:
    httpserver.expect_request("/feed", headers={"If-None-Match": '"x"'}).respond_with_data(
        "", status=304)
    httpserver.expect_request("/feed").respond_with_data(rss(NEWS), headers={"ETag": '"x"'})
    env = {**os.environ, "TRACKER_CONFIG": str(write_config(tmp_path,
                                                            httpserver.url_for("/feed")))}
    command = [sys.executable, "-m", "tracker", "poll"]
    first = subprocess.run(command, env=env, capture_output=True, text=True)
    second = subprocess.run(command, env=env, capture_output=True, text=True)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert "1 not modified" in second.stdout
    events = subprocess.run([sys.executable, "-m", "tracker", "events", "--format", "json"],
                            env=env, capture_output=True, text=True)
    assert json.loads(events.stdout) == []


def test_demo_runs_offline_and_again_adds_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    first = CliRunner().invoke(cli, ["demo", "--dir", str(folder)])
    assert first.exit_code == 0, first.output
    assert "3 fetched" in first.output and "0 failed;" in first.output
    assert "Pages: 1 read, 0 failed." in first.output  # the brief's bundled page
    assert "microsoft-tiktok" in first.output and "oracle-tiktok" in first.output
    assert str(folder) in first.output
    state = CliRunner().invoke(cli, ["--config", str(folder / "tracker.toml"), "replay",
                                     "--as-of", "2020-08-03", "--format", "json"])
    deals = {d["id"]: d for d in json.loads(state.output)["deals"]}
    assert deals["microsoft-tiktok"]["status"] == "negotiating"
    assert deals["microsoft-tiktok"]["next_deadline"] == "2020-09-15"
    assert deals["oracle-tiktok"]["status"] == "unknown"
    again = CliRunner().invoke(cli, ["demo", "--dir", str(folder)])
    assert "0 new article(s), 0 new event(s)" in again.output


def test_demo_refuses_a_folder_holding_a_real_tracker(tmp_path: Path) -> None:
    (tmp_path / "tracker.toml").write_text("# mine\n")
    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "did not make" in result.output
    assert (tmp_path / "tracker.toml").read_text() == "# mine\n"
    assert not (tmp_path / "tracker.db").exists()


def test_ingest_of_the_same_missing_file_twice_is_status_1(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.xml")
    result = run(write_config(tmp_path), "ingest", missing, missing)
    assert result.exit_code == 1
    assert "Polled 1 feed(s)" in result.output and "every feed failed" in result.output


def test_replay_table_shows_since_as_a_local_day(tmp_path: Path) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text('[tracker]\ntimezone = "Europe/Paris"\n\n[[deals]]\nid = "d"\n'
                    'acquirer = "A"\ntarget = "B"\n')
    # 23:30 UTC on 13 September is already the 14th in Paris
    assert run(path, "add", "negotiation", "--deal", "d", "--stage", "abandoned",
               "--date", "2020-09-13T23:30:00Z").exit_code == 0
    table = run(path, "replay", "--as-of", "2020-09-14").output
    assert "abandoned  2020-09-14" in table


def test_a_closed_deal_has_no_next_deadline_in_replay(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["demo", "--dir", str(folder)]).exit_code == 0
    config = ["--config", str(folder / "tracker.toml")]
    state = CliRunner().invoke(cli, [*config, "replay", "--as-of", "2020-09-15",
                                     "--format", "json"])
    deal = {d["id"]: d for d in json.loads(state.output)["deals"]}["microsoft-tiktok"]
    assert deal["status"] == "abandoned" and deal["next_deadline"] is None
    assert "2020-09-15" in {d["due"] for d in deal["deadlines"]}  # still listed
    table = CliRunner().invoke(cli, [*config, "replay", "--as-of", "2020-09-15"]).output
    row = next(line for line in table.splitlines() if line.startswith("microsoft-tiktok"))
    assert "2020-09-15" not in row


def test_the_reports_links_name_their_outlet_not_the_word_source(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert CliRunner().invoke(cli, ["demo", "--dir", str(folder)]).exit_code == 0
    page = (folder / "reports" / "2020-09-15.html").read_text("utf-8")
    message = email.message_from_bytes((folder / "reports" / "2020-09-15.eml").read_bytes(),
                                       policy=email.policy.default)
    html_part = message.get_body(("html",))  # type: ignore[attr-defined]
    mail = html_part.get_content()
    assert ">source</a>" not in page and ">deal-desk.example</a>" in page
    assert ">source</a>" not in mail and "deal-desk.example</a>" in mail
