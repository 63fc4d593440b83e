"""Fetching over http(s): conditional GET, timeouts, a size cap and redirects followed by hand.

feedparser is only ever given bytes: its own URL fetching has no timeout and no size cap.
The client is httpx: it is well kept, has separate connect and read timeouts, streams
raw (still compressed) bytes, and is synchronous, so a small thread pool runs it in
parallel (`tracker.feeds.pool`). Redirects are followed here, not by httpx, so that
every hop is seen: the hop count is capped, odd schemes are refused and permanent moves
are reported.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from tracker import __version__
from tracker.errors import FetchError, FetchErrorKind
from tracker.feeds.backoff import MAX_DELAY
from tracker.feeds.deadline import OVERALL, limited_transport, time_limit
from tracker.feeds.inflate import Inflater
from tracker.feeds.tls import lazy_client_context
from tracker.model import FetchResult

# The project's public home; servers' operators read it to find who is polling them.
# Names the tool and its version; no project URL is published yet to point at.
USER_AGENT = f"tracker/{__version__} (deal-status feed reader; python-httpx)"
ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
          "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8")
# Only encodings decoded below, where the size cap is enforced on the inflated bytes.
ACCEPT_ENCODING = "gzip, deflate"
MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 20_000_000
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class Wanted:
    """What a request is for: its Accept header, the media types read (empty: any) and
    what the answer is called in messages."""

    accept: str
    media_types: frozenset[str] = frozenset()
    name: str = "feed"


FEED = Wanted(ACCEPT)
_PERMANENT_STATUSES = frozenset({301, 308})


def make_client(*, connect_timeout: float, read_timeout: float,
                max_connections: int = 8) -> httpx.Client:
    """An httpx client for feeds: our User-Agent, separate timeouts, redirects left to us."""
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=_timeout(connect_timeout, read_timeout),
        transport=limited_transport(verify=lazy_client_context(),
                                    max_connections=max_connections),
        follow_redirects=False,
    )


def fetch_http(url: str, *, scheme: str, etag: str | None = None,
               last_modified: str | None = None, connect_timeout: float = 10,
               read_timeout: float = 30, max_bytes: int = DEFAULT_MAX_BYTES,
               client: httpx.Client | None = None, wanted: Wanted = FEED) -> FetchResult:
    """Fetch `url` (http or https) with a conditional GET; raise FetchError.

    The whole fetch ends by `total_seconds` after it starts, whatever phase it is in:
    a stop request (SIGTERM) waits for it no longer than that.
    """
    _check_http_url(url, scheme)
    request = _Request(url, _validator(etag), _validator(last_modified),
                       _timeout(connect_timeout, read_timeout), max_bytes, wanted,
                       deadline=time.monotonic() + total_seconds(connect_timeout, read_timeout))
    try:
        if client is not None:
            return request.run(client)
        with make_client(connect_timeout=connect_timeout, read_timeout=read_timeout) as own:
            return request.run(own)
    except httpx.HTTPError as error:
        if isinstance(error, httpx.TimeoutException) and time.monotonic() >= request.deadline:
            error = httpx.ReadTimeout(OVERALL)  # the last wait was cut to the time left
        raise _translate(url, error, connect_timeout, read_timeout) from error
    except httpx.InvalidURL as error:
        raise FetchError(url, FetchErrorKind.URL, f"invalid URL: {error}") from error


def _check_http_url(url: str, scheme: str) -> None:
    """Refuse what httpx would refuse with a less helpful message, or not at all."""
    if scheme not in ("http", "https"):
        raise FetchError(url, FetchErrorKind.URL, f"unsupported URL scheme {scheme!r} "
                                     "(use http, https, file:// or a file path)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError when out of range)
    except ValueError as error:
        raise FetchError(url, FetchErrorKind.URL, f"invalid URL: {error}") from None
    if not parts.hostname:
        raise FetchError(url, FetchErrorKind.URL, "invalid URL: no host name")


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


@dataclass(frozen=True)
class _Request:
    """One conditional GET of `url`, following up to MAX_REDIRECTS redirects by hand."""

    url: str
    etag: str | None
    last_modified: str | None
    timeout: httpx.Timeout
    max_bytes: int
    wanted: Wanted
    deadline: float

    def run(self, client: httpx.Client) -> FetchResult:
        with time_limit(self.deadline):
            return self._follow(client)

    def _follow(self, client: httpx.Client) -> FetchResult:
        hops: list[tuple[int, str]] = []
        current = self.url
        while True:
            with self._send(client, current) as response:
                target = self._redirect_target(response)
                if target is None:
                    return self._result(response, current, _permanent_url(hops))
            if len(hops) == MAX_REDIRECTS:
                raise FetchError(self.url, FetchErrorKind.REDIRECTS,
                                 f"more than {MAX_REDIRECTS} redirects (next: {target})")
            hops.append((response.status_code, target))
            current = target

    @contextmanager
    def _send(self, client: httpx.Client, url: str) -> Iterator[httpx.Response]:
        headers = {"User-Agent": USER_AGENT, "Accept": self.wanted.accept,
                   "Accept-Encoding": ACCEPT_ENCODING}
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
            raise FetchError(self.url, FetchErrorKind.REDIRECTS,
                             f"redirected to an unsupported URL {target}")
        return str(target)

    def _result(self, response: httpx.Response, final_url: str,
                permanent_url: str | None) -> FetchResult:
        headers = response.headers
        not_modified = response.status_code == 304
        if not_modified and not (self.etag or self.last_modified):
            # nothing was asked to be compared: "not modified" says nothing of the feed
            raise FetchError(self.url, FetchErrorKind.HTTP, "HTTP 304 Not Modified to a"
                             " request that sent no validators", status=304)
        if not not_modified:
            self._raise_for_status(response, final_url)
            self._check_media_type(headers.get("Content-Type"))
        content = None if not_modified else self._read_body(response)
        if content is not None and not content.strip():
            raise FetchError(self.url, FetchErrorKind.HTTP,
                             f"empty answer (HTTP {response.status_code},"
                             f" no {self.wanted.name})",
                             status=response.status_code)
        return FetchResult(
            url=self.url, final_url=final_url, permanent_url=permanent_url,
            not_modified=not_modified, content=content,
            # A 304 need not repeat the validators: keep the ones sent, so the caller
            # can store what it gets back either way.
            etag=_validator(headers.get("ETag")) or (self.etag if not_modified else None),
            last_modified=_validator(headers.get("Last-Modified"))
            or (self.last_modified if not_modified else None),
            content_type=headers.get("Content-Type"), status=response.status_code,
        )

    def _check_media_type(self, content_type: str | None) -> None:
        """Refuse, before reading a byte of it, a body of a kind we do not read; with no
        Content-Type at all, the body is read and judged by what it holds."""
        media = media_type(content_type)
        if self.wanted.media_types and media and media not in self.wanted.media_types:
            raise FetchError(self.url, FetchErrorKind.CONTENT,
                             f"not a {self.wanted.name} ({media})")

    def _raise_for_status(self, response: httpx.Response, final_url: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        problem = f"HTTP {status} {response.reason_phrase}".rstrip()
        if final_url != self.url:
            problem += f" (at {final_url})"
        if status == 410:
            raise FetchError(self.url, FetchErrorKind.GONE,
                             f"{problem}: the feed was removed", status=status)
        retry_after = None
        if status in (429, 503):
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                problem += f", retry after {retry_after:.0f} s"
        raise FetchError(self.url, FetchErrorKind.HTTP,
                         problem, status=status, retry_after=retry_after)

    def _read_body(self, response: httpx.Response) -> bytes:
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        length = response.headers.get("Content-Length", "")
        if encoding == "identity" and length.isdigit() and int(length) > self.max_bytes:
            raise self._too_large()  # known before reading a byte
        inflate = Inflater(self.url, encoding)
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
                raise FetchError(self.url, FetchErrorKind.TIMEOUT, "response still arriving after"
                                 f" {len(body)} bytes: gave up at the overall time limit")
        body += inflate.flush()
        if len(body) > self.max_bytes:
            raise self._too_large()
        return bytes(body)

    def _too_large(self) -> FetchError:
        return FetchError(self.url, FetchErrorKind.TOO_LARGE,
                          f"response larger than the cap of {self.max_bytes:,} bytes "
                          "([tracker] max_feed_bytes)")


def media_type(content_type: str | None) -> str:
    """`text/html` of `text/HTML; charset=utf-8`; empty when there is none."""
    return (content_type or "").split(";", 1)[0].strip().lower()


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
    if isinstance(error, httpx.TimeoutException) and detail == OVERALL:
        limit = total_seconds(connect_timeout, read_timeout)
        return FetchError(url, FetchErrorKind.TIMEOUT, f"no complete answer within {limit:g} s:"
                          " gave up at the overall time limit")
    if isinstance(error, httpx.ConnectTimeout):
        # a failure to connect, like a refusal: offline, every connect times out
        return FetchError(url, FetchErrorKind.CONNECTION,
                          f"no connection within {connect_timeout:g} s")
    if isinstance(error, httpx.TimeoutException):
        return FetchError(url, FetchErrorKind.TIMEOUT,
                          f"timed out waiting {read_timeout:g} s for data")
    if isinstance(error, httpx.UnsupportedProtocol):
        return FetchError(url, FetchErrorKind.URL, f"invalid URL: {detail}")
    if isinstance(error, httpx.ConnectError):
        # refused, unreachable, no such host: what every fetch meets when we are offline
        return FetchError(url, FetchErrorKind.CONNECTION, f"connection failed: {detail}")
    if isinstance(error, httpx.TransportError):
        # the server answered the connection, then broke the exchange: its fault
        return FetchError(url, FetchErrorKind.BROKEN, f"the server broke off: {detail}")
    return FetchError(url, FetchErrorKind.HTTP, detail)


def _timeout(connect_timeout: float, read_timeout: float) -> httpx.Timeout:
    # Waiting for a pooled connection is bounded by a whole request's worth of time.
    return httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout,
                         pool=connect_timeout + read_timeout)


def _validator(value: str | None) -> str | None:
    """A stored ETag/Last-Modified fit to send back; odd bytes would break the request."""
    if value and value.isascii() and value.isprintable():
        return value.strip()
    return None
