"""Each line of "What changed" says where it was read: outlet, headline (linked), evidence.

The report job runs on a real SQLite log and archive in tmp_path; the article a change
was read from is saved in the archive as the poller saves it. The page, the .eml it
would send and the Atom feed are read back from the files written.
"""

from __future__ import annotations

import email
from datetime import date
from email.message import EmailMessage
from email.policy import default
from html.parser import HTMLParser
from pathlib import Path

import pytest

from events.model import NegotiationReported
from events.sqlite_store import SQLiteEventStore
from reports.formatting import outlet, shorten
from tests.conftest import at, negotiation
from tracker.archive.sqlite_archive import SQLiteArchive
from tracker.config import load_config
from tracker.jobs.report import ReportOutcome, run_daily_report
from tracker.model import Article

LINK = "https://www.lemonde.fr/economie/article/2020/08/02/microsoft-tiktok.html"
TITLE = "Microsoft confirme discuter du rachat de TikTok"
EVIDENCE = ("Microsoft a confirmé dimanche être en discussion avec ByteDance pour racheter"
            " les activités américaines de TikTok.")
HOSTILE_TITLE = "<script>alert('title')</script>\r\nBcc: victim@example.org\x07 Talks"
HOSTILE_EVIDENCE = ("Microsoft\nis <b>in talks</b>\x1b[31m with\r\nSubject: hacked\u202e"
                    " ByteDance <img src=x onerror=alert(1)>.")


class Changes(HTMLParser):
    """The lines of "What changed": each one's text, and its links as (href, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, dict[str, list[str]]] = {}
        self.current: dict[str, list[str]] | None = None
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "li" and "change" in (found.get("class") or "").split():
            self.current = self.lines.setdefault(found.get("data-event") or "?",
                                                 {"text": [], "links": []})
        elif tag == "a" and self.current is not None:
            self.href = found.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.current = None
        elif tag == "a":
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.current is None:
            return
        self.current["text"].append(data)
        if self.href is not None:
            self.current["links"].append(f"{self.href} {data}")


def lines_of(html: str) -> dict[str, tuple[str, list[str]]]:
    """short id -> (the line's text on one line, its links as "href text")."""
    parser = Changes()
    parser.feed(html)
    return {key: (" ".join("".join(line["text"]).split()), line["links"])
            for key, line in parser.lines.items()}


def save_article(archive: SQLiteArchive, *, link: str, title: str) -> None:
    """Keep an article as the poller does, in a transaction of the store."""
    article = Article(feed="lemonde", key=link, link=link, title=title, text="…",
                      published=at("2020-08-02T19:30"), language="fr")
    with archive.store.transaction():
        archive.save_article(article, version=1, fetched_at="2020-08-02T19:45:00Z", events=1)


def read_from_feed(stage: str = "negotiating", *, link: str | None = LINK,
                   evidence: str | None = EVIDENCE) -> NegotiationReported:
    """An event as the extractor writes it: with its link, feed and evidence."""
    return negotiation(stage, "2020-08-02T19:30", url=link, source_feed="lemonde",
                       evidence=evidence)


def report(config_path: Path, *events: NegotiationReported,
           titles: dict[str, str] | None = None) -> ReportOutcome:
    """Append `events`, archive an article per link of `titles`, and run the report job."""
    config = load_config(config_path)
    with SQLiteEventStore(config.database) as store:
        archive = SQLiteArchive(store)
        for link, title in (titles or {}).items():
            save_article(archive, link=link, title=title)
        store.append(list(events), now=at("2020-08-02T19:45"))
        return run_daily_report(config, store, archive, day=date(2020, 8, 3), dry_run=True)


def short_id(event: NegotiationReported) -> str:
    return event.event_id[:8]


def message_of(outcome: ReportOutcome) -> EmailMessage:
    assert outcome.eml_path is not None
    parsed = email.message_from_bytes(outcome.eml_path.read_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def body(message: EmailMessage, kind: str) -> str:
    (part,) = (p for p in message.iter_parts() if p.get_content_type() == kind)
    text = part.get_content()
    assert isinstance(text, str)
    return text


def test_an_extracted_change_shows_outlet_linked_headline_and_evidence(
        config_path: Path) -> None:
    event = read_from_feed()
    outcome = report(config_path, event, titles={LINK: TITLE})
    text, links = lines_of(outcome.html_path.read_text(encoding="utf-8"))[short_id(event)]
    assert f"lemonde.fr: {TITLE}" in text and "www.lemonde.fr" not in text
    assert links == [f"{LINK} {TITLE}"]  # the one link is on the headline
    assert f"Evidence: {EVIDENCE}" in text
    assert f"id {short_id(event)}" in text


def test_a_hand_added_change_keeps_a_compact_line(config_path: Path) -> None:
    by_hand = negotiation("negotiating", "2020-08-02T19:30")
    outcome = report(config_path, by_hand)
    text, links = lines_of(outcome.html_path.read_text(encoding="utf-8"))[short_id(by_hand)]
    assert text == (f"Sun 2 Aug 2020, 21:30 · id {short_id(by_hand)} Microsoft / TikTok US:"
                    " first reported: negotiating")
    assert links == []


def test_without_a_stored_headline_the_outlet_is_the_link(config_path: Path) -> None:
    event = read_from_feed()
    outcome = report(config_path, event)  # the article was never archived
    text, links = lines_of(outcome.html_path.read_text(encoding="utf-8"))[short_id(event)]
    assert links == [f"{LINK} lemonde.fr"]
    assert f"Evidence: {EVIDENCE}" in text and TITLE not in text


def test_evidence_that_is_the_headline_is_printed_once(config_path: Path) -> None:
    event = read_from_feed(evidence=TITLE + ".")
    outcome = report(config_path, event, titles={LINK: TITLE})
    text, _ = lines_of(outcome.html_path.read_text(encoding="utf-8"))[short_id(event)]
    assert text.count(TITLE) == 1 and "Evidence: the headline." in text


def test_a_link_that_is_not_http_is_no_link_and_no_outlet(config_path: Path) -> None:
    event = read_from_feed(link="javascript:alert(1)")
    outcome = report(config_path, event, titles={"javascript:alert(1)": TITLE})
    html = outcome.html_path.read_text(encoding="utf-8")
    text, links = lines_of(html)[short_id(event)]
    assert links == [] and "javascript:" not in html
    assert f"{TITLE} Evidence: {EVIDENCE}" in text  # the headline, as text only


def test_hostile_headline_and_evidence_are_text_everywhere(config_path: Path) -> None:
    event = read_from_feed(evidence=HOSTILE_EVIDENCE)
    outcome = report(config_path, event, titles={LINK: HOSTILE_TITLE})
    message = message_of(outcome)
    html = outcome.html_path.read_text(encoding="utf-8")
    for page in (html, body(message, "text/html")):
        assert "<script" not in page and "<img" not in page and "<b>in" not in page
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Bcc: victim@example.org" in page
        assert "\x07" not in page and "\x1b" not in page and "\u202e" not in page
    text, _ = lines_of(html)[short_id(event)]
    assert "Microsoft is <b>in talks</b> [31m with Subject: hacked ByteDance" in text
    # feed text never reaches a header: the same headers as any report, nothing added
    assert sorted(message.keys()) == sorted(["Subject", "From", "Date", "Message-ID",
                                             "Auto-Submitted", "MIME-Version",
                                             "Content-Type"])
    assert message["Bcc"] is None and "hacked" not in message["Subject"]


def test_the_text_email_has_outlet_headline_link_and_evidence(config_path: Path) -> None:
    event = read_from_feed()
    text = body(message_of(report(config_path, event, titles={LINK: TITLE})), "text/plain")
    block = text[text.index("- Microsoft / TikTok US: first reported: negotiating"):]
    lines = block.splitlines()
    assert lines[1] == f"  Sun 2 Aug 2020, 21:30 · id {short_id(event)}"
    assert lines[2:4] == [f"  lemonde.fr: {TITLE}", f"  {LINK}"]
    evidence = " ".join(line.strip() for line in lines[4:6])
    assert evidence == f"Evidence: {EVIDENCE}"
    assert all(len(line) <= 80 for line in lines[:6])  # wrapped for a mail reader


def test_long_evidence_is_cut_on_a_word_boundary(config_path: Path) -> None:
    long = " ".join([EVIDENCE] * 6)
    event = read_from_feed(evidence=long)
    outcome = report(config_path, event, titles={LINK: TITLE})
    text, _ = lines_of(outcome.html_path.read_text(encoding="utf-8"))[short_id(event)]
    shown = text[text.index("Evidence: ") + len("Evidence: "):]
    assert shown.endswith("…") and len(shown) <= 300
    assert long.startswith(shown[:-1]) and not long[len(shown) - 1].isalnum()  # a whole word


def test_the_atom_entry_says_where_it_was_read(config_path: Path) -> None:
    event = read_from_feed()
    outcome = report(config_path, event, titles={LINK: TITLE})
    assert outcome.atom_path is not None
    atom = outcome.atom_path.read_text(encoding="utf-8")
    assert (f"Microsoft / TikTok US: first reported: negotiating (Sun 2 Aug 2020, 21:30,"
            f" Europe/Paris; id {short_id(event)}). lemonde.fr: {TITLE}. Evidence:"
            f" “{EVIDENCE}”") in atom


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.lemonde.fr/x", "lemonde.fr"),
    ("HTTP://WWW.Reuters.COM./a?b", "reuters.com"),
    ("https://wwwx.example/", "wwwx.example"),
    ("https://news.example:8443/", "news.example"),
    ("javascript:alert(1)", None),
    ("https://bad\\host/", None),
    (None, None),
])
def test_the_outlet_is_the_host_without_www(url: str | None, expected: str | None) -> None:
    assert outlet(url) == expected


def test_shorten_cuts_on_a_word_and_never_past_the_limit() -> None:
    assert shorten("a few words", 300) == "a few words"
    assert shorten("one two three four five", 14) == "one two three…"
    assert shorten("x" * 500, 300) == "x" * 299 + "…"  # one endless word is cut anyway
    assert shorten("aaaa bbbb cccc dddd", 15) == "aaaa bbbb cccc…"  # the cut ends a word
    assert shorten("line\nbreak\x00and more", 300) == "line break and more"
