"""`tracker poll` tells each warning and error once, above its progress bar: checked in
real processes, with stderr a pipe and with stderr a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.feeds import NEWS, rss

pty = pytest.importorskip("pty")

BROKEN = rss(NEWS).replace(b"</channel></rss>",
                           b"<item><title>x &bogus; y</title></item></channel></rss>")


def two_feeds(tmp_path: Path) -> dict[str, str]:
    """A config with a malformed feed (a warning) and a missing one (an error)."""
    (tmp_path / "broken.xml").write_bytes(BROKEN)
    config = tmp_path / "tracker.toml"
    config.write_text('[[feeds]]\nname = "broken"\nurl = "broken.xml"\n\n[[feeds]]\n'
                      'name = "gone"\nurl = "gone.xml"\n\n[[deals]]\nid = "microsoft-tiktok"\n'
                      'acquirer = "Microsoft"\ntarget = "TikTok"\n')
    return {**os.environ, "TRACKER_CONFIG": str(config), "COLUMNS": "200"}


def test_each_warning_and_error_is_told_once(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "tracker", "poll"], env=two_feeds(tmp_path),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith("warning: broken: malformed feed, kept 4 entries")
    assert lines[1].startswith(f"error: gone: {tmp_path / 'gone.xml'}: cannot read")
    assert done.stdout.startswith("Polled 2 feed(s): 1 fetched")


def visible_lines(output: str) -> list[str]:
    """What a terminal shows: on each line, what follows the last return to its start."""
    return [line.rsplit("\r", 1)[-1].replace("\x1b[K", "")
            for line in output.replace("\r\n", "\n").split("\n") if line]


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[str, int]:
    """Run tracker with stderr on a pseudo-terminal; return what it wrote there."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "tracker", *args], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return b"".join(chunks).decode(), process.wait(timeout=60)


def test_on_a_terminal_the_notes_go_above_the_bar(tmp_path: Path) -> None:
    output, status = run_on_a_terminal(["poll"], two_feeds(tmp_path))
    assert status == 0, output
    shown = visible_lines(output)
    assert [line.split(":")[0] for line in shown[:-1]] == ["warning", "error"], shown
    assert shown[-1].startswith("Polling [########################] 2/2")
    assert output.count("malformed feed") == 1 and output.count("cannot read") == 1
    assert "WARNING" not in output  # no log line besides
