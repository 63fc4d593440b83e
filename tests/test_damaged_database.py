"""A damaged or locked database: every store and archive method fails as a StoreError
naming the file (never a raw sqlite3 error), and every command says so in one line."""

from __future__ import annotations

import inspect
import random
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from events.errors import StoreError
from events.sqlite_store import SQLiteEventStore
from events.store import EventStore
from tests.archive_contract import article
from tests.conftest import CONFIG_TEXT, DEAL, negotiation
from tracker.archive import Archive
from tracker.archive.sqlite_archive import SQLiteArchive
from tracker.cli import cli
from tracker.model import ArticleReading, EventSource, FeedState

Call = Callable[[SQLiteEventStore, SQLiteArchive], Any]

#: Every public method of the store and the archive, called as a command would.
CALLS: dict[str, Call] = {
    "store.append": lambda s, a: s.append([negotiation("agreed", "2020-08-09")]),
    "store.transaction": lambda s, a: s.transaction().__enter__(),
    "store.snapshot": lambda s, a: s.snapshot().__enter__(),
    "store.read": lambda s, a: list(s.read()),
    "store.timeline": lambda s, a: list(s.timeline()),
    "store.get": lambda s, a: s.get("0" * 32),
    "store.ids_with_prefix": lambda s, a: s.ids_with_prefix("abcdef"),
    "store.retracted_ids": lambda s, a: s.retracted_ids(),
    "store.last_recorded_at": lambda s, a: s.last_recorded_at(),
    "store.last_seq": lambda s, a: s.last_seq(),
    "store.verify": lambda s, a: s.verify(),
    "store.chain_head": lambda s, a: s.chain_head(),
    "store.acknowledge_notices": lambda s, a: s.acknowledge_notices(),
    "archive.feed_states": lambda s, a: a.feed_states([("tech", "https://a.example/rss")]),
    "archive.save_feed": lambda s, a: a.save_feed(FeedState("tech", "u", "u")),
    "archive.all_feeds": lambda s, a: a.all_feeds(),
    "archive.known_versions": lambda s, a: a.known_versions("tech"),
    "archive.save_article": lambda s, a: a.save_article(article("new", "text"), version=1,
                                                        fetched_at="t", events=0),
    "archive.start_run": lambda s, a: a.start_run("2020-08-09T00:00:00.000000Z"),
    "archive.finish_run": lambda s, a: a.finish_run(1, finished_at="t", counts={}, errors=[]),
    "archive.last_runs": lambda s, a: a.last_runs(),
    "archive.links_with_events": lambda s, a: a.links_with_events(),
    "archive.headlines": lambda s, a: a.headlines(["https://news.example/1"]),
    "archive.mirror_deals": lambda s, a: a.mirror_deals([], mirrored_at="t"),
    "archive.mirrored_deals": lambda s, a: a.mirrored_deals(),
    "archive.save_definitions": lambda s, a: a.save_definitions("f", {"d": "x"}),
    "archive.record_reading": lambda s, a: a.record_reading(1, ArticleReading(frozenset({"d"})),
                                                            extractor="x", read_with="f"),
    "archive.index_for_search": lambda s, a: a.index_for_search(),
    "archive.mark_read": lambda s, a: a.mark_read([1, 2], extractor="x", read_with="f"),
    "archive.add_sources": lambda s, a: a.add_sources(
        [EventSource("e1", 1, "d", "rule", None, "x")]),
    "archive.latest_articles": lambda s, a: a.latest_articles(),
    "archive.stored_article": lambda s, a: a.stored_article(1),
    "archive.sources_of": lambda s, a: a.sources_of([1, 2]),
    "archive.event_sources": lambda s, a: a.event_sources("e1"),
    "archive.deal_reads": lambda s, a: a.deal_reads(),
    "archive.save_deal_read": lambda s, a: a.save_deal_read("d", "f", names=["acme"],
                                                            extractor="x", read_at="t"),
    "archive.forget_deal_reads": lambda s, a: a.forget_deal_reads(["d"]),
    "archive.page_candidates": lambda s, a: a.page_candidates(auto=["tech"], always=["x"],
                                                              short=1500, limit=5),
    "archive.record_page_attempt": lambda s, a: a.record_page_attempt(1, tried_at="t",
                                                                      error=None),
    "archive.robots": lambda s, a: a.robots("news.example"),
    "archive.save_robots": lambda s, a: a.save_robots("news.example", "t", 200, ""),
    "archive.list_articles": lambda s, a: a.list_articles(search="talks", without_events=True),
    "archive.unfinished_runs": lambda s, a: a.unfinished_runs(),
    "archive.record_report": lambda s, a: a.record_report(date(2020, 8, 9), last_seq=1,
                                                          sent=False),
    "archive.reported_days": lambda s, a: a.reported_days(),
    # on SQLite these touch no page: one poller, the file lock keeps others out
    "archive.lease_feeds": lambda s, a: a.lease_feeds([FeedState("tech", "u", "u")], now="t",
                                                      until="u", holder="h"),
    "archive.exclusively": lambda s, a: a.exclusively("daily report").__enter__(),
}
NOT_CALLED = {"close"}  # what releases the connection cannot meet a damaged page


def public_methods(cls: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_")} - NOT_CALLED


def test_every_public_method_is_called_below() -> None:
    called = {name.partition(".")[2] for name in CALLS}
    assert public_methods(EventStore) <= {n for n in called if f"store.{n}" in CALLS}
    assert public_methods(Archive) <= {n for n in called if f"archive.{n}" in CALLS}


def filled_database(path: Path) -> None:
    """A real log: a few thousand events and articles, spread over many pages."""
    archive = SQLiteArchive(SQLiteEventStore(path))
    with archive.store.transaction():
        for n in range(3000):
            archive.store.append([negotiation("negotiating", "2020-08-02",
                                              url=f"https://news.example/{n}")])
            archive.save_article(article(f"k{n}", f"text {n} " * 20), version=1,
                                 fetched_at="t", events=1)
        archive.start_run("2020-08-02T00:00:00.000000Z")
    archive.close()


def damage(path: Path) -> None:
    """Overwrite 8 KB of the event log's pages, as a failing disk or a stray dd would."""
    # where the middle events are (their links, unlike the articles', have no "k")
    at = path.read_bytes().index(b"news.example/1500")
    with path.open("r+b") as file:
        file.seek(at - at % 4096)
        file.write(random.Random(7).randbytes(8192))


@pytest.fixture
def damaged(tmp_path: Path) -> Iterator[tuple[SQLiteEventStore, SQLiteArchive]]:
    path = tmp_path / "tracker.db"
    filled_database(path)
    damage(path)
    store = SQLiteEventStore(path, busy_timeout=0.1)
    archive = SQLiteArchive(store)
    yield store, archive
    store.conn.close()


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[tuple[SQLiteEventStore, SQLiteArchive]]:
    path = tmp_path / "tracker.db"
    filled_database(path)
    store = SQLiteEventStore(path, busy_timeout=0.1)
    archive = SQLiteArchive(store)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    holder.execute("INSERT INTO runs (started_at) VALUES ('elsewhere')")
    yield store, archive
    holder.execute("ROLLBACK")
    holder.close()
    store.conn.close()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_damaged_file_fails_as_a_store_error_naming_it(
        damaged: tuple[SQLiteEventStore, SQLiteArchive], name: str) -> None:
    store, archive = damaged
    try:
        CALLS[name](store, archive)
    except StoreError as error:
        assert "tracker.db" in str(error) and "\n" not in str(error)
    # anything else (sqlite3.DatabaseError above all) fails the test by escaping


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_locked_file_fails_as_a_store_error_naming_it(
        locked: tuple[SQLiteEventStore, SQLiteArchive], name: str) -> None:
    store, archive = locked
    try:
        CALLS[name](store, archive)
    except StoreError as error:
        assert "tracker.db" in str(error) and "locked" in str(error)


def test_reading_the_damaged_part_names_the_damage(
        damaged: tuple[SQLiteEventStore, SQLiteArchive]) -> None:
    store, _ = damaged
    with pytest.raises(StoreError, match=r"tracker\.db: cannot .*damaged"):
        list(store.read())


# --- the command line --------------------------------------------------------------------

COMMANDS = [
    ["events"],
    ["events", "--format", "json"],
    ["replay"],
    ["replay", "--format", "json", "--as-of", "2020-08-05"],
    ["report", "--date", "2020-08-05"],
    # an event on the damaged pages (see `damage`)
    ["explain", negotiation("negotiating", "2020-08-02", url="https://news.example/1500").event_id],
]
#: Writes that need only undamaged pages may succeed; when they fail, it is one line.
WRITES = [
    ["poll"],
    ["ingest", "feed.xml"],
    ["retract", "abcdef123456", "--reason", "wrong"],
    ["add", "negotiation", "--deal", DEAL, "--stage", "agreed", "--date", "2020-08-05"],
]


@pytest.fixture
def damaged_folder(tmp_path: Path) -> Path:
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss version='2.0'><channel><title>t</title><item><title>Microsoft"
                    " in talks to buy TikTok</title><guid>g1</guid></item></channel></rss>")
    config = tmp_path / "tracker.toml"
    config.write_text(CONFIG_TEXT + f'\n[[feeds]]\nname = "local"\nurl = "{feed}"\n')
    filled_database(tmp_path / "tracker.db")
    damage(tmp_path / "tracker.db")
    return tmp_path


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_on_a_damaged_database_says_so_in_one_line(
        damaged_folder: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, ["--config", str(damaged_folder / "tracker.toml"), *args])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "tracker.db" in errors[0], result.output


@pytest.mark.parametrize("args", WRITES, ids=" ".join)
def test_a_write_on_a_damaged_database_succeeds_or_says_why_in_one_line(
        damaged_folder: Path, args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(damaged_folder)
    result = CliRunner().invoke(cli, ["--config", str(damaged_folder / "tracker.toml"), *args])
    assert result.exit_code in (0, 1) and isinstance(result.exception, (SystemExit, type(None)))
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == (result.exit_code == 1), result.output


def test_check_gives_the_damage_as_its_verdict(damaged_folder: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(damaged_folder / "tracker.toml"), "check"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception
    verdict = [line for line in result.output.splitlines() if line.startswith("FAILED")]
    assert len(verdict) == 1, result.output
    assert "damaged" in verdict[0] or "integrity" in result.output


def test_a_file_that_is_not_a_database_is_one_line_for_every_command(tmp_path: Path) -> None:
    config = tmp_path / "tracker.toml"
    config.write_text(CONFIG_TEXT)
    (tmp_path / "tracker.db").write_bytes(b"not a database at all\n" * 400)
    for args in (["events"], ["replay"], ["check"], ["retract", "abcdef123456", "--reason", "r"]):
        result = CliRunner().invoke(cli, ["--config", str(config), *args])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), args
        assert "not a tracker database" in result.output, result.output
