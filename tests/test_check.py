"""`tracker check`: a sound log passes; tampering, bad payloads and dangling retractions fail."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from events.model import EventRetracted
from events.sqlite_store import SQLiteEventStore
from tests.conftest import DEAL, at, deadline, negotiation
from tracker.cli.check import check_log

UTC = ZoneInfo("UTC")


def test_a_sound_log_passes(store: SQLiteEventStore) -> None:
    (row, _) = store.append([negotiation("agreed", "2020-08-02"), deadline("2020-09-15",
                                                                           "2020-08-02")])
    store.append([EventRetracted(deal_id=DEAL, occurred_at=at("2020-08-03"),
                                 retracted_id=row.event_id, reason="misread")])
    report = check_log(store, today=date(2020, 9, 1), zone=UTC)
    assert report.ok, report.problems
    assert (report.events, report.retractions, report.deals) == (3, 1, 1)
    assert report.verdict().startswith("OK: 3 events (1 retractions) over 1 deals")


def test_tampering_is_found(store: SQLiteEventStore, db_path: Path) -> None:
    store.append([negotiation("agreed", "2020-08-02")])
    raw = sqlite3.connect(db_path)
    raw.execute("DROP TRIGGER events_no_update")
    raw.execute("UPDATE events SET data = '{\"stage\": \"merged\"}'")
    raw.execute(
        "INSERT INTO events (event_id, deal_id, type, occurred_at, recorded_at, data)"
        " VALUES ('x1', ?, 'retraction', '2020-08-03T00:00:00Z', '2000-01-01T00:00:00.000000Z',"
        " '{\"event_id\": \"nowhere\", \"reason\": \"r\"}')", (DEAL,))
    raw.commit()
    report = check_log(store, today=date(2020, 9, 1), zone=UTC)
    text = "\n".join(report.problems)
    assert not report.ok and report.verdict().startswith("FAILED")
    assert "events_no_update is missing" in text
    assert "invalid negotiation event: stage" in text
    assert "which does not exist" in text
    assert "recorded_at goes backwards" in text


def test_the_check_command_gives_a_verdict_and_a_status(config_path: Path) -> None:
    from click.testing import CliRunner

    from tracker.cli import cli

    runner = CliRunner()
    added = runner.invoke(cli, ["--config", str(config_path), "add", "negotiation", "--deal",
                                DEAL, "--stage", "agreed", "--date", "2020-08-02"])
    assert added.exit_code == 0, added.output
    good = runner.invoke(cli, ["--config", str(config_path), "check"])
    assert good.exit_code == 0 and good.output.startswith("OK: 1 events"), good.output
    raw = sqlite3.connect(config_path.parent / "tracker.db")
    raw.execute("DROP TRIGGER events_no_update")  # opening the log puts it back
    raw.execute("UPDATE events SET data = '{\"stage\": \"completed\"}'")  # a valid lie
    raw.commit()
    bad = runner.invoke(cli, ["--config", str(config_path), "check"])
    assert bad.exit_code == 1
    assert "problem: seq 1" in bad.output and "no longer matches its id" in bad.output
    assert "does not match its link in the hash chain" in bad.output
    assert "events_no_update were missing and were put back" in bad.output
    assert "FAILED: 3 problem(s) found." in bad.output
