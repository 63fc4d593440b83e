"""`tracker explain` and `tracker articles`, on a real database filled by polling a feed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from events.sqlite_store import SQLiteEventStore
from tests.conftest import CONFIG_TEXT, DEAL, twin_negotiations
from tests.feeds import rss
from tracker.cli import cli
from tracker.extract.version import extractor_version

TALKS = ("talks", "Microsoft enters talks to buy TikTok",
         "<p>Microsoft confirmed on Sunday that it has entered talks to acquire the American"
         " arm of TikTok.</p>", "2020-08-02T10:00")
DANCERS = ("dancers", "TikTok dancers fill a Grenoble square",
           "<p>Hundreds of dancers met outside a crêperie near the Isère for a weekend"
           " contest filmed for TikTok.</p>", "2020-08-04T10:00")
WEATHER = ("weather", "Rain expected in Lyon", "<p>Showers all week, forecasters said.</p>",
           "2020-08-05T10:00")
#: names the deal only by an alias: dropping the alias from the config un-reads it
ALIAS_ONLY = ("alias", "Microsoft in talks with ByteDance",
              "<p>Microsoft has entered talks to buy the American arm of ByteDance, two"
              " people said.</p>", "2020-08-03T10:00")


def write_folder(tmp_path: Path, items: list[tuple[str, str, str, str]], *,
                 config_text: str = CONFIG_TEXT) -> Path:
    """A config with one feed (a file of `items`); returns the config's path."""
    feed = tmp_path / "desk.xml"
    feed.write_bytes(rss(items))
    config = tmp_path / "tracker.toml"
    config.write_text(config_text + f'\n[[feeds]]\nname = "desk"\nurl = "{feed}"\n')
    return config


def run(config: Path, *args: str, color: bool = False) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], color=color)


def ok(config: Path, *args: str) -> str:
    result = run(config, *args)
    assert result.exit_code == 0, result.output
    return result.output


def polled(tmp_path: Path, items: list[tuple[str, str, str, str]]) -> Path:
    config = write_folder(tmp_path, items)
    ok(config, "poll")
    return config


def logged(config: Path) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(ok(config, "events", "--format", "json"))
    return events


def explained(config: Path, event_id: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ok(config, "explain", event_id, "--format", "json"))
    return document


@pytest.fixture
def talks(tmp_path: Path) -> tuple[Path, str]:
    """A polled feed whose one deal article gave one negotiation event: (config, id)."""
    config = polled(tmp_path, [TALKS, DANCERS, WEATHER])
    (event,) = logged(config)
    assert event["type"] == "negotiation"
    return config, event["event_id"]


# --- explain -------------------------------------------------------------------------------


def test_explain_marks_the_trigger_in_the_evidence_and_names_link_rule_and_extractor(
        talks: tuple[Path, str]) -> None:
    config, event_id = talks
    document = explained(config, event_id)
    trigger = document["sources"][0]["trigger"]
    assert "talks" in trigger["text"]
    output = ok(config, "explain", event_id)
    (evidence,) = [line.split(None, 1)[1] for line in output.splitlines()
                   if line.lstrip().startswith("evidence")]
    assert f"[[{trigger['text']}]]" in evidence
    assert evidence.replace("[[", "").replace("]]", "") == document["evidence"]
    assert "https://news.example/talks" in output
    assert "Microsoft enters talks to buy TikTok" in output
    assert "stage.negotiating" in output
    assert extractor_version() in output
    assert "from the feed" in output and "1 of 1 stored" in output
    assert "\x1b" not in output  # not a terminal: no bold


def test_explain_shows_the_trigger_in_bold_on_a_terminal(talks: tuple[Path, str]) -> None:
    config, event_id = talks
    result = run(config, "explain", event_id, color=True)
    assert result.exit_code == 0, result.output
    assert "\x1b[1m[[" in result.output and "]]\x1b[0m" in result.output


def test_explain_in_a_real_process_marks_without_bold_into_a_pipe(
        talks: tuple[Path, str]) -> None:
    config, event_id = talks
    command = [sys.executable, "-m", "tracker", "--config", str(config), "explain"]
    done = subprocess.run([*command, event_id[:8]], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "[[" in done.stdout and "\x1b" not in done.stdout
    failed = subprocess.run([*command, "ffffffff"], capture_output=True, text=True)
    assert failed.returncode == 1
    assert failed.stderr == "Error: no event with an id starting 'ffffffff'\n"


def test_explain_finds_an_event_by_a_unique_prefix(talks: tuple[Path, str]) -> None:
    config, event_id = talks
    assert ok(config, "explain", event_id[:8]) == ok(config, "explain", event_id)


def test_an_unknown_id_is_one_line_and_status_1(talks: tuple[Path, str]) -> None:
    config, _ = talks
    for wrong in ("ffffffffff", "abc"):
        result = run(config, "explain", wrong)
        assert result.exit_code == 1
        assert result.output.startswith("Error: no event with")
        assert result.output.count("\n") == 1, result.output


def test_a_prefix_two_events_share_is_one_line_and_status_1(tmp_path: Path) -> None:
    config = write_folder(tmp_path, [])
    twin, event = twin_negotiations()
    with SQLiteEventStore(tmp_path / "tracker.db") as store:
        store.append([twin, event])
    result = run(config, "explain", event.event_id[:6])
    assert result.exit_code == 1
    assert result.output == f"Error: several events with an id starting {event.event_id[:6]!r}\n"


def test_explain_says_which_version_of_how_many_each_source_is(tmp_path: Path) -> None:
    config = polled(tmp_path, [TALKS])
    guid, title, body, when = TALKS
    write_folder(tmp_path, [(guid, title, body.replace("on Sunday", "late on Sunday"), when)])
    ok(config, "poll")
    (event,) = logged(config)  # the same fact, read again from the new version
    output = ok(config, "explain", event["event_id"])
    assert "version    1 of 2 stored" in output and "version    2 of 2 stored" in output
    versions = [s["article"]["version"] for s in explained(config, event["event_id"])["sources"]]
    assert versions == [1, 2]


def test_explain_json_has_the_documented_keys(talks: tuple[Path, str]) -> None:
    config, event_id = talks
    document = explained(config, event_id)
    assert set(document) == {"event", "summary", "status", "origin", "evidence", "sources",
                             "retraction", "corrections"}
    assert document["event"]["event_id"] == event_id
    assert (document["summary"], document["status"], document["origin"]) == (
        "negotiating", "in_force", "article")
    (source,) = document["sources"]
    assert set(source) == {"article_id", "article", "deal_id", "rule", "trigger", "extractor"}
    assert set(source["article"]) == {
        "article_id", "feed", "key", "version", "versions", "title", "link", "published",
        "published_estimated", "language", "fetched_at", "read_by", "text_source"}
    assert source["article"]["link"] == "https://news.example/talks"
    assert source["article"]["published"] == "2020-08-02T10:00:00Z"
    trigger = source["trigger"]
    assert document["evidence"][trigger["start"]:trigger["end"]] == trigger["text"]
    assert (document["retraction"], document["corrections"]) == (None, [])


def test_explain_of_an_event_added_by_hand_says_so(talks: tuple[Path, str]) -> None:
    config, _ = talks
    ok(config, "add", "negotiation", "--deal", DEAL, "--stage", "agreed", "--date", "2020-08-06",
       "--note", "Confirmed by the press office on the phone",
       "--source", "https://press.example/tiktok")
    added = logged(config)[-1]["event_id"]
    output = ok(config, "explain", added)
    assert "Added by hand: no article." in output
    assert "Confirmed by the press office on the phone" in output
    assert "https://press.example/tiktok" in output and "Read from" not in output
    document = explained(config, added)
    assert (document["origin"], document["sources"]) == ("hand", [])


def test_explain_of_a_retracted_event_shows_the_retraction(talks: tuple[Path, str]) -> None:
    config, event_id = talks
    ok(config, "retract", event_id[:10], "--reason", "misread: the talks were denied")
    retraction = logged(config)[-1]["event_id"]
    output = ok(config, "explain", event_id)
    assert "status    retracted" in output
    (line,) = [line for line in output.splitlines() if retraction[:12] in line]
    assert "retracted" in line and "by hand" in line and "misread: the talks were denied" in line
    (correction,) = explained(config, event_id)["corrections"]
    assert correction["event_id"] == retraction
    assert (correction["action"], correction["by"]) == ("retracted", "hand")


def test_explain_of_a_retraction_says_what_it_retracts_and_why(talks: tuple[Path, str]) -> None:
    config, event_id = talks
    ok(config, "retract", event_id, "--reason", "misread: the talks were denied")
    retraction = logged(config)[-1]["event_id"]
    output = ok(config, "explain", retraction)
    assert f"retracts  negotiation {event_id[:12]}" in output and "negotiating" in output
    assert "reason    misread: the talks were denied" in output
    assert "made      by hand" in output
    document = explained(config, retraction)
    assert document["retraction"]["retracts"]["event_id"] == event_id
    assert (document["retraction"]["by"], document["origin"]) == ("hand", "hand")


def test_explain_tells_a_reprocess_retraction_and_its_reinstatement(tmp_path: Path) -> None:
    config = write_folder(tmp_path, [ALIAS_ONLY])
    ok(config, "poll")
    (event,) = logged(config)
    without_alias = CONFIG_TEXT.replace('aliases = ["ByteDance"]\n', "")
    write_folder(tmp_path, [ALIAS_ONLY], config_text=without_alias)
    ok(config, "poll")  # the deal's names changed: the archive is read again for it
    assert explained(config, event["event_id"])["status"] == "retracted"
    write_folder(tmp_path, [ALIAS_ONLY])
    ok(config, "poll")
    document = explained(config, event["event_id"])
    assert document["status"] == "reinstated"
    assert [(c["action"], c["by"]) for c in document["corrections"]] == [
        ("retracted", "reprocess"), ("reinstated", "reprocess")]
    output = ok(config, "explain", event["event_id"])
    assert "by a reprocess" in output and "no longer read from https://news.example/alias" in output
    reinstatement = document["corrections"][1]["event_id"]
    assert f"reinstates  negotiation {event['event_id'][:12]}" in ok(config, "explain",
                                                                     reinstatement)


# --- articles ------------------------------------------------------------------------------


def test_articles_lists_deal_articles_newest_first_with_their_events(
        talks: tuple[Path, str]) -> None:
    config, event_id = talks
    output = ok(config, "articles")
    lines = output.splitlines()
    assert lines[0].split() == ["PUBLISHED", "(UTC)", "FEED", "DEALS", "TITLE", "EVENTS"]
    titles = [line for line in lines[2:]]
    assert len(titles) == 2 and "Rain expected" not in output  # names no deal
    assert "TikTok dancers" in titles[0] and titles[0].rstrip().endswith("none")
    assert "Microsoft enters talks" in titles[1] and f"{event_id[:8]} negotiating" in titles[1]
    assert event_id not in output  # ids are shortened in the table


def test_articles_json_gives_full_event_ids(talks: tuple[Path, str]) -> None:
    config, event_id = talks
    listed = json.loads(ok(config, "articles", "--format", "json"))
    assert [a["title"] for a in listed] == ["TikTok dancers fill a Grenoble square",
                                            "Microsoft enters talks to buy TikTok"]
    assert listed[1]["deals"] == [DEAL] and listed[1]["link"] == "https://news.example/talks"
    assert listed[1]["events"] == [{"event_id": event_id, "type": "negotiation",
                                    "summary": "negotiating", "retracted": False}]


def test_articles_without_events_lists_only_what_gave_nothing(talks: tuple[Path, str]) -> None:
    config, _ = talks
    output = ok(config, "articles", "--without-events")
    assert "TikTok dancers" in output
    assert "Microsoft enters talks" not in output and "Rain expected" not in output


def test_articles_search_finds_a_word_of_the_body_whatever_its_accents(
        talks: tuple[Path, str]) -> None:
    config, _ = talks
    for words in ("creperie", "Crêperie isere", "ISÈRE"):
        listed = json.loads(ok(config, "articles", "--search", words, "--format", "json"))
        assert [a["key"] for a in listed] == ["dancers"], words
    assert ok(config, "articles", "--search", "creperie lyon") == "No articles.\n"


def test_articles_since_and_limit_and_deal(talks: tuple[Path, str]) -> None:
    config, _ = talks
    # 2020-08-04T10:00Z is noon in Paris: on the 4th there, not before
    since = json.loads(ok(config, "articles", "--since", "2020-08-04", "--format", "json"))
    assert [a["key"] for a in since] == ["dancers"]
    limited = json.loads(ok(config, "articles", "--limit", "1", "--format", "json"))
    assert [a["key"] for a in limited] == ["dancers"]
    assert ok(config, "articles", "--deal", "microsoft-activision") == "No articles.\n"


@pytest.mark.parametrize("args", [["--limit", "0"], ["--limit", "-3"], ["--search", " ?! "],
                                  ["--since", "4 August"], ["--deal", "acme-globex"]],
                         ids=" ".join)
def test_a_bad_value_is_refused_in_one_line(talks: tuple[Path, str], args: list[str]) -> None:
    config, _ = talks
    result = run(config, "articles", *args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1, result.output


def test_an_unknown_deal_is_refused_naming_the_configured_ones(talks: tuple[Path, str]) -> None:
    config, _ = talks
    result = run(config, "articles", "--deal", "acme-globex")
    assert "unknown deal 'acme-globex'" in result.output
    assert "microsoft-tiktok, microsoft-activision" in result.output


def test_a_hostile_title_is_escaped_in_the_table_and_in_explain(tmp_path: Path) -> None:
    hostile = ("evil", "TikTok \u202eexe.tnemeerga\u202c: Microsoft enters talks to buy TikTok",
               "<p>Microsoft has entered talks to buy TikTok.\u2066</p>", "2020-08-02T10:00")
    config = polled(tmp_path, [hostile])
    for output in (ok(config, "articles"), ok(config, "explain", logged(config)[0]["event_id"])):
        assert "\u202e" not in output and "\u2066" not in output
        assert "\\u202e" in output
    listed = ok(config, "articles", "--format", "json")
    assert "\u202e" not in listed and json.loads(listed)[0]["title"].startswith("TikTok \u202e")
