"""Statements: each quotation of an article, attributed to a speaker and tied to its deals.

A quotation's speaker is looked for where journalists put one, in this order: before
it with a speech verb or "selon X," (in the same clause); right after it (", a
déclaré X", ", X said", ", X, chairman of Y"); at the end of its sentence; before a
colon; inside a quotation left open by mistake; in the sentence before when that one
ends with a colon; or, for a quotation that follows another one, the same speaker.
What the text names by description ("the company", "l'exécutif bruxellois", "he",
"the judge") is then resolved against the article: the organisation or person that is
the subject of the nearest sentence before. Unnamed sources give no statement.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from tracker.extract.matching import ACQUIRER, SELLER, TARGET, DealIndex
from tracker.extract.statements import (
    Phrase,
    Quote,
    Speaker,
    Token,
    compiled,
    find_quotes,
    inverted_pronoun,
    is_word,
    name_runs,
    person_name,
    read_phrase,
    speech_verb,
    split_elisions,
    tokens,
    verbs_in,
    words,
)
from tracker.extract.text import fold
from tracker.extract.vocabulary import lexicon
from tracker.text import guess_language

if TYPE_CHECKING:
    from tracker.extract.extractor import _Reading

#: Records one statement: the deal's number, the evidence, and the event's fields.
AddStatement = Callable[..., None]

#: How far before a quotation its speech verb may be ("X said that the board ... “...”").
VERB_REACH = 250
#: A quotation shorter than this, inside a sentence of the writer's, is a fragment.
FRAGMENT_WORDS = 6
#: How many sentences back a pronoun or a description may point.
LOOK_BACK = 6

_AUTHORITY = lexicon().compiled("words.authority")
_ABOUT_DEAL = [lexicon().compiled(kind) for kind in ("words.deal", "words.deal_noun",
                                                     "words.anaphora", "statement.topic")]
_DATELINE = re.compile(r"[A-Z][A-Za-z .'-]{1,40}(?:,[^\n\u2013\u2014-]{1,30})?\s*"
                       r"(?:\([^)\n]{1,30}\))?\s*[-\u2013\u2014]+\s+")
#: A part that is a relative clause: "AT&T, which sees the deal as a way to compete,".
_RELATIVE_START = re.compile(r"\s*(?:which|who|whose|qui|dont|lequel|laquelle)\b")
#: A relative clause between a verb and a quotation: the quotation is the clause's.
_RELATIVE_CLAUSE = re.compile(r",\s*(?:qui|which|who|dont|where|lequel|laquelle)\b")
_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)|[.!?](?=[\"\u00ab\u201c])"
                           r"|(?<=[a-z)\]%])[.!?](?=[A-Z\u00c0-\u00de])")


@dataclass(frozen=True, slots=True)
class _Span:
    """A sentence of the article, cut where a line ends or a full stop is glued to the next
    word ("Delaware.Jefferies"); `owner` is the extractor's sentence it lies in."""

    start: int
    end: int
    owner: int


@dataclass(slots=True)
class _Said:
    """A statement found so far: its quotation, speaker, and the sentence it is in."""

    quote: Quote
    speaker: Speaker
    sentence: int


@dataclass(slots=True)
class _Book:
    """What attribution knows of one article: its lines, people, parties and statements."""

    r: _Reading
    index: DealIndex
    lines: list[tuple[int, int]]
    spans: list[_Span]
    parties: list[tuple[int, int, str, bool]]  # start, end, name, True
    said: list[_Said] = field(default_factory=list)
    org_of: dict[str, str] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)
    _persons: dict[str, str] | None = None
    _orgs: list[tuple[int, int, str, bool]] | None = None
    #: The language of the sentence being read: which speech verbs to look for.
    language: str = "en"
    _written_at: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def organization_of(self, name: str) -> str | None:
        """The organisation the article gives a person by a title or an apposition."""
        self._people()
        if name not in self.org_of and name in self._written_at:
            start, end, line_end = self._written_at.pop(name)
            _learn_organization(self, name, start, end, line_end)
        return self.org_of.get(name)


    def org_at(self, start: int, end: int, *, parties: bool = False) -> str | None:
        """The organisation named at [start, end): a party (or an authority)."""
        for s, e, name, party in (self.parties if parties else self.orgs):
            if s < end and start < e and (party or not parties):
                return name
        return None

    def classify(self, name: list[Token]) -> str:
        """ "person", "org" or "" for a capitalised run (its titles already cut off)."""
        if not name:
            return ""
        if self.org_at(name[0].start, name[-1].end, parties=True) is not None:
            return "party"
        if any(is_word("statement.org_word", t.folded.rstrip(".")) for t in name):
            return "org"
        if len(name) == 1 and self.org_at(name[0].start, name[0].end) is not None:
            return "org"  # an authority by name: "Bruxelles", "CFIUS"
        if all(t.text.isupper() or not t.text[:1].isalpha() for t in name):
            return "org"  # LVMH, TF1: acronyms are organisations
        if not name[0].capitalised:
            return "person" if self.full_name(_written(name)) else ""
        if len([t for t in name if t.capitalised]) >= 2:
            return "person"
        return "person" if self.full_name(_written(name)) else ""

    def full_name(self, name: str) -> str | None:
        """The full name of a person the article also names by surname alone."""
        if len(name.split()) > 2 or len(name.split()) == 2 and name[:1].isupper() and not (
                is_word("statement.particle", fold(name.split()[0]))):
            return None  # already a first name and a surname
        return self._people().get(_key(name))

    @property
    def orgs(self) -> list[tuple[int, int, str, bool]]:
        """The parties and authorities the article names (start, end, name, is a party),
        in order; authorities are looked for when first asked."""
        if self._orgs is None:
            self._orgs = sorted(self.parties + _authorities(self.r))
        return self._orgs

    def _people(self) -> dict[str, str]:
        """The persons the article names in full, by surname, read once when first asked."""
        if self._persons is None:
            self._persons = {}  # names read while filling it are not looked up in it
            self._persons = _persons(self)
        return self._persons


def read_statements(r: _Reading, names: DealIndex, add: AddStatement) -> None:
    """Find the article's quotations about its deals and pass each one, attributed, to `add`."""
    if not r.topical or not _ANY_MARK.search(r.text):
        return
    lines = _lines(r.text)
    quotes = [(line, quote) for line in lines for quote in find_quotes(r.text, *line)]
    if not quotes:
        return
    book = _book(r, names, lines)
    for line, quote in quotes:
        found = _read_quote(book, quote, line)
        if found is not None:
            _emit(book, *found, add)


def _read_quote(book: _Book, quote: Quote,
                line: tuple[int, int]) -> tuple[Quote, Speaker, int] | None:
    """A quotation with its resolved speaker and the sentence it is in, or None."""
    r = book.r
    index = bisect.bisect_right(book.starts, quote.start) - 1
    if index < 0:
        return None
    span = book.spans[index]
    sentence_language = guess_language(r.text[span.start:span.end])
    book.language = sentence_language or r.language
    found = _attribute(book, quote, index, *line)
    if found is None and sentence_language is None:
        # too few words to tell the language: the other one's verbs may be those used
        book.language = "fr" if book.language == "en" else "en"
        found = _attribute(book, quote, index, *line)
    if found is None:
        return None
    named, said = found
    speaker = _resolve(book, named, said, index, line[0])
    if speaker is None:
        return None
    book.said.append(_Said(said, speaker, index))  # joint speakers too: what goes on is theirs
    return (said, speaker, index) if speaker.kind not in ("joint", "unnamed") else None


def _emit(book: _Book, quote: Quote, speaker: Speaker, index: int, add: AddStatement) -> None:
    """Record a statement for each deal its sentence speaks of, when it is about the deal."""
    r = book.r
    span = book.spans[index]
    # a sentence naming another deal's party in an article about one deal is still about it
    deals = r.sentences[span.owner].deals & r.topical or (
        r.topical if len(r.topical) == 1 else set())
    deals = {n for n in deals if _about(book, quote, index, n, speaker)}
    if not deals or speaker.kind not in ("person", "org", "spokesperson", "role"):
        return
    evidence = r.text[span.start:max(span.end, quote.end)]
    language = guess_language(quote.text) or r.language
    for number in sorted(deals):
        add(number, evidence, speaker=speaker.name, organization=speaker.organization,
            quote=quote.text, language=language)


# --- the article's people and organisations --------------------------------------------


def _book(r: _Reading, index: DealIndex, lines: list[tuple[int, int]]) -> _Book:
    """What attribution needs of an article, the parts it always needs read now."""
    parties = [(m.start, m.end, _party_name(m.written), True) for m in r.mentions]
    spans = _spans(r, lines)
    return _Book(r, index, lines, spans, parties, starts=[span.start for span in spans])


def _authorities(r: _Reading) -> list[tuple[int, int, str, bool]]:
    """Regulators, courts and governments named (capitalised) in the article."""
    return [(m.start(), m.end(), r.text[m.start():m.end()], False)
            for m in _AUTHORITY.finditer(r.folded)
            if r.text[m.start()].isupper() and not _surname(r.text, m)]


_GLUED = re.compile(r"(?<=[a-z)\]%])[.!?](?=[A-Z\u00c0-\u00de])")


def _spans(r: _Reading, lines: list[tuple[int, int]]) -> list[_Span]:
    """The article's sentences, cut at line ends and at full stops glued to a capital."""
    ends = [e for _, e in lines]
    spans = []
    for owner, sentence in enumerate(r.sentences):
        start, end = sentence.span.start, sentence.span.end
        cuts = [m.end() for m in _GLUED.finditer(r.text, start, end)]
        first = bisect.bisect_right(ends, start)
        cuts += [e + 1 for e in ends[first:bisect.bisect_left(ends, end)]]
        for cut in sorted(cuts) + [end]:
            if r.text[start:cut].strip():
                spans.append(_Span(start, cut, owner))
            start = cut
    return spans


def _surname(text: str, match: re.Match[str]) -> bool:
    """Whether an authority's name is a person's surname here: "Margrethe Vestager"."""
    before = re.search(r"([A-Z\u00c0-\u00de][\w-]+)\s+$", text[max(0, match.start() - 30):
                                                              match.start()])
    if before is None or is_word("statement.org_word", fold(match.group())):
        return False
    word = fold(before.group(1))
    return not any(is_word(kind, word) for kind in (
        "statement.not_name", "statement.role", "statement.honorific", "statement.org_word"))


def _party_name(written: str) -> str:
    return written.replace("\u2019", "'").removesuffix("'s")


def _lines(text: str) -> list[tuple[int, int]]:
    """Paragraphs: feeds give one per line; a line going on in lower case continues one."""
    bounds, start = [], 0
    for match in re.finditer(r"\n+(?=\s*[^\sa-z])", text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def _written(name: list[Token]) -> str:
    return " ".join(t.text for t in name).rstrip(".,;:")


def _key(name: str) -> str:
    """A name as the deal index and the person index key it."""
    return " ".join(fold(name).replace("-", " ").split())


@cache
def _candidate_runs() -> re.Pattern[str]:
    """Two capitalised words or more in a row, maybe with a particle: a quick first look
    for people's names before reading them word by word."""
    particle = words("statement.particle").replace("'", "['\u2019]")
    capital = r"[A-Z\u00c0-\u00de][\w'\u2019\u2010\u2011.&-]*"
    return re.compile(rf"{capital}(?:[ \u00a0]+(?:(?:{particle})[ \u00a0]*)?{capital})+")


def _persons(book: _Book) -> dict[str, str]:
    """Every person named in full, by surname: "Le Maire" and "Maire" -> "Bruno Le Maire"."""
    r, persons = book.r, dict[str, str]()
    for run in _candidate_runs().finditer(r.text):
        line_end = r.text.find("\n", run.end())
        line_end = len(r.text) if line_end < 0 else line_end
        # a few words before the run: "ministre de l'Économie Bruno Le Maire"
        items = split_elisions(tokens(r.text, r.folded, max(0, run.start() - 8), run.end()))
        for i, j in name_runs(items):
            if items[i].start < run.start():
                continue
            _, name = person_name(items, i, j, r.language)
            if len(name) < 2 or not all(t.capitalised or is_word("statement.particle",
                                                                t.folded) for t in name):
                continue
            if book.classify(name) != "person" or book.org_at(name[0].start, name[-1].end,
                                                                 parties=True):
                continue
            full = _written(name)
            for k in range(1, len(name)):
                persons.setdefault(_key(_written(name[k:])), full)
            persons.setdefault(_key(full), full)
            book._written_at.setdefault(full, (items[i].start, name[-1].end, line_end))
    return persons


_APPOSITION = re.compile(r",[^,.;:\"\u00ab\u00bb\u201c\u201d]{1,80}(?=[,.;])")


def _learn_organization(book: _Book, full: str, start: int, end: int, line_end: int) -> None:
    """What a person's title or apposition says they belong to: "X, LVMH's chairman",
    "Arm chief executive X"."""
    r = book.r
    apposition = _APPOSITION.match(r.text, end, line_end)
    line_start = r.text.rfind("\n", 0, start) + 1
    title = _noun_phrase_end(book, max(line_start, start - 60), end)
    found = _phrase(book, min(start, title if title is not None else start),
                    apposition.end() if apposition else end)
    if found is not None and found.kind == "person" and found.organization:
        book.org_of.setdefault(full, found.organization)


# --- where the speaker is named --------------------------------------------------------


def _attribute(book: _Book, quote: Quote, index: int, line_start: int,
               line_end: int) -> tuple[Speaker, Quote] | None:
    """The speaker as the text names them, and the quotation (cut when it held them)."""
    r = book.r
    clause = _clause_start(r.text, max(book.spans[index].start, line_start), quote.start)
    stop = _clause_end(r.text, quote.end, line_end)
    if len(quote.text.split()) < FRAGMENT_WORDS and r.text[clause:quote.start].strip() and not (
            r.text[clause:quote.start].rstrip().endswith((":", ","))):
        return None  # a few quoted words inside the writer's sentence: "is 'on hold'"
    for reader in (_right_after, _colon, _before, _sentence_end):
        speaker = reader(book, clause, quote, stop)
        if speaker is not None:
            return speaker, quote
    inner = _inside(book, quote)
    if inner is not None:
        return inner
    if r.text[clause:quote.start].strip(" -\u2013\u2014"):
        return None
    return _from_before(book, quote, index, line_start)


def _clause_start(text: str, start: int, quote: int) -> int:
    """Where the clause holding a quotation begins: after the last sentence end before it."""
    last = start
    for match in _SENTENCE_END.finditer(text, start, quote):
        if not _abbreviation(text, match.start()):
            last = match.end()
    return last


def _clause_end(text: str, start: int, end: int) -> int:
    """Where the sentence going on after a quotation ends."""
    for match in _SENTENCE_END.finditer(text, start, end):
        if not _abbreviation(text, match.start()) and text[match.start()] != ";":
            return match.start() + 1
    return end


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` ends an initial or a title, not a sentence."""
    if text[dot] != ".":
        return False
    word = re.search(r"(\w+)$", text[max(0, dot - 6):dot])
    if not word:
        return False
    token = word.group(1)
    return (len(token) == 1 and token.isupper()) or is_word("statement.honorific", fold(token))


def _phrase(book: _Book, start: int, end: int) -> Speaker | None:
    """Who text[start:end] names, read in the sentence's language."""
    r = book.r
    return read_phrase(Phrase(r.text, r.folded, start, end, book.language), book.classify)


def _before(book: _Book, clause: int, quote: Quote, stop: int) -> Speaker | None:
    """ "X said: “...”", "Selon X, « ... »", "X said that the firm would “...”"."""
    return _intro(book, clause, quote) or _verb_before(book, clause, quote)


def _intro(book: _Book, clause: int, quote: Quote) -> Speaker | None:
    """ "Selon X, « ... »", "According to X, “...”"."""
    r = book.r
    intro = re.search(rf"(?:^|[\s,])(?:{words('statement.intro', book.language)})\s+(.+?)"
                      r"\s*,\s*$", r.folded[clause:quote.start])
    if intro is None:
        return None
    found = _phrase(book, clause + intro.start(1), clause + intro.end(1))
    return found if found is not None and found.kind != "pronoun" else None


def _verb_before(book: _Book, clause: int, quote: Quote) -> Speaker | None:
    """The subject of the last speech verb before the quotation (or, inverted, what
    follows it: "said Jane Doe, Acme's chief: “...”")."""
    r = book.r
    verbs = [v for v in verbs_in(r.text, r.folded, clause, quote.start, book.language)
             if quote.start - v.end() <= VERB_REACH and not _RELATIVE_CLAUSE.search(
                 r.folded, v.end(), quote.start)]
    if len(verbs) > 1 and re.search(r",\s*$", r.folded[clause:verbs[-1].start()]) and re.search(
            r"(?:ant|ing)$", verbs[-1].group()):
        verbs.pop()  # ", évoquant", ", adding": the subject is the sentence's own verb's
    if not verbs:
        return None
    verb = verbs[-1]
    pronoun = inverted_pronoun(verb)
    if pronoun:
        return Speaker("pronoun", pronoun)
    subject = _subject_before(book, clause, verb.start())
    if subject is not None:
        return subject
    between = r.folded[verb.end():quote.start].rstrip()
    if between.endswith((":", ",")) and len(between.split()) <= 10 and not (
            _starts_with_preposition(book, verb.end())):
        return _phrase(book, verb.end(), verb.end() + len(between) - 1)
    return None


def _subject_before(book: _Book, start: int, end: int) -> Speaker | None:
    """The subject of a verb at `end`: the last noun phrase before it, past appositions
    ("Steve Mollenkopf, CEO of Qualcomm, said") and relative clauses ("AT&T, which ...,")."""
    r = book.r
    parts = _split(r.folded, start, end)
    last = None  # where the appositions end: the phrase runs up to there
    for k in range(len(parts) - 1, -1, -1):
        s, e = parts[k]
        if _RELATIVE_START.match(r.folded, s):
            continue
        if _apposition(book, s, e):
            found = _phrase(book, s, e)
            if found is not None and found.kind in ("role", "company"):
                last = e if last is None else last
                continue
        return _subject_in(book, parts, k, e if last is None else last)
    return None


def _subject_in(book: _Book, parts: list[tuple[int, int]], k: int,
                last: int) -> Speaker | None:
    """The subject that ends part k, with its appositions up to `last`."""
    r = book.r
    s, e = parts[k]
    if compiled("statement.joint").search(r.folded, s, e):
        return Speaker("joint")  # "les deux groupes ... ont indiqué"
    np = _noun_phrase_end(book, s, e)
    if np is None or _after_preposition(book, np):
        return None  # "... l'acquisition de Tiffany, évoquant": a complement
    if re.match(r"(?:and|et)\s", r.folded[np:e]):
        return Speaker("joint")  # "Veolia et Suez ont annoncé"
    whole = not r.folded[s:np].strip()
    if whole and k > 0 and _apposition(book, *parts[k - 1]):
        np = parts[k - 1][0]  # "Le ministre de l'Industrie, Claire Morel, a dit"
    return _phrase(book, np, last)


def _split(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """The comma-separated parts of folded[start:end] that hold words."""
    bounds, at = [], start
    for match in re.finditer(r"[,:;]|\s[-\u2013\u2014]\s", folded[start:end]):
        bounds.append((at, start + match.start()))
        at = start + match.end()
    bounds.append((at, end))
    return [(s, e) for s, e in bounds if folded[s:e].strip()]


def _apposition(book: _Book, start: int, end: int) -> bool:
    """Whether a part between commas describes the name before it: "president of Acme",
    "le patron de Veolia", "Tiffany's chief executive"."""
    text = book.r.folded[start:end].strip()
    if len(text.split()) > 10:
        return False
    head = re.match(r"(?:(?:the|le|la|l'|an?|une?|son|sa|its|his|her)\s*|[\w&.-]+'s\s+)?", text)
    at = head.end() if head else 0
    return any(compiled(f"statement.{kind}").match(text, at)
               for kind in ("role", "company", "regulator"))


_NOUNS = ("role", "company", "regulator", "document", "spokesperson", "unnamed")
_DETERMINERS = frozenset("the a an le la les l' un une son sa ses its his her their leur".split())
_OF = frozenset("of de du des d' at for chez".split())


def _noun_phrase_end(book: _Book, start: int, end: int) -> int | None:
    """Where the noun phrase that ends text[start:end] begins ("... Le PDG d'AT&T Jean X")."""
    r = book.r
    items = split_elisions(tokens(r.text, r.folded, start, end))
    begin = None
    for k in range(len(items) - 1, -1, -1):
        take = _np_word(items, k, begin is not None)
        if take == "no":
            break
        begin = k
        if take == "last":
            break
    return items[begin].start if begin is not None else None


def _np_word(items: list[Token], k: int, started: bool) -> str:
    """Whether word k, read backwards, belongs to the noun phrase: "yes", "no", or "last"
    (a determiner or a pronoun: the phrase starts there)."""
    token, word = items[k], items[k].folded.rstrip(".")
    before = items[k - 1].folded if k > 0 else ""
    # "de l'Industrie", "of the FTC": a complement naming an organisation
    named = next((t for t in items[k + 1:k + 3] if t.folded not in _DETERMINERS), None)
    if token.capitalised or any(is_word(f"statement.{n}", word) for n in _NOUNS):
        return "yes"
    if started and (word in _OF and named is not None and named.capitalised
                    or word in _DETERMINERS and before in _OF
                    or word in ("and", "et", "&") and k > 0
                    or is_word("statement.role", before)):  # directeur général
        return "yes"
    if word in _DETERMINERS:
        return "last" if started else "no"
    if is_word("statement.pronoun", word):
        return "last" if not started else "no"
    if not started and k >= len(items) - 2 and any(is_word(f"statement.{n}", before)
                                                   for n in _NOUNS):
        return "yes"  # le groupe français
    return "no"


def _right_after(book: _Book, clause: int, quote: Quote, stop: int) -> Speaker | None:
    """ "», a déclaré X", "”, X said", "”, Paul Jacobs, executive chairman" right after."""
    r = book.r
    lead = _LEAD.match(r.folded, quote.end, stop)
    at = lead.end() if lead else quote.end
    if at >= stop:
        return None
    return _incise(book, at, stop, direct=True)


def _incise(book: _Book, at: int, stop: int, *, direct: bool) -> Speaker | None:
    """A speaker named at `at`: inverted ("a déclaré X", "selon X"), "X said", or (right
    after the quotation) a name and its title without a verb."""
    r = book.r
    found = _inverted(book, at, stop)
    if found is not None:
        return found
    verbs = verbs_in(r.text, r.folded, at, min(stop, at + 160), book.language)
    if verbs and not re.search("[\"\u00ab\u201c\u201d\u00bb]", r.text[at:verbs[0].start()]):
        return _subject_first(book, at, stop, verbs[0])
    if direct and not verbs:
        found = _phrase(book, at, stop)
        if found is not None and found.kind == "person" and (
                found.organization or "," in r.folded[at:stop]):
            return found  # "“...”, Paul Jacobs, executive chairman."
    return None


def _inverted(book: _Book, at: int, stop: int) -> Speaker | None:
    """ "a déclaré X", "dit-il", "according to X" at `at`."""
    r = book.r
    verb = speech_verb(book.language).match(r.folded, _skip_asides(book, at, stop), stop)
    if verb is not None:
        pronoun = inverted_pronoun(verb)
        if pronoun:
            return Speaker("pronoun", pronoun)
        return _phrase(book, _skip_asides(book, verb.end(), stop), stop)
    intro = _intro_word(book.language).match(r.folded, at, stop)
    if intro is not None and not r.folded.startswith("pour", at):  # «...», pour X: no
        return _phrase(book, intro.end(), stop)
    return None


def _subject_first(book: _Book, at: int, stop: int, verb: re.Match[str]) -> Speaker | None:
    """ "X said", "the company said in a statement" at `at`; but "Bombardier, a admis
    Jean X": a verb right after a comma is an incise, its subject after it."""
    r = book.r
    after = _skip_asides(book, verb.end(), stop)
    if re.search(r",\s*$", r.folded[at:verb.start()]) and after < stop and not (
            _starts_with_preposition(book, after)):
        inverted = _inverted(book, verb.start(), stop)
        if inverted is not None:
            return inverted
    if _starts_with_preposition(book, at) or len(r.folded[at:verb.start()].split()) > 14:
        return None  # «...» avec Nissan, a dit X: the sentence goes on, no subject here
    return _phrase(book, at, verb.start())


#: A quotation mark, not an apostrophe: an article without one holds no statement.
_ANY_MARK = re.compile("[\u00ab\u00bb\u201c\u201d\u201e\"\u2018]"
                       "|(?<!\\w)['\u2019]|['\u2019](?!\\w)")
_LEAD = re.compile(r"[\s,.]*(?:[-\u2013\u2014]\s*)?")
_GAP = re.compile(r"[\s,]*")


@cache
def _intro_word(language: str) -> re.Pattern[str]:
    """ "selon", "according to" followed by their speaker."""
    return re.compile(rf"(?:{words('statement.intro', language)})\s+")


@cache
def _place(language: str) -> re.Pattern[str]:
    """A preposition that may introduce a place or a medium: "à l'", "on"."""
    return re.compile(rf"(?:{words('statement.preposition', language)})\s*"
                      r"(?:l'|la |le |les |the )?")


_CAPITALISED_RUN = re.compile(r"[A-Z\u00c0-\u00de][\w&.\u2019'-]*(?:\s+[A-Z0-9][\w&.-]*)*")


def _skip_asides(book: _Book, at: int, stop: int) -> int:
    """Past what comes between an inverted verb and its subject: "mardi", "à l'AFP"."""
    r = book.r
    aside = compiled("statement.aside", book.language)
    where = _place(book.language)
    while True:
        gap = _GAP.match(r.folded, at, stop)
        at = gap.end() if gap else at
        match = aside.match(r.folded, at, stop)
        end = match.end() if match else at
        if match is None:
            place = where.match(r.folded, at, stop)  # "à l'AFP", "on CNBC"
            run = _CAPITALISED_RUN.match(r.text, place.end(), stop) if place else None
            end = _place_end(r.text, run, stop) if run else at
        if end == at:
            return at
        at = end


def _place_end(text: str, run: re.Match[str], stop: int) -> int:
    """Where a place named after a preposition ends: "à l'AFP Valmont" leaves the last
    name for the subject when nothing else follows."""
    if text[run.end():stop].strip(" .,;") or " " not in run.group():
        return run.end()
    return run.start() + run.group().rindex(" ")


def _sentence_end(book: _Book, clause: int, quote: Quote, stop: int) -> Speaker | None:
    """A speaker at the end of the sentence: «...» pour les usagers, dit X."""
    r = book.r
    commas = [m.end() for m in re.finditer(r",\s*", r.folded[quote.end:stop])]
    for offset in reversed(commas):
        at = quote.end + offset
        if speech_verb(book.language).match(r.folded, at, stop) or re.match(
                r"\S+(?:\s+\S+){0,3}?\s+" + f"(?:{words('statement.verb', book.language)})",
                r.folded[at:stop]):
            found = _incise(book, at, stop, direct=False)
            if found is not None:
                return found
    return None


def _colon(book: _Book, clause: int, quote: Quote, stop: int) -> Speaker | None:
    """ "Bruno Le Maire : « ... »": a name just before a colon introduces the quotation."""
    r = book.r
    before = r.folded[clause:quote.start].rstrip()
    if not before.endswith(":"):
        return None
    end = clause + len(before) - 1
    parts = _split(r.folded, clause, end)
    if not parts:
        return None
    name = _noun_phrase_end(book, parts[-1][0], end)
    if name is None or _after_preposition(book, name):
        return None  # "Rachat de Valmont :" is a topic, not a speaker
    begin = name
    if len(parts) > 1:
        # "par la voix de sa ministre de l'Industrie, Claire Morel :": the title before
        title = _noun_phrase_end(book, *parts[-2])
        if title is not None and _apposition(book, title, parts[-2][1]):
            begin = title
    found = _phrase(book, begin, end)
    return found if found is not None and found.kind in ("person", "org", "role",
                                                          "spokesperson") else None


def _after_preposition(book: _Book, at: int) -> bool:
    """Whether the name at `at` follows a preposition ("avec Fiat", "for Acme"), unless the
    preposition hangs on a description of its owner ("le conseil d'administration de X",
    "a spokesperson for X")."""
    before = book.r.folded[max(0, at - 40):at]
    word = re.search(r"(\S+)\s*$", before)
    if word is None or not is_word("statement.preposition", word.group(1), book.language):
        return False
    head = before[:word.start()].rstrip()
    return not any(re.search(f"(?:{words(kind)})$", head) for kind in (
        "statement.company", "statement.spokesperson", "statement.role"))


def _starts_with_preposition(book: _Book, at: int) -> bool:
    word = re.match(r"\s*([^\s,]+)", book.r.folded[at:at + 20])
    return word is not None and is_word("statement.preposition", word.group(1), book.language)


def _inside(book: _Book, quote: Quote) -> tuple[Speaker, Quote] | None:
    """A quotation left open past its speaker: “... , a déclaré X, vice-présidente. ...”."""
    r = book.r
    for match in re.finditer(r",\s*", r.folded[quote.start:quote.end]):
        at = quote.start + match.end()
        verb = speech_verb(book.language).match(r.folded, at, quote.end)
        if verb is None or inverted_pronoun(verb):
            continue
        stop = _clause_end(r.text, verb.end(), quote.end)
        found = _phrase(book, _skip_asides(book, verb.end(), stop), stop)
        if found is not None and found.kind in ("person", "org"):
            inner = r.text[quote.start + 1:quote.start + match.start()].strip()
            if len(inner.split()) >= 3:
                return found, Quote(quote.start, quote.start + match.start(), inner)
    return None


def _from_before(book: _Book, quote: Quote, index: int,
                 line_start: int) -> tuple[Speaker, Quote] | None:
    """A quotation opening its sentence: introduced by the sentence before ("X said:"), or
    going on from the quotation before it."""
    r = book.r
    if index == 0:
        return None
    previous = book.spans[index - 1]
    text = r.folded[previous.start:previous.end].rstrip()
    if text.endswith(":"):
        end = previous.start + len(text)
        for reader in (_before, _colon):
            found = reader(book, _clause_start(r.text, previous.start, end - 1),
                           Quote(end, end, ""), end)
            if found is not None:
                return found, quote
    if book.said and book.said[-1].sentence >= index - 1 and previous.start >= line_start - 1:
        return book.said[-1].speaker, quote
    return None


# --- who the description stands for ---------------------------------------------------


def _resolve(book: _Book, speaker: Speaker, quote: Quote, index: int,
             line_start: int) -> Speaker | None:
    """A speaker the article can name: full names, pronouns and descriptions resolved."""
    kind = speaker.kind
    if kind == "person":
        return _person(book, speaker, index, line_start)
    if kind == "org":
        return speaker
    if kind == "spokesperson":
        return speaker if speaker.organization else None
    if kind == "pronoun":
        return _pronoun(book, speaker.name, quote, index)
    if kind == "role":
        return _role(book, speaker, quote, index)
    if kind == "document":
        return _document(book, speaker, quote, index)
    if kind in ("company", "regulator"):
        org = _subject_org(book, kind, quote.start, index) or speaker.organization
        return Speaker("org", org) if org else None
    return speaker if kind in ("joint", "unnamed") else None


def _document(book: _Book, speaker: Speaker, quote: Quote, index: int) -> Speaker | None:
    """ "a White House statement", "le communiqué": its author, named with it, or the one
    just quoted, or the organisation the sentences before speak of."""
    if speaker.organization:
        return Speaker("org", speaker.organization)
    said = {s.sentence: s.speaker for s in book.said}
    r = book.r
    for back in range(index, max(-1, index - LOOK_BACK), -1):
        if back in said:
            return said[back]
        span = book.spans[back]
        org = _first_org(book, _past_dateline(r.text, span.start), min(span.end, quote.start),
                         "document")
        if org is not None:
            return Speaker("org", org)
    org = _last_named(book, "document", quote.start)
    return Speaker("org", org) if org else None


def _person(book: _Book, speaker: Speaker, index: int, line_start: int) -> Speaker:
    """A person under their full name, with the organisation the article gives them."""
    name = book.full_name(speaker.name) or speaker.name
    org = speaker.organization or book.organization_of(name)
    if org is None and speaker.titled and _key(name) not in book.index.names:
        org = _previous_subject(book, index, line_start)
    if org is not None:
        book.org_of.setdefault(name, org)
    return Speaker("person", name, org)


def _previous_subject(book: _Book, index: int, line_start: int) -> str | None:
    """The party opening the previous sentence of the paragraph ("TikTok, for its part")."""
    r = book.r
    if index == 0 or book.spans[index - 1].start < line_start:
        return None
    previous = book.spans[index - 1]
    lead = len(r.text[previous.start:previous.end]) - len(
        r.text[previous.start:previous.end].lstrip())
    for start, _, name, party in book.orgs:
        if party and start == previous.start + lead:
            return name
    return None


def _role(book: _Book, speaker: Speaker, quote: Quote, index: int) -> Speaker | None:
    """ "the judge", "le président du directoire de M6": the person last named, else the
    organisation the role belongs to."""
    person = _recent_person(book, quote.start, index, same_org=speaker.organization)
    if person is None and speaker.organization:
        person = _next_person(book, quote.end, index, speaker.organization)
    if person is not None:
        return person
    if speaker.organization:
        return Speaker("spokesperson", speaker.name, speaker.organization)
    return _person_party(book)


def _next_person(book: _Book, position: int, index: int, org: str) -> Speaker | None:
    """The person of `org` named in the sentences after: "Nordis CEO: '...'" in a
    headline, "Paul Girard, chief executive of Nordis" in the text."""
    for ahead in range(index, min(len(book.spans), index + LOOK_BACK)):
        span = book.spans[ahead]
        for person in _people(book, max(span.start, position), span.end):
            if book.organization_of(person.name) == org:
                return person
    return None


def _person_party(book: _Book) -> Speaker | None:
    """A party to the article's deal that is a person ("Elon Musk"): who "the billionaire"
    is when no one else was named."""
    for number in sorted(book.r.topical):
        deal = book.index.deals[number]
        for name in (deal.acquirer, deal.seller):
            words_ = (name or "").split()
            if len(words_) in (2, 3) and all(w[:1].isupper() and w[1:].islower() for w in words_):
                return Speaker("person", name or "")
    return None


def _pronoun(book: _Book, pronoun: str, quote: Quote, index: int) -> Speaker | None:
    """He, she, il, elle, it: the subject before the quotation, the last speaker, or the
    person (or, for "it", the organisation) named in the sentences before."""
    if pronoun in ("ils", "elles", "they"):
        return Speaker("joint")  # several speakers: what they go on to say is theirs too
    if pronoun == "on":
        return None  # nobody in particular
    people = pronoun != "it"
    here = _subject_here(book, quote, index, people=people, either=pronoun in ("il", "elle"))
    if here is not None:
        return here
    last = book.said[-1] if book.said and book.said[-1].sentence >= index - 1 else None
    if last is not None and ((last.speaker.kind == "person") == people
                             or pronoun in ("il", "elle")):
        return last.speaker
    if people:
        return _recent_person(book, quote.start, index)
    org = _subject_org(book, "company", quote.start, index)
    return Speaker("org", org) if org else None


def _subject_here(book: _Book, quote: Quote, index: int, *, people: bool,
                  either: bool) -> Speaker | None:
    """The subject a pronoun after the quotation points back to: "X ... : «...», a-t-il
    dit". Only what comes before a speech verb counts: what follows it is reported."""
    r = book.r
    clause = _clause_start(r.text, book.spans[index].start, quote.start)
    verbs = verbs_in(r.text, r.folded, clause, quote.start, book.language)
    end = verbs[0].start() if verbs else quote.start
    person = _first_person(book, clause, end) if people else None
    if person is not None:
        return person
    org = _first_org(book, clause, end, "company")
    return Speaker("org", org) if org is not None and (not people or either) else None


def _recent_person(book: _Book, position: int, index: int,
                   same_org: str | None = None) -> Speaker | None:
    """The person named last before `position`, within a few sentences."""
    for back in range(index, max(-1, index - LOOK_BACK), -1):
        span = book.spans[back]
        found = _people(book, span.start, min(span.end, position))
        if same_org is not None:
            found = [p for p in found if book.organization_of(p.name) in (None, same_org)]
        if found:
            return found[-1] if back == index else found[0]
    return None


def _people(book: _Book, start: int, end: int) -> list[Speaker]:
    """The persons named in text[start:end], in order, under their full names."""
    r, found = book.r, []
    items = split_elisions(tokens(r.text, r.folded, start, end))
    for i, j in name_runs(items):
        _, name = person_name(items, i, j, r.language)
        if name and not _inside_quote(r.text, start, name[0].start) and book.classify(
                name) == "person":
            full = book.full_name(_written(name)) or _written(name)
            found.append(Speaker("person", full, book.organization_of(full)))
    return found


def _first_person(book: _Book, start: int, end: int) -> Speaker | None:
    for person in _people(book, start, end):
        return person
    return None


def _inside_quote(text: str, start: int, at: int) -> bool:
    """Whether `at` lies inside a quotation opened after `start`."""
    opened = len(re.findall("[\u00ab\u201c]", text[start:at]))
    closed = len(re.findall("[\u00bb\u201d]", text[start:at]))
    straight = text.count('"', start, at)
    return opened > closed or straight % 2 == 1


def _first_org(book: _Book, start: int, end: int, kind: str) -> str | None:
    """The first organisation of `kind` named in text[start:end] as a subject would be."""
    r = book.r
    for s, e, name, party in book.orgs:
        if s < start or e > end or _inside_quote(r.text, start, s):
            continue
        if (kind == "company") != party and kind != "document":
            continue
        genitive = re.match(r"['\u2019]s\b", r.text[e:e + 2]) and re.search(
            r"\bthe\s+$", r.folded[max(0, s - 5):s])  # "the EU's decision"
        # "L'offre d'Acme a été relevée": the owner of the subject is the subject's party
        owner = len(r.folded[start:s].split()) <= 3 and re.search(
            r"(?:\bde|\bdu|\bd'|\bof)\s*$", r.folded[max(0, s - 4):s]) is not None
        if genitive or _after_preposition(book, s) and not owner:
            continue
        return name
    return None


def _subject_org(book: _Book, kind: str, position: int, index: int) -> str | None:
    """The organisation a description stands for: the subject of the nearest sentence."""
    r = book.r
    for back in range(index, max(-1, index - LOOK_BACK), -1):
        span = book.spans[back]
        start = _past_dateline(r.text, span.start)
        org = _first_org(book, start, min(span.end, position), kind)
        if org is None and kind != "regulator" and back < index:
            org = _opening_name(book, start, span.end)
        if org is not None:
            return org
    return _last_named(book, kind, position)


def _last_named(book: _Book, kind: str, position: int) -> str | None:
    """The organisation of `kind` named last before `position`, where no sentence before
    has one for subject."""
    floor = position - 600
    for start, end, name, party in reversed(book.orgs):
        if floor <= start and end <= position and (party == (kind != "regulator")):
            return name
    return None


def _past_dateline(text: str, start: int) -> int:
    """Past a dateline opening a paragraph: "PARIS, Oct 28 (Reuters) - "."""
    lead = len(text[start:]) - len(text[start:].lstrip())
    match = _DATELINE.match(text, start + lead)
    if match and re.match(r"[A-Z]{3,}", text[start + lead:match.end()]):
        return match.end()
    return start


def _opening_name(book: _Book, start: int, end: int) -> str | None:
    """A company that opens a sentence without being a party: "Invest Securities estime"."""
    r = book.r
    items = split_elisions(tokens(r.text, r.folded, start, end))
    runs = name_runs(items)
    if not runs or runs[0][0] != 0:
        return None
    name = items[runs[0][0]:runs[0][1]]
    if book.classify(name) in ("org", "party") and not is_word("statement.not_name",
                                                                name[0].folded):
        return _written(name)
    return None


# --- is it about the deal -------------------------------------------------------------


def _about(book: _Book, quote: Quote, index: int, number: int, speaker: Speaker) -> bool:
    """Whether a quotation speaks of deal `number`: deal words in its paragraph or the one
    before, a party to the deal speaking (not of results or products), or both sides
    named in it."""
    r = book.r
    k = bisect.bisect_right([s for s, _ in book.lines], quote.start) - 1
    context = r.folded[book.lines[max(0, k - 1)][0]:book.lines[k][1]]
    if any(pattern.search(context) for pattern in _ABOUT_DEAL):
        return True
    quoted = {role for m in r.mentions if quote.start <= m.start < quote.end
              for n, role in book.index.roles(m.key) if n == number}
    own = {role for name in (speaker.name, speaker.organization) if name
           for n, role in book.index.roles(_key(name)) if n == number}
    if own and not compiled("statement.off_topic").search(r.folded[quote.start:quote.end]):
        return True  # a party speaking in an article about its deal, not of its results
    return TARGET in quoted and bool({ACQUIRER, SELLER} & quoted)
