"""Tamper evidence: any edit, deletion, insertion or reordering of the log is reported by
`tracker check`, even when the triggers were dropped first and put back afterwards."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import CONFIG_TEXT, DEAL
from tracker.cli import cli

DROP = "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;"
NEW_ROW = ("INSERT INTO events (seq, event_id, deal_id, type, occurred_at, recorded_at, data)"
           " VALUES ({seq}, 'forged{seq}', 'microsoft-tiktok', 'negotiation',"
           " '2020-08-05T10:00:00Z', '2020-08-05T10:00:00.000000Z', '{{\"stage\": \"agreed\"}}')")

#: What someone with the file could do, each after dropping the append-only triggers.
TAMPERING: dict[str, str] = {
    "edit data": "UPDATE events SET data = '{\"stage\": \"completed\"}' WHERE seq = 2",
    "edit evidence": "UPDATE events SET evidence = 'made up' WHERE seq = 2",
    "edit source_feed": "UPDATE events SET source_feed = 'elsewhere' WHERE seq = 2",
    "edit recorded_at": "UPDATE events SET recorded_at = '2020-08-03T00:00:00.000000Z'"
                        " WHERE seq = 2",
    "delete one": "DELETE FROM events WHERE seq = 2",
    "delete the last": "DELETE FROM events WHERE seq = 3",
    "delete all": "DELETE FROM events",
    "insert in the middle": "DELETE FROM events WHERE seq = 2; " + NEW_ROW.format(seq=2),
    "append behind our back": NEW_ROW.format(seq=4),
    "reorder": "UPDATE events SET seq = 10 WHERE seq = 1; UPDATE events SET seq = 1"
               " WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 10",
    "delete and renumber": "DELETE FROM events WHERE seq = 2; UPDATE events SET seq = 2"
                           " WHERE seq = 3; UPDATE sqlite_sequence SET seq = 2",
    "delete with its link": "DELETE FROM events WHERE seq = 2;"
                            " DROP TRIGGER IF EXISTS event_chain_no_delete;"
                            " DELETE FROM event_chain WHERE seq = 2",
}


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """A log of three events added through the command line."""
    config = tmp_path / "tracker.toml"
    config.write_text(CONFIG_TEXT)
    for stage, day in (("rumored", "2020-08-01"), ("negotiating", "2020-08-02"),
                       ("agreed", "2020-08-03")):
        result = invoke(config, "add", "negotiation", "--deal", DEAL, "--stage", stage,
                        "--date", day)
        assert result.exit_code == 0, result.output
    return config


def invoke(config: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def tamper(config: Path, sql: str, *, put_back: bool = True) -> None:
    raw = sqlite3.connect(config.parent / "tracker.db")
    raw.executescript(DROP + sql)
    raw.commit()
    raw.close()
    if put_back:  # what an ordinary command does next: it must not launder the edit
        assert invoke(config, "replay").exit_code == 0  # type: ignore[attr-defined]


def test_a_sound_log_passes_and_shows_its_head(log: Path) -> None:
    result = invoke(log, "check")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "chain head" in result.output  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampering_is_reported_even_after_an_ordinary_command(log: Path, name: str) -> None:
    tamper(log, TAMPERING[name])
    result = invoke(log, "check")
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "problem:" in result.output  # type: ignore[attr-defined]


def test_triggers_put_back_are_reported_until_acknowledged(log: Path) -> None:
    tamper(log, "")  # dropped and put back, nothing else changed
    first = invoke(log, "check")
    assert first.exit_code == 1  # type: ignore[attr-defined]
    assert "were missing" in first.output  # type: ignore[attr-defined]
    assert invoke(log, "check").exit_code == 1  # type: ignore[attr-defined]
    acknowledged = invoke(log, "check", "--acknowledge")
    assert acknowledged.exit_code == 0, acknowledged.output  # type: ignore[attr-defined]
    assert invoke(log, "check").exit_code == 0  # type: ignore[attr-defined]


def test_a_log_emptier_than_its_articles_say_is_reported(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss version='2.0'><channel><title>t</title><item><guid>1</guid>"
                    "<link>https://news.example/1</link><title>Microsoft is in talks to buy"
                    " TikTok</title></item></channel></rss>")
    config = tmp_path / "tracker.toml"
    config.write_text(CONFIG_TEXT + f'\n[[feeds]]\nname = "local"\nurl = "{feed}"\n')
    assert invoke(config, "poll").exit_code == 0  # type: ignore[attr-defined]
    tamper(config, "DELETE FROM events; DROP TRIGGER IF EXISTS event_chain_no_delete;"
                   " DELETE FROM event_chain; DELETE FROM sqlite_sequence")
    result = invoke(config, "check")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "article(s) gave events the log holds no event" in result.output  # type: ignore


Check = Callable[[Path], None]
