"""Choosing PostgreSQL: `database = "postgresql://..."` or `$TRACKER_DATABASE_URL`, and
one-line errors (a bad URL, a server that refuses, the extra missing), never the password."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import CONFIG_TEXT
from tests.postgres import fresh_schema
from tracker.cli import cli

ROOT = Path(__file__).resolve().parents[1]
ADD = ("add", "negotiation", "--deal", "microsoft-tiktok", "--stage", "negotiating",
       "--date", "2020-08-02")


def run(config_path: Path, *args: str, url: str | None = None) -> Result:
    env = {"TRACKER_DATABASE_URL": url} if url else {}
    return CliRunner().invoke(cli, ["--config", str(config_path), *args], env=env)


def test_the_environment_url_selects_postgresql(config_path: Path, postgres_url: str) -> None:
    assert run(config_path, *ADD, url=postgres_url).exit_code == 0
    listed = run(config_path, "events", "--format", "json", url=postgres_url)
    assert listed.exit_code == 0, listed.output
    assert [row["data"] for row in json.loads(listed.output)] == [{"stage": "negotiating"}]
    assert not (config_path.parent / "tracker.db").exists()
    checked = run(config_path, "check", url=postgres_url)
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("OK: 1 events (0 retractions) over 1 deals")


def test_the_config_url_selects_postgresql_and_the_environment_wins(
        tmp_path: Path, postgres_url: str, postgres_server: str) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(CONFIG_TEXT.replace('database = "tracker.db"',
                                          f'database = "{postgres_url}"'), encoding="utf-8")
    assert run(config, *ADD).exit_code == 0
    assert len(json.loads(run(config, "events", "--format", "json").output)) == 1
    with fresh_schema(postgres_server) as other:
        assert run(config, *ADD, url=other).exit_code == 0
        elsewhere = run(config, "events", "--format", "json", url=other)
    assert elsewhere.exit_code == 0, elsewhere.output
    assert len(json.loads(elsewhere.output)) == 1  # the other schema's own event


READ_ONLY = [("events",), ("replay",), ("report",), ("check",), ("articles",),
             ("history", "microsoft-tiktok"), ("explain", "0123456789ab")]


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_a_read_only_command_on_an_empty_database_creates_nothing(
        tmp_path: Path, postgres_server: str, args: tuple[str, ...]) -> None:
    import psycopg

    config = tmp_path / "tracker.toml"
    config.write_text(CONFIG_TEXT.replace('database = "tracker.db"', ""), encoding="utf-8")
    with fresh_schema(postgres_server) as empty:
        result = run(config, *args, url=empty)
        schema = empty.rsplit("search_path%3D", 1)[-1]
        with psycopg.connect(postgres_server) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s",
                                  (schema,)).fetchone()
    assert result.exit_code == 1
    assert result.output.startswith("Error: no event log in postgresql://")
    assert "`tracker poll` makes it there" in result.output
    assert tables == (0,)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tracker.toml"]  # no reports/


@pytest.mark.parametrize("url, problem", [
    ("postgresql://me:hunter2@db.example:99999/tracker", "a malformed port or host"),
    ("postgresql://me:hunter2@db.example:5432", "no database name"),
])
def test_a_bad_url_is_one_line_without_the_password(config_path: Path, url: str,
                                                    problem: str) -> None:
    result = run(config_path, "events", url=url)
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: $TRACKER_DATABASE_URL: expected a postgresql:// URL: {problem}")
    assert result.output.count("\n") == 1 and "hunter2" not in result.output


def test_a_bad_url_in_the_config_names_the_key(tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text('[tracker]\ndatabase = "mysql://me:hunter2@db.example/tracker"\n',
                      encoding="utf-8")
    result = run(config, "events")
    assert result.exit_code == 1
    assert "[tracker].database: expected a file path or a postgresql:// URL" in result.output
    assert "hunter2" not in result.output


def test_a_server_that_refuses_is_one_line_without_the_password(config_path: Path) -> None:
    result = run(config_path, "events", url="postgresql://me:hunter2@127.0.0.1:1/tracker")
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: postgresql://me:***@127.0.0.1:1/tracker: cannot connect: ")
    assert result.output.count("\n") == 1 and "hunter2" not in result.output


def test_without_the_extra_the_error_says_what_to_install(config_path: Path) -> None:
    # a real process in which psycopg cannot be imported, as without `tracker[postgres]`
    code = ("import sys; sys.modules['psycopg'] = None; from tracker.cli import main;"
            f" sys.argv = ['tracker', '--config', {str(config_path)!r}, 'events']; main()")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                               "TRACKER_DATABASE_URL": "postgresql://me:hunter2@db.example/t"})
    assert done.returncode == 1
    assert done.stderr == ("Error: PostgreSQL needs the postgres extra:"
                           " pip install 'tracker[postgres]'\n")


def test_the_demo_keeps_to_its_own_file_whatever_the_environment_says(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path / "demo")],
                                env={"TRACKER_DATABASE_URL": "postgresql://me@127.0.0.1:1/x"})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "tracker.db").is_file()


def test_migrate_without_the_extra_says_what_to_install(config_path: Path) -> None:
    CliRunner().invoke(cli, ["--config", str(config_path), "init", "--force"])
    code = ("import sys; sys.modules['psycopg'] = None; from tracker.cli import main;"
            f" sys.argv = ['tracker', '--config', {str(config_path)!r}, 'migrate', '--to',"
            " 'postgresql://me@db.example/t']; main()")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1
    assert done.stderr == ("Error: PostgreSQL needs the postgres extra:"
                           " pip install 'tracker[postgres]'\n")
