"""`tracker deals add/list/remove`: the config edited in place, through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

ANNOTATED = """\
# Our desk's tracker: keep these notes.
[tracker]
database = "tracker.db"   # beside this file
timezone = "Europe/Paris"

# Deals we follow -------------------------------------------------
[[deals]]
id = "microsoft-tiktok"   # the 2020 story
title = "Microsoft / TikTok US"
acquirer = "Microsoft"
target = "TikTok"
seller = "ByteDance"
aliases = ["ByteDance"]

# Activision: cleared in 2023, kept for the record
[[deals]]
id = "microsoft-activision"
acquirer = "Microsoft"
target = "Activision Blizzard"
aliases = [
    "Activision",   # the usual short name
]

# end of the deals
"""


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def ok(config: Path, *args: str) -> Result:
    result = run(config, *args)
    assert result.exit_code == 0, result.output
    return result


def comments(text: str) -> list[str]:
    return [line[line.index("#"):] for line in text.splitlines() if "#" in line]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text(ANNOTATED, encoding="utf-8")
    return path


def test_comments_survive_an_add_and_a_remove(config: Path) -> None:
    ok(config, "deals", "add", "broadcom-vmware", "--acquirer", "Broadcom", "--target", "VMware",
       "--seller", "Dell", "--alias", "VMware Inc", "--acquirer-alias", "Avago")
    ok(config, "deals", "remove", "microsoft-tiktok")
    text = config.read_text(encoding="utf-8")
    # only the comment on a line of the removed table goes with it
    assert comments(text) == [c for c in comments(ANNOTATED) if c != "# the 2020 story"]
    ids = [deal["id"] for deal in tomllib.loads(text)["deals"]]
    assert ids == ["microsoft-activision", "broadcom-vmware"]
    added = tomllib.loads(text)["deals"][-1]
    assert added == {"id": "broadcom-vmware", "acquirer": "Broadcom", "target": "VMware",
                     "seller": "Dell", "aliases": ["VMware Inc"], "acquirer_aliases": ["Avago"]}


def test_an_added_deal_goes_before_the_comments_that_close_the_section(config: Path) -> None:
    ok(config, "deals", "add", "broadcom-vmware", "--acquirer", "Broadcom", "--target", "VMware")
    text = config.read_text(encoding="utf-8")
    assert text.index('id = "broadcom-vmware"') < text.index("# end of the deals")
    assert text.endswith("# end of the deals\n")
    assert text.startswith(ANNOTATED.split("# end of the deals")[0])


def test_add_then_remove_gives_back_the_file_byte_for_byte(config: Path) -> None:
    ok(config, "deals", "add", "broadcom-vmware", "--acquirer", "Broadcom", "--target", "VMware",
       "--exclude", "VMware Explore")
    ok(config, "deals", "remove", "broadcom-vmware")
    assert config.read_text(encoding="utf-8") == ANNOTATED


def test_a_duplicate_id_is_refused_with_one_line_and_nothing_written(config: Path) -> None:
    result = run(config, "deals", "add", "microsoft-tiktok", "--acquirer", "Oracle",
                 "--target", "TikTok")
    assert result.exit_code == 1
    assert result.output == f"Error: deal 'microsoft-tiktok' is already in {config}\n"
    assert config.read_text(encoding="utf-8") == ANNOTATED


@pytest.mark.parametrize(("args", "message"), [
    (("Bad Id", "--acquirer", "A", "--target", "B"), "Error: ID: expected an id of lowercase"),
    (("ok", "--acquirer", " ", "--target", "B"), "Error: --acquirer: expected a company name"),
    (("ok", "--acquirer", "A", "--target", "B", "--alias", "bad\x00name"),
     "Error: --alias: expected a list of names"),
])
def test_a_bad_value_names_its_option_and_changes_nothing(config: Path, args: tuple[str, ...],
                                                          message: str) -> None:
    result = run(config, "deals", "add", *args)
    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert len(result.output.splitlines()) == 1
    assert config.read_text(encoding="utf-8") == ANNOTATED


def test_a_config_already_invalid_is_not_edited(config: Path) -> None:
    broken = ANNOTATED.replace('timezone = "Europe/Paris"', 'timezone = "Mars/Olympus"')
    config.write_text(broken, encoding="utf-8")
    result = run(config, "deals", "add", "x", "--acquirer", "A", "--target", "B")
    assert result.exit_code == 1
    assert "[tracker].timezone" in result.output
    assert config.read_text(encoding="utf-8") == broken


def test_list_shows_every_deal_as_a_table_and_as_json(config: Path) -> None:
    table = ok(config, "deals", "list").output
    assert table.splitlines()[0].split() == ["ID", "TITLE", "ACQUIRER", "TARGET", "SELLER",
                                             "OTHER", "NAMES"]
    assert "microsoft-activision" in table and "Activision Blizzard" in table
    listed = json.loads(ok(config, "deals", "list", "--format", "json").output)
    assert [d["id"] for d in listed] == ["microsoft-tiktok", "microsoft-activision"]
    assert listed[1]["title"] == "Microsoft / Activision Blizzard"  # the loader's default
    assert listed[1]["aliases"] == ["Activision"] and listed[1]["seller"] is None


def test_removing_a_deal_keeps_its_events_in_the_log(config: Path) -> None:
    ok(config, "add", "negotiation", "--deal", "microsoft-tiktok", "--stage", "abandoned",
       "--date", "2020-09-13")
    ok(config, "deals", "remove", "microsoft-tiktok")
    events = json.loads(ok(config, "events", "--format", "json").output)
    assert [e["deal_id"] for e in events] == ["microsoft-tiktok"]
    replayed = json.loads(ok(config, "replay", "--as-of", "2020-09-14", "--format",
                             "json").output)
    assert {d["id"]: d["status"] for d in replayed["deals"]}["microsoft-tiktok"] == "abandoned"


def test_removing_an_unknown_deal_lists_the_known_ones(config: Path) -> None:
    result = run(config, "deals", "remove", "nope")
    assert result.exit_code == 1
    assert result.output == (f"Error: no deal 'nope' in {config} (deals: microsoft-tiktok,"
                             " microsoft-activision)\n")


def test_editing_needs_a_config_file(tmp_path: Path) -> None:
    result = run(tmp_path / "missing.toml", "deals", "add", "x", "--acquirer", "A",
                 "--target", "B")
    assert result.exit_code == 1
    assert "no such file (create one with `tracker init`)" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_symlinked_config_is_edited_through_the_link(config: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(config)
    ok(link, "deals", "add", "x", "--acquirer", "A", "--target", "B")
    assert link.is_symlink()
    assert 'id = "x"' in config.read_text(encoding="utf-8")


def test_a_file_with_crlf_line_ends_keeps_them(config: Path) -> None:
    config.write_bytes(ANNOTATED.replace("\n", "\r\n").encode())
    ok(config, "deals", "add", "x", "--acquirer", "A", "--target", "B")
    ok(config, "deals", "remove", "x")
    assert config.read_bytes() == ANNOTATED.replace("\n", "\r\n").encode()


def test_inline_deals_stay_inline(tmp_path: Path) -> None:
    path = tmp_path / "tracker.toml"
    path.write_text('deals = [{id = "a", acquirer = "A", target = "B"}]  # all in one\n')
    ok(path, "deals", "add", "c", "--acquirer", "C", "--target", "D", "--alias", "Dee")
    text = path.read_text()
    assert text.count("\n") == 1 and text.endswith("  # all in one\n")
    assert [d["id"] for d in tomllib.loads(text)["deals"]] == ["a", "c"]
    ok(path, "deals", "remove", "a")
    assert [d["id"] for d in tomllib.loads(path.read_text())["deals"]] == ["c"]


def test_the_completion_of_deal_ids_reads_the_config(config: Path) -> None:
    env = {**os.environ, "_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS":
           f"tracker --config {config} deals remove microsoft-a", "COMP_CWORD": "5"}
    done = subprocess.run([sys.executable, "-m", "tracker"], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["plain,microsoft-activision"]


def test_every_deal_option_completes_deal_ids(config: Path) -> None:
    env = {**os.environ, "_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS":
           f"tracker --config {config} events --deal micro", "COMP_CWORD": "5"}
    done = subprocess.run([sys.executable, "-m", "tracker"], env=env, capture_output=True,
                          text=True)
    assert done.stdout.split() == ["plain,microsoft-tiktok", "plain,microsoft-activision"]


def test_a_config_that_cannot_be_read_completes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "tracker.toml"
    broken.write_text("[[deals]\nid = ")
    env = {**os.environ, "_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS":
           f"tracker --config {broken} deals remove ", "COMP_CWORD": "5"}
    done = subprocess.run([sys.executable, "-m", "tracker"], env=env, capture_output=True,
                          text=True)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "", "")


def test_a_layout_tomlkit_would_reorder_is_refused_not_rewritten(tmp_path: Path) -> None:
    split = tmp_path / "tracker.toml"
    text = ('[[deals]]\nid = "a"\nacquirer = "A"\ntarget = "B"\n\n[tracker]\ntimezone = "UTC"\n'
            '\n[[deals]]\nid = "c"\nacquirer = "C"\ntarget = "D"\n')
    split.write_text(text)
    result = run(split, "deals", "add", "e", "--acquirer", "E", "--target", "F")
    assert result.exit_code == 1
    assert result.output == (f"Error: {split}: cannot be edited in place (its layout is"
                             " unusual): edit it by hand\n")
    assert split.read_text() == text


def test_an_edit_keeps_the_file_mode_and_leaves_no_temporary_file(config: Path) -> None:
    config.chmod(0o640)
    ok(config, "deals", "add", "x", "--acquirer", "A", "--target", "B")
    assert config.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in config.parent.iterdir()) == ["tracker.toml"]
