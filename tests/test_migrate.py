"""`tracker migrate --to postgresql://...`: the SQLite log and archive, moved whole."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from tests.postgres import need_psycopg
from tracker.cli import cli

psycopg = need_psycopg()

SAMPLES = Path(__file__).resolve().parents[1] / "tracker" / "samples"


def run(config_path: Path, *args: str, url: str | None = None) -> Result:
    env = {"TRACKER_DATABASE_URL": url} if url else {}
    return CliRunner().invoke(cli, ["--config", str(config_path), *args], env=env)


def filled(config_path: Path) -> None:
    """A SQLite log with polled articles, an event added by hand, a retraction, a report."""
    for args in (
        ("ingest", *(str(path) for path in sorted(SAMPLES.glob("*.xml")))),
        ("add", "deadline", "--deal", "microsoft-tiktok", "--due", "2020-11-12",
         "--replaces", "2020-09-15", "--label", "decision", "--date", "2020-09-14"),
        ("report", "--date", "2020-09-15"),
    ):
        result = run(config_path, *args)
        assert result.exit_code == 0, result.output
    first = json.loads(run(config_path, "events", "--format", "json").output)[0]
    assert run(config_path, "retract", first["event_id"], "--reason", "misread").exit_code == 0


#: What a user sees of a database: each must read the same before and after the move.
VIEWS = (
    ("events", "--format", "json"),
    ("replay", "--as-of", "2020-09-15", "--format", "json",
     "--known-at", "2030-01-01T00:00:00Z"),
    ("articles", "--format", "json", "--limit", "1000"),
    ("articles", "--search", "Microsoft TikTok", "--format", "json"),
    ("check",),
)


def test_migrate_moves_the_log_and_archive_unchanged(config_path: Path,
                                                     postgres_url: str) -> None:
    filled(config_path)
    before = [run(config_path, *view) for view in VIEWS]
    moved = run(config_path, "migrate", "--to", postgres_url)
    assert moved.exit_code == 0, moved.output
    events = json.loads(before[0].output)
    assert moved.output.startswith(f"Copied {len(events)} event(s) (last seq {len(events)}),")
    after = [run(config_path, *view, url=postgres_url) for view in VIEWS]
    for view, old, new in zip(VIEWS, before, after, strict=True):
        assert (new.exit_code, new.output) == (old.exit_code, old.output), view
    assert before[-1].output.startswith(f"OK: {len(events)} events (1 retractions)")
    assert len(json.loads(before[2].output)) > len(json.loads(before[3].output)) > 0
    pages = []
    for where, url in (("sqlite", None), ("postgres", postgres_url)):
        out = config_path.parent / where
        assert run(config_path, "report", "--date", "2020-09-15", "--out", str(out),
                   url=url).exit_code == 0
        pages.append((out / "2020-09-15.html").read_text(encoding="utf-8"))
    assert pages[0] == pages[1]  # the day's report, to the byte
    with psycopg.connect(postgres_url) as raw:  # the deals mirror, for browsing tools
        mirrored = raw.execute("SELECT id FROM deals ORDER BY position").fetchall()
    assert mirrored == [("microsoft-tiktok",), ("microsoft-activision",)]


def test_the_moved_log_goes_on_from_the_last_seq_with_its_chain(config_path: Path,
                                                                postgres_url: str) -> None:
    filled(config_path)
    assert run(config_path, "migrate", "--to", postgres_url).exit_code == 0
    added = run(config_path, "add", "negotiation", "--deal", "microsoft-tiktok", "--stage",
                "completed", "--date", "2020-11-13", url=postgres_url)
    assert added.exit_code == 0, added.output
    listed = json.loads(run(config_path, "events", "--format", "json", url=postgres_url).output)
    assert [row["seq"] for row in listed] == list(range(1, len(listed) + 1))
    assert listed[-1]["recorded_at"] > listed[-2]["recorded_at"]
    checked = run(config_path, "check", url=postgres_url)
    assert checked.exit_code == 0 and checked.output.startswith(f"OK: {len(listed)} events")
    with psycopg.connect(postgres_url) as raw:  # new rows get ids after the copied ones
        raw.execute("INSERT INTO runs (started_at) VALUES ('t')")
        ids = [row[0] for row in raw.execute("SELECT id FROM runs ORDER BY id")]
    assert ids == list(range(1, len(ids) + 1))


def test_migrate_refuses_a_database_that_is_not_empty(config_path: Path,
                                                      postgres_url: str) -> None:
    filled(config_path)
    assert run(config_path, "migrate", "--to", postgres_url).exit_code == 0
    again = run(config_path, "migrate", "--to", postgres_url)
    assert again.exit_code == 1
    assert again.output.startswith("Error: postgresql://postgres@127.0.0.1:5432/test is not"
                                   " empty (")
    assert again.output.count("\n") == 1


def test_migrate_needs_a_sqlite_file_and_a_postgresql_url(config_path: Path) -> None:
    missing = run(config_path, "migrate", "--to", "postgresql://me@db.example/tracker")
    assert missing.exit_code == 1 and "--from: no SQLite database at" in missing.output
    bad = run(config_path, "migrate", "--to", "mysql://me:pw@db.example/tracker")
    assert bad.exit_code == 1
    assert bad.output == "Error: --to: expected a postgresql:// URL: not a postgresql:// URL\n"
