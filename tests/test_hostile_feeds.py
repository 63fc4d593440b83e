"""Hostile and broken feeds: each gets a clear error or is read safely; nothing escapes."""

from __future__ import annotations

import gzip
import http.server
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from events.sqlite_store import SQLiteEventStore
from tests.feeds import NEWS, rss
from tracker.archive.sqlite_archive import SQLiteArchive as Archive
from tracker.errors import FeedError, FetchError
from tracker.feeds.fetch import fetch_feed
from tracker.jobs.ingest import Ingestor
from tracker.jobs.runs import PollSummary
from tracker.model import Article, ArticleReading, Deal

FETCHED = datetime(2020, 8, 3, 9, 0, tzinfo=UTC)
DEAL = Deal(id="microsoft-tiktok", title="Microsoft / TikTok", acquirer="Microsoft",
            target="TikTok", seller="ByteDance")


@pytest.fixture
def ingestor(tmp_path: Path) -> Ingestor:
    return Ingestor(Archive(SQLiteEventStore(tmp_path / "tracker.db")), [DEAL])


def stored(ingestor: Ingestor) -> list[tuple[str, str]]:
    return ingestor.archive.conn.execute("SELECT title, text FROM articles ORDER BY id").fetchall()


@pytest.fixture
def dripping_server() -> Iterator[str]:
    """A server that sends a byte every 50 ms, for ever (until the test ends)."""
    stop = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            self.send_response(200)
            self.end_headers()
            try:
                while not stop.wait(0.05):
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed"
    stop.set()
    server.shutdown()


@pytest.mark.slow
def test_an_endless_slow_response_hits_the_overall_limit(dripping_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_feed(dripping_server, connect_timeout=0.5, read_timeout=0.5)
    assert caught.value.kind == "timeout" and "overall time limit" in str(caught.value)
    assert time.monotonic() - started < 10


def test_billion_laughs_does_not_expand(ingestor: Ingestor) -> None:
    levels = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{levels}]>'
            '<rss version="2.0"><channel><title>t</title><item><guid>1</guid>'
            "<title>&l9;</title></item></channel></rss>").encode()
    started = time.monotonic()
    counts = ingestor.ingest_bytes(bomb, feed="bomb", fetched_at=FETCHED)
    assert time.monotonic() - started < 5
    assert counts.entries <= 1
    assert all(len(title) < 1000 for title, _ in stored(ingestor))


def test_a_gzip_file_named_on_the_command_line_is_not_a_feed(tmp_path: Path,
                                                            ingestor: Ingestor) -> None:
    path = tmp_path / "feed.xml.gz"
    path.write_bytes(gzip.compress(rss(NEWS)))
    with pytest.raises(FeedError, match="not a readable feed"):
        ingestor.ingest_bytes(path.read_bytes(), feed="gz", fetched_at=FETCHED)


def test_invalid_utf8_nul_bytes_and_odd_unicode_are_read(ingestor: Ingestor) -> None:
    title = "TikTok \u05e9\u05dc\u05d5\u05dd e\u0301"
    body = rss([("u1", title, "Microsoft\x00 talks", "2020-08-02T10:00")])
    broken = body.replace(b"talks", b"talks \xff\xfe bad bytes")
    ingestor.ingest_bytes(broken, feed="odd", fetched_at=FETCHED)
    ((title, text),) = stored(ingestor)
    assert title == "TikTok \u05e9\u05dc\u05d5\u05dd \u00e9"
    assert "\x00" not in text and text.startswith("Microsoft")
    assert "\ufffd" in text, "the bad bytes cost one character each"


def test_a_five_megabyte_description_is_read_and_bounded(ingestor: Ingestor) -> None:
    huge = "Microsoft confirmed talks to buy TikTok. " + "filler words here " * 300_000
    counts = ingestor.ingest_bytes(rss([("big", "Big", huge, "2020-08-02T10:00")]),
                                   feed="big", fetched_at=FETCHED)
    assert counts.new_articles == 1
    ((_, text),) = stored(ingestor)
    assert 100_000 < len(text) <= 200_000


def test_dates_far_away_or_without_zone_are_handled(ingestor: Ingestor) -> None:
    document = rss(NEWS[:1]).replace(b"</channel>", (
        b"<item><guid>past</guid><title>Old</title><pubDate>Mon, 01 Jan 1900 00:00:00 GMT"
        b"</pubDate></item><item><guid>future</guid><title>Later</title>"
        b"<pubDate>Sat, 01 Jan 2500 00:00:00 GMT</pubDate></item>"
        b"<item><guid>nozone</guid><title>Local</title><pubDate>2020-08-02 10:00:00"
        b"</pubDate></item></channel>"))
    assert ingestor.ingest_bytes(document, feed="dates", fetched_at=FETCHED).new_articles == 4
    rows = dict(ingestor.archive.conn.execute(
        "SELECT key, published_at || '/' || published_estimated FROM articles").fetchall())
    assert rows["future"] == "2020-08-03T09:00:00Z/1"
    assert rows["nozone"].startswith("2020-08-02T10:00:00Z")


def test_markup_in_every_field_is_stored_as_text(ingestor: Ingestor) -> None:
    script = "<script>alert('x')</script>"
    item = (f"x{script}", f"TikTok {script}<b>news</b>", f"<img src=x onerror=alert(1)>Body"
            f"{script}", "2020-08-02T10:00")
    ingestor.ingest_bytes(rss([item]), feed="markup", fetched_at=FETCHED)
    ((title, text),) = stored(ingestor)
    assert "<" not in title + text and "alert" not in title + text
    assert title == "TikTok news" and text == "Body"


@pytest.mark.slow
def test_a_feed_of_100000_entries_is_stored_whole(ingestor: Ingestor) -> None:
    items = "".join(f"<item><guid>n{n}</guid><title>Brief {n}</title></item>"
                    for n in range(100_000))
    document = f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()
    counts = ingestor.ingest_bytes(document, feed="huge", fetched_at=FETCHED)
    assert (counts.entries, counts.new_articles) == (100_000, 100_000)
    again = ingestor.ingest_bytes(document, feed="huge", fetched_at=FETCHED)
    assert again.new_articles == 0


def test_a_device_or_fifo_named_as_a_feed_is_refused(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "feed.fifo"
    os.mkfifo(fifo)
    for location in ("/dev/zero", str(fifo)):
        with pytest.raises(FetchError, match="not a regular file") as caught:
            fetch_feed(location)
        assert caught.value.kind == "file"


class BrokenOnOne:
    """An extractor with a bug that shows on one article: it raises on that one."""

    def __init__(self, title: str) -> None:
        self.title = title

    def read(self, article: Article) -> ArticleReading:
        if article.title == self.title:
            raise AttributeError("'NoneType' object has no attribute 'group'")
        return ArticleReading()


def test_an_extraction_bug_is_logged_whole_and_counted_not_swallowed(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    archive = Archive(SQLiteEventStore(tmp_path / "tracker.db"))
    ingestor = Ingestor(archive, [DEAL], extractor=BrokenOnOne(NEWS[1][1]))
    with caplog.at_level(logging.ERROR, logger="tracker.jobs.ingest"):
        counts = ingestor.ingest_bytes(rss(NEWS), feed="tech", fetched_at=FETCHED)
    assert (counts.new_articles, counts.unreadable) == (3, 1)
    (record,) = caplog.records
    assert "could not read article https://news.example/a2" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is AttributeError


def test_the_summary_line_says_how_many_articles_could_not_be_read() -> None:
    summary = PollSummary(due=1, fetched=1, new_articles=3, unreadable=1)
    assert "1 article(s) could not be read for events" in summary.line()
    assert "could not be read" not in PollSummary(due=1, fetched=1).line()
