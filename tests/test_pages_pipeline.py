"""Reading the article's page in a poll: which entries, what is stored, what is read.

A real HTTP server on 127.0.0.1 serves a feed of one-line summaries and the article
pages they link to; the quotation and the deadline are only on the page.
"""

from __future__ import annotations

import json
import re
import sqlite3
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.conftest import at
from tracker.cli import cli

DEAL = """
[[deals]]
id = "acme-globex"
title = "Acme / Globex"
acquirer = "Acme"
target = "Globex"
"""
#: An article page with what surrounds it on a news site: {title} is its headline.
TEMPLATE = (Path(__file__).parent / "data" / "pipeline" / "article.html").read_text("utf-8")


def page(title: str) -> str:
    return TEMPLATE.replace("{title}", title)


def rss(entries: list[tuple[str, str, str, str]]) -> str:
    items = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<pubDate>{format_datetime(at('2021-03-02T08:00'))}</pubDate>"
        f"<description>{summary}</description></item>" for guid, title, link, summary in entries)
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            f"<link>http://example.org/</link><description>d</description>{items}</channel></rss>")


class Site:
    """A feed and its pages on 127.0.0.1, counting the requests for each path."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.hits: dict[str, int] = {}
        self.pages: dict[str, tuple[int, str, str]] = {}
        self.entries: list[tuple[str, str, str, str]] = []
        server.expect_request("/robots.txt").respond_with_handler(self._robots)
        server.expect_request("/feed.xml").respond_with_handler(self._feed)
        server.expect_request(re.compile("^/news/")).respond_with_handler(self._page)
        self.robots = "User-agent: *\nAllow: /\n"

    def add(self, guid: str, title: str, summary: str, *, status: int = 200,
            body: str | None = None, content_type: str = "text/html; charset=utf-8") -> str:
        path = f"/news/{guid}"
        self.pages[path] = (status, page(title) if body is None else body, content_type)
        self.entries.append((guid, title, self.server.url_for(path), summary))
        return path

    def _count(self, request: Request) -> None:
        self.hits[request.path] = self.hits.get(request.path, 0) + 1

    def _robots(self, request: Request) -> Response:
        self._count(request)
        return Response(self.robots, content_type="text/plain")

    def _feed(self, request: Request) -> Response:
        self._count(request)
        return Response(rss(self.entries), content_type="application/rss+xml")

    def _page(self, request: Request) -> Response:
        self._count(request)
        status, body, content_type = self.pages.get(request.path, (404, "no", "text/plain"))
        return Response(body, status=status, content_type=content_type)


@pytest.fixture
def site(httpserver: HTTPServer) -> Site:
    return Site(httpserver)


class Folder:
    def __init__(self, tmp_path: Path, site: Site) -> None:
        self.path, self.site = tmp_path, site
        self.configure()

    def configure(self, feed: str = "", tracker: str = "") -> None:
        (self.path / "tracker.toml").write_text(
            f'[tracker]\ndatabase = "tracker.db"\nconnect_timeout = 2\nread_timeout = 2\n'
            f'{tracker}\n[[feeds]]\nname = "wire"\nurl = "{self.site.server.url_for("/feed.xml")}"'
            f'\nlanguage = "en"\n{feed}\n{DEAL}', encoding="utf-8")

    def run(self, *args: str) -> Result:
        result = CliRunner().invoke(cli, ["--config", str(self.path / "tracker.toml"), *args])
        assert result.exit_code == 0, result.output
        return result

    def events(self, **only: str) -> list[dict[str, Any]]:
        rows = json.loads(self.run("events", "--format", "json").output)
        return [r for r in rows if all(r.get(k) == v for k, v in only.items())]

    def articles(self) -> list[dict[str, Any]]:
        conn = sqlite3.connect(self.path / "tracker.db")
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute("SELECT * FROM articles ORDER BY id")]
        conn.close()
        return rows


@pytest.fixture
def folder(tmp_path: Path, site: Site) -> Folder:
    return Folder(tmp_path, site)


SUMMARY = "Acme and Globex confirm talks."


def test_a_short_summary_has_its_page_read_once_and_the_body_gives_events(
        folder: Folder, site: Site) -> None:
    path = site.add("g1", "Acme and Globex confirm talks", SUMMARY)
    line = folder.run("poll").output
    assert "Pages: 1 read, 0 failed." in line
    statements = folder.events(type="statement")
    assert [s["data"]["speaker"] for s in statements] == ["Dana Whitfield"]
    assert statements[0]["source_url"] == site.server.url_for(path)
    deadlines = folder.events(type="deadline")
    assert [d["data"]["due"] for d in deadlines] == ["2021-03-31"]
    feed_version, page_version = folder.articles()
    assert (feed_version["text_source"], page_version["text_source"]) == ("feed", "page")
    assert page_version["page_status"] == 200 and page_version["version"] == 2
    assert feed_version["page_tried_at"] and feed_version["page_error"] is None
    # what is around the article is not read: comments, cookie banner, related links
    for boilerplate in ("mark my words", "Accept cookies", "Initech", "Sign up"):
        assert boilerplate not in page_version["text"]
    assert "April 30" not in json.dumps(folder.events())
    folder.run("poll", "--all")
    assert site.hits[path] == 1 and len(folder.articles()) == 2


def test_events_the_summary_gave_are_not_duplicated_by_the_page(
        folder: Folder, site: Site) -> None:
    site.add("g1", "Acme in talks to buy Globex", "Acme is in talks to buy Globex.")
    folder.configure(feed='full_text = "never"')
    folder.run("poll")
    before = {e["event_id"] for e in folder.events(type="negotiation")}
    folder.configure()  # now "auto": the stored entry's page is read at the next poll
    folder.run("poll", "--all")
    after = {e["event_id"] for e in folder.events(type="negotiation")}
    assert before and before <= after
    assert len(folder.events(type="statement")) == 1


def test_full_text_never_always_and_auto_with_a_long_summary(folder: Folder, site: Site) -> None:
    long_summary = ("Acme and Globex confirm talks. " + "The valve makers say little more. " * 60)
    long_path = site.add("g1", "Acme and Globex confirm talks", long_summary)
    folder.run("poll")
    assert long_path not in site.hits  # auto: a long summary is read as it is
    folder.configure(feed='full_text = "always"')
    folder.run("poll", "--all")
    assert site.hits[long_path] == 1
    short_path = site.add("g2", "Acme and Globex: the statement", SUMMARY)
    folder.configure(feed='full_text = "never"')
    folder.run("poll", "--all")
    assert short_path not in site.hits


def test_a_missing_page_is_recorded_and_the_feed_text_still_read(
        folder: Folder, site: Site) -> None:
    path = site.add("g1", "Acme in talks to buy Globex", "Acme is in talks to buy Globex.",
                    status=404, body="gone", content_type="text/html")
    line = folder.run("poll").output
    assert "Pages: 0 read, 1 failed." in line and "0 failed;" in line  # the feed is fine
    (article,) = folder.articles()
    assert article["page_error"] == "HTTP 404" and article["page_tried_at"]
    assert folder.events(type="negotiation")
    folder.run("poll", "--all")
    assert site.hits[path] == 1  # a 404 is not tried again


def test_a_server_error_is_tried_again_at_the_next_poll(folder: Folder, site: Site) -> None:
    path = site.add("g1", "Acme and Globex confirm talks", SUMMARY, status=503, body="busy",
                    content_type="text/html")
    folder.run("poll")
    (article,) = folder.articles()
    assert article["page_tried_at"] is None and "503" in article["page_error"]
    site.pages[path] = (200, page("Acme and Globex confirm talks"), "text/html")
    assert "Pages: 1 read" in folder.run("poll", "--all").output
    assert site.hits[path] == 2


def test_a_pdf_is_no_page_and_the_poll_goes_on(folder: Folder, site: Site) -> None:
    site.add("g1", "Acme and Globex confirm talks", SUMMARY, body="%PDF-1.4 ...",
             content_type="application/pdf")
    site.add("g2", "Acme and Globex: the statement", SUMMARY)
    line = folder.run("poll").output
    assert "Pages: 1 read, 1 failed." in line
    errors = [a["page_error"] for a in folder.articles() if a["page_error"]]
    assert errors == ["not a web page (application/pdf)"]


def test_robots_txt_that_disallows_is_honoured(folder: Folder, site: Site) -> None:
    site.robots = "User-agent: *\nDisallow: /news/\n"
    path = site.add("g1", "Acme and Globex confirm talks", SUMMARY)
    assert "Pages: 0 read, 1 failed." in folder.run("poll").output
    assert path not in site.hits
    (article,) = folder.articles()
    assert article["page_error"] == "robots.txt disallows"


def test_the_pages_of_one_poll_are_bounded_and_the_rest_wait(folder: Folder, site: Site) -> None:
    folder.configure(tracker="max_pages_per_poll = 1")
    first = site.add("g1", "Acme and Globex confirm talks", SUMMARY)
    second = site.add("g2", "Acme and Globex: the statement", SUMMARY)
    line = folder.run("poll").output
    assert "Pages: 1 read, 0 failed, more wait for the next poll." in line
    assert "Pages: 1 read, 0 failed." in folder.run("poll", "--all").output
    assert site.hits[first] == site.hits[second] == 1


def test_the_demo_reads_a_statement_from_a_bundled_page(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    events = json.loads(CliRunner().invoke(
        cli, ["--config", str(folder / "tracker.toml"), "events", "--format", "json"]).output)
    from_page = [e for e in events if (e["source_feed"] == "deal-desk-briefs")]
    assert {e["type"] for e in from_page} >= {"statement", "deadline"}
    assert any(e["data"].get("due") == "2020-11-12" for e in from_page)
