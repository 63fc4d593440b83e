"""The docs say what the code does: the CLI reference is current, the README covers it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tracker.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def test_the_cli_reference_matches_the_code() -> None:
    done = subprocess.run([sys.executable, "-m", "cogapp", "--check", "docs/cli.md"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, "docs/cli.md is stale: run `cog -r docs/cli.md`\n" + (
        done.stdout + done.stderr)


def test_the_readme_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"### `tracker {name}" not in readme]
    assert missing == []


def test_the_readme_gives_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python -m pip install -e '.[test]' && tracker demo" in readme
    assert "python -m pip install -e '.[test]' && python -m pytest" in readme
