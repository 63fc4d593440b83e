"""The vocabulary: every word and wording extraction looks for, read from the lexicon.

One TOML file per language in `tracker/extract/lexicon/` (and `common.toml` for what
every language shares: regulators, courts, governments). A file holds `language`,
`[fragments]` (named pieces of patterns) and tables of entries, one line each:

    [stage.abandoned]
    'call~ off' = "Acme called off its bid for Globex."
    'could' = { example = "Acme could drop its bid.", expect = "none" }

The key is a pattern (`tracker.extract.patterns`), the value its example sentence, or
a table with the example, what it must give (`expect`) and a `value` (a month's
number, a label). `tests/test_lexicon.py` reads every example with the extractor.
Loading refuses a kind the engine does not know, a pattern twice, one that does not
compile and one holding characters folded text never contains.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tracker.errors import TrackerError
from tracker.extract.patterns import PatternError, compile_source

#: Every kind of entry the engine reads, with what it is for. A kind in a file but not
#: here is a typo (refused); a kind here without entries fails `tests/test_lexicon.py`.
KINDS: dict[str, str] = {
    # what makes a sentence worth reading, and who can rule on a deal
    "words.deal": "nouns and verbs that make a sentence about a deal",
    "words.deal_noun": "nouns that name a deal: with one, naming the buyer is enough",
    "words.anaphora": "a noun phrase pointing back to the article's deal",
    "words.authority": "regulators, courts and governments: their acts move a deal's status",
    "words.court": "courts and judges: only they dismiss a case or a bid to block a deal",
    "words.not_authority": "boards, which approve without being regulators",
    "words.decision": "words of a decision or a date to meet",
    # one table per reading of a sentence: the stage it reports
    **{f"stage.{reading}": f"wordings that report {reading.replace('_', ' ')}" for reading in (
        "court_dismissal", "rejection", "abandoned", "completed", "blocked", "approved",
        "under_review", "agreed", "negotiating")},
    # what changes what a stage wording means
    "cue.rumor": "the news is reported, not confirmed: talks and agreements become rumored",
    "cue.confirm": "the news is confirmed: a rumour cue does not apply",
    "cue.denial": "a denial: the sentence reports no stage",
    "cue.negation": "a negation just before the wording: not the stage",
    "cue.ended": "a verb of ending just before the wording: what it names is over",
    "cue.modal": "a possibility, a plan or a condition before the wording: not yet the stage",
    "cue.before": "before, ahead of: what follows has not happened yet",
    "cue.expected": "an act expected ('will', 'is set to'): a ruling expected means a review",
    "cue.purpose": "to/pour before the wording: an aim, not yet the stage",
    "cue.unmodal": "voted to, decided to: the act is done, whatever follows",
    "cue.reported": "reported speech of a firm plan: 'said it would open a probe'",
    "cue.condition": "if, unless, whether: the clause is hypothetical",
    "cue.unless": "unless: the whole clause is hypothetical",
    "cue.pluperfect": "had, avait: a relative clause in the pluperfect is background",
    "cue.past_perfect": "had, avait just before the wording: it tells what happened before",
    "cue.market": "what a share price moved by, right after the wording: a price, not a deal",
    "cue.reporting": "said, announced: a pluperfect after it is reported news, not background",
    "cue.shares": "shares, a stock index: a clause about them may be about a price move",
    "cue.relative": "which, qui: a relative clause describes a party, not news",
    "cue.voters": "shareholders: they can approve or reject without a regulator",
    "cue.ignored": "phrases that look like a stage but are not: 'termination fee'",
    "cue.after": "after, following: what follows may be the past the news builds on",
    "cue.just_after": "the word before 'after' that keeps what follows fresh ('hours after')",
    "cue.span": "a span of time before 'after': what follows is the past ('weeks after')",
    "cue.recalled": "'after the ...': a noun phrase recalling the past",
    "cue.negated_news": "an abandonment that is a negation ('no longer'): the negation is news",
    # dates: the words of a day and of a span of time (dates.py)
    "date.month": "month names, each with its number as `value`",
    "date.weekday": "weekday names, allowed before a date: 'le samedi 16 janvier'",
    "date.number": "number words of a period ('thirty days'), each with its `value`",
    "date.unit": "units of a period, each with its `value`: days, business_days, weeks...",
    "date.time": "a time of day between a cue and a date: 'by 5 p.m. on May 10'",
    "date.range": "the start of a span up to the word before its last day: 'du 3 au'",
    "date.past": "markers that date a clause before the article: 'last year', 'l'an dernier'",
    # deadlines: what makes a date or a period one to meet (deadlines.py, labels.py)
    "deadline.cue_before": "just before a date: it is a date to meet ('by', 'd'ici le')",
    "deadline.cue_after": "just after a date: 'at the latest', 'termination date'",
    "deadline.weak_cue": "'on', 'le' before a date: a deadline when a decision or act is due",
    "deadline.decision": "what is decided on a day ('ruling', 'verdict'): with a weak cue",
    "deadline.due_act": "an act done on a set day ('close', 'sera clôturée'): with a weak cue",
    "deadline.meeting": "a shareholders' meeting: its day decides a bid",
    "deadline.past_verb": "a verb of something done just before a date: no weak cue",
    "deadline.extension": "a date being moved: the old one is replaced",
    "deadline.extended_to": "'to', 'au' before the new date of a moved deadline",
    "deadline.replaced": "before the old date of a moved deadline: 'from', 'au lieu du'",
    "deadline.previous": "a date the text calls previous or initial: not one to meet",
    "deadline.period_strong": "before a period that counts forward: 'within', 'dans un délai de'",
    "deadline.period_given": "a period given to someone ('has 30 days'): needs a purpose after",
    "deadline.period_weak": "'in 45 days': a deadline only after a future verb",
    "deadline.purpose": "after a given period, what it is for: 'to', 'pour'",
    "deadline.future": "before a bare period, a verb that looks ahead: 'will', 'expects to'",
    "deadline.elapsed": "after any period, time already spent: 'ago', 'qui ont suivi'",
    "deadline.spent": "after a given or bare period, time spent: 'of talks', 'after'",
    "deadline.superlative": "before 'in 20 years', a span of history: 'largest', 'first'",
    "deadline.label": "what is due, with its English label as `value` (ranked in labels.py)",
    "deadline.party": "who must act, as `value`: court, regulator, government, shareholders, offer",
    # who said a quotation: the words of attribution (read by tracker/extract/attribution.py)
    "statement.verb": "verbs that attribute a quotation: said, added, a déclaré, précise",
    "statement.auxiliary": "auxiliaries of a compound speech verb: has said, a déclaré, s'est",
    "statement.intro": "words putting a speaker before a comma and a quotation: selon, for",
    "statement.aside": "words between an inverted speech verb and its speaker: mardi, toutefois",
    "statement.role": "what a person is: chief executive, PDG, ministre, judge",
    "statement.spokesperson": "people who speak for their organisation: its words, not theirs",
    "statement.unnamed": "sources and advisers: their quotations are nobody's statement",
    "statement.company": "a party named by what it is: the company, le groupe, le géant du luxe",
    "statement.regulator": "an authority named by what it is: the regulator, l'exécutif",
    "statement.document": "a text that speaks for its author: the statement, le communiqué",
    "statement.joint": "several parties at once: the two companies, les deux groupes",
    "statement.pronoun": "pronouns that stand for a speaker named before",
    "statement.not_name": "capitalised words that do not begin a name: The, Puisque, Monday",
    "statement.honorific": "titles before a person's name: Mr, Mme, Dr",
    "statement.org_word": "words that make a capitalised name an organisation, not a person",
    "statement.particle": "lower-case words inside a person's name: de, van, von",
    "statement.topic": "words that make a quotation speak of a deal, beside the deal words",
    "statement.preposition": "prepositions: a name after one is a complement, not a speaker",
    "statement.off_topic": "what a party says about something else: results, products, outages",
}
NEVER = r"(?!x)x"


class LexiconError(TrackerError):
    """A lexicon file cannot be used: named with the entry and what is wrong."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One wording of the lexicon: its pattern, compiled, and its example."""

    kind: str
    source: str
    regex: str
    example: str
    expect: str | None
    value: str | int | None
    language: str
    file: str


class Lexicon:
    """The loaded entries, by kind, with one compiled pattern per kind."""

    def __init__(self, entries: list[Entry], fragments: dict[str, str]) -> None:
        self._entries = entries
        self.fragments = fragments
        self._by_kind: dict[str, list[Entry]] = {}
        for entry in entries:
            self._by_kind.setdefault(entry.kind, []).append(entry)

    def entries(self, kind: str | None = None) -> list[Entry]:
        """Entries of `kind` in file order (every entry without a kind)."""
        return list(self._entries) if kind is None else list(self._by_kind.get(kind, ()))

    def regex(self, kind: str) -> str:
        """One regular expression matching any entry of `kind` (none: never matches)."""
        regexes = [entry.regex for entry in self._by_kind.get(kind, ())]
        if not regexes:
            return NEVER
        # every entry starts with \b: test it once for all of them
        return r"\b(?:" + "|".join(r.removeprefix(r"\b") for r in regexes) + ")"

    @cache  # noqa: B019 - one lexicon per process, kept for its lifetime
    def compiled(self, kind: str) -> re.Pattern[str]:
        """`regex(kind)`, compiled."""
        return re.compile(self.regex(kind))

    def value_of(self, kind: str, text: str) -> str | int | None:
        """The value of the first entry of `kind` that matches all of `text`."""
        for entry in self._by_kind.get(kind, ()):
            if re.fullmatch(entry.regex, text):
                return entry.value
        return None

    def entry_at(self, kind: str, folded: str, at: int) -> Entry | None:
        """The first entry of `kind` that matches folded text at offset `at`: the
        wording behind a reading, named in its provenance."""
        for entry in self._by_kind.get(kind, ()):
            if _compiled(entry.regex).match(folded, at):
                return entry
        return None

    def fragment(self, name: str) -> str:
        """A fragment, expanded to a regular expression (for the engine's own patterns)."""
        from tracker.extract.patterns import expand

        return "(?:" + expand(self.fragments[name], self.fragments) + ")"


@cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def lexicon_folder() -> Path:
    """Where the bundled lexicon files are."""
    return Path(str(resources.files("tracker.extract") / "lexicon"))


def load_lexicon(folder: Path | None = None) -> Lexicon:
    """Read, check and compile every `*.toml` of `folder` (default: the bundled one)."""
    folder = folder or lexicon_folder()
    raws = [(path, _read(path)) for path in sorted(folder.glob("*.toml"))]
    if not raws:
        raise LexiconError(f"{folder}: no lexicon files (*.toml)")
    fragments: dict[str, str] = {}
    for path, raw in raws:
        for name, source in raw.get("fragments", {}).items():
            if name in fragments:
                raise LexiconError(f"{path.name}: [fragments].{name}: defined twice")
            if not isinstance(source, str):
                raise LexiconError(f"{path.name}: [fragments].{name}: must be a string")
            fragments[name] = source
    entries: list[Entry] = []
    seen: dict[tuple[str, str], str] = {}
    for path, raw in raws:
        for entry in _entries(path, raw, fragments):
            key = (entry.kind, entry.regex)
            if key in seen:
                raise LexiconError(f"{path.name}: [{entry.kind}] {entry.source!r}: already in"
                                   f" {seen[key]}")
            seen[key] = path.name
            entries.append(entry)
    loaded = Lexicon(entries, fragments)
    _compile_kinds(loaded)
    return loaded


def _compile_kinds(loaded: Lexicon) -> None:
    """Compile each kind's joined pattern once; on an error, name the entry at fault."""
    for kind in {entry.kind for entry in loaded.entries()}:
        try:
            loaded.compiled(kind)
        except re.error:
            for entry in loaded.entries(kind):
                try:
                    re.compile(entry.regex)
                except re.error as error:
                    raise LexiconError(f"{entry.file}: [{kind}] {entry.source!r}: {entry.source!r}"
                                       f" does not compile: {error}") from None
            raise


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise LexiconError(f"{path}: cannot read: {error}") from None
    if not isinstance(raw.get("language"), str):
        raise LexiconError(f"{path.name}: language: missing (fr, en, or * for all)")
    return raw


def _entries(path: Path, raw: dict[str, Any], fragments: dict[str, str]) -> list[Entry]:
    found = []
    for group, tables in raw.items():
        if group in ("language", "fragments"):
            continue
        if not isinstance(tables, dict):
            raise LexiconError(f"{path.name}: {group}: expected tables like [{group}.kind]")
        for name, table in tables.items():
            kind = f"{group}.{name}"
            if kind not in KINDS:
                raise LexiconError(f"{path.name}: [{kind}]: not a kind the engine reads")
            if not isinstance(table, dict):
                raise LexiconError(f"{path.name}: [{kind}]: expected a table")
            found += [_entry(path, raw["language"], kind, source, value, fragments)
                      for source, value in table.items()]
    return found


def _entry(path: Path, language: str, kind: str, source: str, value: Any,
           fragments: dict[str, str]) -> Entry:
    where = f"{path.name}: [{kind}] {source!r}"
    spec = {"example": value} if isinstance(value, str) else value
    if not isinstance(spec, dict) or not isinstance(spec.get("example"), str) \
            or not spec["example"].strip():
        raise LexiconError(f"{where}: needs an example sentence")
    unknown = set(spec) - {"example", "expect", "value"}
    if unknown:
        raise LexiconError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    try:
        regex = compile_source(source, fragments)
    except PatternError as error:
        raise LexiconError(f"{where}: {error}") from None
    return Entry(kind, source, regex, spec["example"], spec.get("expect"), spec.get("value"),
                 language, path.name)


@cache
def lexicon() -> Lexicon:
    """The bundled lexicon, loaded once per process."""
    return load_lexicon()
