"""Fetching many feeds at once: a small thread pool, at most a few requests per host."""

from __future__ import annotations

import queue
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Generic, TypeVar
from urllib.parse import urlsplit

import httpx

from tracker.errors import FetchError
from tracker.feeds.fetch import fetch_feed, url_scheme
from tracker.feeds.http import DEFAULT_MAX_BYTES, make_client
from tracker.model import FetchResult

J = TypeVar("J")
R = TypeVar("R")


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
    check_limits(workers, per_host)
    pending = list(jobs)
    # Creating a client loads the CA bundle; a poll of files alone does without.
    own = client is None and any(url_host(job.url) for job in pending)
    http = make_client(connect_timeout=connect_timeout, read_timeout=read_timeout,
                       max_connections=workers) if own else client
    fetch = partial(_fetch_job, connect_timeout=connect_timeout, read_timeout=read_timeout,
                    max_bytes=max_bytes, client=http)
    try:
        yield from dispatch(pending, fetch, host_of=lambda job: url_host(job.url),
                            workers=workers, per_host=per_host)
    finally:
        if own and http is not None:
            http.close()


def check_limits(workers: int, per_host: int) -> None:
    if workers < 1 or per_host < 1:
        raise ValueError(f"workers and per_host must be at least 1, got {workers}, {per_host}")


def dispatch(jobs: Iterable[J], run: Callable[[J], R], *, host_of: Callable[[J], str | None],
             workers: int, per_host: int) -> Iterator[tuple[J, R]]:
    """Run `run` on each job in a thread pool, at most `per_host` at once per host; yield
    each job with its result as it ends. An exception from `run` is a bug: it is raised."""
    with ThreadPoolExecutor(workers, thread_name_prefix="tracker-fetch") as pool:
        dispatcher = _Dispatcher(pool, list(jobs), workers=workers, per_host=per_host,
                                 run=run, host_of=host_of)
        try:
            yield from dispatcher.results()
        finally:
            dispatcher.stop()  # the caller stopped early: start nothing new


def url_host(location: str) -> str | None:
    """The host politeness is counted by: the name alone (ports share a machine)."""
    if url_scheme(location) not in ("http", "https"):
        return None
    try:
        return (urlsplit(location).hostname or "").lower()
    except ValueError:
        return None  # a malformed URL: fetching it reports it without any request


def _fetch_job(job: FetchJob, *, connect_timeout: float, read_timeout: float, max_bytes: int,
               client: httpx.Client | None) -> FetchResult | FetchError:
    """Run one job; its failure is a value, so it never stops the others."""
    try:
        return fetch_feed(job.url, etag=job.etag, last_modified=job.last_modified,
                          connect_timeout=connect_timeout, read_timeout=read_timeout,
                          max_bytes=max_bytes, client=client)
    except FetchError as error:
        return error


class _Dispatcher(Generic[J, R]):
    """Starts jobs as workers and per-host slots free up; hands back results as they end.

    Jobs are only submitted when their host has a free slot, so no worker thread ever
    sits blocked waiting for a busy host while other hosts' jobs could run.
    """

    def __init__(self, pool: ThreadPoolExecutor, jobs: list[J], *, workers: int,
                 per_host: int, run: Callable[[J], R],
                 host_of: Callable[[J], str | None]) -> None:
        self.pool = pool
        self.waiting = deque(jobs)
        self.total = len(jobs)
        self.workers = workers
        self.per_host = per_host
        self.run = run
        self.host_of = host_of
        self.lock = threading.Lock()
        self.active: Counter[str] = Counter()
        self.running = 0
        self.stopped = False
        self.done: queue.SimpleQueue[tuple[J, Future[R]]] = queue.SimpleQueue()

    def results(self) -> Iterator[tuple[J, R]]:
        self._start_ready()
        for _ in range(self.total):
            job, future = self.done.get()
            yield job, future.result()  # an exception is a bug, not a failure: let it be seen

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
                started.append((job, self.pool.submit(self.run, job)))
        for job, future in started:
            future.add_done_callback(partial(self._finish, job))

    def _next_job(self) -> J | None:
        for index, job in enumerate(self.waiting):
            host = self.host_of(job)
            if host is None or self.active[host] < self.per_host:
                del self.waiting[index]
                self.running += 1
                if host is not None:
                    self.active[host] += 1
                return job
        return None

    def _finish(self, job: J, future: Future[R]) -> None:
        host = self.host_of(job)
        with self.lock:
            self.running -= 1
            if host is not None:
                self.active[host] -= 1
        self._start_ready()
        self.done.put((job, future))
