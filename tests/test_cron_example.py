"""`cron.example` is a valid crontab whose `tracker` commands exist in the CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from tracker.cli import cli

CRON_EXAMPLE = Path(__file__).resolve().parent.parent / "cron.example"
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")
# minute, hour, day of month, month, day of week (0 and 7 are Sunday)
FIELD_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
PART = re.compile(r"^(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?$")


def entries() -> list[tuple[list[str], str]]:
    """(five time fields, command) for each job line of cron.example."""
    jobs = []
    for line in CRON_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#") or VARIABLE.match(line):
            continue
        *fields, command = line.split(maxsplit=5)
        jobs.append((fields, command))
    return jobs


def variables() -> dict[str, str]:
    lines = CRON_EXAMPLE.read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if VARIABLE.match(line))
    return {name.strip(): value.strip() for name, value in pairs}


def check_field(field: str, low: int, high: int) -> None:
    for part in field.split(","):
        match = PART.match(part)
        assert match, f"bad cron field {field!r}"
        _, start, end, step = match.groups()
        numbers = [int(n) for n in (start, end) if n is not None]
        assert all(low <= n <= high for n in numbers), f"{field!r} outside {low}-{high}"
        assert step is None or int(step) > 0, f"bad step in {field!r}"


def tracker_invocations(command: str) -> list[list[str]]:
    """The arguments after each `tracker` word of a shell command, up to a redirection."""
    words = shlex.split(re.split(r"\s(?:\d?>|<|\||;|&)", command)[0])
    return [words[n + 1:] for n, word in enumerate(words) if Path(word).name == "tracker"]


def subcommand(args: list[str]) -> tuple[click.Command, list[str]]:
    """The click command named in `args` (after the group's options) and its arguments."""
    takes_value = {opt for p in cli.params if isinstance(p, click.Option) and not p.is_flag
                   and not p.count for opt in p.opts}
    n = 0
    while args[n].startswith("-"):
        n += 2 if args[n] in takes_value else 1
    command = cli.commands.get(args[n])
    assert command is not None, f"no `tracker {args[n]}` command"
    return command, args[n + 1:]


def test_every_job_line_has_five_valid_time_fields() -> None:
    jobs = entries()
    assert len(jobs) == 2
    for fields, _ in jobs:
        assert len(fields) == 5
        for field, (low, high) in zip(fields, FIELD_RANGES, strict=True):
            check_field(field, low, high)


@pytest.mark.parametrize(("fields", "command"), entries())
def test_every_job_runs_existing_tracker_commands_under_flock(fields: list[str],
                                                              command: str) -> None:
    invocations = tracker_invocations(command)
    assert invocations, f"no tracker command in {command!r}"
    for args in invocations:
        found, rest = subcommand(args)
        options = {opt for p in found.params for opt in p.opts}
        for word in rest:
            if word.startswith("-"):
                assert word in options, f"`tracker {found.name}` has no option {word}"
    assert re.match(r"^flock -n \S+\.lock tracker ", command), command
    assert re.search(r">> /var/log/tracker/\S+\.log 2>&1$", command), command


def test_polls_every_15_minutes_and_reports_at_seven_with_email() -> None:
    schedule = {" ".join(fields): tracker_invocations(command)[0] for fields, command in entries()}
    assert schedule["*/15 * * * *"] == ["poll"]
    assert schedule["0 7 * * *"] == ["report", "--email"]


def test_config_path_and_time_zone_note_are_spelled_out() -> None:
    assert variables()["TRACKER_CONFIG"] == "/etc/tracker/tracker.toml"
    text = CRON_EXAMPLE.read_text(encoding="utf-8")
    assert "# CRON_TZ=" in text and "[tracker].timezone" in text
