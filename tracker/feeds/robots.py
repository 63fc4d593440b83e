"""robots.txt: read once per site and day, kept in the archive, honoured before a page.

Following RFC 9309: a robots.txt that is missing or refused (any 4xx) allows everything;
one that cannot be read (5xx, 429, no answer) puts the site's pages off to a later poll.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from events.clock import format_recorded, parse_instant

# The product token sites name in their robots.txt rules to address us.
ROBOTS_AGENT = "tracker"
ROBOTS_MAX_BYTES = 512_000  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_TTL = timedelta(days=1)
MAX_CRAWL_DELAY = 10.0  # a longer Crawl-delay would hold a whole poll on one site


class RobotsStore(Protocol):
    """Where robots.txt files are kept between polls (the archive)."""

    def robots(self, host: str) -> tuple[str, int, str] | None: ...

    def save_robots(self, host: str, fetched_at: str, status: int, body: str) -> None: ...


class RobotsUnreachable(Exception):
    """The site's robots.txt could not be read: its pages wait for a later poll."""


@dataclass(frozen=True)
class Robots:
    """One site's robots.txt as read: its HTTP status and text."""

    status: int
    body: str
    parser: RobotFileParser = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        parser = RobotFileParser()
        # RFC 9309: an "unavailable" file (4xx) allows all, where urllib's own read()
        # would deny all on a 401 or 403; no rules allow all.
        ok = 200 <= self.status < 300
        parser.parse(self.body.splitlines() if ok else [])
        object.__setattr__(self, "parser", parser)

    def allows(self, url: str) -> bool:
        return self.parser.can_fetch(ROBOTS_AGENT, url)

    def delay(self) -> float:
        """The Crawl-delay asked of us, within reason; 0 when none."""
        value = self.parser.crawl_delay(ROBOTS_AGENT)
        return min(float(value), MAX_CRAWL_DELAY) if value else 0.0


def site_of(url: str) -> str:
    """The origin a robots.txt covers: scheme, host and port."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class RobotsBook:
    """The robots.txt of each site for one run of page fetches.

    Files kept from earlier polls are looked up on the caller's thread at the start (the
    store is an SQLite connection, bound to it); those read now are handed back by
    `new_reads` for the caller to keep. Each site's file is read at most once per run,
    however many workers ask for it at once.
    """

    def __init__(self, store: RobotsStore, sites: set[str], now: datetime) -> None:
        self.now = now
        self.known: dict[str, Robots] = {}
        for site in sites:
            kept = store.robots(site)
            if kept is not None and now - parse_instant(kept[0]) < ROBOTS_TTL:
                self.known[site] = Robots(kept[1], kept[2])
        self.lock = threading.Lock()
        self.site_locks: dict[str, threading.Lock] = {}
        self.unreachable: dict[str, str] = {}
        self.fresh: list[tuple[str, str, Robots]] = []

    def rules(self, site: str, read: Callable[[], Robots]) -> Robots:
        """The site's robots.txt, read with `read` if not known yet; RobotsUnreachable."""
        with self.lock:
            site_lock = self.site_locks.setdefault(site, threading.Lock())
        with site_lock:
            if site in self.unreachable:  # asked once in this run is enough
                raise RobotsUnreachable(self.unreachable[site])
            known = self.known.get(site)
            if known is None:
                try:
                    known = read()
                except RobotsUnreachable as error:
                    self.unreachable[site] = str(error)
                    raise
                with self.lock:
                    self.known[site] = known
                    self.fresh.append((site, format_recorded(self.now), known))
            return known

    def new_reads(self) -> list[tuple[str, str, Robots]]:
        """The files read since the last call: (site, fetched_at, robots)."""
        with self.lock:
            fresh, self.fresh = self.fresh, []
        return fresh
