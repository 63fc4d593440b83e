"""The report's content from a real log, on several days: status, countdown, what changed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.model import (
    STAGES,
    DeadlineSet,
    EventRetracted,
    NegotiationReported,
    StatementMade,
)
from events.replay import replay
from events.sqlite_store import SQLiteEventStore
from reports.build import MAX_CHANGES, build_report, subject_line
from reports.context import DealRef
from reports.formatting import countdown, one_line, safe_url
from reports.history import status_history
from reports.render import render_email_html, render_email_text, render_page
from reports.timeline import LEFT
from tests.conftest import DEAL, at, deadline, negotiation, statement
from tests.test_report_story import (
    ACTIVISION,
    DEALS,
    HOSTILE_QUOTE,
    SUBJECT,
    ZONE,
    build_story,
    card,
    report_of,
)


def headlines(report: object) -> list[str]:
    return [c.headline for c in report.page.changes]  # type: ignore[attr-defined]


def test_the_morning_after_talks_are_confirmed(tmp_path: Path) -> None:
    report = report_of(build_story(tmp_path / "tracker.db"), "2020-08-03")
    deal = card(report)
    assert (deal.status, deal.status_since) == ("negotiating", "Sun 2 Aug 2020")
    assert deal.next_deadline is not None
    assert (deal.next_deadline.due_label, deal.next_deadline.countdown) == (
        "Tue 15 Sep 2020", "in 43 days")
    # newest first; the rumour of 31 July is older than the day before the report
    assert headlines(report) == [
        "<img src=x onerror=alert(1)> (Microsoft) said",
        "new deadline Tue 15 Sep 2020 (decision), in 43 days",
        "rumored → negotiating",
    ]
    assert report.page.changes[0].quote == HOSTILE_QUOTE
    assert report.page.changes[0].source_url is None  # javascript: is no link
    assert report.page.changes[2].source_url == "https://news.example/confirmed"
    assert report.page.changes[2].when == "Sun 2 Aug 2020, 21:30"  # Paris time
    # the status change leads the subject: it says most
    assert report.page.subject == SUBJECT


def test_news_about_an_earlier_day_learnt_in_the_window_is_a_change(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "tracker.db")
    store.append([negotiation("negotiating", "2020-08-02T19:30")], now=at("2020-08-02T19:45"))
    # an article of 25 July, first read on the morning of 3 August
    store.append([DeadlineSet(deal_id=DEAL, due="2020-08-20", label="hearing",
                              occurred_at=at("2020-07-25T09:00"))], now=at("2020-08-03T05:00"))
    assert headlines(report_of(store, "2020-08-03"))[-1] == (
        "new deadline Thu 20 Aug 2020 (hearing), in 17 days")
    # a month later it is old news, and a rebuild of 3 August before it was read lacks it
    assert "hearing" not in " ".join(headlines(report_of(store, "2020-09-03")))
    before = report_of(store, "2020-08-03", known_at="2020-08-03T04:00:00")
    assert "hearing" not in " ".join(headlines(before))


def test_countdown_on_later_days(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    expected = {"2020-09-03": ("in 12 days", "upcoming"), "2020-09-14": ("tomorrow", "upcoming"),
                "2020-09-15": ("today", "today"), "2020-09-18": ("overdue by 3 days", "overdue")}
    for day, (words, state) in expected.items():
        report = report_of(store, day)
        deadline_shown = card(report).next_deadline
        assert deadline_shown is not None, day
        assert (deadline_shown.countdown, deadline_shown.state) == (words, state), day
        assert report.page.changes == (), day
        assert "Nothing changed since" in render_page(report.page)
    assert report_of(store, "2020-09-03").page.subject.endswith("next deadline in 12 days")
    assert report_of(store, "2020-09-18").page.subject.endswith("no deadline ahead")


def test_a_closed_deal_goes_to_the_closed_section_with_no_deadline(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    store.append([negotiation("completed", "2020-09-16T10:00")])
    report = report_of(store, "2020-09-18")
    assert [c.id for c in report.page.deals] == [ACTIVISION]
    (deal,) = report.page.closed
    assert (deal.id, deal.closed, deal.status_since) == (DEAL, True, "Wed 16 Sep 2020")
    assert deal.next_deadline is None and deal.other_deadlines == ()
    assert deal.timeline.markers == () and deal.quiet_since is None
    html = render_page(report.page)
    closed = html[html.index('<section id="closed">'):]
    assert html.index('<section id="deals">') < html.index('<section id="closed">')
    assert 'data-deal="microsoft-tiktok"' in closed and "countdown" not in closed
    assert "No deadline ahead" not in closed and "passed" not in closed
    text = render_email_text(report.page)
    assert text.index("\nCLOSED\n") > text.index("Microsoft / Activision Blizzard")
    assert "deadline" not in text[text.index("\nCLOSED\n"):].lower()
    mail = render_email_html(report.page)
    assert ">Closed <" in mail and "deadline" not in mail[mail.index(">Closed <"):].lower()
    assert countdown(date(2020, 9, 15), date(2020, 9, 16)) == ("overdue by 1 day", "overdue")


def test_an_abandoned_deal_has_no_red_today_and_comes_after_open_ones(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")  # a decision due on 15 September
    store.append([negotiation("abandoned", "2020-09-14T10:00"),
                  negotiation("rumored", "2020-09-01", deal="other")])
    report = report_of(store, "2020-09-15")
    assert [c.id for c in report.page.deals] == ["other", ACTIVISION]
    assert [c.id for c in report.page.closed] == [DEAL]
    assert report.page.upcoming == ()  # its deadline no longer binds anyone
    assert 'countdown today' not in render_page(report.page)
    assert report.page.subject == "Deals 15 Sep 2020: Microsoft / TikTok US abandoned"
    assert report_of(store, "2020-09-20").page.subject == (
        "Deals 20 Sep 2020: no changes, no deadline ahead")


def test_an_open_deal_quiet_for_sixty_days_says_since_when(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")  # latest news: a correction on 11 August
    assert card(report_of(store, "2020-10-09")).quiet_since is None  # 59 days
    page = report_of(store, "2020-10-10").page
    assert card(report_of(store, "2020-10-10")).quiet_since == "Tue 11 Aug 2020"
    for shown in (render_page(page), render_email_text(page), render_email_html(page)):
        assert "No news since Tue 11 Aug 2020." in shown
    assert card(report_of(store, "2020-10-10"), ACTIVISION).quiet_since is None  # no news


def test_a_retracted_report_shows_as_known_then_and_as_corrected_now(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    then = report_of(store, "2020-08-10", known_at="2020-08-10T13:00")
    assert card(then).status == "agreed"
    assert headlines(then) == ["negotiating → agreed"]
    now = report_of(store, "2020-08-10")
    assert card(now).status == "negotiating" and now.page.changes == ()
    corrected = report_of(store, "2020-08-11")
    assert headlines(corrected) == [
        "correction: withdrawn: negotiation of Mon 10 Aug 2020 (agreed): misread the article"]


def test_a_withdrawal_undone_shows_the_event_standing_again(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    withdrawal = next(row for row in store.read(type="retraction"))
    store.append([EventRetracted(deal_id=withdrawal.deal_id, occurred_at=at("2020-08-11T09:00"),
                                 retracted_id=withdrawal.event_id,
                                 reason="read again from https://news.example/a")])
    corrected = report_of(store, "2020-08-11")
    assert card(corrected).status == "agreed"
    assert headlines(corrected) == [
        "correction: a withdrawal was undone, the event stands again: read again from"
        " https://news.example/a", "negotiating → agreed"]


def test_the_report_states_the_log_it_was_built_from(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    then = report_of(store, "2020-08-10", known_at="2020-08-10T13:00")
    assert then.page.last_seq == 6 and then.page.known_at == "2020-08-10T13:00:00.000000Z"
    html = render_page(then.page)
    assert '<strong id="last-seq">6</strong>' in html
    assert "tracker report --date 2020-08-10 --known-at 2020-08-10T13:00:00.000000Z" in html
    store.append([statement("Later news", "2020-08-10T14:00")], now=at("2020-08-12T08:00"))
    again = report_of(store, "2020-08-10", known_at="2020-08-10T13:00")
    assert render_page(again.page) == html


def test_a_deal_with_no_news_says_so_and_comes_last(tmp_path: Path) -> None:
    report = report_of(build_story(tmp_path / "tracker.db"), "2020-08-03")
    assert [c.id for c in report.page.deals] == [DEAL, ACTIVISION]
    quiet = card(report, ACTIVISION)
    assert not quiet.has_news and quiet.status == "unknown"
    html = render_page(report.page)
    assert html.count("No news about this deal yet.") == 1
    assert "No news about this deal yet." in render_email_text(report.page)


def test_deals_are_ordered_by_nearest_deadline_then_latest_change(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "tracker.db")
    store.append([
        negotiation("negotiating", "2020-08-01", deal="far"),
        deadline("2020-10-01", "2020-08-01", deal="far"),
        negotiation("negotiating", "2020-08-01", deal="near"),
        deadline("2020-08-20", "2020-08-01", deal="near"),
        negotiation("agreed", "2020-08-01", deal="late"),
        deadline("2020-08-05", "2020-07-01", deal="late"),  # overdue by the report day
        negotiation("rumored", "2020-07-01", deal="quiet-old"),
        negotiation("rumored", "2020-08-02", deal="quiet-new"),
    ])
    deals = [DealRef(d, d) for d in ("quiet-old", "none", "far", "quiet-new", "near", "late")]
    report = build_report(store, day=date(2020, 8, 10), zone=ZONE, deals=deals)
    assert [c.id for c in report.page.deals] == [
        "late", "near", "far", "quiet-new", "quiet-old", "none"]
    assert card(report, "late").next_deadline.countdown == "overdue by 5 days"  # type: ignore


def test_moved_deadlines_and_upcoming_list(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    store.append([DeadlineSet(deal_id=DEAL, due="2020-11-12", label="decision",
                              replaces="2020-09-15", occurred_at=at("2020-09-14T08:00"))])
    report = report_of(store, "2020-09-15")
    assert headlines(report) == [
        "deadline moved from Tue 15 Sep 2020 to Thu 12 Nov 2020 (decision), in 58 days"]
    deal = card(report)
    assert deal.next_deadline.moved_from == "Tue 15 Sep 2020"  # type: ignore[union-attr]
    assert report.page.upcoming == ()  # 12 November is more than 30 days away
    soon = report_of(store, "2020-10-20")
    assert [(u.deal_id, u.deadline.countdown) for u in soon.page.upcoming] == [
        (DEAL, "in 23 days")]


def test_what_changed_is_capped_but_counted(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "tracker.db")
    start = datetime(2020, 8, 2, 6, 0, tzinfo=UTC)
    store.append([StatementMade(deal_id=DEAL, speaker="S", quote=f"quote {n}",
                                occurred_at=start + timedelta(minutes=n))
                  for n in range(MAX_CHANGES + 5)])
    report = build_report(store, day=date(2020, 8, 3), zone=ZONE, deals=DEALS)
    assert len(report.page.changes) == MAX_CHANGES and report.page.changes_omitted == 5
    assert report.page.changes[0].quote == f"quote {MAX_CHANGES + 4}"
    assert report.page.subject == (f"Deals 3 Aug 2020: Microsoft / TikTok US: S said;"
                                   f" {MAX_CHANGES + 4} more changes")


def test_feed_health_in_the_header(tmp_path: Path) -> None:
    report = report_of(build_story(tmp_path / "tracker.db"), "2020-09-15")
    assert report.page.last_refreshed == "Mon 14 Sep 2020, 20:00"
    (failing,) = report.page.failing_feeds
    assert failing.name == "<b>broken</b>" and failing.problem == "HTTP 500 <i>oops</i>"
    html = render_page(report.page)
    assert "&lt;b&gt;broken&lt;/b&gt;" in html and "HTTP 500 &lt;i&gt;oops&lt;/i&gt;" in html
    assert "Data last refreshed Mon 14 Sep 2020, 20:00 (Europe/Paris)" in html


class _Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_hostile_text_is_shown_as_text_and_only_web_links_are_links(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    store.append([negotiation("negotiating", "2020-08-02T20:00", deal="<svg onload=alert(2)>",
                              url='https://x.example/"><script>alert(3)</script>')])
    html = render_page(report_of(store, "2020-08-03").page)
    parser = _Tags()
    parser.feed(html)
    tags = {tag for tag, _ in parser.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed"}
    assert "&lt;script&gt;alert(&#39;quote&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;svg onload=alert(2)&gt;" in html
    hrefs = [attrs.get("href") or "" for _, attrs in parser.tags if "href" in attrs]
    for href in hrefs:
        assert re.match(r"^(https?://|#|feed\.atom$|\d{4}-\d{2}-\d{2}\.html$)", href), href
    assert 'https://x.example/"><script>' not in html
    assert "javascript:" not in html
    assert not any(name.startswith("on") for _, attrs in parser.tags for name in attrs)


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    html = render_page(report_of(build_story(tmp_path / "tracker.db"), "2020-08-03").page)
    parser = _Tags()
    parser.feed(html)
    assert not [t for t, a in parser.tags if t in ("script", "img", "iframe")]
    loaded = [a for t, a in parser.tags if t == "link" and a.get("rel") != "alternate"]
    assert loaded == []
    assert not re.search(r"url\(|@import|@font-face", html)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media print" in html
    assert html.count("<svg class=\"timeline\"") == 1  # a deal with no news has no picture


def test_safe_url_and_one_line() -> None:
    assert safe_url("https://a.example/x?y=1") == "https://a.example/x?y=1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "ftp://a.example/", "https://",
                "//a.example/x", "https://a.example/\nx", "http://a b.example/", None, ""):
        assert safe_url(bad) is None, bad
    assert one_line("a\r\nBcc: x@y\u202e\x00 b") == "a Bcc: x@y b"


def test_the_subject_names_the_most_telling_change_in_one_short_line(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "tracker.db")
    long_title = "Microsoft\r\nBcc: victim@example.org / " + "Activision Blizzard " * 10
    store.append([
        statement("We are pleased", "2020-12-02T08:00", deal="activision"),
        negotiation("approved", "2020-12-02T07:00", deal="activision"),
        deadline("2021-01-15", "2020-12-02T06:00", deal="activision"),
    ])
    short = build_report(store, day=date(2020, 12, 2), zone=ZONE,
                         deals=[DealRef("activision", "Microsoft / Activision")])
    assert short.page.subject == "Deals 2 Dec 2020: Microsoft / Activision approved; 2 more changes"
    hostile = build_report(store, day=date(2020, 12, 2), zone=ZONE,
                           deals=[DealRef("activision", long_title)])
    subject = hostile.page.subject
    assert len(subject) <= 120 and subject.endswith("…; 2 more changes")
    assert "\r" not in subject and "\n" not in subject
    assert subject.startswith("Deals 2 Dec 2020: Microsoft Bcc: victim@example.org / Activision")
    assert subject_line(date(2020, 8, 3), (), 0, ()) == (
        "Deals 3 Aug 2020: no changes, no deadline ahead")
    store.append([negotiation("rumored", "2020-12-02T09:00", deal="other")])
    later = build_report(store, day=date(2020, 12, 2), zone=ZONE,
                         deals=[DealRef("activision", "Microsoft / Activision")])
    # a deal approved says more than another rumoured, even an hour later
    assert later.page.subject == "Deals 2 Dec 2020: Microsoft / Activision approved; 3 more changes"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STAGES), st.integers(0, 5)), min_size=1, max_size=12))
def test_status_history_folds_like_replay(tmp_path_factory: object,
                                          steps: list[tuple[str, int]]) -> None:
    path = tmp_path_factory.mktemp("h") / "tracker.db"  # type: ignore[attr-defined]
    with SQLiteEventStore(path) as store:
        store.append([NegotiationReported(deal_id=DEAL, stage=stage, evidence=str(n),
                                          occurred_at=at("2020-08-01") + timedelta(hours=hour))
                      for n, (stage, hour) in enumerate(steps)])
        result = replay(store, as_of=date(2020, 8, 2), zone=UTC,  # type: ignore[arg-type]
                        status_changes_kept=100)
    history = status_history(result)[DEAL]
    state = result.deals[DEAL]
    assert history[-1].stage == state.status
    assert history[-1].occurred_at == state.status_since
    assert all(a.stage != b.stage and b.previous == a.stage for a, b in pairwise(history))
    assert all(a.occurred_at < b.occurred_at for a, b in pairwise(history))


def test_the_plain_text_reads_on_its_own(tmp_path: Path) -> None:
    text = render_email_text(report_of(build_story(tmp_path / "tracker.db"), "2020-08-03").page)
    assert "DEALS ON MONDAY 3 AUGUST 2020" in text
    assert "- Microsoft / TikTok US: rumored → negotiating" in text
    assert "Next deadline: Tue 15 Sep 2020 (decision), in 43 days" in text
    assert f"“{HOSTILE_QUOTE}”" in text  # plain text is not HTML: shown as is, unescaped
    assert "&lt;" not in text and "\n\n\n\n" not in text
    assert "https://news.example/confirmed" in text and "javascript:" not in text
    assert max(len(line) for line in text.splitlines()) < 100


def test_the_timeline_draws_periods_deadlines_and_the_report_day(tmp_path: Path) -> None:
    store = build_story(tmp_path / "tracker.db")
    timeline = card(report_of(store, "2020-09-03")).timeline
    assert [(b.stage, b.title) for b in timeline.bands] == [
        ("rumored", "rumored from Fri 31 Jul 2020"),
        ("negotiating", "negotiating from Sun 2 Aug 2020"),
    ]
    rumored, talks = timeline.bands
    # one period ends where the next begins; the present ends at the report day
    assert rumored.x + rumored.width == pytest.approx(talks.x, abs=0.01)
    assert talks.x + talks.width == pytest.approx(timeline.today_x, abs=0.01)
    (marker,) = timeline.markers
    assert marker.state == "upcoming" and marker.title == "Tue 15 Sep 2020: decision (in 12 days)"
    assert 0 < rumored.x < timeline.today_x < marker.x < 100  # per cent of the width
    assert [tick.label for tick in timeline.ticks] == ["Aug 2020", "Sep"]
    assert timeline.description.startswith("Timeline to Thu 3 Sep 2020: rumored from Fri 31")
    far = card(report_of(store, "2021-06-01")).timeline  # ten months on: the start is cut
    assert len(far.bands) == 1 and far.bands[0].x == LEFT and far.markers == ()


PIECES = [*"<>&\"'/=\\ \r\n\t\x00\u202eaéS", "<script>", "</script>", "javascript:",
          "onerror=", "<img src=x>", "]]>", "{{", "{%"]
HOSTILE = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12).map("".join).filter(
    lambda text: bool(one_line(text)))


@settings(max_examples=40, deadline=None)
@given(quote=HOSTILE, speaker=HOSTILE, label=HOSTILE, deal=HOSTILE)
def test_no_feed_text_can_add_markup_or_links(tmp_path_factory: object, quote: str, speaker: str,
                                              label: str, deal: str) -> None:
    path = tmp_path_factory.mktemp("hostile") / "tracker.db"  # type: ignore[attr-defined]
    with SQLiteEventStore(path) as store:
        store.append([
            StatementMade(deal_id=deal, speaker=speaker, quote=quote, organization=label,
                          occurred_at=at("2020-08-02"), source_url=quote),
            DeadlineSet(deal_id=deal, due="2020-08-20", label=label, occurred_at=at("2020-08-02")),
            negotiation("agreed", "2020-08-02", deal=deal, url=f"https://a.example/{label}"),
        ])
        report = build_report(store, day=date(2020, 8, 3), zone=ZONE, deals=DEALS)
    for html in (render_page(report.page), render_email_html(report.page)):
        parser = _Tags()
        parser.feed(html)
        assert not {tag for tag, _ in parser.tags} & {"script", "img", "iframe", "object"}
        assert not any(name.startswith("on") for _, attrs in parser.tags for name in attrs)
        for _, attrs in parser.tags:
            href = attrs.get("href")
            assert href is None or re.match(r"^(https?://|#|feed\.atom$|[\d-]+\.html$)", href)
    assert "\n" not in report.page.subject and "\r" not in report.page.subject
