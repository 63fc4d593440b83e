"""The lexicon: every entry's example read by the extractor gives what the entry says,
and the loader refuses what would silently never work."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.extract import Extractor
from tracker.extract.text import fold
from tracker.extract.vocabulary import Entry, LexiconError, lexicon, load_lexicon
from tracker.model import Article, Deal

#: The deal every example speaks of: Acme buys Globex from Initech.
EXAMPLE_DEAL = Deal(id="acme-globex", title="Acme / Globex", acquirer="Acme", target="Globex",
                    seller="Initech")
#: When every example was published: dates in examples are read from this day.
PUBLISHED = datetime(2021, 3, 1, 12, 0, tzinfo=UTC)
#: What an example of each group gives when its entry says nothing (`expect`).
DEFAULT_EXPECT = {"stage": None, "words": "any", "cue": None}
#: A reading of a sentence that is a stage of its own when nothing else is said.
READING_STAGE = {"court_dismissal": "approved", "rejection": "abandoned"}

EXTRACTOR = Extractor([EXAMPLE_DEAL])
ENTRIES = lexicon().entries()


def read(entry: Entry) -> dict[str, set[str]]:
    """What the extractor reads in the entry's example: stages, dues and speakers."""
    language = entry.language if entry.language in ("fr", "en") else "en"
    article = Article(feed="lexicon", key=entry.source, link="https://example.org/lexicon",
                      title="", text=entry.example, published=PUBLISHED, language=language)
    found: dict[str, set[str]] = {"negotiation": set(), "deadline": set(), "statement": set()}
    for event in EXTRACTOR.extract(article):
        data = event.data()
        if event.type == "negotiation":
            found["negotiation"].add(data["stage"])
        elif event.type == "deadline":
            found["deadline"].add(data["due"])
        elif event.type == "statement":
            found["statement"].add(f"{data['speaker']} | {data['organization'] or ''}")
    return found


def expected(entry: Entry) -> str | None:
    """What the entry's example must give, as written in the lexicon or by its group."""
    group, _, name = entry.kind.partition(".")
    if entry.expect is not None:
        return entry.expect
    if group == "stage":
        return READING_STAGE.get(name, name)
    return DEFAULT_EXPECT.get(group)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.file}:{e.kind}:{e.source}")
def test_every_example_holds_its_own_pattern(entry: Entry) -> None:
    import re

    assert re.search(entry.regex, fold(entry.example)), (entry.example, entry.regex)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.file}:{e.kind}:{e.source}")
def test_every_example_gives_what_its_entry_says(entry: Entry) -> None:
    want = expected(entry)
    assert want is not None, f"[{entry.kind}] {entry.source!r} needs an `expect`"
    found = read(entry)
    if want == "any":
        assert any(found.values()), found
    elif want == "none":
        assert not found["negotiation"], found
    elif want in ("no deadline", "no statement"):
        assert not found[want.removeprefix("no ")], found
    elif want[:4].isdigit():  # a due date
        assert want in found["deadline"], found
    elif want.startswith("said by "):
        speaker = want.removeprefix("said by ")
        assert any(speaker in said for said in found["statement"]), found
    else:
        assert found["negotiation"] == {want}, found


def write(folder: Path, text: str, name: str = "xx.toml") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_pattern_that_does_not_compile_is_refused(tmp_path: Path) -> None:
    folder = write(tmp_path / "lex", 'language = "en"\n[stage.abandoned]\n'
                   "'call~ (off' = \"Acme called off its bid.\"\n")
    with pytest.raises(LexiconError, match=r"xx.toml: \[stage.abandoned\] 'call~ \(off'"):
        load_lexicon(folder)


def test_an_entry_that_breaks_its_kinds_pattern_is_named(tmp_path: Path) -> None:
    folder = write(tmp_path / "lex", 'language = "en"\n[stage.abandoned]\n'
                   "'scrap~' = \"Acme scrapped its bid.\"\n"
                   "'drop{3,1}' = \"Acme dropped its bid.\"\n")
    with pytest.raises(LexiconError, match=r"\[stage.abandoned\] 'drop\{3,1\}'.*does not compile"):
        load_lexicon(folder)


def test_parentheses_pair_up_within_each_entry(tmp_path: Path) -> None:
    # joined, the two would pair up and make one wrong pattern out of both
    folder = write(tmp_path / "lex", 'language = "en"\n[stage.abandoned]\n'
                   "'call~ (off' = \"Acme called off its bid.\"\n"
                   "'off) now' = \"Acme dropped its bid now.\"\n")
    with pytest.raises(LexiconError, match=r"'call~ \(off'.*unbalanced"):
        load_lexicon(folder)


def test_characters_folded_text_never_holds_are_refused(tmp_path: Path) -> None:
    folder = write(tmp_path / "lex", 'language = "fr"\n[stage.abandoned]\n'
                   "'avorté' = \"Le rachat de Globex par Acme a avorté.\"\n")
    with pytest.raises(LexiconError, match="folded text never contains"):
        load_lexicon(folder)


def test_a_pattern_given_twice_is_refused_even_across_files(tmp_path: Path) -> None:
    folder = write(tmp_path / "lex", 'language = "en"\n[stage.abandoned]\n'
                   "'scrap~' = \"Acme scrapped its bid.\"\n", "a.toml")
    write(folder, 'language = "fr"\n[stage.abandoned]\n'
          "'scrap~' = \"Acme a scrappé son offre.\"\n", "b.toml")
    with pytest.raises(LexiconError, match="already in a.toml"):
        load_lexicon(folder)


def test_an_entry_without_example_or_of_unknown_kind_is_refused(tmp_path: Path) -> None:
    folder = write(tmp_path / "one", 'language = "en"\n[stage.abandoned]\n'
                   "'scrap~' = { expect = \"abandoned\" }\n")
    with pytest.raises(LexiconError, match="needs an example"):
        load_lexicon(folder)
    folder = write(tmp_path / "two", 'language = "en"\n[stage.abandonned]\n'
                   "'scrap~' = \"Acme scrapped its bid.\"\n")
    with pytest.raises(LexiconError, match="not a kind the engine reads"):
        load_lexicon(folder)


def test_every_kind_the_engine_reads_has_entries() -> None:
    from tracker.extract.vocabulary import KINDS

    used = {entry.kind for entry in ENTRIES}
    assert set(KINDS) - used == set()
