"""Fetching feeds: http(s) with conditional GET, timeouts, a size cap and redirects; files.

feedparser is only ever given bytes: its own URL fetching has no timeout and no size cap.
The client is httpx: it is well kept, has separate connect and read timeouts, streams
raw (still compressed) bytes, and is synchronous, so a small thread pool runs it in
parallel (`fetch_many`). Redirects are followed here, not by httpx, so that every hop is
seen: the hop count is capped, odd schemes are refused and permanent moves are reported.
"""

from __future__ import annotations

import email.utils
import mimetypes
import queue
import re
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from stat import S_ISREG
from urllib.parse import urlsplit
from urllib.request import url2pathname

import httpx

from tracker import __version__
from tracker.backoff import MAX_DELAY, backoff_delay
from tracker.errors import TrackerError
from tracker.tls import lazy_client_context

__all__ = [
    "USER_AGENT", "FetchError", "FetchJob", "FetchResult", "backoff_delay", "fetch_feed",
    "fetch_many", "make_client", "parse_retry_after",
]

# The project's public home; servers' operators read it to find who is polling them.
# Names the tool and its version; no project URL is published yet to point at.
USER_AGENT = f"tracker/{__version__} (deal-status feed reader; python-httpx)"
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8")
# Only encodings decoded below, where the size cap is enforced on the inflated bytes.
ACCEPT_ENCODING = "gzip, deflate"
MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 20_000_000
KINDS = frozenset({"timeout", "connection", "http", "too_large", "gone", "redirects", "file",
                   "url"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_STATUSES = frozenset({301, 308})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


@dataclass(frozen=True)
class FetchResult:
    """What one fetch brought back: the feed's bytes, or that it has not changed (304)."""

    url: str
    final_url: str
    permanent_url: str | None
    not_modified: bool
    content: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str | None


class FetchError(TrackerError):
    """A feed could not be fetched; `kind` says why, `str()` is one line naming the URL."""

    def __init__(self, url: str, kind: str, problem: str, *, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{url or '(empty location)'}: {problem}")
        self.url = url
        self.kind = kind
        self.problem = problem
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchJob:
    """One feed for `fetch_many`: the caller's key, the location and its stored validators."""

    key: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


def make_client(*, connect_timeout: float, read_timeout: float,
                max_connections: int = 8) -> httpx.Client:
    """An httpx client for feeds: our User-Agent, separate timeouts, redirects left to us."""
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=_timeout(connect_timeout, read_timeout),
        limits=httpx.Limits(max_connections=max_connections,
                            max_keepalive_connections=max_connections),
        follow_redirects=False,
        verify=lazy_client_context(),
    )


def fetch_feed(url: str, *, etag: str | None = None, last_modified: str | None = None,
               connect_timeout: float = 10, read_timeout: float = 30,
               max_bytes: int = DEFAULT_MAX_BYTES,
               client: httpx.Client | None = None) -> FetchResult:
    """Fetch a feed from an http(s) URL, a file:// URL or a file path; raise FetchError."""
    scheme = _scheme(url)
    if not url.strip():
        raise FetchError(url, "url", "no URL or file path given")
    if scheme is None or scheme == "file":
        return _read_file(url, etag=etag)
    _check_http_url(url, scheme)
    request = _Request(url, _validator(etag), _validator(last_modified),
                       _timeout(connect_timeout, read_timeout), max_bytes,
                       deadline=time.monotonic() + total_seconds(connect_timeout, read_timeout))
    try:
        if client is not None:
            return request.run(client)
        with make_client(connect_timeout=connect_timeout, read_timeout=read_timeout) as own:
            return request.run(own)
    except httpx.HTTPError as error:
        raise _translate(url, error, connect_timeout, read_timeout) from error
    except httpx.InvalidURL as error:
        raise FetchError(url, "url", f"invalid URL: {error}") from error


def _check_http_url(url: str, scheme: str) -> None:
    """Refuse what httpx would refuse with a less helpful message, or not at all."""
    if scheme not in ("http", "https"):
        raise FetchError(url, "url", f"unsupported URL scheme {scheme!r} "
                                     "(use http, https, file:// or a file path)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError when out of range)
    except ValueError as error:
        raise FetchError(url, "url", f"invalid URL: {error}") from None
    if not parts.hostname:
        raise FetchError(url, "url", "invalid URL: no host name")


def total_seconds(connect_timeout: float, read_timeout: float) -> float:
    """The most one fetch may take in all, however slowly the bytes keep coming."""
    return connect_timeout + 4 * read_timeout


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP-date); None if unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_DELAY)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    # Capped like the back-off, so no server can put a feed off for good.
    return min(max(seconds, 0.0), MAX_DELAY)


def fetch_many(jobs: Iterable[FetchJob], *, workers: int = 8, per_host: int = 2,
               connect_timeout: float = 10, read_timeout: float = 30,
               max_bytes: int = DEFAULT_MAX_BYTES, client: httpx.Client | None = None,
               ) -> Iterator[tuple[FetchJob, FetchResult | FetchError]]:
    """Fetch jobs on a thread pool, at most `per_host` at once per host; yield as they end."""
    if workers < 1 or per_host < 1:
        raise ValueError(f"workers and per_host must be at least 1, got {workers}, {per_host}")
    pending = list(jobs)
    # Creating a client loads the CA bundle; a poll of files alone does without.
    own = client is None and any(_host(job.url) for job in pending)
    http = make_client(connect_timeout=connect_timeout, read_timeout=read_timeout,
                       max_connections=workers) if own else client
    fetch = partial(_fetch_job, connect_timeout=connect_timeout, read_timeout=read_timeout,
                    max_bytes=max_bytes, client=http)
    try:
        with ThreadPoolExecutor(workers, thread_name_prefix="tracker-fetch") as pool:
            dispatcher = _Dispatcher(pool, pending, workers=workers, per_host=per_host,
                                     fetch=fetch)
            try:
                yield from dispatcher.results()
            finally:
                dispatcher.stop()  # the caller stopped early: start nothing new
    finally:
        if own and http is not None:
            http.close()


# --- http -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Request:
    """One conditional GET of `url`, following up to MAX_REDIRECTS redirects by hand."""

    url: str
    etag: str | None
    last_modified: str | None
    timeout: httpx.Timeout
    max_bytes: int
    deadline: float

    def run(self, client: httpx.Client) -> FetchResult:
        hops: list[tuple[int, str]] = []
        current = self.url
        while True:
            with self._send(client, current) as response:
                target = self._redirect_target(response)
                if target is None:
                    return self._result(response, current, _permanent_url(hops))
            if len(hops) == MAX_REDIRECTS:
                raise FetchError(self.url, "redirects",
                                 f"more than {MAX_REDIRECTS} redirects (next: {target})")
            hops.append((response.status_code, target))
            current = target

    @contextmanager
    def _send(self, client: httpx.Client, url: str) -> Iterator[httpx.Response]:
        headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        request = client.build_request("GET", url, headers=headers, timeout=self.timeout)
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            yield response
        finally:
            response.close()

    def _redirect_target(self, response: httpx.Response) -> str | None:
        location = response.headers.get("Location")
        if response.status_code not in _REDIRECT_STATUSES or not location:
            return None
        target = response.url.join(location.strip())
        if target.scheme not in ("http", "https"):
            raise FetchError(self.url, "redirects", f"redirected to an unsupported URL {target}")
        return str(target)

    def _result(self, response: httpx.Response, final_url: str,
                permanent_url: str | None) -> FetchResult:
        headers = response.headers
        not_modified = response.status_code == 304
        if not not_modified:
            self._raise_for_status(response, final_url)
        return FetchResult(
            url=self.url, final_url=final_url, permanent_url=permanent_url,
            not_modified=not_modified,
            content=None if not_modified else self._read_body(response),
            # A 304 need not repeat the validators: keep the ones sent, so the caller
            # can store what it gets back either way.
            etag=_validator(headers.get("ETag")) or (self.etag if not_modified else None),
            last_modified=_validator(headers.get("Last-Modified"))
            or (self.last_modified if not_modified else None),
            content_type=headers.get("Content-Type"),
        )

    def _raise_for_status(self, response: httpx.Response, final_url: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        problem = f"HTTP {status} {response.reason_phrase}".rstrip()
        if final_url != self.url:
            problem += f" (at {final_url})"
        if status == 410:
            raise FetchError(self.url, "gone", f"{problem}: the feed was removed", status=status)
        retry_after = None
        if status in (429, 503):
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                problem += f", retry after {retry_after:.0f} s"
        raise FetchError(self.url, "http", problem, status=status, retry_after=retry_after)

    def _read_body(self, response: httpx.Response) -> bytes:
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        length = response.headers.get("Content-Length", "")
        if encoding == "identity" and length.isdigit() and int(length) > self.max_bytes:
            raise self._too_large()  # known before reading a byte
        inflate = _Inflater(self.url, encoding)
        body = bytearray()
        wire = 0
        for chunk in response.iter_raw():
            wire += len(chunk)
            # Compressed bytes are capped too: a stream that never inflates to anything
            # must not be read for ever.
            body += inflate(chunk, self.max_bytes - len(body) + 1)
            if len(body) > self.max_bytes or wire > self.max_bytes:
                raise self._too_large()
            if time.monotonic() > self.deadline:
                # a server dripping a byte now and then never trips the read timeout
                raise FetchError(self.url, "timeout", "response still arriving after"
                                 f" {len(body)} bytes: gave up at the overall time limit")
        body += inflate.flush()
        if len(body) > self.max_bytes:
            raise self._too_large()
        return bytes(body)

    def _too_large(self) -> FetchError:
        return FetchError(self.url, "too_large",
                          f"response larger than the cap of {self.max_bytes:,} bytes "
                          "([tracker] max_feed_bytes)")


class _Inflater:
    """Decodes a gzip or deflate body piece by piece, never inflating more than asked."""

    def __init__(self, url: str, encoding: str) -> None:
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(url, "http", f"unsupported Content-Encoding {encoding!r}")
        self.url = url
        self.encoding = encoding
        self.started = False
        wbits = zlib.MAX_WBITS | 16 if "gzip" in encoding else zlib.MAX_WBITS
        self.decoder = zlib.decompressobj(wbits)

    def __call__(self, data: bytes, room: int) -> bytes:
        if self.encoding == "identity":
            return data
        try:
            return self._inflate(data, room)
        except zlib.error as error:
            if self.started or self.encoding != "deflate":
                raise FetchError(self.url, "http",
                                 f"cannot decode {self.encoding} body: {error}") from None
            # Some servers send raw deflate without the zlib header HTTP asks for.
            self.decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            return self(data, room)

    def _inflate(self, data: bytes, room: int) -> bytes:
        # max_length keeps a bomb from inflating in memory: what does not fit stays in
        # unconsumed_tail and is only inflated while there is room left.
        pieces = []
        while data and room > 0 and not self.decoder.eof:
            piece = self.decoder.decompress(data, room)
            self.started = True
            pieces.append(piece)
            room -= len(piece)
            data = self.decoder.unconsumed_tail
        return b"".join(pieces)

    def flush(self) -> bytes:
        """Whatever the decoder still holds once all input was given."""
        return b"" if self.encoding == "identity" else self.decoder.flush()


def _permanent_url(hops: list[tuple[int, str]]) -> str | None:
    """Where the leading run of permanent (301/308) redirects ended, if the chain began so."""
    permanent = None
    for status, target in hops:
        if status not in _PERMANENT_STATUSES:
            break
        permanent = target
    return permanent


def _translate(url: str, error: httpx.HTTPError, connect_timeout: float,
               read_timeout: float) -> FetchError:
    """Our FetchError for an httpx error, with a kind the scheduler can act on."""
    detail = str(error) or type(error).__name__
    if isinstance(error, httpx.ConnectTimeout):
        # a failure to connect, like a refusal: offline, every connect times out
        return FetchError(url, "connection", f"no connection within {connect_timeout:g} s")
    if isinstance(error, httpx.TimeoutException):
        return FetchError(url, "timeout", f"timed out waiting {read_timeout:g} s for data")
    if isinstance(error, httpx.UnsupportedProtocol):
        return FetchError(url, "url", f"invalid URL: {detail}")
    if isinstance(error, httpx.TransportError):
        return FetchError(url, "connection", f"connection failed: {detail}")
    return FetchError(url, "http", detail)


def _timeout(connect_timeout: float, read_timeout: float) -> httpx.Timeout:
    # Waiting for a pooled connection is bounded by a whole request's worth of time.
    return httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout,
                         pool=connect_timeout + read_timeout)


def _validator(value: str | None) -> str | None:
    """A stored ETag/Last-Modified fit to send back; odd bytes would break the request."""
    if value and value.isascii() and value.isprintable():
        return value.strip()
    return None


# --- files ------------------------------------------------------------------------------


def _read_file(location: str, *, etag: str | None) -> FetchResult:
    """Read a feed file whole (no cap: the user named it); etag is its mtime and size."""
    path = _file_path(location)
    try:
        # stat before reading: if the file changes in between, the next poll re-reads it.
        stat = path.stat()
        if not S_ISREG(stat.st_mode):
            # /dev/zero or a FIFO would be read for ever
            raise FetchError(location, "file", "not a regular file")
        tag = _file_etag(stat.st_mtime_ns, stat.st_size)
        content = None if etag == tag else path.read_bytes()
    except OSError as error:
        raise FetchError(location, "file", f"cannot read: {error.strerror or error}") from None
    return FetchResult(
        url=location, final_url=str(path), permanent_url=None, not_modified=content is None,
        content=content, etag=tag,
        last_modified=email.utils.formatdate(stat.st_mtime, usegmt=True),
        content_type=mimetypes.guess_type(path.name)[0],
    )


def _file_path(location: str) -> Path:
    if _scheme(location) != "file":
        return Path(location)
    parts = urlsplit(location)
    if parts.netloc not in ("", "localhost"):
        raise FetchError(location, "file", f"file URL on another host {parts.netloc!r}")
    return Path(url2pathname(parts.path))


def _file_etag(mtime_ns: int, size: int) -> str:
    return f'"{mtime_ns:x}-{size:x}"'


def _scheme(location: str) -> str | None:
    """The URL scheme, lowercased; None for a plain path (a drive letter is not a scheme)."""
    match = _SCHEME.match(location)
    return match.group(1).lower() if match else None


# --- many feeds at once -----------------------------------------------------------------


def _host(location: str) -> str | None:
    """The host politeness is counted by: the name alone (ports share a machine)."""
    if _scheme(location) not in ("http", "https"):
        return None
    try:
        return (urlsplit(location).hostname or "").lower()
    except ValueError:
        return None  # a malformed URL: fetch_feed reports it without any request


def _fetch_job(job: FetchJob, *, connect_timeout: float, read_timeout: float, max_bytes: int,
               client: httpx.Client | None) -> FetchResult | FetchError:
    """Run one job; its failure is a value, so it never stops the others."""
    try:
        return fetch_feed(job.url, etag=job.etag, last_modified=job.last_modified,
                          connect_timeout=connect_timeout, read_timeout=read_timeout,
                          max_bytes=max_bytes, client=client)
    except FetchError as error:
        return error


_Outcome = tuple[FetchJob, "FetchResult | FetchError | BaseException"]


class _Dispatcher:
    """Starts jobs as workers and per-host slots free up; hands back results as they end.

    Jobs are only submitted when their host has a free slot, so no worker thread ever
    sits blocked waiting for a busy host while other hosts' feeds could be fetched.
    """

    def __init__(self, pool: ThreadPoolExecutor, jobs: list[FetchJob], *, workers: int,
                 per_host: int, fetch: Callable[[FetchJob], FetchResult | FetchError]) -> None:
        self.pool = pool
        self.waiting = deque(jobs)
        self.total = len(jobs)
        self.workers = workers
        self.per_host = per_host
        self.fetch = fetch
        self.lock = threading.Lock()
        self.active: Counter[str] = Counter()
        self.running = 0
        self.stopped = False
        self.done: queue.SimpleQueue[_Outcome] = queue.SimpleQueue()

    def results(self) -> Iterator[tuple[FetchJob, FetchResult | FetchError]]:
        self._start_ready()
        for _ in range(self.total):
            job, outcome = self.done.get()
            if not isinstance(outcome, (FetchResult, FetchError)):
                raise outcome  # a bug, not a feed's failure: let it be seen
            yield job, outcome

    def stop(self) -> None:
        with self.lock:
            self.stopped = True

    def _start_ready(self) -> None:
        # Submitted under the lock, so nothing is submitted once stop() has returned and
        # the pool shuts down; callbacks are added outside it, since a callback on a job
        # that is already done runs at once and takes the lock itself.
        with self.lock:
            started = []
            while not self.stopped and self.running < self.workers:
                job = self._next_job()
                if job is None:
                    break
                started.append((job, self.pool.submit(self.fetch, job)))
        for job, future in started:
            future.add_done_callback(partial(self._finish, job))

    def _next_job(self) -> FetchJob | None:
        for index, job in enumerate(self.waiting):
            host = _host(job.url)
            if host is None or self.active[host] < self.per_host:
                del self.waiting[index]
                self.running += 1
                if host is not None:
                    self.active[host] += 1
                return job
        return None

    def _finish(self, job: FetchJob, future: Future[FetchResult | FetchError]) -> None:
        host = _host(job.url)
        with self.lock:
            self.running -= 1
            if host is not None:
                self.active[host] -= 1
        self._start_ready()
        error = future.exception()
        self.done.put((job, error if error is not None else future.result()))
