"""tracker.feeds fetching against real HTTP servers on 127.0.0.1 (pytest-httpserver, port 0)."""

from __future__ import annotations

import gzip
import random
import re
import socket
import threading
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import tracker
from tracker.errors import FetchError
from tracker.feeds.backoff import backoff_delay
from tracker.feeds.fetch import fetch_feed
from tracker.feeds.http import USER_AGENT, make_client, parse_retry_after
from tracker.feeds.pool import FetchJob, fetch_many
from tracker.model import FetchResult

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
MB = 1_000_000
Serve = Callable[[list[bytes], dict[str, str]], str]


@pytest.fixture
def threaded() -> Iterator[HTTPServer]:
    """A server answering requests in parallel, for slow handlers and concurrency."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown, so a deliberately slow handler never outlives its test."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """A client made beforehand, so that memory measured is the fetch's alone."""
    with make_client(connect_timeout=5, read_timeout=5) as made:
        yield made


class StreamingHandler(BaseHTTPRequestHandler):
    """Streams the server's `chunks` with no Content-Length: the body ends when it closes."""

    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        server: Any = self.server
        try:
            self.send_response(200)
            for name, value in server.extra_headers.items():
                self.send_header(name, value)
            self.end_headers()
            for chunk in server.chunks:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its cap, as it should

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def streaming() -> Iterator[Serve]:
    """Serve chunks on 127.0.0.1; return the URL. A plain http.server, because werkzeug
    briefly allocates a 10 MB buffer after each response, which would blur memory peaks."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), StreamingHandler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def serve(chunks: list[bytes], headers: dict[str, str]) -> str:
        server.chunks, server.extra_headers = chunks, headers  # type: ignore[attr-defined]
        return f"http://127.0.0.1:{server.server_address[1]}/feed"

    yield serve
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """50 MB of zeros, gzipped to about 50 kB."""
    return gzip.compress(bytes(50 * MB), compresslevel=9)


def conditional(header: str, value: str, changed: dict[str, str]) -> Callable[..., Response]:
    """A handler answering 304 when `header` carries `value`, else the feed."""

    def handle(request: Request) -> Response:
        if request.headers.get(header) == value:
            return Response(status=304)
        return Response(FEED, content_type="application/rss+xml", headers=changed)

    return handle


def test_user_agent_names_the_tool_and_version() -> None:
    assert USER_AGENT.startswith(f"tracker/{tracker.__version__} (")


def test_etag_flow_ends_in_not_modified(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_handler(
        conditional("If-None-Match", '"v1"', {"ETag": '"v1"'}))
    url = httpserver.url_for("/feed")
    first = fetch_feed(url)
    assert (first.content, first.etag, first.not_modified) == (FEED, '"v1"', False)
    assert first.content_type == "application/rss+xml"
    second = fetch_feed(url, etag=first.etag)
    assert second.not_modified and second.content is None
    assert second.etag == '"v1"'  # kept although the 304 did not repeat it
    sent = [request.headers for request, _ in httpserver.log]
    assert "If-None-Match" not in sent[0] and sent[1]["If-None-Match"] == '"v1"'
    assert all(headers["User-Agent"] == USER_AGENT for headers in sent)


def test_last_modified_flow_ends_in_not_modified(httpserver: HTTPServer) -> None:
    stamp = "Wed, 05 Aug 2020 08:00:00 GMT"
    httpserver.expect_request("/feed").respond_with_handler(
        conditional("If-Modified-Since", stamp, {"Last-Modified": stamp}))
    url = httpserver.url_for("/feed")
    first = fetch_feed(url)
    assert first.content == FEED and first.last_modified == stamp and first.etag is None
    second = fetch_feed(url, last_modified=first.last_modified)
    assert second.not_modified and second.content is None
    assert second.last_modified == stamp


def test_server_error_then_recovery(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/feed").respond_with_data("oops", status=500)
    httpserver.expect_request("/feed").respond_with_data(FEED)
    url = httpserver.url_for("/feed")
    with pytest.raises(FetchError) as caught:
        fetch_feed(url)
    assert (caught.value.kind, caught.value.status, caught.value.retry_after) == ("http", 500, None)
    assert str(caught.value).lower() == f"{url}: http 500 internal server error"
    assert fetch_feed(url).content == FEED


def test_gone_feed_is_reported_as_gone(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=410)
    with pytest.raises(FetchError) as caught:
        fetch_feed(httpserver.url_for("/feed"))
    assert (caught.value.kind, caught.value.status) == ("gone", 410)
    assert "410" in str(caught.value)


def redirect_chain(server: HTTPServer, statuses: list[int]) -> str:
    """Register /hop0 -> /hop1 -> ... -> /feed with these statuses; return the first URL."""
    for n, status in enumerate(statuses):
        target = f"/hop{n + 1}" if n + 1 < len(statuses) else "/feed"
        server.expect_request(f"/hop{n}").respond_with_data(
            "", status=status, headers={"Location": target})
    server.expect_request("/feed").respond_with_data(FEED)
    return server.url_for("/hop0")


def test_five_redirects_are_followed(httpserver: HTTPServer) -> None:
    url = redirect_chain(httpserver, [302] * 5)
    result = fetch_feed(url)
    assert result.content == FEED
    assert (result.url, result.final_url) == (url, httpserver.url_for("/feed"))
    assert result.permanent_url is None


def test_six_redirects_fail(httpserver: HTTPServer) -> None:
    url = redirect_chain(httpserver, [301] * 6)
    with pytest.raises(FetchError) as caught:
        fetch_feed(url)
    assert caught.value.kind == "redirects"
    assert str(caught.value).startswith(f"{url}: more than 5 redirects")


@pytest.mark.parametrize(("statuses", "permanent"), [
    ([301], "/feed"), ([308], "/feed"), ([301, 308], "/feed"), ([302], None), ([307], None),
    ([301, 302], "/hop1"),  # the move is permanent only up to where a temporary hop starts
    ([302, 301], None),
])
def test_permanent_redirects_give_a_new_url(httpserver: HTTPServer, statuses: list[int],
                                            permanent: str | None) -> None:
    result = fetch_feed(redirect_chain(httpserver, statuses))
    assert result.content == FEED
    assert result.permanent_url == (permanent and httpserver.url_for(permanent))


def test_redirect_to_another_scheme_is_refused(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": "ftp://example.org/feed"})
    with pytest.raises(FetchError, match="unsupported URL ftp://example.org/feed") as caught:
        fetch_feed(httpserver.url_for("/feed"))
    assert caught.value.kind == "redirects"


def test_server_slower_than_read_timeout(threaded: HTTPServer,
                                         release: threading.Event) -> None:
    def stall(request: Request) -> Response:
        release.wait(10)
        return Response(FEED)

    threaded.expect_request("/feed").respond_with_handler(stall)
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_feed(threaded.url_for("/feed"), read_timeout=0.5)
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 5


def test_body_that_stalls_midway_times_out(threaded: HTTPServer,
                                           release: threading.Event) -> None:
    def trickle() -> Iterator[bytes]:
        yield FEED[:10]
        release.wait(10)
        yield FEED[10:]

    threaded.expect_request("/feed").respond_with_handler(lambda request: Response(trickle()))
    with pytest.raises(FetchError) as caught:
        fetch_feed(threaded.url_for("/feed"), read_timeout=0.5)
    assert caught.value.kind == "timeout"


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """Measure the peak of Python allocations inside the block (in the list it yields)."""
    peak: list[int] = []
    tracemalloc.start()
    try:
        yield peak
        peak.append(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()


def test_announced_body_over_the_cap_fails_before_reading(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"x" * (2 * MB))
    with pytest.raises(FetchError) as caught:
        fetch_feed(httpserver.url_for("/feed"), max_bytes=MB)
    assert caught.value.kind == "too_large"
    assert "1,000,000 bytes" in str(caught.value)


def test_streamed_body_over_the_cap_stops_while_streaming(streaming: Serve,
                                                          client: httpx.Client) -> None:
    # 100 MB with no Content-Length: only a cap checked while reading stops it early;
    # reading it all first would take 100 MB.
    url = streaming([b"x" * MB] * 100, {})
    with peak_memory() as peak, pytest.raises(FetchError) as caught:
        fetch_feed(url, max_bytes=MB, client=client)
    assert caught.value.kind == "too_large"
    # the serving thread's buffers count too, more of them on a loaded machine: still far
    # below the 100 MB of reading it all
    assert peak[0] < 25 * MB, peak


def test_body_exactly_at_the_cap_passes(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"x" * MB)
    assert len(fetch_feed(httpserver.url_for("/feed"), max_bytes=MB).content or b"") == MB


def test_gzip_bomb_stops_at_the_cap_quickly_and_small(streaming: Serve, gzip_bomb: bytes,
                                                      client: httpx.Client) -> None:
    url = streaming([gzip_bomb], {"Content-Encoding": "gzip"})
    started = time.monotonic()
    with peak_memory() as peak, pytest.raises(FetchError) as caught:
        fetch_feed(url, max_bytes=MB, client=client)
    assert caught.value.kind == "too_large"
    assert time.monotonic() - started < 5
    assert peak[0] < 5 * MB, peak  # inflating it all would take 50 MB


@pytest.mark.parametrize(("encoding", "compress"), [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw, no header
], ids=["gzip", "deflate", "raw-deflate"])
def test_compressed_body_is_decoded(httpserver: HTTPServer, encoding: str,
                                    compress: Callable[[bytes], bytes]) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        compress(FEED * 100), headers={"Content-Encoding": encoding})
    assert fetch_feed(httpserver.url_for("/feed")).content == FEED * 100
    assert httpserver.log[0][0].headers["Accept-Encoding"] == "gzip, deflate"


def test_corrupt_gzip_body_is_an_http_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="cannot decode gzip") as caught:
        fetch_feed(httpserver.url_for("/feed"))
    assert caught.value.kind == "http"


def test_too_many_requests_gives_retry_after_in_seconds(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError) as caught:
        fetch_feed(httpserver.url_for("/feed"))
    assert (caught.value.kind, caught.value.status) == ("http", 429)
    assert caught.value.retry_after == 120


def test_unavailable_gives_retry_after_from_an_http_date(httpserver: HTTPServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    httpserver.expect_request("/feed").respond_with_data(
        "", status=503, headers={"Retry-After": later})
    with pytest.raises(FetchError) as caught:
        fetch_feed(httpserver.url_for("/feed"))
    assert caught.value.status == 503
    assert 3500 < (caught.value.retry_after or 0) <= 3600


def test_retry_after_parsing_edge_cases() -> None:
    now = datetime(2020, 8, 5, 8, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 05 Aug 2020 08:00:30 GMT", now=now) == 30
    assert parse_retry_after("Wed, 05 Aug 2020 07:00:00 GMT", now=now) == 0  # in the past
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("99999999") == 24 * 3600  # never put off past the back-off cap


def test_connection_refused(unused_port: int) -> None:
    url = f"http://127.0.0.1:{unused_port}/feed"
    with pytest.raises(FetchError) as caught:
        fetch_feed(url, connect_timeout=2)
    assert caught.value.kind == "connection"
    assert str(caught.value).startswith(f"{url}: connection failed")


@pytest.fixture
def unused_port() -> int:
    """A port nothing listens on: bound, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("scheme_url", ["ftp://example.org/feed", "javascript:alert(1)",
                                        "mailto:desk@example.org"])
def test_other_schemes_are_refused(scheme_url: str) -> None:
    with pytest.raises(FetchError, match="unsupported URL scheme") as caught:
        fetch_feed(scheme_url)
    assert caught.value.kind == "url"


@pytest.mark.parametrize(("location", "problem"), [
    ("http://", "no host name"), ("https://127.0.0.1:99999/feed", "invalid URL"),
    ("http://[::1/feed", "invalid URL"), ("", "no URL or file path given"),
])
def test_malformed_urls_are_refused_clearly(location: str, problem: str) -> None:
    with pytest.raises(FetchError, match=re.escape(problem)) as caught:
        fetch_feed(location)
    assert caught.value.kind == "url"


@pytest.mark.parametrize("as_uri", [False, True], ids=["path", "file-url"])
def test_file_is_read_whole_and_then_not_modified(tmp_path: Path, as_uri: bool) -> None:
    path = tmp_path / "dépêches feed.xml"  # a space and accents, quoted in the URL
    path.write_bytes(FEED * 10)
    location = path.as_uri() if as_uri else str(path)
    result = fetch_feed(location, max_bytes=10)  # the cap is for HTTP only
    assert result.content == FEED * 10 and result.final_url == str(path)
    assert result.content_type == "application/xml"
    again = fetch_feed(location, etag=result.etag)
    assert again.not_modified and again.content is None
    path.write_bytes(FEED)
    assert fetch_feed(location, etag=result.etag).content == FEED


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.xml"
    with pytest.raises(FetchError) as caught:
        fetch_feed(missing.as_uri())
    assert caught.value.kind == "file"
    assert str(caught.value) == f"{missing.as_uri()}: cannot read: No such file or directory"


class ConcurrencyProbe:
    """A handler that records how many requests each host has in flight at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.peak_total = 0

    def __call__(self, request: Request) -> Response:
        host = request.host.split(":")[0]
        with self.lock:
            self.now[host] += 1
            self.peak[host] = max(self.peak[host], self.now[host])
            self.peak_total = max(self.peak_total, sum(self.now.values()))
        time.sleep(0.2)  # deliberately slow, so requests overlap
        with self.lock:
            self.now[host] -= 1
        return Response(FEED)


def test_fetch_many_keeps_per_host_limit_and_survives_failures(threaded: HTTPServer) -> None:
    probe = ConcurrencyProbe()
    threaded.expect_request("/feed").respond_with_handler(probe)
    threaded.expect_request("/broken").respond_with_data("", status=500)
    port = threaded.port
    jobs = [FetchJob(f"{host}-{n}", f"http://{host}:{port}/feed")
            for host in ("127.0.0.1", "localhost") for n in range(6)]
    jobs.insert(3, FetchJob("broken", f"http://127.0.0.1:{port}/broken"))
    jobs.insert(0, FetchJob("bad", "ftp://example.org/feed"))
    jobs.insert(5, FetchJob("malformed", "http://[::1/feed"))
    outcomes = dict((job.key, outcome) for job, outcome in fetch_many(jobs, workers=8))
    assert set(outcomes) == {job.key for job in jobs}
    assert isinstance(outcomes.pop("broken"), FetchError)
    assert isinstance(outcomes.pop("bad"), FetchError)
    assert isinstance(outcomes.pop("malformed"), FetchError)
    assert all(isinstance(o, FetchResult) and o.content == FEED for o in outcomes.values())
    assert probe.peak == Counter({"127.0.0.1": 2, "localhost": 2})
    assert probe.peak_total > 2  # the two hosts were fetched side by side


def test_fetch_many_yields_in_completion_order(threaded: HTTPServer,
                                               release: threading.Event) -> None:
    def stall(request: Request) -> Response:
        release.wait(10)
        return Response(FEED)

    threaded.expect_request("/slow").respond_with_handler(stall)
    threaded.expect_request("/fast").respond_with_data(FEED)
    jobs = [FetchJob(name, threaded.url_for(f"/{name}")) for name in ("slow", "fast")]
    results = fetch_many(jobs, read_timeout=10)
    assert next(results)[0].key == "fast"
    release.set()
    assert next(results)[0].key == "slow"


def test_fetch_many_starts_nothing_new_once_the_caller_stops(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED)
    jobs = [FetchJob(str(n), httpserver.url_for("/feed")) for n in range(5)]
    results = fetch_many(jobs, workers=1)
    next(results)
    results.close()  # the job started when the first ended still runs; no other starts
    assert len(httpserver.log) == 2


def test_fetch_many_passes_validators(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_handler(
        conditional("If-None-Match", '"v1"', {"ETag": '"v1"'}))
    job = FetchJob("a", httpserver.url_for("/feed"), etag='"v1"')
    [(done, outcome)] = list(fetch_many([job]))
    assert done is job and isinstance(outcome, FetchResult) and outcome.not_modified


@pytest.mark.parametrize(("failures", "base"), [(1, 900.0), (2, 1800.0), (3, 3600.0)])
def test_backoff_doubles_with_ten_percent_jitter(failures: int, base: float) -> None:
    rng = random.Random(7)
    delays = [backoff_delay(failures, rng=rng) for _ in range(500)]
    assert all(0.9 * base <= delay <= 1.1 * base for delay in delays)
    assert min(delays) < 0.92 * base and max(delays) > 1.08 * base  # jitter is really applied


@pytest.mark.parametrize("failures", [8, 10, 1000])
def test_backoff_never_exceeds_a_day(failures: int) -> None:
    rng = random.Random(7)
    delays = [backoff_delay(failures, rng=rng) for _ in range(500)]
    assert all(0.9 * 86400 <= delay <= 86400 for delay in delays)
    assert len(set(delays)) > 1  # retries at the cap still spread out


def test_backoff_needs_a_failure() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0)
