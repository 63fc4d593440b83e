"""Archive rows as the adapters read them back: the columns both select, and the
model objects built from them (the SQLite and PostgreSQL archives share these)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from events.clock import parse_instant
from tracker.model import Article, Deal, EventSource, FeedState, KnownVersion, StoredArticle

LEGACY_RULE = "read before provenance was kept"
LEGACY_EXTRACTOR = "before 0.2.0"

FEED_COLUMNS = ("name", "url", "fetch_url", "etag", "last_modified", "error_count", "last_error",
                "last_error_at", "next_poll_at", "last_polled_at", "last_success_at",
                "disabled_reason")
ARTICLE_COLUMNS = ("id, version, feed, key, link, title, text, published_at, language,"
                   " published_estimated, content_hash, fetched_at, read_by, text_source")
SOURCE_COLUMNS = "event_id, article_id, deal_id, rule, trigger_start, trigger_end, extractor"
RUN_COUNTS = ("feeds_fetched", "feeds_not_modified", "feeds_failed", "new_articles",
              "new_events")


def known_versions(feed_rows: Iterable[tuple[Any, ...]],
                   page_rows: Iterable[tuple[str, int]]) -> dict[str, KnownVersion]:
    """Each key's latest feed version (key, content_hash, version, published_at rows),
    numbered after the latest page version read of it (key, version rows): an entry is
    compared with its feed text, and a new one is numbered after every version kept."""
    known = {key: KnownVersion(*rest) for key, *rest in feed_rows}
    for key, version in page_rows:
        if key in known and version > known[key].version:
            known[key] = known[key]._replace(version=version)
    return known


def deal_rows(deals: Iterable[Deal], mirrored_at: str) -> list[tuple[Any, ...]]:
    """The `deals` table's rows for the configured deals, in config order (names as JSON)."""
    return [(deal.id, deal.title, deal.acquirer, deal.target, deal.seller,
             *(json.dumps(list(names), ensure_ascii=False) for names in (
                 deal.aliases, deal.acquirer_aliases, deal.seller_aliases, deal.exclude)),
             position, mirrored_at) for position, deal in enumerate(deals, start=1)]


def stored_article(row: tuple[Any, ...]) -> StoredArticle:
    """A StoredArticle from a row of ARTICLE_COLUMNS."""
    (id_, version, feed, key, link, title, text, published, language, estimated, content_hash,
     fetched_at, read_by, text_source) = row
    article = Article(feed=feed, key=key, link=link, title=title, text=text,
                      published=parse_instant(published), language=language,
                      published_estimated=bool(estimated), content_hash=content_hash)
    return StoredArticle(id_, version, article, fetched_at, read_by, text_source or "feed")


def event_source(row: tuple[Any, ...]) -> EventSource:
    """An EventSource from a row of SOURCE_COLUMNS."""
    event_id, article_id, deal_id, rule, start, end, extractor = row
    trigger = (start, end) if isinstance(start, int) and isinstance(end, int) else None
    return EventSource(event_id, article_id, deal_id, rule, trigger, extractor)


def json_list(text: object) -> list[str]:
    """The strings of a JSON list stored as text; [] for anything else."""
    try:
        value = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def feed_state(row: tuple[Any, ...]) -> FeedState:
    """A feeds row as polling uses it; a count another tool spoilt is read as none."""
    state = FeedState(*row)
    if not isinstance(state.error_count, int) or isinstance(state.error_count, bool):
        state = replace(state, error_count=0)
    return state


def search_words(text: str) -> list[str]:
    """The words of `text` as the search compares them: lower case, accents dropped
    (as SQLite's FTS5 `unicode61 remove_diacritics 2` tokenizer reads them)."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", stripped.lower())
