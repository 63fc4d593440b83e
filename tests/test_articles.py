"""Feed entries normalised into articles: keys, links, dates, language, text."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import feedparser

from tracker.feeds.articles import articles_from_entries, entry_keys

FETCHED = datetime(2020, 8, 3, 9, 0, tzinfo=UTC)


def parse(items: str, *, language: str = "") -> list:
    lang = f"<language>{language}</language>" if language else ""
    return feedparser.parse(f"<rss version='2.0'><channel><title>t</title>{lang}{items}"
                            "</channel></rss>").entries


def test_keys_prefer_guids_then_links_then_hashes() -> None:
    with_guids = parse("<item><guid>g1</guid><link>https://a/1</link></item>"
                       "<item><guid>g2</guid><link>https://a/2</link></item>")
    assert entry_keys(with_guids) == ["g1", "g2"]
    blank_guid = parse("<item><guid>g1</guid><link>https://a/1</link></item>"
                       "<item><link>https://a/2</link></item>")
    assert entry_keys(blank_guid) == ["g1", "https://a/2"]
    nothing = parse("<item><title>One</title></item><item><title>Two</title></item>")
    keys = entry_keys(nothing)
    assert len(set(keys)) == 2 and all(k.startswith("sha256:") for k in keys)


def test_a_key_repeated_with_other_content_is_split() -> None:
    twice = parse("<item><title>One</title></item><item><title>One</title>"
                  "<description>other</description></item>")
    assert len(set(entry_keys(twice))) == 2


def test_links_are_absolute_http_or_nothing() -> None:
    entries = parse("<item><guid>1</guid><link>/story/1</link></item>"
                    "<item><guid>2</guid><link>javascript:alert(1)</link></item>")
    articles = articles_from_entries(entries, feed="f", fetched_at=FETCHED,
                                     base_url="https://news.example/rss.xml")
    assert [a.link for a in articles] == ["https://news.example/story/1", None]


def test_dates_are_utc_and_missing_or_future_ones_use_the_fetch_time() -> None:
    entries = parse(
        "<item><guid>1</guid><pubDate>Sun, 02 Aug 2020 21:00:00 +0200</pubDate></item>"
        "<item><guid>2</guid></item>"
        "<item><guid>3</guid><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item>"
        "<item><guid>4</guid><pubDate>Sat, 01 Jan 1820 00:00:00 GMT</pubDate></item>")
    dated, undated, future, old = articles_from_entries(entries, feed="f", fetched_at=FETCHED)
    assert dated.published == datetime(2020, 8, 2, 19, 0, tzinfo=UTC)
    assert not dated.published_estimated
    assert (undated.published, undated.published_estimated) == (FETCHED, True)
    assert (future.published, future.published_estimated) == (FETCHED, True)
    assert old.published.year in (1820, 2020)


def test_language_from_the_feed_the_hint_or_the_text() -> None:
    french = "<item><guid>1</guid><description>Le rachat de la société est en cours et les" \
             " négociations se poursuivent</description></item>"
    declared = articles_from_entries(parse(french, language="en-GB"), feed="f",
                                     fetched_at=FETCHED, language="en")
    assert declared[0].language == "en"
    guessed = articles_from_entries(parse(french), feed="f", fetched_at=FETCHED)
    assert guessed[0].language == "fr"


def test_text_is_plain_and_bounded() -> None:
    huge = "<p>" + "mot " * 2_000_000 + "</p>"
    entries = [{"id": "1", "title": "<b>Big</b> &amp; bold", "summary": huge,
                "published_parsed": time.gmtime(0)}]
    (article,) = articles_from_entries(entries, feed="f", fetched_at=FETCHED)
    assert article.title == "Big & bold"
    assert len(article.text) <= 200_000 and "<p>" not in article.text
