"""The SQLite archive: the shared contract, plus its schema version."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from events.errors import StoreError
from events.model import EventRetracted
from events.sqlite_store import SQLiteEventStore
from tests.archive_contract import ArchiveContract
from tests.conftest import CONFIG_TEXT, at, deadline, negotiation, statement
from tests.feeds import NEWS, rss
from tracker.archive import Archive
from tracker.archive.sqlite_archive import ARCHIVE_VERSION, SQLiteArchive
from tracker.cli import cli


class TestSQLiteArchive(ArchiveContract):
    """SQLiteArchive passes the contract every archive must pass."""

    @pytest.fixture
    def archive(self, db_path: Path) -> Iterator[SQLiteArchive]:
        opened = SQLiteArchive(SQLiteEventStore(db_path))
        yield opened
        opened.close()


def test_the_schema_version_is_recorded(db_path: Path) -> None:
    SQLiteArchive(SQLiteEventStore(db_path)).close()
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT version FROM archive_schema").fetchall() == [(ARCHIVE_VERSION,)]


def test_an_archive_from_before_versions_gains_the_missing_tables(db_path: Path) -> None:
    SQLiteArchive(SQLiteEventStore(db_path)).close()
    raw = sqlite3.connect(db_path)
    raw.executescript("DROP TABLE archive_schema; DROP TABLE reports;")
    raw.close()
    archive = SQLiteArchive(SQLiteEventStore(db_path))
    assert archive.reported_days() == set()
    archive.close()


def test_an_archive_written_by_a_newer_tracker_is_refused(db_path: Path) -> None:
    SQLiteArchive(SQLiteEventStore(db_path)).close()
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE archive_schema SET version = ?", (ARCHIVE_VERSION + 1,))
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="newer tracker"):
        SQLiteArchive(SQLiteEventStore(db_path))


class TestPostgresArchive(ArchiveContract):
    """PostgresArchive passes the same contract, on a real server."""

    @pytest.fixture
    def archive(self, postgres_url: str) -> Iterator[Archive]:
        from events.postgres_store import PostgresEventStore
        from tracker.archive.postgres_archive import PostgresArchive

        opened = PostgresArchive(PostgresEventStore(postgres_url))
        yield opened
        opened.close()


def test_one_postgresql_archive_at_a_time_runs_a_task(postgres_url: str) -> None:
    from events.postgres_store import PostgresEventStore
    from tracker.archive.postgres_archive import PostgresArchive

    first, second = (PostgresArchive(PostgresEventStore(postgres_url)) for _ in range(2))
    try:
        with first.exclusively("daily report") as mine:
            assert mine
            with second.exclusively("daily report") as theirs:
                assert not theirs
            with second.exclusively("pages") as other_task:
                assert other_task
        with second.exclusively("daily report") as now_theirs:
            assert now_theirs
    finally:
        first.close()
        second.close()


def test_a_feed_leased_by_one_poller_is_not_leased_by_another(postgres_url: str) -> None:
    from events.postgres_store import PostgresEventStore
    from tracker.archive.postgres_archive import PostgresArchive

    first, second = (PostgresArchive(PostgresEventStore(postgres_url)) for _ in range(2))
    try:
        states = list(first.feed_states([("a", "https://a.example"),
                                         ("b", "https://b.example")]).values())
        lease = {"now": "2026-03-10T09:00:00.000000Z", "until": "2026-03-10T09:13:30.000000Z"}
        assert [s.name for s in first.lease_feeds(states[:1], holder="one", **lease)] == ["a"]
        assert [s.name for s in second.lease_feeds(states, holder="two", **lease)] == ["b"]
        assert second.lease_feeds(states, holder="two", **lease) == []
        later = {"now": "2026-03-10T09:13:30.000000Z", "until": "2026-03-10T09:27:00.000000Z"}
        assert [s.name for s in second.lease_feeds(states, holder="two", **later)] == ["a", "b"]
        assert len(first.lease_feeds(states, holder="one", every=True, **later)) == 2
    finally:
        first.close()
        second.close()


def test_a_postgresql_archive_written_by_a_newer_tracker_is_refused(postgres_url: str) -> None:
    import psycopg

    from events.postgres_store import PostgresEventStore
    from tracker.archive.postgres_archive import PostgresArchive

    PostgresArchive(PostgresEventStore(postgres_url)).close()
    with psycopg.connect(postgres_url, autocommit=True) as raw:
        raw.execute("UPDATE archive_schema SET version = %s", (ARCHIVE_VERSION + 1,))
    with pytest.raises(StoreError, match="newer tracker"):
        PostgresArchive(PostgresEventStore(postgres_url))


def retraction(target: object, when: str) -> EventRetracted:
    return EventRetracted(deal_id=target.deal_id, occurred_at=at(when),  # type: ignore[attr-defined]
                          retracted_id=target.event_id, reason="r")  # type: ignore[attr-defined]


def test_live_events_are_the_events_replay_folds(db_path: Path) -> None:
    store = SQLiteEventStore(db_path)
    SQLiteArchive(store)
    kept, dropped = negotiation("agreed", "2020-08-02"), deadline("2020-09-15", "2020-08-02")
    back = statement("We will", "2020-08-03")
    undone = retraction(back, "2020-08-04")
    store.append([kept, dropped, back, retraction(dropped, "2020-08-04"), undone])
    store.append([retraction(undone, "2020-08-05")])  # puts `back` back
    folded = {row.event_id for row in store.read() if row.type != "retraction"}
    folded -= store.retracted_ids()
    # a row another tool wrote, whose data is no JSON: shown, with no fields, hiding nothing
    store.conn.execute("INSERT INTO events (event_id, deal_id, type, occurred_at, recorded_at,"
                       " data) VALUES ('x', 'd', 'retraction', '2020-08-06T00:00:00Z',"
                       " '2099-01-01T00:00:00.000000Z', 'not json')")
    store.conn.commit()
    live = list(sqlite_utils.Database(db_path)["live_events"].rows)
    assert [row["event_id"] for row in live] == [kept.event_id, back.event_id]
    assert {row["event_id"] for row in live} == folded
    assert (live[0]["stage"], live[1]["speaker"], live[1]["quote"]) == (
        "agreed", "Satya Nadella", "We will")
    store.close()


def test_an_archive_of_version_4_gains_the_deals_table_and_the_view(db_path: Path) -> None:
    SQLiteArchive(SQLiteEventStore(db_path)).close()
    raw = sqlite3.connect(db_path)
    raw.executescript("DROP TABLE deals; DROP VIEW live_events;"
                      " UPDATE archive_schema SET version = 4;")
    raw.close()
    SQLiteArchive(SQLiteEventStore(db_path)).close()
    db = sqlite_utils.Database(db_path)
    assert "deals" in db.table_names() and "live_events" in db.view_names()
    assert db.execute("SELECT version FROM archive_schema").fetchall() == [(ARCHIVE_VERSION,)]


def test_each_poll_mirrors_the_configured_deals_for_datasette(tmp_path: Path) -> None:
    feed = tmp_path / "news.xml"
    feed.write_bytes(rss(NEWS))
    config = tmp_path / "tracker.toml"
    config.write_text(CONFIG_TEXT + f'\n[[feeds]]\nname = "news"\nurl = "{feed}"\n',
                      encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "poll"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "tracker.db")
    deals = list(db["deals"].rows)
    assert [(d["id"], d["title"], d["seller"], d["aliases"]) for d in deals] == [
        ("microsoft-tiktok", "Microsoft / TikTok US", "ByteDance", '["ByteDance"]'),
        ("microsoft-activision", "Microsoft / Activision Blizzard", None, '["Activision"]')]
    # the README's query: each live event with its deal's title
    joined = db.execute("SELECT d.title, e.type, e.stage FROM live_events AS e"
                        " JOIN deals AS d ON d.id = e.deal_id ORDER BY e.occurred_at").fetchall()
    assert joined and all(title == "Microsoft / TikTok US" for title, _, _ in joined)
    config.write_text(CONFIG_TEXT.split("[[deals]]\nid = \"microsoft-activision\"")[0]
                      + f'\n[[feeds]]\nname = "news"\nurl = "{feed}"\n', encoding="utf-8")
    assert CliRunner().invoke(cli, ["--config", str(config), "poll"]).exit_code == 0
    assert [d["id"] for d in db["deals"].rows] == ["microsoft-tiktok"]
    assert db["events"].count == len(joined) > 0  # removing a deal keeps its events


def test_postgresql_live_events_are_the_events_replay_folds(postgres_url: str) -> None:
    import psycopg

    from events.postgres_store import PostgresEventStore
    from tracker.archive.postgres_archive import PostgresArchive

    archive = PostgresArchive(PostgresEventStore(postgres_url))
    store = archive.store
    kept, dropped = negotiation("agreed", "2020-08-02"), deadline("2020-09-15", "2020-08-02")
    back = statement("We will", "2020-08-03")
    undone = retraction(back, "2020-08-04")
    store.append([kept, dropped, back, retraction(dropped, "2020-08-04"), undone])
    store.append([retraction(undone, "2020-08-05")])  # puts `back` back
    folded = {row.event_id for row in store.read() if row.type != "retraction"}
    folded -= store.retracted_ids()
    archive.close()
    with psycopg.connect(postgres_url, autocommit=True) as raw:
        # a row another tool wrote, whose data is no JSON: shown, with no fields, hiding nothing
        raw.execute("INSERT INTO events (seq, event_id, deal_id, type, occurred_at, recorded_at,"
                    " data) VALUES (99, 'x', 'd', 'retraction', '2020-08-06T00:00:00Z',"
                    " '2099-01-01T00:00:00.000000Z', 'not json')")
        live = raw.execute("SELECT event_id, stage, speaker, quote FROM live_events"
                           " ORDER BY seq").fetchall()
    assert [row[0] for row in live] == [kept.event_id, back.event_id]
    assert {row[0] for row in live} == folded
    assert (live[0][1], live[1][2], live[1][3]) == ("agreed", "Satya Nadella", "We will")
