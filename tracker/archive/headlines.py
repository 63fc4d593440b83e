"""The headline of the article each event was read in, for reports and histories."""

from __future__ import annotations

from collections.abc import Iterable

from events.store import StoredEvent
from tracker.archive.interface import Archive


def headlines_of(archive: Archive, rows: Iterable[StoredEvent]) -> dict[str, str]:
    """Titles by link, in one query; and by event id for the events read from an entry
    with no web link (a feed's item may have none), looked up through their provenance.
    Events added by hand have neither, and no headline."""
    rows = list(rows)
    titles = archive.headlines({row.source_url for row in rows if row.source_url})
    for row in rows:
        if row.source_url or not row.source_feed or row.type == "retraction":
            continue  # a link's title is known; a fact added by hand was read nowhere
        for source in archive.event_sources(row.event_id)[:1]:
            stored = archive.stored_article(source.article_id)
            if stored is not None and stored.article.title:
                titles[row.event_id] = stored.article.title
    return titles
