"""What the report says it knows: late news marked, the outlet of every change, the
subject, absolute links under `[report] base_url`, and the Atom feed saying what the
e-mail says.

One story on a real SQLite log and archive, reported through the report job and
e-mailed to a real SMTP server (aiosmtpd) on 127.0.0.1; the page, the message and the
Atom feed are read back as written.
"""

from __future__ import annotations

import email
from datetime import date
from email.message import EmailMessage
from email.policy import default
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import pytest

from events.model import EventRetracted, StatementMade
from events.sqlite_store import SQLiteEventStore
from reports.atom import entry_id
from tests.conftest import at, negotiation
from tests.test_mailer import Keeper, smtp  # noqa: F401 - the SMTP server fixture
from tests.test_report_evidence import LINK, TITLE, lines_of, save_article
from tracker.archive.sqlite_archive import SQLiteArchive
from tracker.config import load_config
from tracker.jobs.report import ReportOutcome, run_daily_report

OLD_LINK = "https://www.reuters.com/article/2011/05/10/microsoft-skype"
OLD_TITLE = "Microsoft agrees to buy Activision"
LONG_TITLE = "Microsoft / TikTok US, Canada, Australia and New Zealand" + " (and more)" * 8
BASE = "https://desk.example/deals/"


def write_config(folder: Path, port: int, *, base_url: str | None = BASE) -> Path:
    path = folder / "tracker.toml"
    report = f'[report]\nbase_url = "{base_url}"\n' if base_url else ""
    path.write_text(f"""\
[tracker]
timezone = "Europe/Paris"

{report}
[email]
smtp_host = "127.0.0.1"
smtp_port = {port}
sender = "tracker@example.org"
to = ["desk@example.org"]

[[feeds]]
name = "lemonde"
url = "https://www.lemonde.fr/rss"

[[deals]]
id = "microsoft-tiktok"
title = "{LONG_TITLE}"
acquirer = "Microsoft"
target = "TikTok"

[[deals]]
id = "microsoft-activision"
title = "Microsoft / Activision Blizzard"
acquirer = "Microsoft"
target = "Activision Blizzard"
""", encoding="utf-8")
    return path


class Story:
    """The story's events, by what they are."""

    misread = negotiation("agreed", "2020-07-20T10:00", url=LINK, source_feed="lemonde",
                          evidence="Microsoft agreed.")
    talks = negotiation("negotiating", "2020-08-02T19:30", url=LINK, source_feed="lemonde",
                        evidence="Microsoft a confirmé être en discussion.")
    # an article of 2011, first read on the morning of the report
    late = negotiation("agreed", "2011-05-10T08:00", deal="microsoft-activision", url=OLD_LINK,
                       source_feed="lemonde", evidence="Microsoft agreed to buy Activision.")
    # read from a feed file whose entry has no web link: the feed is the outlet
    said = StatementMade(deal_id="microsoft-tiktok", speaker="Satya Nadella", quote="We talk",
                         occurred_at=at("2020-08-03T06:00"), source_feed="agence-fichier",
                         evidence="« We talk », said Satya Nadella.")
    correction = EventRetracted(deal_id="microsoft-tiktok", occurred_at=at("2020-08-03T06:30"),
                                retracted_id=misread.event_id, reason="misread the article")
    shown = (talks, late, said, correction)


def report(folder: Path, port: int, **config: Any) -> ReportOutcome:
    loaded = load_config(write_config(folder, port, **config))
    with SQLiteEventStore(loaded.database) as store:
        archive = SQLiteArchive(store)
        save_article(archive, link=LINK, title=TITLE)
        save_article(archive, link=OLD_LINK, title=OLD_TITLE)
        store.append([Story.misread], now=at("2020-07-20T10:05"))
        store.append([Story.talks], now=at("2020-08-02T19:45"))
        store.append([Story.late], now=at("2020-08-03T05:00"))
        store.append([Story.said, Story.correction], now=at("2020-08-03T06:40"))
        return run_daily_report(loaded, store, archive, day=date(2020, 8, 3), email=True)


@pytest.fixture
def sent(tmp_path: Path, smtp: tuple[Keeper, int]) -> tuple[ReportOutcome, EmailMessage, bytes]:  # noqa: F811
    keeper, port = smtp
    outcome = report(tmp_path, port)
    (message,) = keeper.messages()
    (envelope,) = keeper.envelopes
    return outcome, message, envelope.content


def part(message: EmailMessage, kind: str) -> str:
    (found,) = (p for p in message.iter_parts() if p.get_content_type() == kind)
    text = found.get_content()
    assert isinstance(text, str)
    return text


def atom_of(outcome: ReportOutcome) -> feedparser.FeedParserDict:
    assert outcome.atom_path is not None
    parsed = feedparser.parse(outcome.atom_path.read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


class Hrefs(HTMLParser):
    """Every href of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs.extend(value or "" for name, value in attrs if name == "href")


def hrefs(html: str) -> list[str]:
    parser = Hrefs()
    parser.feed(html)
    return parser.hrefs


def short(event: Any) -> str:
    return str(event.event_id[:8])


def test_late_news_is_marked_in_the_page_the_mail_and_the_feed(sent: Any) -> None:
    outcome, message, _ = sent
    mark = "Reported on Tue 10 May 2011, learnt today"
    text, links = lines_of(outcome.html_path.read_text(encoding="utf-8"))[short(Story.late)]
    assert mark in text and f"reuters.com: {OLD_TITLE}" in text
    assert links == [f"{OLD_LINK} {OLD_TITLE}"]
    assert mark in part(message, "text/plain") and mark in part(message, "text/html")
    on_time = lines_of(outcome.html_path.read_text(encoding="utf-8"))[short(Story.talks)][0]
    assert "learnt" not in on_time  # read the evening it was published
    (entry,) = (e for e in atom_of(outcome).entries if e.id == entry_id(Story.late.event_id))
    assert "Reported on Tue 10 May 2011, learnt on Mon 3 Aug 2020." in entry.summary
    assert entry.updated == "2020-08-03T05:00:00Z" and entry.published == "2011-05-10T08:00:00Z"


def test_every_change_names_its_outlet_and_the_feed_when_there_is_no_link(sent: Any) -> None:
    outcome, message, _ = sent
    lines = lines_of(outcome.html_path.read_text(encoding="utf-8"))
    assert set(lines) == {short(event) for event in Story.shown}
    outlets = {Story.talks: "lemonde.fr", Story.late: "reuters.com", Story.said: "agence-fichier"}
    for event, where in outlets.items():  # read from feeds: outlet and evidence, each line
        text = lines[short(event)][0]
        assert where in text and f"Evidence: {event.evidence}" in text, text
    assert f"lemonde.fr: {TITLE}" in lines[short(Story.talks)][0]
    said, links = lines[short(Story.said)]
    assert "agence-fichier" in said and links == []
    assert "\n  agence-fichier\n" in part(message, "text/plain").replace("\r\n", "\n")
    assert "correction: withdrawn: negotiation of Mon 20 Jul 2020 (agreed)" in (
        lines[short(Story.correction)][0])


def test_the_atom_feed_carries_the_changes_of_the_mail(sent: Any) -> None:
    outcome, message, _ = sent
    entries = {e.id: e for e in atom_of(outcome).entries}
    # late news and the correction included; the withdrawn event is gone
    assert set(entries) == {entry_id(event.event_id) for event in Story.shown}
    text = part(message, "text/plain")
    for entry in entries.values():
        assert f"- {entry.title}" in text  # the same line, in the same words
    correction = entries[entry_id(Story.correction.event_id)]
    assert correction.title.endswith("(agreed): misread the article")


def test_base_url_makes_every_link_of_the_mail_and_the_feed_absolute(sent: Any) -> None:
    outcome, message, _ = sent
    html, text = part(message, "text/html"), part(message, "text/plain")
    assert f"{BASE}2020-08-03.html" in hrefs(html) and f"{BASE}feed.atom" in hrefs(html)
    assert all(href.startswith("https://") for href in hrefs(html)), hrefs(html)
    assert f"The full report: {BASE}2020-08-03.html" in text
    assert f"Atom feed: {BASE}feed.atom" in text
    parsed = atom_of(outcome)
    feed_links = [link.href for link in parsed.feed.links]
    entry_links = [link.href for entry in parsed.entries for link in entry.links]
    assert {f"{BASE}feed.atom", f"{BASE}index.html"} <= set(feed_links)
    assert f"{BASE}index.html" in entry_links  # the statement has no article to link to
    assert all(href.startswith("https://") for href in feed_links + entry_links)


def test_without_base_url_the_feed_links_relative_and_the_mail_links_no_page(
        tmp_path: Path, smtp: tuple[Keeper, int]) -> None:  # noqa: F811
    keeper, port = smtp
    outcome = report(tmp_path, port, base_url=None)
    (message,) = keeper.messages()
    assert all(href.startswith("https://") for href in hrefs(part(message, "text/html")))
    assert "The full report" not in part(message, "text/plain")
    assert {link.href for link in atom_of(outcome).feed.links} == {"feed.atom", "index.html"}


def test_the_subject_names_the_change_in_one_header_of_at_most_120_characters(
        sent: Any) -> None:
    outcome, message, raw = sent
    subject = message["Subject"]
    assert subject == outcome.subject and len(subject) <= 120
    # today's talks lead, not the agreement of 2011 learnt this morning
    assert subject.startswith("Deals 3 Aug 2020: Microsoft / TikTok US, Canada")
    assert subject.endswith("…; 3 more changes")  # the long title was cut to fit
    assert "\r" not in subject and "\n" not in subject
    headers = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").split(b"\r\n")
    names = sorted(line.split(b":", 1)[0].decode() for line in headers)
    assert names == sorted(["Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted",
                            "MIME-Version", "Content-Type"]), names
    assert email.message_from_bytes(raw, policy=default)["Subject"] == subject
