"""Commands that only read never create a database or a reports folder: in a folder with
nothing, they say where they looked and how to start, with exit status 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tracker.cli import cli

READ_ONLY = [
    ("replay",), ("replay", "--deal", "microsoft-tiktok"), ("events",), ("report",),
    ("report", "--email", "--dry-run"), ("check",), ("explain", "0123456789ab"), ("articles",),
    ("retract", "0123456789ab", "--reason", "wrong"), ("deals", "list"), ("feeds", "list"),
    ("feeds", "export"), ("history", "microsoft-tiktok"),
]


@pytest.fixture
def empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACKER_CONFIG", raising=False)
    return tmp_path


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_a_read_only_command_in_an_empty_folder_creates_nothing(empty_folder: Path,
                                                                args: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 1, result.output
    assert len(result.output.splitlines()) == 1
    assert str(empty_folder / "tracker.toml") in result.output
    assert "`tracker init`" in result.output
    assert list(empty_folder.iterdir()) == []


@pytest.mark.parametrize("args", [("replay",), ("events",), ("report",), ("check",),
                                  ("articles",), ("reprocess",), ("history", "a")],
                         ids=" ".join)
def test_with_a_config_but_no_database_they_name_the_database(tmp_path: Path,
                                                              args: tuple[str, ...]) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text('[tracker]\ndatabase = "data/log.db"\n\n[[deals]]\nid = "a"\n'
                      'acquirer = "A"\ntarget = "B"\n')
    (tmp_path / "data").mkdir()
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 1
    assert result.output == (f"Error: no database at {tmp_path / 'data' / 'log.db'} (the"
                             f" database of {config}): `tracker poll` creates it (or start"
                             " afresh elsewhere with `tracker init`)\n")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["data", "tracker.toml"]


def test_init_names_poll_as_the_next_step(empty_folder: Path) -> None:
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("then run `tracker poll`.")
    assert sorted(p.name for p in empty_folder.iterdir()) == ["tracker.db", "tracker.toml"]


def test_replay_and_report_in_an_empty_folder_as_real_processes(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "TRACKER_CONFIG"}
    for command in ("replay", "report"):
        done = subprocess.run([sys.executable, "-m", "tracker", command], cwd=tmp_path, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 1
        assert done.stderr == (f"Error: no database at {tmp_path / 'tracker.db'} and no config"
                               f" at {tmp_path / 'tracker.toml'}: start with `tracker init`"
                               " (it writes both), then `tracker poll`\n")
    assert list(tmp_path.iterdir()) == []
