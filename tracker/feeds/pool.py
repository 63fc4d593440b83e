"""Fetching many feeds at once: a small thread pool, at most a few requests per host."""

from __future__ import annotations

import queue
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

import httpx

from tracker.errors import FetchError
from tracker.feeds.fetch import fetch_feed, url_scheme
from tracker.feeds.http import DEFAULT_MAX_BYTES, make_client
from tracker.model import FetchResult


@dataclass(frozen=True)
class FetchJob:
    """One feed for `fetch_many`: the caller's key, the location and its stored validators."""

    key: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


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


def _host(location: str) -> str | None:
    """The host politeness is counted by: the name alone (ports share a machine)."""
    if url_scheme(location) not in ("http", "https"):
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
