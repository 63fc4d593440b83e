"""Statements, read from the text: quotations, speech verbs, and the phrases naming a speaker.

Everything here reads offsets of one article text (and its fold, same offsets) and
knows nothing of deals: `tracker.extract.attribution` ties what it finds to the
article's people and parties. The words are the lexicon's `statement.*` kinds; what
is code is the structure of French and English attribution (a verb with its subject
before or after it, appositions between commas, a title before a name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from tracker.extract.vocabulary import NEVER, lexicon

#: A quotation of fewer words is a quoted term («amicale»), not a statement.
MIN_WORDS = 3
#: The most words of a phrase (or of one of its parts) read for a speaker.
PHRASE_WORDS = 14


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: from its opening mark to just after its closing one, and its words."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who said a quotation, as the text names them.

    `kind` says how: a `person` or an `org` by name, or what still needs resolving
    against the article: a `pronoun`, a `role` ("the judge"), a `spokesperson` of an
    organisation, or an organisation named by what it is (`company`, `regulator`,
    `document`: "the statement"). `unnamed` sources and `joint` speakers say nothing
    that can be attributed.
    """

    kind: str
    name: str = ""
    organization: str | None = None
    #: Whether a role goes with the name ("head of the US business"): the person speaks
    #: for an organisation the text may name nearby.
    titled: bool = False


# --- quotations -----------------------------------------------------------------------

_MARK = re.compile("[\u00ab\u00bb\u201c\u201d\u201e\u201f\"\u2018\u2019\u201a']")
_OPENING, _CLOSING, _SINGLE = "\u00ab\u201c\u201e\u201f", "\u00bb\u201d", "\u2018\u2019\u201a'"
_GLUE = ".,;:!?"


def _double(text: str, i: int, start: int, end: int) -> str:
    """Whether a double mark opens or closes a quotation ("either" when it cannot tell)."""
    char = text[i]
    if char in _OPENING:
        return "open"
    if char in _CLOSING:
        return "close"
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    # a straight mark glued after a full stop opens the next sentence: `euros."Le`
    opens = (before.isspace() or before in "([/-\u2013\u2014" + _GLUE) and not (
        after.isspace() or after in _GLUE)
    closes = not before.isspace() and (after.isspace() or after in _GLUE + ")]-\u2013\u2014")
    if opens != closes:
        return "open" if opens else "close"
    return "either"


def _single(text: str, i: int, start: int, end: int) -> str:
    """Whether a single mark opens or closes a quotation ("" for an apostrophe)."""
    before = text[i - 1] if i > start else " "
    after = text[i + 1] if i + 1 < end else " "
    if before.isalnum() and after.isalnum():
        return ""  # l'eau, Qualcomm's
    if text[i] in "\u2018\u201a" or (before.isspace() or before in "([") and after.isalnum():
        return "open"
    return "close" if before.isalnum() or before in ".,!?" else ""


def find_quotes(text: str, start: int, end: int) -> list[Quote]:
    """The quotations of one paragraph text[start:end], marks matched as writers mix them.

    Any double closing mark closes any double opening one (“...", «...”); single
    quotes count outside double ones; a quotation still open at the end of the
    paragraph runs to its end.
    """
    found: list[Quote] = []
    opened, single = -1, False  # where the open quotation began, and with which mark
    for match in _MARK.finditer(text, start, end):
        i = match.start()
        if text[i] in _SINGLE:
            role = _single(text, i, start, end)
            if opened < 0 and role == "open":
                opened, single = i, True
            elif opened >= 0 and single and role == "close":
                opened = _keep(found, text, opened, i + 1)
        elif opened < 0 or single:
            if _double(text, i, start, end) != "close":
                opened, single = i, False
        elif _double(text, i, start, end) != "open" or text[i] == '"':
            opened = _keep(found, text, opened, i + 1)
    if opened >= 0 and not single:
        _keep(found, text, opened, end)
    return found


def _keep(found: list[Quote], text: str, start: int, end: int) -> int:
    """Keep the quotation text[start:end] if it is long enough; -1: none is open now."""
    inner = text[start + 1:end - 1 if text[end - 1] in _CLOSING + _SINGLE + '"' else end]
    inner = inner.strip().rstrip(",;").strip()
    if len(inner.split()) >= MIN_WORDS:
        found.append(Quote(start, end, inner))
    return -1


# --- vocabulary -----------------------------------------------------------------------


@cache
def words(kind: str, language: str = "*") -> str:
    """One regular expression for the entries of `kind` in `language` (and common ones)."""
    regexes = [e.regex.removeprefix(r"\b") for e in lexicon().entries(kind)
               if language == "*" or e.language in (language, "*")]
    return r"\b(?:" + "|".join(regexes) + ")" if regexes else NEVER


@cache
def compiled(kind: str, language: str = "*") -> re.Pattern[str]:
    """`words(kind, language)`, compiled."""
    return re.compile(words(kind, language))


@cache
def _whole(kind: str, language: str) -> re.Pattern[str]:
    """A pattern of `kind` that must match a whole word or phrase."""
    return re.compile(rf"(?:{words(kind, language)})$")


@lru_cache(maxsize=1 << 16)  # the same few words are asked about again and again
def is_word(kind: str, folded: str, language: str = "*") -> bool:
    """Whether the folded word (or phrase) is, all of it, an entry of `kind` (in
    `language`, or in any)."""
    return _whole(kind, language).match(folded) is not None


@cache
def speech_verb(language: str) -> re.Pattern[str]:
    """A speech verb with its auxiliary and an inverted pronoun: a-t-il déclaré, dit-elle."""
    pronoun = r"(?P<pronoun>-t-(?:il|elle|on)|-(?:il|elle|ils|elles|on))"
    return re.compile(
        rf"(?:(?:{words('statement.auxiliary', language)})"
        rf"(?P<before>-t-(?:il|elle|on)|-(?:ils|elles))?"
        rf"\s*(?:[a-z]+\s+){{0,3}}?)?(?:{words('statement.verb', language)}){pronoun}?(?![\w-])")


#: A word preceding a noun: "la déclaration", "the note" are no speech verbs.
_DETERMINER = re.compile(r"(?:^|[\s(])(?:l'|la|le|les|une?|des|the|an?|this|its|his|her|their"
                         r"|son|sa|ses|cette|ce|leur|notre|our)\s+$")


def verbs_in(text: str, folded: str, start: int, end: int,
             language: str) -> list[re.Match[str]]:
    """The speech verbs in text[start:end]: none after a determiner ("la déclaration") nor
    capitalised ("UNITED STATES"): those are nouns."""
    return [m for m in speech_verb(language).finditer(folded, start, end)
            if not _DETERMINER.search(folded, max(0, m.start() - 12), m.start())
            and text[m.start():m.end()].islower()]


def inverted_pronoun(verb: re.Match[str]) -> str | None:
    """The pronoun glued to a French speech verb ("a-t-il", "dit-elle"), if any."""
    glued = verb.group("before") or verb.group("pronoun")
    return glued.rsplit("-", 1)[-1] if glued else None


# --- names ----------------------------------------------------------------------------

#: A word as written: letters and digits, with the apostrophes, dashes, ampersands and
#: full stops that names hold (AT&T, Poupart-Lafarge, U.S., R.).
_WORD = r"[^\W_][\w&\u2019'\u2010\u2011-]*"
_TOKEN = re.compile(rf"{_WORD}(?:(?<=[A-Z])\.{_WORD})*\.?")
_INITIAL = re.compile(r"(?:[A-Z]\.)+$|[A-Z][a-z]{0,3}\.$")


class Token(NamedTuple):
    """One word of the text: where, as written, and folded (a tuple: made by the
    thousand)."""

    start: int
    end: int
    text: str
    folded: str
    #: Whether the word is written as a name is: Smith, AT&T, TF1, deSouza.
    capitalised: bool

    @property
    def closes(self) -> bool:
        """Whether a full stop ends the word (and the name): "Microsoft." but not "R."."""
        return self.text.endswith(".") and not _INITIAL.match(self.text)


def tokens(text: str, folded: str, start: int, end: int, limit: int = 0) -> list[Token]:
    """The words of text[start:end] (the first `limit` of them, when given)."""
    found = []
    for m in _TOKEN.finditer(text, start, end):
        found.append(Token(m.start(), m.end(), m.group(), folded[m.start():m.end()],
                           _capitalised(m.group())))
        if len(found) == limit:
            break
    return found


def _capitalised(word: str) -> bool:
    first = word[0]
    return first.isupper() or first.isdigit() and any(c.isupper() for c in word) or (
        first.islower() and any(c.isupper() for c in word[1:4]))


def _elided(token: Token) -> tuple[str, Token] | None:
    """ "d'AT&T", "l'Économie": the elided article and the name after it."""
    for mark in ("'", "\u2019"):
        head, sep, rest = token.text.partition(mark)
        if sep and rest and len(head) == 1 and head.lower() in "dlq":
            at = token.start + 2
            return head.lower() + "'", Token(at, token.end, rest, token.folded[2:],
                                             _capitalised(rest))
    return None


def split_elisions(items: list[Token]) -> list[Token]:
    """Words with "d'", "l'" cut off as words of their own: d'|AT&T."""
    out = []
    for token in items:
        elided = _elided(token)
        if elided is None:
            out.append(token)
        else:
            mark, rest = elided
            out.append(Token(token.start, token.start + 2, token.text[:2], mark, False))
            out.append(rest)
    return out


def name_runs(items: list[Token]) -> list[tuple[int, int]]:
    """Runs of capitalised words (with particles between them), as token index ranges."""
    runs, i = [], 0
    while i < len(items):
        if not items[i].capitalised or is_word("statement.particle", items[i].folded):
            i += 1
            continue
        j = i + 1
        while j < len(items) and not items[j - 1].closes and _continues(items, j):
            j += 1
        runs.append((i, j))
        i = j
    return runs


def _continues(items: list[Token], j: int) -> bool:
    """Whether word j goes on the name before it ("de" only when a name follows)."""
    if items[j].start - items[j - 1].end > 1 or possessive(items[j - 1]):
        return False
    if items[j].capitalised:
        return True
    return (j + 1 < len(items) and is_word("statement.particle", items[j].folded)
            and items[j + 1].capitalised and items[j + 1].start - items[j].end <= 1)


def strip_titles(items: list[Token], language: str) -> tuple[list[Token], list[Token]]:
    """A name written with its titles in front ("Qualcomm CEO Steve Mollenkopf", "Mr.
    Smith", "PDG d'AT&T Jean Dupont"): the words before the name, and the name."""
    last, role = -1, False
    for index, token in enumerate(items[:-1]):
        word = token.folded.rstrip(".")
        if is_word("statement.honorific", word) or is_word("statement.role", word) or (
                last == index - 1 and last >= 0 and word == "general"):
            last, role = index, not is_word("statement.honorific", word)
    if role and last + 3 < len(items) and items[last + 1].folded in ("de", "d'", "du", "of"):
        org = last + 2 + (items[last + 2].folded in ("la", "l'"))
        if org + 2 <= len(items):
            last = org  # the organisation of the title, then the name
    return items[:last + 1], items[last + 1:]


def person_name(items: list[Token], i: int, j: int,
                language: str) -> tuple[list[Token], list[Token]]:
    """The person a run items[i:j] may name: the words before the name (titles, an
    institution: "ministre de l'Économie Bruno Le Maire"), and the name."""
    run = items[i:j]
    while len(run) > 1 and is_word("statement.not_name", run[0].folded.rstrip(".")):
        run = run[1:]
    if i > 1 and items[i - 1].folded in ("l'", "la", "le", "the") and is_word(
            "statement.preposition", items[i - 2].folded):
        if len([t for t in run if t.capitalised]) < 3:
            return run, []
        before, name = strip_titles(run[1:], language)
        return run[:1] + before, name
    return strip_titles(run, language)


def possessive(token: Token) -> bool:
    """Whether the word is a possessive: Microsoft's, Tiffany’s, Albertsons'."""
    return len(token.folded) > 2 and token.folded.endswith(("'s", "s'"))


# --- phrases --------------------------------------------------------------------------

#: Classifies a capitalised run: "person", "party" (of a deal), "org" (an authority, a
#: company by name), or "" when it cannot tell; given the run's words.
Classify = Callable[[list[Token]], str]

_RELATIVE = re.compile(r"\s*(?:which|who|whose|where|qui|que|qu'|dont|lequel|laquelle|ou)\b")
_AND = frozenset({"and", "et", "&"})


@dataclass(frozen=True, slots=True)
class Phrase:
    """A stretch of text that names a speaker: where it lies and the language it is in."""

    text: str
    folded: str
    start: int
    end: int
    language: str


def _parts(p: Phrase) -> list[tuple[int, int]]:
    """The comma-separated parts of a phrase: a head and its appositions."""
    bounds, at = [], p.start
    for match in re.finditer(r",", p.folded[p.start:p.end]):
        bounds.append((at, p.start + match.start()))
        at = p.start + match.end()
    bounds.append((at, p.end))
    return [(s, e) for s, e in bounds if p.text[s:e].strip()]


def read_phrase(p: Phrase, classify: Classify) -> Speaker | None:
    """Who the phrase at [start, end) names: its head, with what its appositions add."""
    parts = _parts(p)
    if not parts:
        return None
    head = _read_part(p, parts[0], classify)
    for start, end in parts[1:4]:
        if head is not None and head.kind == "person" and head.organization:
            break
        more = _read_part(p, (start, end), classify)
        head = _merge(head, more)
    return head


def _merge(head: Speaker | None, more: Speaker | None) -> Speaker | None:
    """A head and one apposition: "le ministre de l'Économie, Bruno Le Maire"."""
    if more is None:
        return head
    if head is None:
        return more if more.kind in ("person", "role") else None
    if head.kind == "person" and more.kind in ("role", "org", "company", "spokesperson") and (
            more.organization):
        return Speaker("person", head.name, more.organization, titled=True)
    if head.kind == "person" and more.kind == "role":
        return Speaker("person", head.name, head.organization, titled=True)
    if head.kind == "person" and more.kind == "org" and not head.organization:
        return Speaker("person", head.name, more.name)
    if head.kind in ("role", "company") and more.kind == "person":
        return Speaker("person", more.name, more.organization or head.organization, titled=True)
    return head


def _read_part(p: Phrase, bounds: tuple[int, int], classify: Classify) -> Speaker | None:
    """Who one part names (a head or an apposition), from its words."""
    # a speaker's phrase is short: what goes on past a dozen words is something else
    items = _head(split_elisions(tokens(p.text, p.folded, *bounds, limit=PHRASE_WORDS)))
    if not items:
        return None
    if _RELATIVE.match(p.folded, bounds[0]):
        return None
    first = items[0].folded
    if len(items) == 1 and is_word("statement.pronoun", first):
        return Speaker("pronoun", first)
    runs = [(i, j) for i, j in name_runs(items) if not _all_not_names(items[i:j])]
    lead = " ".join(t.folded for t in items[:runs[0][0] if runs else len(items)])
    if compiled("statement.unnamed").search(lead):
        return Speaker("unnamed")  # "un conseiller de Bruno Le Maire": not Le Maire
    person = _person(items, runs, classify, p.language)
    if person is not None:
        return person
    return _described(p, items, runs, classify)


#: Words after which a phrase goes on about where or when, not who: "Engie dans un
#: communiqué", "the company in a statement", "le groupe visé par l'OPA".
_COMPLEMENT = frozenset("dans in lors during after apres sur on via en when while as avant before"
                        " to through par by with avec since depuis pendant hier yesterday today"
                        " aujourd'hui lorsque quand cite citee quoted speaking".split())


def _head(items: list[Token]) -> list[Token]:
    """A part cut before its complements."""
    for index, token in enumerate(items[1:], 1):
        if token.folded in _COMPLEMENT:
            return items[:index]
    return items


def _all_not_names(items: list[Token]) -> bool:
    return all(is_word("statement.not_name", t.folded.rstrip(".")) for t in items)


def _person(items: list[Token], runs: list[tuple[int, int]], classify: Classify,
            language: str) -> Speaker | None:
    """A person named in the part, with the organisation their title or apposition gives."""
    for index, (i, j) in enumerate(runs):
        if i > 0 and is_word("statement.preposition", items[i - 1].folded):
            continue  # "président de Microsoft": Microsoft is where, not who
        before, name = person_name(items, i, j, language)
        if not name or classify(name) != "person":
            continue
        if _coordinated(items, runs, index):
            return Speaker("joint")
        org = _organization(items, runs, index, before, classify) or _of_org(
            items, runs, index, classify)
        return Speaker("person", " ".join(t.text for t in name).rstrip(".,"), org,
                       titled=bool(before))
    return None


def _of_org(items: list[Token], runs: list[tuple[int, int]], index: int,
            classify: Classify) -> str | None:
    """ "Paul Girard of Nordis", "Jean Martin, d'Acme": the organisation right after."""
    j = runs[index][1]
    if index + 1 >= len(runs) or j >= len(items) or not is_word("statement.preposition",
                                                                 items[j].folded):
        return None
    start, end = runs[index + 1]
    if start != j + 1 or items[j].folded in ("to", "a", "in", "on", "en", "dans", "sur"):
        return None
    return _clean(items[start:end]) if classify(items[start:end]) in ("org", "party") else None


def _lead_trimmed(items: list[Token]) -> list[Token]:
    """A run without the words that cannot start a name ("But Slights" -> "Slights")."""
    while len(items) > 1 and is_word("statement.not_name", items[0].folded.rstrip(".")):
        items = items[1:]
    return items


def _coordinated(items: list[Token], runs: list[tuple[int, int]], index: int) -> bool:
    """Whether two names are joined by "and"/"et": several speakers at once."""
    i, j = runs[index]
    after = runs[index + 1] if index + 1 < len(runs) else None
    return after is not None and after[0] == j + 1 and items[j].folded in _AND


def _organization(items: list[Token], runs: list[tuple[int, int]], index: int,
                  before: list[Token], classify: Classify) -> str | None:
    """The organisation of a person: a title's ("Qualcomm CEO"), or a possessive before."""
    titled = [t for t in before if not is_word("statement.role", t.folded.rstrip("."))
              and not is_word("statement.honorific", t.folded.rstrip("."))]
    if titled:
        org = titled[:1] if possessive(titled[0]) else titled
        return _clean(org)
    i = runs[index][0]
    for k in range(index - 1, -1, -1):
        start, end = runs[k]
        if i - end > 5:
            break
        between = items[end:i]
        # "Qualcomm CEO", "LVMH chairman and chief executive", "EU competition commissioner"
        role = bool(between) and is_word("statement.role", between[-1].folded) and all(
            not t.capitalised for t in between)
        if role or not between and possessive(items[end - 1]):
            return _clean(items[start:end])
    return None


def _clean(items: list[Token]) -> str:
    text = " ".join(t.text for t in items).rstrip(".,;:")
    for suffix in ("'s", "\u2019s"):
        text = text.removesuffix(suffix)
    return text.rstrip("'\u2019")


def _described(p: Phrase, items: list[Token], runs: list[tuple[int, int]],
               classify: Classify) -> Speaker | None:
    """A speaker named by what it is: a role, a spokesperson, an organisation."""
    folded = " ".join(t.folded for t in items)
    org = _named_org(items, runs, classify)
    if compiled("statement.unnamed").search(folded):
        return Speaker("unnamed")
    if compiled("statement.joint").search(folded) or _coordinated_orgs(items, runs, classify):
        return Speaker("joint")
    if compiled("statement.spokesperson").search(folded):
        return Speaker("spokesperson", _phrase_text(p, items), org) if org else Speaker("unnamed")
    if compiled("statement.document").search(folded) and not _role_head(folded):
        return Speaker("document", "", org)
    indefinite = items[0].folded in ("a", "an", "un", "une", "one", "des")
    if _role_head(folded) and not _idiom(folded):
        if indefinite:  # "an analyst at Jefferies": the firm speaks, not a person
            return Speaker("spokesperson", _phrase_text(p, items), org) if org else Speaker(
                "unnamed")
        return Speaker("role", _phrase_text(p, items), org)
    return _organization_described(items, runs, folded, org, indefinite)


def _organization_described(items: list[Token], runs: list[tuple[int, int]], folded: str,
                            org: str | None, indefinite: bool) -> Speaker | None:
    """ "the regulator", "le groupe" (to resolve), or an organisation by name."""
    for kind in ("regulator", "company"):
        if compiled(f"statement.{kind}").search(folded):
            return Speaker(kind, "", org) if not indefinite else None
    if org and runs and runs[0][0] <= 1:
        return Speaker("org", org)
    return None


def _role_head(folded: str) -> bool:
    """Whether a person's role heads the phrase: "le président du directoire"."""
    match = compiled("statement.role").search(folded)
    return match is not None and match.start() <= 12


def _idiom(folded: str) -> bool:
    """Whether the role word is part of an authority's name by description: "the EU
    executive" is the Commission, not one of its officials."""
    role = compiled("statement.role").search(folded)
    authority = compiled("statement.regulator").search(folded)
    return role is not None and authority is not None and (
        authority.start() <= role.start() < authority.end())


def _named_org(items: list[Token], runs: list[tuple[int, int]], classify: Classify) -> str | None:
    """The organisation a described speaker belongs to: "porte-parole de Microsoft"."""
    for i, j in runs:
        name = _lead_trimmed(items[i:j])
        while name and (is_word("statement.role", name[0].folded.rstrip("."))
                        or name[0].folded in ("de", "d'", "du", "of", "la", "l'")):
            name = name[1:]  # "Président de la République": the organisation is the rest
        while name and is_word("statement.role", name[-1].folded.rstrip(".")):
            name = name[:-1]  # "Nordis CEO": the organisation is before the title
        kind = classify(name) if name else ""
        if kind == "person" or not name or _all_not_names(name):
            continue
        if i > 0 and items[i - 1].text.lower() in ("à", "au", "aux", "in", "en") and (
                kind != "party"):
            continue  # "responsable de l'activité aux États-Unis": where, not whose
        if kind != "party" and j < len(items) and items[j].text[:1].islower() and not any(
                is_word(f"statement.{k}", items[j].folded.rstrip("."))
                for k in ("preposition", "role", "spokesperson", "company", "document")):
            continue  # "head of the US market": a modifier, not the organisation
        return _clean(name)
    return None


def _coordinated_orgs(items: list[Token], runs: list[tuple[int, int]],
                      classify: Classify) -> bool:
    """ "Safran et Zodiac", "Acme and Globex": several organisations speaking at once."""
    return any(b[0] == a[1] + 1 and items[a[1]].folded in _AND and a[0] <= 1
               for a, b in zip(runs, runs[1:], strict=False))


def _phrase_text(p: Phrase, items: list[Token]) -> str:
    """The phrase as written, without its determiner: "porte-parole de Microsoft"."""
    start = items[1].start if len(items) > 1 and is_word("statement.not_name",
                                                           items[0].folded) else items[0].start
    if len(items) > 1 and items[0].folded in ("l'", "d'"):
        start = items[1].start
    return " ".join(p.text[start:items[-1].end].split()).rstrip(".,;:")
