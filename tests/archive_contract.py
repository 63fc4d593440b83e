"""The contract every Archive must pass; a backend's test class provides `archive`.

The fixture gives an empty archive beside an empty event store (`archive.store`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.conftest import at, negotiation
from tracker.archive import Archive
from tracker.model import Article, ArticleReading, Deal, FeedState, PageSource


def article(key: str, text: str, *, feed: str = "tech") -> Article:
    """An article of `feed` published on 2020-08-02."""
    return Article(feed=feed, key=key, link=f"https://news.example/{key}", title="Talks",
                   text=text, published=at("2020-08-02"), language="en")


class ArchiveContract:
    """Behaviour shared by all archives."""

    def test_feed_states_start_fresh_and_a_changed_url_starts_afresh(self,
                                                                    archive: Archive) -> None:
        first = archive.feed_states([("tech", "https://a.example/rss")])["tech"]
        assert first == FeedState(name="tech", url="https://a.example/rss",
                                  fetch_url="https://a.example/rss")
        archive.save_feed(replace(first, etag='"v1"', error_count=2))
        kept = archive.feed_states([("tech", "https://a.example/rss")])["tech"]
        assert (kept.etag, kept.error_count) == ('"v1"', 2)
        moved = archive.feed_states([("tech", "https://b.example/rss")])["tech"]
        assert (moved.url, moved.etag, moved.error_count) == ("https://b.example/rss", None, 0)

    def test_all_feeds_lists_every_feed_by_name(self, archive: Archive) -> None:
        archive.feed_states([("zeta", "https://z.example"), ("alpha", "https://a.example")])
        assert [state.name for state in archive.all_feeds()] == ["alpha", "zeta"]

    def test_an_article_is_kept_once_per_content(self, archive: Archive) -> None:
        assert archive.save_article(article("k1", "first"), version=1, fetched_at="t", events=0)
        assert not archive.save_article(article("k1", "first"), version=1, fetched_at="t",
                                        events=0)
        assert archive.save_article(article("k1", "second"), version=2, fetched_at="t", events=1)
        known = archive.known_versions("tech")
        assert set(known) == {"k1"}
        assert (known["k1"].version, known["k1"].content_hash) == (
            2, article("k1", "second").content_hash)
        assert known["k1"].published_at == "2020-08-02T12:00:00Z"
        assert archive.known_versions("other") == {}
        assert archive.links_with_events() == {"https://news.example/k1"}

    def test_headlines_give_the_latest_title_at_each_link(self, archive: Archive) -> None:
        archive.save_article(article("k1", "first"), version=1, fetched_at="t", events=0)
        archive.save_article(replace(article("k1", "second"), title="Deal agreed"), version=2,
                             fetched_at="t", events=1)
        archive.save_article(article("k2", "other"), version=1, fetched_at="t", events=0)
        assert archive.headlines(["https://news.example/k1", "https://news.example/none"]) == {
            "https://news.example/k1": "Deal agreed"}
        many = [f"https://news.example/{n}" for n in range(1200)]
        assert archive.headlines([*many, "https://news.example/k2"]) == {
            "https://news.example/k2": "Talks"}

    def test_an_article_and_its_events_commit_together(self, archive: Archive) -> None:
        with pytest.raises(RuntimeError), archive.store.transaction():
            archive.store.append([negotiation("agreed", "2020-08-02")])
            archive.save_article(article("k1", "text"), version=1, fetched_at="t", events=1)
            raise RuntimeError("the machine dies here")
        assert archive.known_versions("tech") == {}
        assert list(archive.store.read()) == []

    def test_pages_are_asked_for_the_latest_feed_version_naming_a_deal(
            self, archive: Archive) -> None:
        names = ArticleReading(frozenset({"acme-globex"}))
        archive.save_article(article("short", "Talks."), version=1, fetched_at="t", events=0,
                             reading=names, read_by="x")
        archive.save_article(article("long", "Talks. " * 300), version=1, fetched_at="t",
                             events=0, reading=names, read_by="x")
        archive.save_article(article("none", "Talks."), version=1, fetched_at="t", events=0)
        archive.save_article(article("old", "Talks."), version=1, fetched_at="t", events=0,
                             reading=names, read_by="x")
        archive.save_article(article("old", "Talks again."), version=2, fetched_at="t",
                             events=0)

        def keys(**modes: list[str]) -> set[str]:
            found = archive.page_candidates(auto=modes.get("auto", []),
                                            always=modes.get("always", []), short=1500, limit=9)
            return {stored.article.key for stored in found}

        assert keys(auto=["tech"]) == {"short"}
        assert keys(always=["tech"]) == {"short", "long"}
        assert keys(auto=["other"]) == keys() == set()
        assert len(archive.page_candidates(auto=[], always=["tech"], short=9, limit=1)) == 1

    def test_a_page_attempt_is_recorded_and_a_page_version_is_no_candidate(
            self, archive: Archive) -> None:
        names = ArticleReading(frozenset({"acme-globex"}))
        archive.save_article(article("a", "Talks."), version=1, fetched_at="t", events=0,
                             reading=names, read_by="x")
        archive.save_article(article("b", "Talks."), version=1, fetched_at="t", events=0,
                             reading=names, read_by="x")
        first, second = sorted(archive.page_candidates(auto=["tech"], always=[], short=1500,
                                                       limit=9), key=lambda s: s.article.key)
        archive.record_page_attempt(first.id, tried_at="2020-08-02T12:00:00Z", error="HTTP 404")
        archive.record_page_attempt(second.id, tried_at=None, error="HTTP 503")
        archive.save_article(replace(article("c", "The whole story."), content_hash=""),
                             version=2, fetched_at="t", events=0, reading=names, read_by="x",
                             page=PageSource("https://news.example/c", 200))
        left = archive.page_candidates(auto=["tech"], always=[], short=1500, limit=9)
        assert [stored.id for stored in left] == [second.id]  # tried again: no tried_at

    def test_robots_files_are_kept_by_site_and_replaced(self, archive: Archive) -> None:
        assert archive.robots("https://news.example") is None
        archive.save_robots("https://news.example", "2020-08-02T12:00:00Z", 200, "Disallow: /")
        archive.save_robots("https://news.example", "2020-08-03T12:00:00Z", 404, "")
        assert archive.robots("https://news.example") == ("2020-08-03T12:00:00Z", 404, "")
        assert archive.robots("https://other.example") is None

    def test_runs_are_opened_closed_and_listed_newest_first(self, archive: Archive) -> None:
        first = archive.start_run("2020-08-02T10:00:00.000000Z")
        second = archive.start_run("2020-08-02T11:00:00.000000Z")
        archive.finish_run(first, finished_at="2020-08-02T10:01:00.000000Z",
                           counts={"feeds_fetched": 3, "new_events": 2}, errors=["feed: 404"])
        runs = archive.last_runs()
        assert [run["id"] for run in runs] == [second, first]
        assert [run_id for run_id, _, _ in archive.unfinished_runs()] == [second]
        assert runs[0]["finished_at"] is None
        assert (runs[1]["feeds_fetched"], runs[1]["new_events"]) == (3, 2)

    def test_a_report_counts_as_delivered_once_sent(self, archive: Archive) -> None:
        archive.record_report(date(2020, 8, 3), last_seq=4, sent=False)
        assert archive.reported_days() == {date(2020, 8, 3)}
        assert archive.reported_days(delivered=True) == set()
        archive.record_report(date(2020, 8, 3), last_seq=5, sent=True)
        archive.record_report(date(2020, 8, 3), last_seq=6, sent=False)  # a rebuild
        assert archive.reported_days(delivered=True) == {date(2020, 8, 3)}

    def test_the_deals_mirror_holds_exactly_the_configured_deals(self, archive: Archive) -> None:
        tiktok = Deal(id="microsoft-tiktok", title="Microsoft / TikTok US", acquirer="Microsoft",
                      target="TikTok", seller="ByteDance", aliases=("TikTok US",),
                      exclude=("TikTok Shop",))
        figma = Deal(id="adobe-figma", title="Adobe / Figma", acquirer="Adobe", target="Figma")
        archive.mirror_deals([figma, tiktok], mirrored_at="2020-08-02T00:00:00.000000Z")
        assert archive.mirrored_deals() == [figma, tiktok]
        renamed = replace(tiktok, title="TikTok", acquirer_aliases=("MSFT",))
        archive.mirror_deals([renamed], mirrored_at="2020-08-03T00:00:00.000000Z")
        assert archive.mirrored_deals() == [renamed]  # a deal removed is gone from the copy
