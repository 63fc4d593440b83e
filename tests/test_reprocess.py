"""Reading the archive again: backfill at poll, `tracker reprocess`, provenance."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from events.model import NegotiationReported
from events.sqlite_store import SQLiteEventStore
from tests.conftest import at
from tracker.archive.sqlite_archive import LEGACY_RULE, SQLiteArchive
from tracker.cli import cli
from tracker.model import Article

ACME = """
[[deals]]
id = "acme-globex"
title = "Acme / Globex"
acquirer = "Acme"
target = "Globex"
aliases = ["Hooli"]
"""
INITECH = """
[[deals]]
id = "initech-umbrella"
acquirer = "Initech"
target = "Umbrella"
"""
#: (guid, title, text, day): our own sentences about made-up companies
ITEMS = [
    ("a1", "Acme agrees to buy Globex for $5 billion",
     "Acme said on Monday it had agreed to buy Globex in a deal worth $5 billion, subject to"
     " regulatory approval.", "2021-03-01"),
    ("a2", "Acme in talks to buy Hooli",
     "Acme is in talks to buy Hooli, people familiar with the matter said. A decision is due"
     " by March 30.", "2021-03-02"),
    ("a3", "Globex opens an office in Lyon",
     "Globex said it will hire 200 engineers in Lyon next year.", "2021-03-03"),
    ("a4", "Initech to acquire Umbrella",
     "Initech has agreed to acquire Umbrella for $2 billion, the two companies said on"
     " Tuesday.", "2021-03-04"),
]


def rss(items: list[tuple[str, str, str, str]]) -> str:
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>https://news.example/{guid}</link>"
        f"<pubDate>{format_datetime(at(day))}</pubDate><description>{text}</description></item>"
        for guid, title, text, day in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
            f"<link>https://news.example/</link><description>d</description>{entries}"
            "</channel></rss>")


class Folder:
    """A tracker folder: its config (deals can be changed), a feed on 127.0.0.1, the CLI."""

    def __init__(self, tmp_path: Path, httpserver: HTTPServer) -> None:
        self.path = tmp_path
        httpserver.expect_request("/feed.xml").respond_with_data(
            rss(ITEMS), content_type="application/rss+xml")
        self.url = httpserver.url_for("/feed.xml")
        self.configure(ACME)

    def configure(self, deals: str) -> None:
        (self.path / "tracker.toml").write_text(
            f'[tracker]\ndatabase = "tracker.db"\n\n[[feeds]]\nname = "news"\n'
            f'url = "{self.url}"\nlanguage = "en"\n{deals}', encoding="utf-8")

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(cli, ["--config", str(self.path / "tracker.toml"), *args])
        assert result.exit_code == 0, result.output
        return result

    def events(self) -> list[dict[str, Any]]:
        return list(json.loads(self.run("events", "--format", "json").output))

    def live(self, deal: str) -> dict[str, set[str]]:
        """Per type, the ids of `deal`'s events not retracted."""
        rows = self.events()
        store = SQLiteEventStore(self.path / "tracker.db")
        retracted = store.retracted_ids()
        store.close()
        found: dict[str, set[str]] = {}
        for row in rows:
            if (row["deal_id"] == deal and row["type"] != "retraction"
                    and row["event_id"] not in retracted):
                found.setdefault(row["type"], set()).add(row["event_id"])
        return found

    def events_table_digest(self) -> str:
        conn = sqlite3.connect(self.path / "tracker.db")
        rows = conn.execute("SELECT * FROM events ORDER BY seq").fetchall()
        chain = conn.execute("SELECT * FROM event_chain").fetchall()
        conn.close()
        return hashlib.sha256(repr((rows, chain)).encode()).hexdigest()


@pytest.fixture
def folder(tmp_path: Path, httpserver: HTTPServer) -> Folder:
    return Folder(tmp_path, httpserver)


def test_a_deal_added_after_polling_gets_its_events_at_the_next_poll_once(
        folder: Folder) -> None:
    folder.run("poll")
    assert folder.live("initech-umbrella") == {}
    folder.configure(ACME + INITECH)
    line = folder.run("poll", "--all").output
    assert "Read 4 stored article(s) again for new or renamed deals: 1 event(s) added" in line
    assert set(folder.live("initech-umbrella")) == {"negotiation"}
    before = len(folder.events())
    again = folder.run("poll", "--all").output
    assert "Read" not in again and len(folder.events()) == before


def test_ingest_reads_the_archive_for_a_new_deal_first_too(folder: Folder) -> None:
    folder.run("ingest", folder.url)
    folder.configure(ACME + INITECH)
    line = folder.run("ingest", folder.url).output
    assert line.startswith("Read 4 stored article(s) again for new or renamed deals: 1 event")
    assert set(folder.live("initech-umbrella")) == {"negotiation"}


def test_an_alias_removed_then_reprocess_retracts_what_it_alone_supported(
        folder: Folder) -> None:
    folder.run("poll")
    kept = folder.live("acme-globex")
    hooli = {row["event_id"] for row in folder.events()
             if row["source_url"] == "https://news.example/a2"}
    assert len(hooli) == 2  # the rumour and the decision date of the Hooli article
    folder.configure(ACME.replace('aliases = ["Hooli"]', "aliases = []"))
    output = folder.run("reprocess").output
    assert "0 event(s), 2 retraction(s)" in output
    live = folder.live("acme-globex")
    assert set().union(*live.values()) == set().union(*kept.values()) - hooli
    reasons = [row["data"]["reason"] for row in folder.events() if row["type"] == "retraction"]
    assert all(r.startswith("no longer read from https://news.example/a2 by extractor 0.")
               for r in reasons) and len(reasons) == 2


def test_an_alias_put_back_reinstates_what_a_reprocess_retracted(folder: Folder) -> None:
    folder.run("poll")
    kept = folder.live("acme-globex")
    folder.configure(ACME.replace('aliases = ["Hooli"]', "aliases = []"))
    folder.run("poll")  # the backfill of the renamed deal retracts
    assert folder.live("acme-globex") != kept
    folder.configure(ACME)
    line = folder.run("poll").output
    assert "0 retracted, 2 reinstated" in line
    assert folder.live("acme-globex") == kept
    assert "0 event(s), 0 retraction(s), 0 reinstatement(s)" in folder.run("reprocess").output


def test_events_added_or_retracted_by_hand_are_left_alone(folder: Folder) -> None:
    folder.run("poll")
    folder.run("add", "negotiation", "--deal", "acme-globex", "--stage", "under_review",
               "--date", "2021-03-05", "--note", "heard at a conference")
    agreed = next(row for row in folder.events() if row["data"].get("stage") == "agreed")
    folder.run("retract", agreed["event_id"], "--reason", "checked: not yet signed")
    folder.configure(ACME.replace('aliases = ["Hooli"]', 'aliases = ["Hooli", "Globex Inc"]'))
    output = folder.run("reprocess").output
    assert "1 event(s) found again stay retracted by hand" in output
    live = folder.live("acme-globex")
    manual = [row for row in folder.events() if row["data"].get("stage") == "under_review"]
    assert manual and manual[0]["event_id"] in live["negotiation"]
    assert agreed["event_id"] not in live["negotiation"]


def test_a_dry_run_changes_nothing_and_a_second_run_appends_nothing(folder: Folder) -> None:
    folder.run("poll")
    folder.configure(ACME.replace('aliases = ["Hooli"]', "aliases = []") + INITECH)
    digest = folder.events_table_digest()
    dry = folder.run("reprocess", "--dry-run", "--format", "json").output
    document = json.loads(dry)
    assert document["dry_run"] is True
    assert document["appended"] == {"add": 1, "retract": 2, "reinstate": 0}
    assert {c["article"]["link"] for c in document["corrections"]} == {
        "https://news.example/a2", "https://news.example/a4"}
    assert folder.events_table_digest() == digest
    assert "appended 1 event(s), 2 retraction(s)" in folder.run("reprocess").output
    digest = folder.events_table_digest()
    assert "appended 0 event(s), 0 retraction(s)" in folder.run("reprocess").output
    assert folder.events_table_digest() == digest


def test_replay_known_at_before_a_reprocess_is_unchanged(folder: Folder) -> None:
    folder.run("poll")
    before = json.loads(folder.run("replay", "--as-of", "2021-03-31", "--format",
                                   "json").output)
    folder.configure(ACME.replace('target = "Globex"', 'target = "Globex Group"'))
    folder.run("reprocess")
    after = json.loads(folder.run("replay", "--as-of", "2021-03-31", "--format",
                                  "json").output)
    assert after["deals"] != before["deals"]
    known = json.loads(folder.run("replay", "--as-of", "2021-03-31", "--known-at",
                                  before["known_at"], "--format", "json").output)
    assert known == before


def test_since_reads_only_the_articles_published_from_that_day(folder: Folder) -> None:
    folder.run("poll")
    folder.configure(ACME + INITECH)
    output = folder.run("reprocess", "--since", "2021-03-03", "--format", "json").output
    document = json.loads(output)
    assert document["articles"] == 2
    # a partial reading is no reading of the whole archive: the next poll still reads it
    assert "Read 4 stored article(s) again" in folder.run("poll").output


def test_an_unknown_deal_or_a_bad_date_is_one_line(folder: Folder) -> None:
    for args, message in ((["--deal", "nope"], "unknown deal 'nope'"),
                          (["--since", "March"], "--since: expected a date")):
        result = CliRunner().invoke(cli, ["--config", str(folder.path / "tracker.toml"),
                                          "reprocess", *args])
        assert result.exit_code == 1 and message in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_a_renamed_deal_is_read_again_with_its_rivals(folder: Folder) -> None:
    rival = ACME.replace("acme-globex", "initech-globex").replace('"Acme"', '"Initech"') \
        .replace("Acme / Globex", "Initech / Globex")
    folder.configure(ACME + rival)
    folder.run("poll")
    # without Acme as a bidder, Globex news is Initech's: the rival is read again too
    folder.configure(rival)
    line = folder.run("poll").output
    assert "Read 4 stored article(s) again" in line
    assert folder.live("initech-globex").get("negotiation")


def test_provenance_names_the_rule_and_the_words_of_each_event(folder: Folder) -> None:
    folder.run("poll")
    archive = SQLiteArchive(SQLiteEventStore(folder.path / "tracker.db"))
    (stored,) = [a for a in archive.latest_articles() if a.article.key.endswith("a1")]
    (source,) = archive.sources_of([stored.id])[stored.id]
    event = archive.store.get(source.event_id)
    assert event is not None and event.evidence and source.trigger
    assert source.rule.startswith("en.toml [stage.agreed]")
    assert event.evidence[slice(*source.trigger)].lower().startswith("agree")
    assert stored.read_by == source.extractor and source.extractor.startswith("0.")
    archive.close()


def test_events_read_before_provenance_are_attributed_when_the_archive_is_upgraded(
        tmp_path: Path) -> None:
    path = tmp_path / "tracker.db"
    archive = SQLiteArchive(SQLiteEventStore(path))
    article = Article(feed="news", key="k1", link="https://news.example/k1", title="Talks",
                      text="t", published=at("2021-03-01"))
    read = NegotiationReported(deal_id="acme-globex", occurred_at=article.published,
                               source_url=article.link, source_feed="news", stage="agreed")
    by_hand = NegotiationReported(deal_id="acme-globex", occurred_at=article.published,
                                  source_url=article.link, stage="negotiating")
    with archive.store.transaction():
        archive.store.append([read, by_hand])
        archive.save_article(article, version=1, fetched_at="t", events=1)
    archive.close()
    conn = sqlite3.connect(path)  # back to what version 2 had
    conn.executescript(
        "DROP TABLE event_sources; DROP TABLE article_deals; DROP TABLE deal_reads;"
        " DROP TABLE deal_definitions; DROP TABLE article_search;"
        " UPDATE archive_schema SET version = 2;")
    conn.close()
    archive = SQLiteArchive(SQLiteEventStore(path))
    (source,) = archive.event_sources(read.event_id)
    assert (source.rule, source.deal_id) == (LEGACY_RULE, "acme-globex")
    assert archive.event_sources(by_hand.event_id) == []
    assert [listed.event_ids for listed in archive.list_articles()] == [(read.event_id,)]
    archive.close()
