"""Reading article pages: main text, politeness, robots.txt and hostile pages, against
real HTTP servers on 127.0.0.1; robots.txt files kept in a real SQLite archive."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from events.sqlite_store import SQLiteEventStore
from tracker.archive.sqlite_archive import SQLiteArchive
from tracker.feeds.maintext import main_text
from tracker.feeds.pages import Page, PageFailure, PageJob, fetch_pages
from tracker.text import CONTROL_CHARS

PAGES = Path(__file__).parent / "data" / "pages"
MB = 1_000_000


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[SQLiteArchive]:
    opened = SQLiteArchive(SQLiteEventStore(tmp_path / "tracker.db"))
    yield opened
    opened.close()


class Robots:
    """What the server answers for /robots.txt: none (404) until a test says."""

    status = 404
    body = ""

    def __call__(self, _: Request) -> Response:
        return Response(self.body, status=self.status, content_type="text/plain")


@pytest.fixture
def robots() -> Robots:
    return Robots()


@pytest.fixture
def server(robots: Robots) -> Iterator[HTTPServer]:
    """A server answering in parallel, so slow pages and politeness can be seen."""
    served = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    served.start()
    served.expect_request("/robots.txt").respond_with_handler(robots)
    yield served
    served.clear()
    served.stop()


def read(archive: SQLiteArchive, *urls: str, **options: object) -> list[Page | PageFailure]:
    """The outcome for each of `urls`, in their order."""
    jobs = [PageJob(n, url) for n, url in enumerate(urls)]
    settings: dict[str, object] = {"connect_timeout": 2, "read_timeout": 1, "min_interval": 0}
    outcomes = dict(fetch_pages(jobs, robots=archive, **(settings | options)))  # type: ignore[arg-type]
    return [outcomes[job] for job in jobs]


def html(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def serve(server: HTTPServer, path: str, body: bytes | str, **response: object) -> str:
    response.setdefault("content_type", "text/html; charset=utf-8")
    server.expect_request(path).respond_with_response(Response(body, **response))  # type: ignore[arg-type]
    return server.url_for(path)


@pytest.mark.parametrize("name", sorted(p.stem for p in PAGES.glob("*.html")))
def test_the_main_text_is_the_story_and_nothing_around_it(name: str) -> None:
    text = main_text(html(f"{name}.html"), url=f"https://news.example/{name}")
    paragraphs = set(text.split("\n\n"))
    expected = (PAGES / f"{name}.txt").read_text("utf-8").splitlines()
    assert set(expected) <= paragraphs
    for boilerplate in ("cookie", "Newsletter", "Sign in", "À lire aussi", "Most read",
                        "comments", "Commentaires", "Mentions légales", "30 octobre", "June 30"):
        assert boilerplate not in text


def test_a_french_page_gives_its_quotation_and_deadline(server: HTTPServer,
                                                        archive: SQLiteArchive) -> None:
    (page,) = read(archive, serve(server, "/tiktok", html("fr-quotidien.html")))
    assert isinstance(page, Page) and page.status == 200
    assert "« Nous sommes ici pour rester »" in page.text
    assert "d'ici le 15 septembre" in page.text


def test_a_charset_named_by_the_server_is_honoured(server: HTTPServer,
                                                   archive: SQLiteArchive) -> None:
    body = html("fr-regional.html").decode("utf-8").replace("charset=utf-8", "")
    url = serve(server, "/latin", body.encode("latin-1"),
                content_type="text/html; charset=iso-8859-1")
    (page,) = read(archive, url)
    assert isinstance(page, Page) and "Antoine Frérot, le PDG" in page.text


def test_pages_that_are_no_article_fail_with_their_reason(server: HTTPServer,
                                                          archive: SQLiteArchive) -> None:
    outcomes = read(
        archive,
        serve(server, "/pdf", b"%PDF-1.4 " * 1000, content_type="application/pdf"),
        serve(server, "/paywall", "<html><body><p>Subscribe to read this article.</p>"
              "<button>Log in</button></body></html>"),
        serve(server, "/gone", "<p>no</p>", status=404),
        serve(server, "/busy", "<p>later</p>", status=503),
        "ftp://127.0.0.1/story", "file:///etc/passwd")
    assert outcomes == [PageFailure("not a web page (application/pdf)"),
                        PageFailure("no article text on the page"), PageFailure("HTTP 404"),
                        PageFailure("HTTP 503", retry=True), PageFailure("not a web link (ftp)"),
                        PageFailure("not a web link (file)")]


def test_a_page_too_large_is_cut_off_while_streaming(server: HTTPServer,
                                                     archive: SQLiteArchive) -> None:
    def endless(_: Request) -> Response:
        chunk = b"<p>" + b"x" * 65_536 + b"</p>"
        return Response((chunk for _ in range(800)), content_type="text/html")  # 50 MB

    server.expect_request("/huge").respond_with_handler(endless)
    (outcome,) = read(archive, server.url_for("/huge"), max_bytes=2 * MB)
    assert isinstance(outcome, PageFailure) and "larger than the cap" in outcome.reason
    assert not outcome.retry


def test_a_gzip_bomb_is_never_inflated_past_the_cap(server: HTTPServer,
                                                    archive: SQLiteArchive) -> None:
    bomb = gzip.compress(b"<p>" + b" " * (200 * MB) + b"</p>")
    url = serve(server, "/bomb", bomb, headers={"Content-Encoding": "gzip"})
    (outcome,) = read(archive, url, max_bytes=5 * MB)
    assert isinstance(outcome, PageFailure) and "larger than the cap" in outcome.reason


def test_a_page_dripping_slowly_gives_up_at_the_overall_limit(
        server: HTTPServer, archive: SQLiteArchive) -> None:
    stop = threading.Event()

    def drip(_: Request) -> Response:
        def body() -> Iterator[bytes]:
            while not stop.wait(0.2):
                yield b"<p>a</p>"
        return Response(body(), content_type="text/html")

    server.expect_request("/drip").respond_with_handler(drip)
    started = time.monotonic()
    try:
        (outcome,) = read(archive, server.url_for("/drip"), connect_timeout=0.5,
                          read_timeout=0.5)
    finally:
        stop.set()
    assert isinstance(outcome, PageFailure) and "overall time limit" in outcome.reason
    assert outcome.retry and time.monotonic() - started < 10


def test_redirects_are_bounded_and_never_leave_the_web(server: HTTPServer,
                                                       archive: SQLiteArchive) -> None:
    for n in range(10):
        serve(server, f"/loop{n}", "", status=302,
              headers={"Location": server.url_for(f"/loop{n + 1}")})
    url = serve(server, "/to-file", "", status=301, headers={"Location": "file:///etc/passwd"})
    looped, to_file = read(archive, server.url_for("/loop0"), url)
    assert isinstance(looped, PageFailure) and "more than 5 redirects" in looped.reason
    assert isinstance(to_file, PageFailure) and "unsupported URL file:" in to_file.reason


def test_a_script_in_the_title_or_body_is_not_read(server: HTTPServer,
                                                   archive: SQLiteArchive) -> None:
    body = html("en-wire.html").decode().replace(
        "<title>", "<title><script>alert('title')</script>").replace(
        "<p>The deal", "<script>alert('body')</script><p>The deal")
    (page,) = read(archive, serve(server, "/script", body))
    assert isinstance(page, Page) and "alert" not in page.text and "Hock Tan" in page.text


def test_a_broken_page_loses_only_itself(server: HTTPServer, archive: SQLiteArchive) -> None:
    nested = "<div>" * 200_000 + "<p>deep</p>"
    broken = b"<html><body><p>\x00\xff\xfe" + bytes(range(256)) * 50 + b"</p>"
    outcomes = read(archive, serve(server, "/nested", nested), serve(server, "/broken", broken),
                    serve(server, "/fine", html("en-blog.html")))
    assert isinstance(outcomes[0], PageFailure) and isinstance(outcomes[2], Page)
    assert isinstance(outcomes[1], Page) and not CONTROL_CHARS.search(outcomes[1].text)


RULES = "User-agent: *\nDisallow: /private/\n\nUser-agent: tracker\nDisallow: /members/\n"


def test_robots_txt_is_read_once_per_site_and_kept(server: HTTPServer, robots: Robots,
                                                   archive: SQLiteArchive) -> None:
    robots.status, robots.body = 200, RULES
    public = [serve(server, f"/news/{n}", html("en-blog.html")) for n in range(3)]
    members = serve(server, "/members/1", html("en-blog.html"))
    outcomes = read(archive, *public, members)
    assert [type(o) for o in outcomes] == [Page, Page, Page, PageFailure]
    assert outcomes[-1] == PageFailure("robots.txt disallows")
    read(archive, public[0])  # a later poll: the kept file is used
    robots = [r for r, _ in server.log if r.path == "/robots.txt"]
    assert len(robots) == 1
    kept = archive.robots(server.url_for("/").rstrip("/"))
    assert kept is not None and kept[1:] == (200, RULES)


def test_a_missing_robots_txt_allows_and_an_unreachable_one_waits(
        server: HTTPServer, robots: Robots, archive: SQLiteArchive) -> None:
    url = serve(server, "/news/1", html("en-blog.html"))
    robots.status = 500
    (waiting,) = read(archive, url)
    assert waiting == PageFailure("robots.txt unreachable: HTTP 500", retry=True)
    assert archive.robots(server.url_for("/").rstrip("/")) is None  # asked again next time
    robots.status = 403  # refused: RFC 9309 reads it as no rules at all
    (page,) = read(archive, url)
    assert isinstance(page, Page)


class Timed:
    """A page handler noting when each request arrives and how many run at once."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.starts: list[float] = []
        self.lock = threading.Lock()
        self.running = self.most = 0

    def __call__(self, _: Request) -> Response:
        with self.lock:
            self.starts.append(time.monotonic())
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        return Response(html("en-blog.html"), content_type="text/html")


def test_requests_to_one_host_are_spaced(server: HTTPServer, archive: SQLiteArchive) -> None:
    handler = Timed(0.02)
    for n in range(5):
        server.expect_request(f"/p{n}").respond_with_handler(handler)
    outcomes = read(archive, *(server.url_for(f"/p{n}") for n in range(5)), min_interval=0.25)
    assert all(isinstance(o, Page) for o in outcomes)
    # 4 gaps of 0.25 s: 1 s from first to last (unspaced, they would all start at once);
    # measured where the server sees them, which a loaded machine may delay a little
    assert max(handler.starts) - min(handler.starts) >= 0.75


def test_at_most_two_requests_at_once_to_one_host(server: HTTPServer,
                                                  archive: SQLiteArchive) -> None:
    handler = Timed(0.4)
    for n in range(6):
        server.expect_request(f"/p{n}").respond_with_handler(handler)
    outcomes = read(archive, *(server.url_for(f"/p{n}") for n in range(6)))
    assert all(isinstance(o, Page) for o in outcomes)
    assert handler.most == 2  # 8 workers, but 2 for this host


def test_a_host_that_does_not_answer_is_not_asked_again_in_the_same_poll(
        archive: SQLiteArchive) -> None:
    with socket.socket() as listener:  # a port that takes connections and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(50)
        base = f"http://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        outcomes = read(archive, *(f"{base}/news/{n}" for n in range(6)), read_timeout=1,
                        per_host=1)
    assert all(isinstance(o, PageFailure) and o.retry for o in outcomes)
    assert {o.reason for o in outcomes if isinstance(o, PageFailure)} == {
        "robots.txt unreachable: timed out waiting 1 s for data"}
    assert time.monotonic() - started < 4  # one wait of 1 s, not six


def test_a_host_answering_busy_is_asked_once_in_a_poll(server: HTTPServer,
                                                       archive: SQLiteArchive) -> None:
    urls = [serve(server, f"/busy/{n}", "<p>later</p>", status=503) for n in range(4)]
    outcomes = read(archive, *urls, per_host=1)
    assert all(isinstance(o, PageFailure) and o.retry for o in outcomes)
    reasons = Counter(o.reason for o in outcomes if isinstance(o, PageFailure))
    assert reasons == {"HTTP 503": 1,
                       "127.0.0.1 did not answer or was busy earlier in this poll": 3}
    assert len([r for r, _ in server.log if r.path.startswith("/busy/")]) == 1


def test_a_stop_request_leaves_the_pages_for_the_next_poll(
        server: HTTPServer, archive: SQLiteArchive) -> None:
    url = serve(server, "/news/1", html("en-blog.html"))
    (outcome,) = read(archive, url, should_stop=lambda: True)
    assert outcome == PageFailure("asked to stop before reading it", retry=True)
    assert not [r for r, _ in server.log if r.path == "/news/1"]


def test_local_pages_are_read_only_when_allowed(tmp_path: Path,
                                                archive: SQLiteArchive) -> None:
    local = tmp_path / "story.html"
    local.write_bytes(html("fr-quotidien.html"))
    jobs = [PageJob(1, local.as_uri(), allow_files=True), PageJob(2, local.as_uri())]
    outcomes = dict(fetch_pages(jobs, robots=archive))
    assert isinstance(outcomes[jobs[0]], Page)
    assert outcomes[jobs[1]] == PageFailure("not a web link (file)")
