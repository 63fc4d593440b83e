"""Reading the article's own page when its feed entry says too little.

After the feeds of a poll are stored, the entries that name a configured deal and whose
feed text is short (per feed: `full_text = "auto"`, the default; `"always"` for every
entry naming a deal; `"never"`) have their link fetched once, politely
(`tracker.feeds.pages`). The page's main text, read with the headline and summary,
becomes a new version of the article (text source `page`), read for events like any
other: the same fact from the same article keeps its id, so nothing the summary gave
is duplicated. A failure is recorded on the feed version with its reason; it never
counts against the feed. At most `max_pages_per_poll` pages are read in one poll; the
rest wait for the next.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING

from events.clock import format_recorded, utc_now
from tracker.archive import Archive
from tracker.config import Config
from tracker.feeds.fetch import url_scheme
from tracker.jobs.ingest import Ingestor
from tracker.model import SHORT_TEXT_CHARS, Article, PageSource, StoredArticle

if TYPE_CHECKING:  # reading pages loads the main-text extractor: only a poll that needs it
    from tracker.feeds.pages import Page

log = logging.getLogger(__name__)
# A page that failed for a passing reason (a 503, a timeout) is tried again at later
# polls for this long after its entry was read, then left to the feed's text.
RETRY_WINDOW = timedelta(days=3)


@dataclass
class PageCounts:
    """What reading pages did in one poll."""

    read: int = 0
    failed: int = 0
    new_events: int = 0
    waiting: bool = False  # more pages to read than one poll may


def read_pages(config: Config, archive: Archive, ingestor: Ingestor, *,
               should_stop: Callable[[], bool] | None = None) -> PageCounts:
    """Fetch and read the pages of the entries that need one, up to the poll's limit."""
    counts = PageCounts()
    limit = config.max_pages_per_poll
    modes = {feed.name: feed.full_text for feed in config.feeds}
    candidates = archive.page_candidates(
        auto=[n for n, m in modes.items() if m == "auto"],
        always=[n for n, m in modes.items() if m == "always"],
        short=SHORT_TEXT_CHARS, limit=limit + 1,
        retry_since=format_recorded(utc_now() - RETRY_WINDOW))
    counts.waiting = len(candidates) > limit
    by_id = {stored.id: stored for stored in candidates[:limit]}
    if not by_id:
        return counts  # the usual poll: no page fetcher (nor main-text extractor) loaded
    from tracker.feeds.pages import Page, PageJob, fetch_pages  # noqa: F811

    local = {feed.name for feed in config.feeds if url_scheme(feed.url) in (None, "file")}
    jobs = [PageJob(stored.id, stored.article.link or "", allow_files=stored.article.feed in local)
            for stored in by_id.values()]
    outcomes = fetch_pages(jobs, robots=archive, connect_timeout=config.connect_timeout,
                           read_timeout=config.read_timeout, max_bytes=config.max_feed_bytes,
                           should_stop=should_stop)
    for job, outcome in outcomes:
        stored = by_id[job.key]
        if isinstance(outcome, Page):
            counts.new_events += _save_page(ingestor, stored, outcome)
            counts.read += 1
        else:
            log.info("%s: no page read for %s: %s", stored.article.feed, job.url,
                     outcome.reason)
            with archive.store.transaction():
                archive.record_page_attempt(
                    stored.id, tried_at=None if outcome.retry else format_recorded(utc_now()),
                    error=outcome.reason)
            counts.failed += 1
    return counts


def with_page(article: Article, page_text: str) -> Article:
    """The article as read with its page: the summary, unless the page repeats it, then
    the page's main text."""
    summary = " ".join(article.text.split())
    body = page_text.strip()
    if summary and summary[:200] not in " ".join(body.split()):
        body = f"{article.text.strip()}\n\n{body}"
    return replace(article, text=body, content_hash="")


def _save_page(ingestor: Ingestor, stored: StoredArticle, page: Page) -> int:
    """Store the page version of `stored` with its events; how many events were new."""
    article = with_page(stored.article, page.text)
    reading = ingestor.read(article)
    archive, store = ingestor.archive, ingestor.store
    with store.transaction():
        appended = store.append(reading.events) if reading.events else []
        archive.save_article(article, version=stored.version + 1,
                             fetched_at=format_recorded(page.fetched_at),
                             events=len(reading.events), read_by=ingestor.version,
                             read_with=ingestor.read_with,
                             reading=reading if reading.deals else None,
                             page=PageSource(page.url, page.status))
        archive.record_page_attempt(stored.id, tried_at=format_recorded(page.fetched_at),
                                    error=None)
    if reading.deals:
        archive.index_for_search()
    return len(appended)
