"""Fetching articles' own web pages, politely, and keeping their main text.

Pages go through the feeds' fetcher (`tracker.feeds.http`): the same timeouts, overall
limit, size cap counted after decompression, at most 5 redirects and http(s) only.
On top of it, what a site expects of a crawler: robots.txt honoured (`tracker.feeds.
robots`), at most `per_host` requests at once per host and `min_interval` seconds (or
the site's Crawl-delay) between two requests to one host. A failure is a value with
its reason, never an exception: a page lost leaves the feed's text to be read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import httpx

from events.clock import utc_now
from tracker.errors import FetchError, FetchErrorKind
from tracker.feeds.fetch import url_scheme
from tracker.feeds.files import read_file
from tracker.feeds.http import DEFAULT_MAX_BYTES, Wanted, fetch_http, make_client, media_type
from tracker.feeds.maintext import main_text
from tracker.feeds.pool import check_limits, dispatch, url_host
from tracker.feeds.robots import (
    ROBOTS_MAX_BYTES,
    Robots,
    RobotsBook,
    RobotsStore,
    RobotsUnreachable,
    site_of,
)
from tracker.model import FetchResult

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PAGE = Wanted("text/html, application/xhtml+xml;q=0.9, */*;q=0.1", HTML_TYPES, "web page")
ROBOTS_TXT = Wanted("text/plain, */*;q=0.5", name="robots.txt")
# Less than this is no article: a paywall's teaser, a consent wall, an error page.
MIN_ARTICLE_CHARS = 80
# Worth trying again at a later poll: the server or the network may be better then.
_PASSING = frozenset({FetchErrorKind.TIMEOUT, FetchErrorKind.CONNECTION,
                      FetchErrorKind.BROKEN})
_PASSING_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
# A host that fails so is not asked again in the same poll: with a site down (or
# answering "busy" to every robot), 200 pages would otherwise each wait their turn.
_SILENT = frozenset({FetchErrorKind.TIMEOUT, FetchErrorKind.CONNECTION})
_BUSY_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class PageJob:
    """One article page to read: the caller's key, its link, and whether a file: link is
    allowed (only for entries of a feed that is itself a local file)."""

    key: int
    url: str
    allow_files: bool = False


@dataclass(frozen=True)
class Page:
    """The main text of a page that was read, where it was read from, and when."""

    url: str
    status: int
    text: str
    fetched_at: datetime


@dataclass(frozen=True)
class PageFailure:
    """Why a page gave no text; `retry` when a later poll may do better."""

    reason: str
    retry: bool = False


@dataclass(frozen=True)
class Limits:
    """How one page fetch is bounded."""

    connect_timeout: float
    read_timeout: float
    max_bytes: int


def fetch_pages(jobs: Iterable[PageJob], *, robots: RobotsStore, connect_timeout: float = 10,
                read_timeout: float = 30, max_bytes: int = DEFAULT_MAX_BYTES, per_host: int = 2,
                min_interval: float = 1.0, workers: int = 8, client: httpx.Client | None = None,
                should_stop: Callable[[], bool] | None = None,
                ) -> Iterator[tuple[PageJob, Page | PageFailure]]:
    """Read each job's page on a thread pool; yield each job with its page or failure as
    it ends. The robots.txt files read on the way are kept in `robots` from this thread."""
    check_limits(workers, per_host)
    pending = list(jobs)
    web = [job for job in pending if url_host(job.url)]
    book = RobotsBook(robots, {site_of(job.url) for job in web}, utc_now())
    own = client is None and bool(web)
    http = make_client(connect_timeout=connect_timeout, read_timeout=read_timeout,
                       max_connections=workers) if own else client
    reader = _Reader(http, book, _HostGate(min_interval), Limits(connect_timeout, read_timeout,
                                                                 max_bytes), should_stop)
    try:
        for job, outcome in dispatch(pending, reader.read, host_of=lambda job: url_host(job.url),
                                     workers=workers, per_host=per_host):
            _keep_robots(robots, book)
            yield job, outcome
    finally:
        _keep_robots(robots, book)
        if own and http is not None:
            http.close()


def _keep_robots(store: RobotsStore, book: RobotsBook) -> None:
    for site, fetched_at, rules in book.new_reads():
        store.save_robots(site, fetched_at, rules.status, rules.body)


class _HostGate:
    """At least `interval` seconds (or a site's Crawl-delay) between the starts of two
    requests to one host; and the hosts that did not answer in this run."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.lock = threading.Lock()
        self.next_start: dict[str, float] = {}
        self.silent: set[str] = set()

    def wait(self, host: str, delay: float = 0.0) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start.get(host, now))
            self.next_start[host] = start + max(self.interval, delay)
        if start > now:
            time.sleep(start - now)


@dataclass(frozen=True)
class _Reader:
    """Reads one job's page, on a worker thread: robots.txt, the page, its main text."""

    client: httpx.Client | None
    book: RobotsBook
    gate: _HostGate
    limits: Limits
    should_stop: Callable[[], bool] | None

    def read(self, job: PageJob) -> Page | PageFailure:
        if self.should_stop is not None and self.should_stop():
            return PageFailure("asked to stop before reading it", retry=True)
        scheme = url_scheme(job.url)
        if scheme == "file" and job.allow_files:
            return self._read_file(job.url)
        host = url_host(job.url)
        if host is None:
            return PageFailure(f"not a web link ({scheme or 'no scheme'})")
        try:
            rules = self.book.rules(site_of(job.url), partial(self._read_robots, job.url, host))
        except RobotsUnreachable as error:
            return PageFailure(f"robots.txt unreachable: {error}", retry=True)
        if not rules.allows(job.url):
            return PageFailure("robots.txt disallows")
        if host in self.gate.silent:
            return PageFailure(f"{host} did not answer or was busy earlier in this poll",
                               retry=True)
        self.gate.wait(host, rules.delay())
        try:
            result = self._fetch(job.url, PAGE, self.limits.max_bytes)
        except FetchError as error:
            if error.kind in _SILENT or error.status in _BUSY_STATUSES:
                self.gate.silent.add(host)
            return _failure(error)
        return _page(result, job.url)

    def _read_file(self, url: str) -> Page | PageFailure:
        try:
            result = read_file(url, etag=None)
        except FetchError as error:
            return PageFailure(error.problem)
        if media_type(result.content_type) not in HTML_TYPES:
            return PageFailure(f"not a web page ({result.content_type or 'unknown type'})")
        return _page(result, url)

    def _read_robots(self, url: str, host: str) -> Robots:
        self.gate.wait(host)
        try:
            result = self._fetch(f"{site_of(url)}/robots.txt", ROBOTS_TXT, ROBOTS_MAX_BYTES)
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                return Robots(error.status, "")  # missing or refused: everything allowed
            raise RobotsUnreachable(_failure(error).reason) from None
        return Robots(result.status, (result.content or b"").decode("utf-8", errors="replace"))

    def _fetch(self, url: str, wanted: Wanted, max_bytes: int) -> FetchResult:
        limits = self.limits
        return fetch_http(url, scheme=url_scheme(url) or "", connect_timeout=limits.connect_timeout,
                          read_timeout=limits.read_timeout, max_bytes=max_bytes,
                          client=self.client, wanted=wanted)


def _page(result: FetchResult, url: str) -> Page | PageFailure:
    text = main_text(result.content or b"", url=result.final_url,
                     charset=_charset(result.content_type))
    if len(text) < MIN_ARTICLE_CHARS:
        return PageFailure("no article text on the page")
    return Page(result.final_url, result.status, text, utc_now())


def _failure(error: FetchError) -> PageFailure:
    """The reason kept on the article: short, without the URL it is stored beside."""
    status = error.status
    if error.kind in (FetchErrorKind.HTTP, FetchErrorKind.GONE) and status is not None:
        return PageFailure(f"HTTP {status}", retry=status in _PASSING_STATUSES)
    return PageFailure(error.problem, retry=error.kind in _PASSING)


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None
