"""One poll: fetch the due feeds in parallel, ingest them in this thread, record the run.

Fetching happens on a small thread pool; parsing and every database write happen on
the calling thread, one feed after another, so nothing is written twice or lost. A
failing feed backs off on its own and never stops the others.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from events.clock import format_recorded, parse_instant, utc_now
from tracker.archive import Archive
from tracker.config import Config
from tracker.errors import FeedError, FetchError, FetchErrorKind, TrackerError
from tracker.feeds.backoff import backoff_delay
from tracker.feeds.pool import FetchJob, fetch_many
from tracker.jobs.ingest import IngestCounts, Ingestor
from tracker.jobs.runs import PollSummary, recorded_run
from tracker.model import Feed, FeedState, FetchResult

GONE_RETRY = timedelta(days=7)
# Pollers sharing a database lease each feed they fetch for this share of poll_every:
# no other takes it before. Under the interval, since `tracker run` adds up to a tenth
# of it at random, so that the poller that fetched a feed can take it again next time.
ROUND_SHARE = 0.9


Progress = Callable[[str], None]


def poll_feeds(config: Config, archive: Archive, *, all_feeds: bool = False,
               now: datetime | None = None, progress: Progress | None = None,
               should_stop: Callable[[], bool] | None = None) -> PollSummary:
    """Poll every due feed of `config` once (every feed with `all_feeds`).

    When `should_stop()` turns true the poll ends early, between feeds or between
    batches of articles: what was committed stays, the rest waits for the next poll.
    """
    now = now or utc_now()
    states = archive.feed_states((feed.name, feed.url) for feed in config.feeds)
    due = [feed for feed in config.feeds if all_feeds or _is_due(states[feed.name], now)]
    wanted = len(due)
    due, states = _lease(config, archive, due, states, now=now, every=all_feeds)
    with recorded_run(archive, due=len(due), started=now) as summary:
        summary.taken = wanted - len(due)
        archive.mirror_deals(config.deals, mirrored_at=format_recorded(now))
        _backfill(config, archive, summary, should_stop)
        failures: list[tuple[FeedState, TrackerError]] = []
        ingestor = Ingestor(archive, config.deals, should_stop=should_stop)
        for feed, outcome in _fetch(config, due, states):
            state = states[feed.name]
            if isinstance(outcome, TrackerError):
                failures.append((state, outcome))
            else:
                _ingest(ingestor, feed, state, outcome, summary, failures)
            if progress:
                progress(feed.name)
            if should_stop and should_stop():
                summary.warnings.append(
                    "asked to stop: the feeds not yet read wait for the next poll")
                break
        _record_failures(archive, failures, summary, now)
        if not (should_stop and should_stop()):
            _read_pages(config, archive, ingestor, summary, should_stop)
    return summary


def ingest_locations(config: Config, archive: Archive, locations: Sequence[str], *,
                     progress: Progress | None = None) -> PollSummary:
    """Fetch and ingest files or URLs now; a configured feed's URL keeps its name."""
    names = {feed.url: feed for feed in config.feeds}
    jobs = [FetchJob(key=location, url=location) for location in dict.fromkeys(locations)]
    with recorded_run(archive, due=len(jobs)) as summary:
        archive.mirror_deals(config.deals, mirrored_at=format_recorded(utc_now()))
        _backfill(config, archive, summary, None)
        ingestor = Ingestor(archive, config.deals)
        for job, outcome in fetch_many(jobs, connect_timeout=config.connect_timeout,
                                       read_timeout=config.read_timeout,
                                       max_bytes=config.max_feed_bytes):
            feed = names.get(job.url) or Feed(name=job.url, url=job.url)
            try:
                if isinstance(outcome, TrackerError):
                    raise outcome
                counts = ingestor.ingest_bytes(outcome.content or b"", feed=feed.name,
                                               fetched_at=utc_now(), language=feed.language,
                                               content_type=outcome.content_type,
                                               source=job.url)
                _count(summary, counts, feed.name)
            except TrackerError as error:
                summary.failed += 1
                summary.errors.append(str(error))
            if progress:
                progress(job.url)
        _read_pages(config, archive, ingestor, summary, None)
    return summary


def _lease(config: Config, archive: Archive, due: Sequence[Feed], states: dict[str, FeedState],
           *, now: datetime, every: bool) -> tuple[list[Feed], dict[str, FeedState]]:
    """The due feeds this poller fetches this round (all of them unless the archive is
    shared with other pollers), and their states as stored now."""
    until = now + timedelta(seconds=config.schedule.poll_every * ROUND_SHARE)
    leased = archive.lease_feeds([states[feed.name] for feed in due],
                                 now=format_recorded(now), until=format_recorded(until),
                                 holder=f"{socket.gethostname()}:{os.getpid()}", every=every)
    fresh = {state.name: state for state in leased}
    return [feed for feed in due if feed.name in fresh], {**states, **fresh}


def _backfill(config: Config, archive: Archive, summary: PollSummary,
              should_stop: Callable[[], bool] | None) -> None:
    """Read the stored articles for the deals that are new or renamed, before polling
    (one poller at a time: the others poll on, and find it done next time)."""
    from tracker.jobs.reprocess import backfill

    with archive.exclusively("backfill") as mine:
        result = backfill(archive, config.deals, should_stop=should_stop) if mine else None
    if result is not None:
        summary.reread = result.articles
        summary.reread_events = result.count("add")
        summary.reread_retractions = result.count("retract")
        summary.reread_reinstated = result.count("reinstate")
        if result.stopped:
            summary.warnings.append("asked to stop: the stored articles not yet read again"
                                    " for new or renamed deals wait for the next poll")


def _read_pages(config: Config, archive: Archive, ingestor: Ingestor, summary: PollSummary,
                should_stop: Callable[[], bool] | None) -> None:
    """Read the pages of the entries that need one; a failure never fails the poll.

    One poller at a time (pollers sharing a database would each take the same
    candidates): the others leave the pages to it, or to their next poll."""
    if config.max_pages_per_poll == 0 or not config.deals:
        return
    from tracker.jobs.pages import read_pages

    with archive.exclusively("pages") as mine:
        if not mine:
            return
        counts = read_pages(config, archive, ingestor, should_stop=should_stop)
    summary.pages_read += counts.read
    summary.pages_failed += counts.failed
    summary.pages_waiting = counts.waiting
    summary.new_events += counts.new_events


def _is_due(state: FeedState, now: datetime) -> bool:
    return state.next_poll_at is None or parse_instant(state.next_poll_at) <= now


def _fetch(config: Config, due: Sequence[Feed], states: dict[str, FeedState]
           ) -> Iterator[tuple[Feed, FetchResult | TrackerError]]:
    by_name = {feed.name: feed for feed in due}
    jobs = [FetchJob(key=f.name, url=states[f.name].fetch_url, etag=states[f.name].etag,
                     last_modified=states[f.name].last_modified) for f in due]
    outcomes = fetch_many(jobs, connect_timeout=config.connect_timeout,
                          read_timeout=config.read_timeout, max_bytes=config.max_feed_bytes)
    for job, outcome in outcomes:
        yield by_name[job.key], outcome


def _ingest(ingestor: Ingestor, feed: Feed, state: FeedState, result: FetchResult,
            summary: PollSummary, failures: list[tuple[FeedState, TrackerError]]) -> None:
    now = utc_now()
    counts = IngestCounts()
    if result.not_modified:
        summary.not_modified += 1
    else:
        try:
            counts = ingestor.ingest_bytes(result.content or b"", feed=feed.name, fetched_at=now,
                                           language=feed.language,
                                           content_type=result.content_type, source=result.url)
        except FeedError as error:
            failures.append((state, error))
            return
        _count(summary, counts, feed.name)
    new_url = result.permanent_url or state.fetch_url
    if new_url != state.fetch_url:
        summary.warnings.append(f"{feed.name}: moved permanently to {new_url}")
    # a feed read only in part keeps its old validators, so the next poll reads it again
    fresh = result.not_modified or not counts.stopped
    ingestor.archive.save_feed(replace(
        state, fetch_url=new_url, error_count=0, last_error=None, next_poll_at=None,
        etag=result.etag if fresh else state.etag,
        last_modified=result.last_modified if fresh else state.last_modified,
        disabled_reason=None, last_polled_at=format_recorded(now),
        last_success_at=format_recorded(now)))


def _count(summary: PollSummary, counts: IngestCounts, feed: str) -> None:
    summary.fetched += 1
    summary.new_articles += counts.new_articles
    summary.new_versions += counts.new_versions
    summary.new_events += counts.new_events
    summary.unreadable += counts.unreadable
    if counts.warning:
        summary.warnings.append(f"{feed}: malformed feed, kept {counts.entries} entries:"
                                f" {counts.warning}")


def _record_failures(archive: Archive, failures: list[tuple[FeedState, TrackerError]],
                     summary: PollSummary, now: datetime) -> None:
    # nothing reached and every failure a failure to connect: the fault is ours
    summary.network_down = (bool(failures) and summary.fetched + summary.not_modified == 0
                            and all(_unreachable(error) for _, error in failures))
    summary.failed = len(failures)
    with archive.store.transaction():
        for state, error in failures:
            summary.errors.append(f"{state.name}: {error}")  # told once, with the summary
            archive.save_feed(_failed_state(state, error, now, summary.network_down))


def _unreachable(error: TrackerError) -> bool:
    # offline, connects are refused or time out; a read timeout is the server's doing
    return isinstance(error, FetchError) and error.kind is FetchErrorKind.CONNECTION


def _failed_state(state: FeedState, error: TrackerError, now: datetime,
                  network_down: bool) -> FeedState:
    stamp = format_recorded(now)
    if network_down and _unreachable(error):
        # our own network is down: remember the error, but do not count it or back off
        return replace(state, last_error=str(error), last_error_at=stamp, last_polled_at=stamp)
    failures = state.error_count + 1
    fetch = error if isinstance(error, FetchError) else None
    if fetch is not None and fetch.kind is FetchErrorKind.GONE:
        wait, disabled = GONE_RETRY.total_seconds(), f"410 Gone since {stamp[:10]}"
    else:
        wait, disabled = backoff_delay(failures), None
        wait = max(wait, (fetch.retry_after if fetch else None) or 0.0)
    return replace(state, error_count=failures, last_error=str(error), last_error_at=stamp,
                   last_polled_at=stamp, disabled_reason=disabled,
                   next_poll_at=format_recorded(now + timedelta(seconds=wait)))
