"""Reading the archive again: with today's extractor and deal definitions.

The events an article gave when it was first read stay in the log whatever the code
that read it did wrong; reading it again corrects the log with compensating events,
never edits. For each stored article (its latest version), re-read:

- an event now found that the log lacks is appended;
- an event read from that article before, now no longer found, is retracted, the
  reason naming the article and the extractor ("no longer read from <link> by
  extractor 0.2.0+1a2b3c4d");
- an event found again that an earlier reprocess retracted is reinstated (its
  retraction is retracted); one retracted by hand stays retracted;
- events added by hand are never touched: they have no article.

`backfill` does the same for the deals that are new or whose names changed since the
archive was last read for them; `tracker poll` runs it before polling.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from events.clock import format_recorded, utc_now
from events.model import Event, EventRetracted
from events.store import EventStore
from tracker.archive import Archive
from tracker.extract.version import extractor_version
from tracker.jobs.ingest import EventReader, definitions
from tracker.model import ArticleReading, Deal, EventSource, Found, StoredArticle

log = logging.getLogger(__name__)

#: The rule named in the provenance of a reprocess's own retractions: it tells them from
#: retractions made by hand, which a later reprocess never undoes.
RETRACTED_RULE = "reprocess: no longer read from the article"
REINSTATED_RULE = "reprocess: read from the article again"
ARTICLES_PER_BATCH = 500


@dataclass(frozen=True)
class Correction:
    """One event a reprocess appends: a new event, a retraction or a reinstatement."""

    action: str  # "add" | "retract" | "reinstate"
    event: Event
    article: StoredArticle
    rule: str
    #: for a retraction or a reinstatement: the event it acts on
    subject: str | None = None


@dataclass
class ReprocessResult:
    """What a reprocess found (and, unless a dry run, appended)."""

    articles: int = 0
    corrections: list[Correction] = field(default_factory=list)
    kept_retracted: int = 0  # found again, but retracted by hand: left so
    dry_run: bool = False
    stopped: bool = False

    def count(self, action: str) -> int:
        return sum(c.action == action for c in self.corrections)

    def line(self) -> str:
        """One line for a terminal or a log."""
        verb = "would append" if self.dry_run else "appended"
        text = (f"Read again {self.articles} stored article(s): {verb} {self.count('add')}"
                f" event(s), {self.count('retract')} retraction(s),"
                f" {self.count('reinstate')} reinstatement(s).")
        if self.kept_retracted:
            text += f" {self.kept_retracted} event(s) found again stay retracted by hand."
        if self.stopped:
            text += " Stopped early: run it again to finish."
        return text


class Reprocessor:
    """Re-reads stored articles for some deals (all configured ones by default)."""

    def __init__(self, archive: Archive, deals: Sequence[Deal], *,
                 deal_ids: Iterable[str] | None = None, extractor: EventReader | None = None,
                 now: datetime | None = None) -> None:
        from tracker.extract import Extractor

        self.archive = archive
        self.store: EventStore = archive.store
        # every deal is read for, so rival bidders are told apart as in a poll
        self.extractor = extractor or Extractor(deals)
        self.wanted = set(deal_ids) if deal_ids is not None else {d.id for d in deals}
        self.read_with, self._definitions = definitions(deals)
        self.version = extractor_version()
        self.now = now or utc_now()
        self._by_target: dict[str, list[str]] = {}
        self._planned: set[str] = set()  # event ids already corrected in this run

    def run(self, *, since: str | None = None, dry_run: bool = False,
            should_stop: Callable[[], bool] | None = None) -> ReprocessResult:
        """Read every stored article (published at or after `since`) again."""
        result = ReprocessResult(dry_run=dry_run)
        self._by_target = retractions_in_force(self.store)
        self._planned = set()
        if not dry_run:
            with self.store.transaction():
                self.archive.save_definitions(self.read_with, self._definitions)
        after = 0
        while batch := self.archive.latest_articles(since=since, after_id=after,
                                                    limit=ARTICLES_PER_BATCH):
            after = batch[-1].id
            earlier = self.archive.sources_of(stored.id for stored in batch)
            plans = []
            for stored in batch:
                reading = self._read(stored)
                corrections = self._corrections(stored, reading, earlier.get(stored.id, []),
                                                result)
                result.corrections += corrections
                plans.append((stored, reading, corrections))
            result.articles += len(batch)
            if not dry_run:
                self._write(plans)
            if should_stop and should_stop():
                result.stopped = True
                break
        return result

    def _read(self, stored: StoredArticle) -> ArticleReading:
        try:
            return self.extractor.read(stored.article)
        # one article must not stop a reprocess: the bug is logged with its traceback
        except Exception:  # noqa: BLE001
            log.exception("could not read article %s again", stored.article.link or stored.id)
            return ArticleReading()

    def _corrections(self, stored: StoredArticle, reading: ArticleReading,
                     earlier: list[EventSource], result: ReprocessResult) -> list[Correction]:
        """What the log needs so that this article's events are what it now gives."""
        found = {f.event.event_id: f for f in reading.found if f.event.deal_id in self.wanted}
        corrections = [self._added(stored, f, result) for f in found.values()]
        for source in earlier:
            if (source.deal_id in self.wanted and source.event_id not in found
                    and source.rule not in (RETRACTED_RULE, REINSTATED_RULE)
                    and source.event_id not in self._by_target
                    and self.store.get(source.event_id) is not None):
                corrections.append(self._retraction(stored, source.event_id, source.deal_id))
        kept = []
        for correction in corrections:  # an event two articles share is corrected once
            if correction is not None and correction.event.event_id not in self._planned:
                self._planned.add(correction.event.event_id)
                kept.append(correction)
        return kept

    def _added(self, stored: StoredArticle, found: Found,
               result: ReprocessResult) -> Correction | None:
        event_id = found.event.event_id
        if self.store.get(event_id) is None:
            return Correction("add", found.event, stored, found.rule)
        retractions = self._by_target.get(event_id)
        if not retractions:
            return None  # in the log, and in force
        mine = [r for r in retractions
                if any(s.rule == RETRACTED_RULE for s in self.archive.event_sources(r))]
        if len(mine) < len(retractions):
            result.kept_retracted += 1  # retracted by hand: a person decided
            return None
        undo = EventRetracted(deal_id=found.event.deal_id, occurred_at=self.now,
                              retracted_id=mine[-1], source_url=stored.article.link,
                              reason=f"read again from {where(stored)} by extractor"
                                     f" {self.version}")
        return Correction("reinstate", undo, stored, REINSTATED_RULE, subject=event_id)

    def _retraction(self, stored: StoredArticle, event_id: str, deal_id: str) -> Correction:
        retraction = EventRetracted(
            deal_id=deal_id, occurred_at=self.now, retracted_id=event_id,
            source_url=stored.article.link,
            reason=f"no longer read from {where(stored)} by extractor {self.version}")
        return Correction("retract", retraction, stored, RETRACTED_RULE, subject=event_id)

    def _write(self, plans: list[tuple[StoredArticle, ArticleReading, list[Correction]]]) -> None:
        """Append the corrections and record the readings, in one transaction."""
        with self.store.transaction():
            events = [c.event for _, _, corrections in plans for c in corrections]
            if events:
                self.store.append(events, now=self.now)
            quiet = []
            for stored, reading, corrections in plans:
                self.archive.add_sources(
                    EventSource(c.event.event_id, stored.id, c.event.deal_id, c.rule, None,
                                self.version) for c in corrections if c.action != "add")
                if reading.deals or corrections:
                    # the sources of the deals read for only: the others' events are as
                    # they were, whatever this reading found for them
                    mine = replace(reading, found=tuple(
                        f for f in reading.found if f.event.deal_id in self.wanted))
                    self.archive.record_reading(stored.id, mine, extractor=self.version,
                                                read_with=self.read_with)
                else:
                    quiet.append(stored.id)
            self.archive.mark_read(quiet, extractor=self.version, read_with=self.read_with)
        self.archive.index_for_search()


def retractions_in_force(store: EventStore) -> dict[str, list[str]]:
    """event id -> the retractions in force that retract it, in log order."""
    undone = store.retracted_ids()
    by_target: dict[str, list[str]] = {}
    for row in store.read(type="retraction"):
        if row.event_id not in undone:
            by_target.setdefault(json.loads(row.data)["event_id"], []).append(row.event_id)
    return by_target


def where(stored: StoredArticle) -> str:
    """How a reason names an article: its link, else its feed and key."""
    return stored.article.link or f"{stored.article.feed} entry {stored.article.key}"


def backfill(archive: Archive, deals: Sequence[Deal], *,
             should_stop: Callable[[], bool] | None = None) -> ReprocessResult | None:
    """Read the archive for the deals that are new or renamed since it was last read for
    them, and for the deals sharing a name with them or with a deal no longer configured
    (rival bidders are told apart by the names of all); None when nothing changed."""
    known = archive.deal_reads()
    configured = {deal.id for deal in deals}
    changed = [deal for deal in deals if known.get(deal.id, ("",))[0] != deal.fingerprint]
    removed = sorted(set(known) - configured)
    if not changed and not removed:
        return None
    names = {name for deal in changed for name in deal.names()}
    names |= {name for deal_id in (*removed, *(d.id for d in changed)) if deal_id in known
              for name in known[deal_id][1]}
    touched = [deal for deal in deals if deal in changed or names & set(deal.names())]
    reprocessor = Reprocessor(archive, deals, deal_ids=[deal.id for deal in touched])
    result = reprocessor.run(should_stop=should_stop)
    if not result.stopped:
        mark_read_for(archive, touched, version=reprocessor.version,
                      at=format_recorded(reprocessor.now), forget=removed)
    return result


def mark_read_for(archive: Archive, deals: Iterable[Deal], *, version: str, at: str,
                  forget: Sequence[str] = ()) -> None:
    """Record that the whole archive has been read for `deals` under their names now
    (and that the deals of `forget` are no longer configured)."""
    with archive.store.transaction():
        for deal in deals:
            archive.save_deal_read(deal.id, deal.fingerprint, names=deal.names(),
                                   extractor=version, read_at=at)
        archive.forget_deal_reads(forget)
