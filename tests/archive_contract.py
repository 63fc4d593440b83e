"""The contract every Archive must pass; a backend's test class provides `archive`.

The fixture gives an empty archive beside an empty event store (`archive.store`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.conftest import at, negotiation
from tracker.archive import Archive
from tracker.model import (
    Article,
    ArticleReading,
    Deal,
    EventSource,
    FeedState,
    Found,
    PageSource,
)


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

    def test_a_failed_page_is_asked_for_again_only_within_the_retry_window(
            self, archive: Archive) -> None:
        archive.save_article(article("a", "Talks."), version=1, events=0,
                             fetched_at="2020-08-02T12:00:00.000000Z",
                             reading=ArticleReading(frozenset({"acme-globex"})), read_by="x")
        (stored,) = archive.page_candidates(auto=["tech"], always=[], short=1500, limit=9)
        archive.record_page_attempt(stored.id, tried_at=None, error="HTTP 503")

        def again(since: str) -> int:
            return len(archive.page_candidates(auto=["tech"], always=[], short=1500, limit=9,
                                               retry_since=since))

        assert again("2020-08-01T00:00:00.000000Z") == 1
        assert again("2020-08-05T00:00:00.000000Z") == 0

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

    def test_search_finds_every_word_whatever_the_case_and_accents(self,
                                                                  archive: Archive) -> None:
        reading = ArticleReading(frozenset({"microsoft-tiktok"}))
        kept = {}
        for key, text in (("k1", "Les négociations avancent à Paris"),
                          ("k2", "Negotiations stall in Redmond"), ("k3", "Nothing here")):
            kept[key] = archive.save_article(article(key, text), version=1, fetched_at="t",
                                             events=0, read_by="x", reading=reading)
        archive.save_article(article("k4", "negociations, but no deal named"), version=1,
                             fetched_at="t", events=0)
        assert archive.list_articles(search="negociations") == []  # not indexed yet
        assert archive.index_for_search() == 3
        assert archive.index_for_search() == 0

        def found(text: str) -> list[int]:
            return sorted(listed.stored.id for listed in archive.list_articles(search=text))

        assert found("NÉGOCIATIONS paris") == [kept["k1"]]
        assert found("negotiations") == [kept["k2"]]
        assert found("negociation") == []  # whole words, as FTS5 matches them
        assert found("talks") == sorted(kept.values())  # the title
        assert found("!!") == []

    def test_provenance_is_kept_and_a_new_reading_replaces_the_deals(self,
                                                                     archive: Archive) -> None:
        event = negotiation("agreed", "2020-08-02", url="https://news.example/k1")
        article_id = archive.save_article(
            article("k1", "text"), version=1, fetched_at="t", events=1, read_by="x",
            read_with="f", reading=ArticleReading(frozenset({"microsoft-tiktok"}),
                                                  (Found(event, "stage.agreed", (3, 9)),)))
        assert article_id is not None
        source = EventSource(event.event_id, article_id, "microsoft-tiktok", "stage.agreed",
                             (3, 9), "x")
        assert archive.event_sources(event.event_id) == [source]
        assert archive.sources_of([article_id, 999]) == {article_id: [source]}
        assert [a.deals for a in archive.list_articles()] == [("microsoft-tiktok",)]
        archive.record_reading(article_id, ArticleReading(frozenset({"other-deal"})),
                               extractor="y", read_with="g")
        assert [a.deals for a in archive.list_articles(deal_id="other-deal")] == [
            ("other-deal",)]
        assert archive.list_articles(deal_id="microsoft-tiktok") == []
        stored = archive.stored_article(article_id)
        assert stored is not None and stored.read_by == "y"
        archive.save_deal_read("microsoft-tiktok", "fp", names=["tiktok"], extractor="y",
                               read_at="t")
        assert archive.deal_reads() == {"microsoft-tiktok": ("fp", ("tiktok",))}
        archive.forget_deal_reads(["microsoft-tiktok"])
        assert archive.deal_reads() == {}

    def test_a_page_version_numbers_the_next_version_but_is_not_compared(
            self, archive: Archive) -> None:
        archive.save_article(article("k1", "short"), version=1, fetched_at="t", events=0)
        archive.save_article(replace(article("k1", "the whole page"), content_hash="p"),
                             version=2, fetched_at="t", events=0,
                             page=PageSource("https://news.example/k1", 200))
        known = archive.known_versions("tech")["k1"]
        assert (known.version, known.content_hash) == (2, article("k1", "short").content_hash)

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
