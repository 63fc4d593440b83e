"""`tracker history DEAL`: one deal's chronology, driven through the CLI on real SQLite files.

The log is written in an order other than the story's (an old article read last, a
correction), so that occurred order, local times and "learnt" can be told apart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from events.model import EventRetracted, StatementMade
from events.sqlite_store import SQLiteEventStore
from tests.conftest import at, deadline, negotiation
from tests.test_report_evidence import LINK, TITLE, save_article
from tracker.archive.sqlite_archive import SQLiteArchive
from tracker.cli import cli

DEAL = "microsoft-tiktok"
HOSTILE = "Nadella\x1b[2J\u202e said"


class Story:
    """The events, in the order they happened (Paris time is UTC+2 in summer)."""

    rumour = negotiation("rumored", "2020-07-31T21:10", url=LINK, source_feed="lemonde",
                         evidence="Microsoft would be in talks.")
    talks = negotiation("negotiating", "2020-08-02T19:30", url=LINK, source_feed="lemonde",
                        evidence="Microsoft a confirmé être en discussion.")
    due = deadline("2020-09-15", "2020-08-02T19:30")
    said = StatementMade(deal_id=DEAL, speaker=HOSTILE, quote="We will move quickly",
                         occurred_at=at("2020-08-02T22:30"), source_feed="agence",
                         evidence="“We will move quickly,” he said.")
    wrong = negotiation("agreed", "2020-08-10T12:00")
    correction = EventRetracted(deal_id=DEAL, occurred_at=at("2020-08-11T09:00"),
                                retracted_id=wrong.event_id, reason="misread")
    order = (rumour, talks, due, said, wrong, correction)


def build(folder: Path) -> None:
    """Append the story as a poller would have, the rumour's article read a week late."""
    with SQLiteEventStore(folder / "tracker.db") as store:
        save_article(SQLiteArchive(store), link=LINK, title=TITLE)
        store.append([Story.talks, Story.due], now=at("2020-08-02T19:45"))
        store.append([Story.said], now=at("2020-08-02T22:40"))
        store.append([Story.rumour], now=at("2020-08-07T08:00"))
        store.append([Story.wrong], now=at("2020-08-10T12:30"))
        store.append([Story.correction], now=at("2020-08-11T09:00"))
        store.append([negotiation("agreed", "2020-08-05", deal="other")])


def history(config_path: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--config", str(config_path), "history", *args])
    assert result.exit_code == 0, result.output
    return result


def test_history_is_in_occurred_order_with_local_times(config_path: Path) -> None:
    build(config_path.parent)
    blocks = history(config_path, DEAL).output.strip().split("\n\n")
    assert blocks[0] == ("Microsoft / TikTok US (microsoft-tiktok): 6 event(s), oldest first;"
                         " times in Europe/Paris.")
    firsts = [block.splitlines()[0] for block in blocks[1:]]
    assert firsts == [
        f"2020-07-31 23:10  status      first reported: rumored  [{Story.rumour.event_id[:8]}]",
        f"2020-08-02 21:30  status      rumored → negotiating  [{Story.talks.event_id[:8]}]",
        f"2020-08-02 21:30  deadline    new deadline Tue 15 Sep 2020 (decision)"
        f"  [{Story.due.event_id[:8]}]",
        # a terminal escape from a feed is folded away, never sent to the terminal
        f"2020-08-03 00:30  statement   Nadella [2J said: “We will move quickly”"
        f"  [{Story.said.event_id[:8]}]",
        f"2020-08-10 14:00  status      agreed (retracted)  [{Story.wrong.event_id[:8]}]",
        "2020-08-11 11:00  correction  correction: withdrawn: negotiation of Mon 10 Aug 2020"
        f" (agreed): misread  [{Story.correction.event_id[:8]}]",
    ]


def test_each_event_says_where_it_was_read_and_when_the_log_learnt_it(config_path: Path) -> None:
    build(config_path.parent)
    blocks = history(config_path, DEAL).output.strip().split("\n\n")[1:]
    rumour, talks, _, said, *_ = ([line.strip() for line in b.splitlines()[1:]] for b in blocks)
    # read a week late: said; the others the day they happened (Paris time): not
    assert rumour == [f"lemonde.fr: {TITLE}", LINK, "evidence: Microsoft would be in talks.",
                      "learnt 2020-08-07 10:00"]
    assert talks == [f"lemonde.fr: {TITLE}", LINK,
                     "evidence: Microsoft a confirmé être en discussion."]
    assert said == ["agence", "evidence: “We will move quickly,” he said."]


def test_history_as_json(config_path: Path) -> None:
    build(config_path.parent)
    document = json.loads(history(config_path, DEAL, "--format", "json").output)
    assert document["deal"] == {"id": DEAL, "title": "Microsoft / TikTok US"}
    assert document["timezone"] == "Europe/Paris"
    events = document["events"]
    assert [e["event"]["event_id"] for e in events] == [e.event_id for e in Story.order]
    first = events[0]
    assert first["occurred_local"] == "2020-07-31T23:10:00+02:00"
    assert first["learnt_local"] == "2020-08-07T10:00:00+02:00"
    assert (first["outlet"], first["headline"], first["link"]) == ("lemonde.fr", TITLE, LINK)
    assert events[1]["learnt_local"] is None
    assert [e["status"] for e in events] == ["in_force"] * 4 + ["retracted", "in_force"]
    assert [e["kind"] for e in events] == ["status", "status", "deadline", "statement",
                                           "status", "correction"]
    assert events[3]["event"]["data"]["speaker"] == HOSTILE  # JSON keeps the text as it is


def test_an_unknown_deal_is_one_line(config_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config_path), "history", "nope"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: unknown deal 'nope'")
    SQLiteArchive(SQLiteEventStore(config_path.parent / "tracker.db")).close()
    quiet = history(config_path, "microsoft-activision").output
    assert quiet.endswith("No events about this deal yet.\n")


def test_history_in_a_real_process(config_path: Path) -> None:
    build(config_path.parent)
    env = {**os.environ, "TRACKER_CONFIG": str(config_path),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-m", "tracker.cli", "history", "other"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "first reported: agreed" in done.stdout  # a deal found only in the log


NO_LINK_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<description>d</description><item><guid isPermaLink="false">wire-1</guid>
<title>Microsoft confirms talks to buy TikTok's US business</title>
<pubDate>Sun, 02 Aug 2020 19:30:00 GMT</pubDate>
<description>Microsoft said on Sunday it is in talks to buy TikTok from ByteDance.</description>
</item></channel></rss>"""


def test_news_from_an_entry_with_no_link_keeps_its_headline(tmp_path: Path,
                                                            config_path: Path) -> None:
    feed = tmp_path / "wire.xml"
    feed.write_text(NO_LINK_FEED, encoding="utf-8")
    config_path.write_text(config_path.read_text("utf-8") + f"""
[[feeds]]
name = "wire"
url = "{feed}"
language = "en"
""", encoding="utf-8")
    polled = CliRunner().invoke(cli, ["--config", str(config_path), "poll"])
    assert polled.exit_code == 0, polled.output
    (entry,) = json.loads(history(config_path, "microsoft-tiktok", "--format",
                                  "json").output)["events"]
    assert entry["link"] is None and entry["outlet"] == "wire"
    assert entry["headline"] == "Microsoft confirms talks to buy TikTok's US business"
    out = tmp_path / "out"
    report = CliRunner().invoke(cli, ["--config", str(config_path), "report", "--date",
                                      "2020-08-03", "--out", str(out)])
    assert report.exit_code == 0, report.output
    page = (out / "2020-08-03.html").read_text("utf-8")
    assert "Microsoft confirms talks to buy TikTok&#39;s US business" in page
