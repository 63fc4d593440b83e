"""Polling feeds served by a real HTTP server on 127.0.0.1, into a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from events.clock import utc_now
from events.sqlite_store import SQLiteEventStore
from tests.feeds import NEWS, rss
from tracker.archive.sqlite_archive import SQLiteArchive as Archive
from tracker.config import Config, load_config
from tracker.jobs.poll import poll_feeds
from tracker.model import Feed

SHARED = Path(__file__).resolve().parents[2] / "shared"


def make_config(tmp_path: Path, *urls: str) -> Config:
    feeds = "".join(f'[[feeds]]\nname = "feed{n}"\nurl = "{url}"\n\n' for n, url in
                    enumerate(urls))
    path = tmp_path / "tracker.toml"
    path.write_text(f'[tracker]\nconnect_timeout = 2\nread_timeout = 2\n\n{feeds}')
    return load_config(path)


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(SQLiteEventStore(tmp_path / "tracker.db"))


def articles(archive: Archive) -> list[tuple]:
    return archive.conn.execute(
        "SELECT feed, key, version, title, text, language FROM articles ORDER BY id").fetchall()


def feed_row(archive: Archive, name: str = "feed0") -> sqlite3.Row:
    return next(f for f in archive.all_feeds() if f.name == name)


def test_etag_flow_ends_in_304_and_adds_nothing(httpserver: HTTPServer, tmp_path: Path,
                                                archive: Archive) -> None:
    body = rss(NEWS)
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304)
    httpserver.expect_request("/feed").respond_with_data(body, headers={"ETag": '"v1"'},
                                                         content_type="application/rss+xml")
    config = make_config(tmp_path, httpserver.url_for("/feed"))
    first = poll_feeds(config, archive)
    assert (first.fetched, first.new_articles) == (1, 3)
    second = poll_feeds(config, archive)
    assert (second.not_modified, second.fetched, second.new_articles) == (1, 0, 0)
    assert len(articles(archive)) == 3
    assert feed_row(archive).etag == '"v1"'


def test_last_modified_flow_ends_in_304(httpserver: HTTPServer, tmp_path: Path,
                                        archive: Archive) -> None:
    stamp = "Sun, 02 Aug 2020 19:00:00 GMT"
    httpserver.expect_request("/feed", headers={"If-Modified-Since": stamp}).respond_with_data(
        "", status=304)
    httpserver.expect_request("/feed").respond_with_data(rss(NEWS),
                                                         headers={"Last-Modified": stamp})
    config = make_config(tmp_path, httpserver.url_for("/feed"))
    poll_feeds(config, archive)
    assert poll_feeds(config, archive).not_modified == 1


def test_an_unchanged_feed_without_validators_adds_nothing(httpserver: HTTPServer,
                                                          tmp_path: Path,
                                                          archive: Archive) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(NEWS))
    config = make_config(tmp_path, httpserver.url_for("/feed"))
    poll_feeds(config, archive)
    again = poll_feeds(config, archive)
    assert (again.fetched, again.new_articles, again.new_versions) == (1, 0, 0)
    assert len(articles(archive)) == 3


def test_a_changed_entry_is_kept_as_a_new_version(httpserver: HTTPServer, tmp_path: Path,
                                                  archive: Archive) -> None:
    config = make_config(tmp_path, httpserver.url_for("/feed"))
    httpserver.expect_oneshot_request("/feed").respond_with_data(rss(NEWS))
    poll_feeds(config, archive)
    edited = [NEWS[0][:2] + ("<p>Microsoft and TikTok signed an agreement.</p>",
                             NEWS[0][3]), *NEWS[1:]]
    httpserver.expect_oneshot_request("/feed").respond_with_data(rss(edited))
    summary = poll_feeds(config, archive)
    assert (summary.new_articles, summary.new_versions) == (0, 1)
    versions = [(key, version, text) for _, key, version, _, text, _ in articles(archive)
                if key == "a1"]
    assert [v[1] for v in versions] == [1, 2]
    assert "signed an agreement" in versions[1][2]


def test_a_failing_feed_backs_off_then_recovers(httpserver: HTTPServer, tmp_path: Path,
                                                archive: Archive) -> None:
    config = make_config(tmp_path, httpserver.url_for("/feed"))
    httpserver.expect_oneshot_request("/feed").respond_with_data("oops", status=500)
    failed = poll_feeds(config, archive)
    assert failed.failed == 1 and "HTTP 500" in failed.errors[0]
    state = feed_row(archive)
    assert state.error_count == 1 and "500" in state.last_error
    wait = (utc_now() - timedelta(minutes=13)).isoformat() < state.next_poll_at
    assert wait, "the next poll is about 15 minutes away"
    skipped = poll_feeds(config, archive)
    assert skipped.due == 0, "a feed backing off is not due"
    httpserver.expect_oneshot_request("/feed").respond_with_data(rss(NEWS))
    recovered = poll_feeds(config, archive, all_feeds=True)
    assert (recovered.fetched, recovered.new_articles) == (1, 3)
    assert feed_row(archive).error_count == 0 and feed_row(archive).next_poll_at is None


def test_410_gone_disables_the_feed_with_a_message(httpserver: HTTPServer, tmp_path: Path,
                                                   archive: Archive) -> None:
    httpserver.expect_request("/feed").respond_with_data("gone", status=410)
    config = make_config(tmp_path, httpserver.url_for("/feed"))
    summary = poll_feeds(config, archive)
    assert summary.failed == 1
    assert "410" in feed_row(archive).disabled_reason
    assert poll_feeds(config, archive).due == 0
    assert poll_feeds(config, archive, all_feeds=True).due == 1, "never disabled for good"


def test_a_permanent_redirect_updates_the_stored_url(httpserver: HTTPServer, tmp_path: Path,
                                                     archive: Archive) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/new")})
    httpserver.expect_request("/new").respond_with_data(rss(NEWS))
    config = make_config(tmp_path, httpserver.url_for("/old"))
    summary = poll_feeds(config, archive)
    assert summary.new_articles == 3
    assert feed_row(archive).fetch_url == httpserver.url_for("/new")
    assert any("moved permanently" in w for w in summary.warnings)


def test_a_malformed_feed_keeps_its_entries(httpserver: HTTPServer, tmp_path: Path,
                                            archive: Archive) -> None:
    broken = rss(NEWS).replace(b"</channel></rss>", b"<item><title>cut off")
    httpserver.expect_request("/feed").respond_with_data(broken)
    summary = poll_feeds(make_config(tmp_path, httpserver.url_for("/feed")), archive)
    assert summary.failed == 0
    titles = [row[3] for row in articles(archive)]
    assert titles[:3] == [title for _, title, _, _ in NEWS]
    assert any("malformed" in w for w in summary.warnings)


def test_a_document_that_is_not_a_feed_is_a_failure(httpserver: HTTPServer, tmp_path: Path,
                                                    archive: Archive) -> None:
    httpserver.expect_request("/feed").respond_with_data("<html><body>Login</body>",
                                                         content_type="text/html")
    summary = poll_feeds(make_config(tmp_path, httpserver.url_for("/feed")), archive)
    assert summary.failed == 1 and "not a readable feed" in summary.errors[0]
    assert feed_row(archive).error_count == 1


def test_an_iso_8859_1_french_feed_is_decoded(httpserver: HTTPServer, tmp_path: Path,
                                              archive: Archive) -> None:
    item = ("fr1", "Négociations autour de TikTok",
            "<p>Microsoft a confirmé des négociations, précise l'éditeur.</p>", "2020-08-02T19:00")
    body = rss([item], language="fr", encoding="iso-8859-1")
    assert "é".encode("iso-8859-1") in body
    httpserver.expect_request("/feed").respond_with_data(
        body, content_type="application/rss+xml; charset=iso-8859-1")
    poll_feeds(make_config(tmp_path, httpserver.url_for("/feed")), archive)
    ((_, _, _, title, text, language),) = articles(archive)
    assert title == "Négociations autour de TikTok"
    assert text == "Microsoft a confirmé des négociations, précise l'éditeur."
    assert language == "fr"


def test_one_failing_feed_does_not_stop_the_others(httpserver: HTTPServer, tmp_path: Path,
                                                   archive: Archive) -> None:
    httpserver.expect_request("/good").respond_with_data(rss(NEWS))
    httpserver.expect_request("/bad").respond_with_data("no", status=503,
                                                        headers={"Retry-After": "7200"})
    config = make_config(tmp_path, httpserver.url_for("/bad"), httpserver.url_for("/good"))
    summary = poll_feeds(config, archive)
    assert (summary.fetched, summary.failed, summary.new_articles) == (1, 1, 3)
    later = (utc_now() + timedelta(minutes=110)).isoformat()
    assert feed_row(archive, "feed0").next_poll_at > later, "Retry-After is honoured"


def test_our_network_down_is_not_held_against_the_feeds(tmp_path: Path,
                                                        archive: Archive) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    urls = [f"http://127.0.0.1:{closed}/feed{n}" for n in range(3)]
    summary = poll_feeds(make_config(tmp_path, *urls), archive)
    assert summary.failed == 3 and summary.network_down
    assert all(f.error_count == 0 and f.next_poll_at is None for f in archive.all_feeds())
    assert all(f.last_error for f in archive.all_feeds())


def test_reused_guids_fall_back_to_links(httpserver: HTTPServer, tmp_path: Path,
                                         archive: Archive) -> None:
    same_guid = [("same", title, body, when) for _, title, body, when in NEWS]
    document = rss(same_guid)
    for n in range(3):  # give each item its own link
        document = document.replace(b"<link>https://news.example/same</link>",
                                    f"<link>https://news.example/{n}</link>".encode(), 1)
    httpserver.expect_request("/feed").respond_with_data(document)
    poll_feeds(make_config(tmp_path, httpserver.url_for("/feed")), archive)
    assert [row[1] for row in articles(archive)] == [f"https://news.example/{n}"
                                                     for n in range(3)]


def test_runs_are_recorded(httpserver: HTTPServer, tmp_path: Path, archive: Archive) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(NEWS))
    poll_feeds(make_config(tmp_path, httpserver.url_for("/feed")), archive)
    (run,) = archive.last_runs()
    assert (run["feeds_fetched"], run["new_articles"], run["feeds_failed"]) == (1, 3, 0)
    assert run["finished_at"] >= run["started_at"]


def test_file_paths_and_file_urls_are_feeds(tmp_path: Path, archive: Archive) -> None:
    path = tmp_path / "news.xml"
    path.write_bytes(rss(NEWS))
    config = make_config(tmp_path, str(path), path.as_uri())
    assert poll_feeds(config, archive).new_articles == 6


FEEDPARSER_TESTS = SHARED / "corpus" / "feedparser-tests"


@pytest.mark.skipif(not FEEDPARSER_TESTS.is_dir(), reason="../shared/corpus is absent")
def test_every_feedparser_test_file_is_ingested_without_an_exception(
        tmp_path: Path, archive: Archive) -> None:
    files = sorted(p for p in FEEDPARSER_TESTS.rglob("*") if p.suffix == ".xml")
    config = Config(path=tmp_path / "t.toml", database=tmp_path / "tracker.db",
                    feeds=tuple(Feed(name=f"f{n}", url=str(p)) for n, p in enumerate(files)))
    summary = poll_feeds(config, archive)
    assert summary.due == len(files) > 2000
    assert summary.fetched + summary.failed == len(files)
    stored = archive.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"\n{len(files)} feedparser test files: {summary.fetched} read,"
          f" {summary.failed} refused as not a feed, {stored} articles stored")
    assert stored > 1000


REAL_FEEDS = SHARED / "corpus" / "real-feeds"


@pytest.mark.skipif(not REAL_FEEDS.is_dir(), reason="../shared/corpus is absent")
def test_every_real_feed_is_ingested_and_counted(tmp_path: Path, archive: Archive) -> None:
    import feedparser

    files = sorted(p for p in REAL_FEEDS.iterdir() if p.suffix in (".xml", ".rss"))
    deals = load_config(_deals_config(tmp_path)).deals
    config = Config(path=tmp_path / "t.toml", database=tmp_path / "tracker.db", deals=deals,
                    feeds=tuple(Feed(name=p.name, url=str(p)) for p in files))
    summary = poll_feeds(config, archive)
    stored = dict(archive.conn.execute("SELECT feed, count(*) FROM articles GROUP BY feed"))
    expected = {p.name: len(feedparser.parse(p.read_bytes()).entries) for p in files}
    print(f"\n{len(files)} real feeds: {summary.fetched} read, {summary.failed} failed,"
          f" {sum(stored.values())} of {sum(expected.values())} entries stored,"
          f" {summary.new_events} events")
    for name in sorted(expected):
        print(f"  {name}: {stored.get(name, 0)} of {expected[name]} entries")
    assert summary.fetched + summary.failed == len(files) >= 30
    assert sum(stored.values()) >= 0.95 * sum(expected.values())


def _deals_config(tmp_path: Path) -> Path:
    path = tmp_path / "deals.toml"
    path.write_text(
        '[[deals]]\nid = "tiktok"\nacquirer = "Oracle"\ntarget = "TikTok"\n'
        'seller = "ByteDance"\n\n[[deals]]\nid = "intel"\nacquirer = "Elon Musk"\n'
        'target = "Intel"\n\n[[deals]]\nid = "telegraph"\nacquirer = "Axel Springer"\n'
        'target = "Telegraph"\n')
    return path


def test_a_poll_asked_to_stop_ends_between_batches_and_resumes(
        httpserver: HTTPServer, tmp_path: Path, archive: Archive) -> None:
    items = [(f"s{n}", f"Story {n}", "<p>Body.</p>", "2020-08-02T10:00") for n in range(600)]
    httpserver.expect_request("/feed", headers={"If-None-Match": '"v"'}).respond_with_data(
        "", status=304)
    httpserver.expect_request("/feed").respond_with_data(rss(items), headers={"ETag": '"v"'})
    config = make_config(tmp_path, httpserver.url_for("/feed"))
    stopped = poll_feeds(config, archive, should_stop=lambda: True)
    assert any("asked to stop" in warning for warning in stopped.warnings)
    assert len(articles(archive)) == 250
    assert feed_row(archive).etag is None, "a feed read in part is read again"
    resumed = poll_feeds(config, archive)
    assert (resumed.fetched, resumed.new_articles) == (1, 350)
    assert poll_feeds(config, archive).not_modified == 1


def test_an_entry_without_a_guid_does_not_rekey_the_others(
        httpserver: HTTPServer, tmp_path: Path, archive: Archive) -> None:
    undated = ("<item><guid>u1</guid><title>One</title><link>https://n.example/1</link>"
               "<description>Microsoft is in talks to buy TikTok.</description></item>"
               "<item><guid>u2</guid><title>Two</title><link>https://n.example/2</link></item>")
    document = f"<rss version='2.0'><channel><title>t</title>{undated}</channel></rss>"
    config = make_config(tmp_path, httpserver.url_for("/feed"))
    httpserver.expect_oneshot_request("/feed").respond_with_data(document)
    poll_feeds(config, archive)
    added = document.replace("</channel>", "<item><title>Three</title>"
                             "<link>https://n.example/3</link></item></channel>")
    httpserver.expect_oneshot_request("/feed").respond_with_data(added)
    again = poll_feeds(config, archive)
    assert (again.new_articles, again.new_versions) == (1, 0)
    assert [row[1] for row in articles(archive)] == ["u1", "u2", "https://n.example/3"]


def test_a_changed_undated_entry_keeps_its_first_time(httpserver: HTTPServer, tmp_path: Path,
                                                       archive: Archive) -> None:
    def document(body: str) -> str:
        return (f"<rss version='2.0'><channel><title>t</title><item><guid>u1</guid>"
                f"<title>One</title><description>{body}</description></item></channel></rss>")

    config = make_config(tmp_path, httpserver.url_for("/feed"))
    httpserver.expect_oneshot_request("/feed").respond_with_data(document("First text."))
    poll_feeds(config, archive)
    httpserver.expect_oneshot_request("/feed").respond_with_data(document("Edited text."))
    poll_feeds(config, archive, now=utc_now() + timedelta(hours=5))
    times = archive.conn.execute("SELECT published_at FROM articles ORDER BY version").fetchall()
    assert len(times) == 2 and times[0] == times[1]
