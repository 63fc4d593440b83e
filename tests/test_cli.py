"""The command line: CliRunner on real databases, and one real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

DEAL = "microsoft-tiktok"


def run(config_path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config_path), *args])


def ok(config_path: Path, *args: str) -> Result:
    result = run(config_path, *args)
    assert result.exit_code == 0, result.output
    return result


def replay_json(config_path: Path, *args: str) -> dict:
    return json.loads(ok(config_path, "replay", "--format", "json", *args).output)


def test_init_writes_config_and_database_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "tracker.toml"
    ok(path, "init")
    assert (tmp_path / "tracker.db").exists()
    edited = path.read_text() + "\n# mine\n"
    path.write_text(edited)
    refused = run(path, "init")
    assert refused.exit_code == 1
    assert "already exists" in refused.output and "--force" in refused.output
    assert path.read_text() == edited
    ok(path, "init", "--force")
    assert "# mine" not in path.read_text()


def test_added_facts_are_replayed(config_path: Path) -> None:
    ok(config_path, "add", "negotiation", "--deal", DEAL, "--stage", "negotiating",
       "--date", "2020-08-02", "--note", "Microsoft confirmed talks",
       "--source", "https://news.example/a")
    ok(config_path, "add", "deadline", "--deal", DEAL, "--due", "2020-09-15",
       "--label", "decision", "--date", "2020-08-02")
    ok(config_path, "add", "statement", "--deal", DEAL, "--speaker", "Vanessa Pappas",
       "--organization", "TikTok", "--quote", "Nous sommes ici pour rester",
       "--language", "fr", "--date", "2020-08-02")
    state = replay_json(config_path, "--as-of", "2020-08-03", "--deal", DEAL)
    assert set(state) == {"as_of", "known_at", "events_applied", "deals"}
    (deal,) = state["deals"]
    assert set(deal) == {"id", "title", "status", "status_since", "next_deadline", "deadlines",
                         "statements", "event_count", "last_event_at"}
    assert (deal["title"], deal["status"], deal["next_deadline"]) == (
        "Microsoft / TikTok US", "negotiating", "2020-09-15")
    # midnight in Paris is 22:00 UTC the day before
    assert deal["status_since"] == "2020-08-01T22:00:00Z"
    assert deal["statements"][0]["speaker"] == "Vanessa Pappas"
    assert state["events_applied"] == 3


def test_adding_the_same_fact_again_changes_nothing(config_path: Path) -> None:
    args = ("add", "deadline", "--deal", DEAL, "--due", "2020-09-15", "--date", "2020-08-02")
    ok(config_path, *args)
    again = ok(config_path, *args)
    assert "Already recorded" in again.output
    assert len(json.loads(ok(config_path, "events", "--format", "json").output)) == 1


def test_events_json_has_the_documented_columns(config_path: Path) -> None:
    ok(config_path, "add", "negotiation", "--deal", DEAL, "--stage", "rumored",
       "--date", "2020-07-31")
    (row,) = json.loads(ok(config_path, "events", "--format", "json").output)
    assert list(row) == ["seq", "event_id", "deal_id", "type", "occurred_at", "recorded_at",
                         "data", "source_url", "source_feed", "evidence", "version"]
    assert row["data"] == {"stage": "rumored"}
    table = ok(config_path, "events", "--deal", DEAL).output
    assert "rumored" in table and row["event_id"][:12] in table


def test_retract_by_prefix_removes_the_event_from_replay(config_path: Path) -> None:
    ok(config_path, "add", "negotiation", "--deal", DEAL, "--stage", "agreed",
       "--date", "2020-08-02")
    (row,) = json.loads(ok(config_path, "events", "--format", "json").output)
    ok(config_path, "retract", row["event_id"][:10], "--reason", "misread the article")
    assert replay_json(config_path, "--as-of", "2020-08-03")["deals"][0]["status"] == "unknown"
    assert "retracts" in ok(config_path, "events", "--type", "retraction").output


def test_known_at_replays_what_was_known_then(config_path: Path) -> None:
    ok(config_path, "add", "negotiation", "--deal", DEAL, "--stage", "agreed",
       "--date", "2020-08-02")
    before = replay_json(config_path, "--as-of", "2020-08-03", "--known-at", "2020-08-03T09:00Z")
    assert before["deals"][0]["status"] == "unknown"
    assert before["known_at"] == "2020-08-03T09:00:00.000000Z"
    with_offset = replay_json(config_path, "--as-of", "2020-08-03",
                              "--known-at", "2099-01-01T09:00:00+02:00")
    assert with_offset["deals"][0]["status"] == "agreed"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("replay", "--as-of", "2020-13-01"), "--as-of: expected a date as YYYY-MM-DD"),
        (("replay", "--known-at", "2020-08-03T09:00"), "--known-at: expected an ISO-8601"),
        (("replay", "--deal", "nope"), "unknown deal 'nope'"),
        (("events", "--since", "yesterday"), "--since: expected a date"),
        (("add", "negotiation", "--deal", "nope", "--stage", "agreed", "--date", "2020-08-02"),
         "unknown deal 'nope'"),
        (("add", "deadline", "--deal", DEAL, "--due", "15/09/2020", "--date", "2020-08-02"),
         "--due: expected a date"),
        (("add", "deadline", "--deal", DEAL, "--due", "2020-09-15", "--replaces", "2020-09-15",
          "--date", "2020-08-02"), "replaces: must differ from due"),
        (("add", "negotiation", "--deal", DEAL, "--stage", "agreed", "--date", "2020-08-02",
          "--source", "javascript:alert(1)"), "--source: expected an http(s) URL"),
        (("add", "statement", "--deal", DEAL, "--speaker", "A", "--quote", "  ",
          "--date", "2020-08-02"), "quote: must be a non-empty string"),
        (("retract", "0123456789ab", "--reason", "x"), "no database at"),
    ],
)
def test_user_mistakes_are_one_line_errors_with_status_1(config_path: Path, args: tuple,
                                                         message: str) -> None:
    result = run(config_path, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bad_config_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text('[tracker]\ntimezone = "Nowhere/Land"\n')
    result = run(path, "replay")
    assert result.exit_code == 1
    assert f"{path}: [tracker].timezone" in result.output


def test_bad_usage_is_status_2(config_path: Path) -> None:
    result = run(config_path, "add", "negotiation", "--deal", DEAL, "--stage", "merged",
                 "--date", "2020-08-02")
    assert result.exit_code == 2


def test_the_installed_command_runs_as_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "TRACKER_CONFIG": str(tmp_path / "tracker.toml")}
    command = [sys.executable, "-m", "tracker"]
    subprocess.run([*command, "init"], env=env, check=True, capture_output=True)
    subprocess.run([*command, "add", "negotiation", "--deal", DEAL, "--stage", "agreed",
                    "--date", "2020-08-02"], env=env, check=True, capture_output=True)
    done = subprocess.run([*command, "replay", "--as-of", "2020-08-03", "--format", "json"],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["deals"][0]["status"] == "agreed"
    failed = subprocess.run([*command, "replay", "--as-of", "tomorrow"], env=env,
                            capture_output=True, text=True)
    assert failed.returncode == 1
    assert failed.stderr.strip() == ("Error: --as-of: expected a date as YYYY-MM-DD,"
                                     " got 'tomorrow'")


def test_events_can_be_followed_from_a_seq(config_path: Path) -> None:
    for day in ("2020-08-01", "2020-08-02", "2020-08-03"):
        ok(config_path, "add", "deadline", "--deal", DEAL, "--due", "2020-09-15",
           "--date", day)
    later = json.loads(ok(config_path, "events", "--after", "1", "--format", "json").output)
    assert [row["seq"] for row in later] == [2, 3]
    first = json.loads(ok(config_path, "events", "--limit", "1", "--format", "json").output)
    assert [row["seq"] for row in first] == [1]
