"""`tracker feeds add/list/remove/import/export`: the config edited in place, OPML read
from other readers and from hostile files, through the command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.feeds import NEWS, rss
from tracker.cli import cli

ANNOTATED = """\
# Feeds for the morning report.
[tracker]
database = "tracker.db"

# French business press
[[feeds]]
name = "lemonde-eco"   # the full-text feed
url = "https://www.lemonde.fr/economie/rss_full.xml"
language = "fr"

# wires, in English
[[feeds]]
name = "wire"
url = "https://wire.example/deals.rss"

[[deals]]
id = "microsoft-tiktok"
acquirer = "Microsoft"
target = "TikTok"
"""

#: An export as a reader writes it: OPML 1.0, folders in folders, `xmlUrl` spelt two
#: ways, a feed listed twice (in two folders, its host in capitals), a web page link and
#: a feed with no usable URL.
READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions in Some Reader</title></head>
  <body>
    <outline text="Business" title="Business">
      <outline type="rss" text="Le Monde - Economie" title="Le Monde - Economie"
               xmlUrl="https://www.lemonde.fr/economie/rss_full.xml"
               htmlUrl="https://www.lemonde.fr/economie/"/>
      <outline text="Deals">
        <outline type="rss" text="Deal wire" xmlurl="https://deals.example/feed.xml"
                 language="en-US"/>
        <outline type="rss" text="Tech" xmlUrl="https://deals.example/tech.xml"/>
      </outline>
    </outline>
    <outline text="Tech">
      <outline type="rss" text="Tech" xmlUrl="https://gadgets.example/rss"/>
      <outline type="rss" text="Deal wire again" xmlUrl="https://DEALS.example/feed.xml"/>
      <outline type="rss" title="" xmlUrl="https://untitled.example/atom"/>
      <outline type="link" text="A web page" url="https://example.org/"/>
      <outline type="rss" text="Scripted" xmlUrl="javascript:alert(1)"/>
    </outline>
  </body>
</opml>
"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<opml version="2.0"><body><outline text="&d;" xmlUrl="https://x.example/"/></body></opml>
"""
LOCAL_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&secret;" xmlUrl="https://x.example/"/></body></opml>
"""
HOSTILE = {
    "malformed": (b'<opml version="2.0"><body><outline text="a" xmlUrl="https://a.example/">'
                  b"</body></opml>", "not valid XML (mismatched tag, line 1)"),
    "entity expansion": (LAUGHS, "has a DOCTYPE or entity definitions"),
    "external entity": (LOCAL_FILE, "has a DOCTYPE or entity definitions"),
    "not opml": (rss(NEWS), "not an OPML file (its root is <rss>)"),
    "binary": (b"\x00\xff\xfe garbage", "not valid XML"),
    "empty": (b"", "not valid XML (no element found, line 1)"),
    "no feeds": (b'<opml version="2.0"><head/><body><outline text="Empty folder"/></body>'
                 b"</opml>", "no feed in it (no outline with an xmlUrl)"),
    "huge": (b'<opml version="2.0"><body>' + b" " * 10_000_001 + b"</body></opml>",
             "too large for a subscription list"),
}


def run(config: Path, *args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=input)


def ok(config: Path, *args: str, input: bytes | None = None) -> Result:
    result = run(config, *args, input=input)
    assert result.exit_code == 0, result.output
    return result


def comments(text: str) -> list[str]:
    return [line[line.index("#"):] for line in text.splitlines() if "#" in line]


def feeds_of(config: Path) -> list[dict[str, str]]:
    return tomllib.loads(config.read_text(encoding="utf-8")).get("feeds", [])


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text(ANNOTATED, encoding="utf-8")
    return path


@pytest.fixture
def empty_config(tmp_path: Path) -> Path:
    path = tmp_path / "empty" / "tracker.toml"
    path.parent.mkdir()
    path.write_text("# nothing yet\n[tracker]\ntimezone = \"UTC\"\n", encoding="utf-8")
    return path


def test_comments_survive_an_add_and_a_remove(config: Path) -> None:
    ok(config, "feeds", "add", "figaro", "https://www.lefigaro.fr/rss/figaro_economie.xml",
       "--language", "fr", "--full-text", "always")
    ok(config, "feeds", "remove", "lemonde-eco")
    text = config.read_text(encoding="utf-8")
    assert comments(text) == [c for c in comments(ANNOTATED) if c != "# the full-text feed"]
    assert feeds_of(config) == [
        {"name": "wire", "url": "https://wire.example/deals.rss"},
        {"name": "figaro", "url": "https://www.lefigaro.fr/rss/figaro_economie.xml",
         "language": "fr", "full_text": "always"}]
    assert text.index('name = "figaro"') < text.index("[[deals]]")


def test_a_duplicate_name_or_url_is_refused_and_nothing_written(config: Path) -> None:
    same_name = run(config, "feeds", "add", "wire", "https://other.example/rss")
    same_url = run(config, "feeds", "add", "again", "https://wire.example/deals.rss")
    assert (same_name.exit_code, same_url.exit_code) == (1, 1)
    assert same_name.output == f"Error: feed 'wire' is already in {config}\n"
    assert same_url.output == (f"Error: feed 'wire' in {config} already reads"
                               " https://wire.example/deals.rss\n")
    assert config.read_text(encoding="utf-8") == ANNOTATED


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://files.example/feed", "Error: URL: expected an http(s) URL or a feed file"),
    ("https://", "Error: URL: expected an http(s) URL, got 'https://'"),
    ("missing.xml", "Error: URL: no such file"),
])
def test_a_bad_url_is_one_line_and_nothing_written(config: Path, url: str,
                                                   message: str) -> None:
    result = run(config, "feeds", "add", "x", url)
    assert result.exit_code == 1
    assert result.output.startswith(message) and len(result.output.splitlines()) == 1
    assert config.read_text(encoding="utf-8") == ANNOTATED


def test_a_feed_file_is_written_relative_to_the_config_folder(config: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    (config.parent / "feeds").mkdir()
    (config.parent / "feeds" / "local.xml").write_bytes(rss(NEWS))
    monkeypatch.chdir(config.parent / "feeds")
    ok(config, "feeds", "add", "local", "local.xml")
    assert feeds_of(config)[-1] == {"name": "local", "url": "feeds/local.xml"}


def test_list_shows_health_after_a_poll(config: Path, tmp_path: Path) -> None:
    (tmp_path / "good.xml").write_bytes(rss(NEWS))
    config.write_text('[tracker]\ntimezone = "Europe/Paris"\n\n[[feeds]]\nname = "good"\n'
                      'url = "good.xml"\n\n[[feeds]]\nname = "gone"\nurl = "gone.xml"\n'
                      '\n[[feeds]]\nname = "new"\nurl = "https://new.example/rss"\n',
                      encoding="utf-8")
    CliRunner().invoke(cli, ["--config", str(config), "poll"])
    config.write_text(config.read_text().replace("https://new.example/rss", "new.xml"))
    listed = {f["name"]: f for f in json.loads(ok(config, "feeds", "list", "--format",
                                                  "json").output)}
    assert listed["good"]["last_success_at"] and listed["good"]["error_count"] == 0
    assert listed["gone"]["error_count"] == 1 and "gone.xml" in listed["gone"]["last_error"]
    assert listed["gone"]["next_poll_at"] > listed["gone"]["last_error_at"]
    assert listed["new"]["polled"] is False  # its URL changed: what was polled is not it
    table = ok(config, "feeds", "list").output.splitlines()
    assert table[0].split()[:4] == ["NAME", "URL", "LANG", "LAST"]
    gone = next(line for line in table if line.startswith("gone"))
    assert re.search(r" 1 +\d{4}-\d\d-\d\d \d\d:\d\d ", gone)  # one failure, a retry time
    assert "never polled" in next(line for line in table if line.startswith("new"))


def test_list_with_no_database_lists_the_config_and_creates_nothing(config: Path) -> None:
    result = run(config, "feeds", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "No database at" in result.output  # on stderr, mixed in by CliRunner
    assert not (config.parent / "tracker.db").exists()
    listed = json.loads(result.output[result.output.index("["):])
    assert [f["name"] for f in listed] == ["lemonde-eco", "wire"]


def test_an_export_of_another_reader_imports(empty_config: Path, tmp_path: Path) -> None:
    export = tmp_path / "reader.opml"
    export.write_bytes(READER_EXPORT)
    result = ok(empty_config, "feeds", "import", str(export))
    assert result.output == (f"Imported 5 feed(s) from {export} into {empty_config}"
                             " (1 duplicate(s) skipped, 1 without an http(s) or file URL"
                             " skipped).\n")
    assert feeds_of(empty_config) == [
        {"name": "Le Monde - Economie", "url": "https://www.lemonde.fr/economie/rss_full.xml"},
        {"name": "Deal wire", "url": "https://deals.example/feed.xml", "language": "en"},
        {"name": "Tech", "url": "https://deals.example/tech.xml"},
        {"name": "Tech (2)", "url": "https://gadgets.example/rss"},
        {"name": "untitled.example", "url": "https://untitled.example/atom"},
    ]
    assert empty_config.read_text(encoding="utf-8").startswith("# nothing yet\n")


def test_importing_again_skips_every_feed_and_writes_nothing(empty_config: Path,
                                                             tmp_path: Path) -> None:
    export = tmp_path / "reader.opml"
    export.write_bytes(READER_EXPORT)
    ok(empty_config, "feeds", "import", str(export))
    before = empty_config.read_bytes()
    again = ok(empty_config, "feeds", "import", str(export)).output
    assert again.startswith("Imported 0 feed(s)") and "6 duplicate(s) skipped" in again
    assert empty_config.read_bytes() == before


def test_export_then_import_into_an_empty_config_round_trips(config: Path,
                                                             empty_config: Path) -> None:
    ok(config, "feeds", "add", "figaro", "https://www.lefigaro.fr/rss/figaro_economie.xml",
       "--full-text", "never")
    exported = ok(config, "feeds", "export").output
    assert exported.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"')
    ok(empty_config, "feeds", "import", "-", input=exported.encode())
    assert feeds_of(empty_config) == feeds_of(config)
    assert ok(empty_config, "feeds", "export").output.split("<body>")[1] == \
        exported.split("<body>")[1]


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_opml_file_is_one_line_and_changes_nothing(config: Path, tmp_path: Path,
                                                             kind: str) -> None:
    content, message = HOSTILE[kind]
    path = tmp_path / "hostile.opml"
    path.write_bytes(content)
    result = run(config, "feeds", "import", str(path))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: ") and message in result.output
    assert len(result.output.splitlines()) == 1
    assert config.read_text(encoding="utf-8") == ANNOTATED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.opml", "tracker.toml"]


def test_control_characters_in_titles_never_reach_the_config(empty_config: Path) -> None:
    # XML 1.0 allows no C0 control but these: a C1 CSI, a bidi override, a line break
    opml = ('<opml version="2.0"><body><outline text="Evil\x9b2J&#10;name\u202e"'
            ' xmlUrl="https://evil.example/rss"/><outline text="spaced"'
            ' xmlUrl="https://evil.example/a b"/></body></opml>')
    ok(empty_config, "feeds", "import", "-", input=opml.encode())
    assert [f["name"] for f in feeds_of(empty_config)] == ["Evil\\x9b2J name\\u202e"]


def test_the_completion_of_feed_names_reads_the_config(config: Path) -> None:
    env = {**os.environ, "_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS":
           f"tracker --config {config} feeds remove w", "COMP_CWORD": "5"}
    done = subprocess.run([sys.executable, "-m", "tracker"], env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["plain,wire"]


def test_a_windows_1252_export_in_a_default_namespace_imports(empty_config: Path) -> None:
    opml = ('<?xml version="1.0" encoding="windows-1252"?>\n<opml xmlns="http://opml.org/spec2"'
            ' version="2.0"><body><outline text="Économie – Les Échos"'
            ' xmlUrl="https://lesechos.example/rss"/></body></opml>').encode("cp1252")
    ok(empty_config, "feeds", "import", "-", input=opml)
    assert feeds_of(empty_config) == [{"name": "Économie – Les Échos",
                                       "url": "https://lesechos.example/rss"}]


def test_export_piped_into_import_in_real_processes(config: Path, empty_config: Path) -> None:
    command = [sys.executable, "-m", "tracker", "--config"]
    exported = subprocess.run([*command, str(config), "feeds", "export"], capture_output=True,
                              check=True)
    imported = subprocess.run([*command, str(empty_config), "feeds", "import", "-"],
                              input=exported.stdout, capture_output=True, text=False)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.decode() == f"Imported 2 feed(s) from - into {empty_config}.\n"
    assert feeds_of(empty_config) == feeds_of(config)
