"""Statements: direct quotations and who said them, read from one paragraph."""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTES = re.compile(
    r"\u00ab\s*(?P<a>[^\u00ab\u00bb]{1,3000}?)\s*\u00bb"
    r"|\u201c(?P<b>[^\u201c\u201d]{1,3000}?)\u201d"
    r"|\"(?P<c>[^\"\n]{1,3000}?)\""
)
_VERBS_EN = (
    r"said|says|say|added|adds|wrote|writes|told|tells|explained|explains|stated|states|noted"
    r"|notes|argued|argues|insisted|insists|tweeted|tweets|posted|posts|warned|warns|declared"
    r"|commented|continued|continues|responded|replied|announced|acknowledged|admitted"
    r"|emphasized|stressed|concluded|remarked|recalled|claimed|claims|maintained"
)
_VERBS_FR = (
    r"declare|explique|affirme|indique|ajoute|souligne|precise|estime|assure|confie|reagi"
    r"|ecrit|annonce|commente|martele|tweete|deplore|previent|prevenu|insiste|lance|repond"
    r"|reconnu|reconnait|poursuit|poursuivi|dit|detaille|observe|note|rappelle|temoigne"
    r"|conclut|conclu|avance|juge|juge|raconte|avertit|averti|tranche|plaide|argue|fait valoir"
    r"|fait savoir|justifie|salue|salué|defend|souligne|insiste|regrette|se rejouit|rassure"
    r"|commente|explicite|resume|constate|confirme|admet|promet|repondu|ecrit|reconnu|averti"
    r"|soutenu|admis|promis|prevenu|reagi|poursuivi|dit|conclu|soutient|maintient|maintenu"
)
_VERB = re.compile(
    rf"(?:{_VERBS_EN}|(?:a |ont |avait |avaient )?(?:{_VERBS_FR})e?s?(?:-t-(?:il|elle|on)"
    r"|-(?:il|elle|ils|elles|on))?)\b"
)
_CAPITALISED = r"(?:[A-Z\u00c0-\u00de][\w'\u2019.&-]*|[a-z]{1,3}[A-Z][\w'\u2019-]*)"
_NAME = (rf"(?:[A-Z\u00c0-\u00de][\w'\u2019.&-]*(?:[ \t\u00a0]+(?:de |du |van |von |da |di |del "
         rf"|bin |al-|la |le |der )?{_CAPITALISED}){{0,4}})")
_NOT_NAMES = frozenset(
    "The A An In On At For But And It He She They We I This That These Those Le La Les L Un Une"
    " Il Elle Ils Elles Nous On Ce Cette Pour Selon Dans Mais Et En Au Aux Du Des De Après After"
    " According Monday Tuesday Wednesday Thursday Friday Saturday Sunday Lundi Mardi Mercredi"
    " Jeudi Vendredi Samedi Dimanche Mr Mrs Ms M Mme Dr".split()
)
_PRONOUNS = re.compile(
    r"^(?:he|she|il|elle|they|ils|elles|-t-il|-t-elle|-il|-elle)$", re.IGNORECASE
)
_GENERIC = re.compile(
    r"^(?:the|l'|le|la|a|an|un|une)\s*(?:company|firm|group|entreprise|groupe|firme|societe"
    r"|editeur|constructeur|geant|plateforme|application|app|regulator|regulateur)\b"
)
_ROLE_WORDS = (
    r"chief executive|chief executive officer|ceo|president|chairman|chairwoman|chair"
    r"|spokesperson|spokesman|spokeswoman|head|founder|co-founder|director|boss|executive"
    r"|vice president|cfo|general counsel|commissioner|pdg|directeur general|directrice generale"
    r"|porte-parole|patron|patronne|responsable|fondateur|fondatrice|dirigeant|dirigeante"
    r"|vice-president|president-directeur general|directeur|directrice|presidente|secretary"
    r"|minister|ministre|commissaire|analyst|analyste|lawyer|avocat|official|officials"
)


def quotes(text: str) -> list[tuple[int, int, str]]:
    """(start, end, inner text) of each quotation of at least three words."""
    found = []
    for match in _QUOTES.finditer(text):
        inner = (match.group("a") or match.group("b") or match.group("c") or "").strip()
        inner = inner.rstrip(",;").strip()
        if len(inner.split()) >= 3:
            found.append((match.start(), match.end(), inner))
    return found

_NAME_RE = re.compile(_NAME)
_RUN_END = re.compile(r"(?<=\w\w\w)\.(?=\s)")
#: A party named by what it is rather than by name: resolved to the party named before.
_GENERIC_SPEAKER = re.compile(
    r"(?:^|(?<=\s))((?:the|l'|le|la) ?(?:company|firm|group|entreprise|groupe|firme|societe"
    r"|editeur|constructeur|geant|regulator|regulateur|billionaire|milliardaire|entrepreneur"
    r"|tycoon|magnate|acquirer|buyer|acheteur|repreneur|start-up|startup|chipmaker"
    r"|software maker|tech giant|social network|reseau social))\b"
)
_ROLE_RE = re.compile(rf"\b(?:{_ROLE_WORDS})\b")
_ROLE_OF = re.compile(
    rf"(?:{_ROLE_WORDS})\s+(?:[\w'-]+\s+){{0,3}}?(?:of|de|du|d'|chez|at|for|a)\s*"
    r"(?:the |la |l'|le )?$"
)
_INTRO = re.compile(r"^\s*(?:pour|selon|according to|d'apres|for|as)\s+(?:m\.\s+|mme\s+)?")
_ADDRESSEE = re.compile(r"(?:\ba|\bau|\baux|\bto|\bon|\bsur|\bin|\bdans|\bwith|\bavec|\bpar|"
                        r"\bby|\bfor|\bpour|\bvia)\s*(?:l'|la |le |the )?$")
_CLAUSE_END = re.compile(r"[.!?;]\s|$")


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a quotation is attributed to, as found in the text around it."""

    name: str
    organization: str | None = None
    kind: str = "name"  # name | role | generic | pronoun


def _names(text: str, start: int, end: int, *, addressee: bool = True) -> list[re.Match[str]]:
    """Capitalised runs in text[start:end] that can be names (not "The", "Lundi"...).

    With `addressee`, names right after "to", "à", "on"... (whom it was said to, or
    where) are left out.
    """
    found = []
    for match in _NAME_RE.finditer(text, start, end):
        stop = _RUN_END.search(match.group())
        if stop:  # "Microsoft. The": a full stop after a word ends the name
            shorter = _NAME_RE.match(text, match.start(), match.start() + stop.start() + 1)
            if shorter is None:
                continue
            match = shorter
        words = match.group().split()
        while words and words[0].strip(".'\u2019") in _NOT_NAMES:
            words = words[1:]
        if words and not (addressee and _ADDRESSEE.search(fold_lower(text[max(0, match.start() - 6):
                                                               match.start()]))):
            found.append(match)
    return found


def fold_lower(text: str) -> str:
    """Lower-case text for the few checks done here on short windows."""
    return text.lower().replace("\u2019", "'").replace("\u00e0", "a").replace("\u00e9", "e")


def _clean_name(name: str) -> str:
    words = name.replace("\u2019", "'").split()
    while words and words[0].strip(".'") in _NOT_NAMES:
        words = words[1:]
    text = " ".join(words).rstrip(".,;:'")
    return text[:-2] if text.endswith("'s") else text


def _organization_near(text: str, folded: str, start: int, end: int) -> str | None:
    """An organisation named in an apposition: "chief executive of X", "X's president"."""
    for match in _names(text, start, end):
        titled = _TITLED_OF.match(match.group())
        if titled:
            return _clean_name(match.group()[titled.end():])  # "PDG de Microsoft"
        before = folded[max(start, match.start() - 60):match.start()]
        after = folded[match.end():match.end() + 25]
        owner = re.match(r"(.+?)['\u2019]s\s", match.group())
        if owner and _ROLE_OF.search(before):
            return _clean_name(owner.group(1))  # "director of the FTC's Bureau"
        if _ROLE_OF.search(before) or re.match(r"(?:'s)?\s+(?:" + _ROLE_WORDS + r")\b", after):
            joined = _JOINED.match(text, match.end())
            if joined:
                return _clean_name(text[match.start():joined.end()])
            if re.match(r"[ \t\u00a0]+[a-z]", after) and not _ROLE_AFTER.match(after):
                continue  # "head of the US business": a modifier, not the organisation
            return _clean_name(match.group())
    return None


def speaker_after(text: str, folded: str, end: int) -> Speaker | None:
    """The speaker named right after a quotation ending at `end`, if any."""
    limit = min(len(text), end + 220)
    lead = re.compile(r"\s*[,.]?\s*(?:[-\u2014]\s*)?").match(folded, end, limit)
    pos = lead.end() if lead else end
    stop = _CLAUSE_END.search(folded, pos, limit)
    clause_end = stop.start() + 1 if stop else limit
    verb = _VERB.match(folded, pos, clause_end)
    intro = re.compile(r"(?:according to|selon|d'apres)\s+").match(folded, pos, clause_end)
    lead_in = verb or intro
    if lead_in is not None:
        return _subject_after(text, folded, lead_in.end(), clause_end)
    found = _subject_at(text, folded, pos, clause_end)
    if found is None:
        return None
    speaker, subject_end = found
    tail = folded[subject_end:clause_end]
    return speaker if re.match(r"^[^.]{0,120}?\b(?:" + _VERB.pattern + ")", tail) else None


def _subject_after(text: str, folded: str, start: int, end: int) -> Speaker | None:
    """The speaker after an attribution verb: "said Brad Smith, president of Microsoft"."""
    window = folded[start:min(end, start + 90)]
    generic = _GENERIC_SPEAKER.search(window)
    pronoun = re.match(r"^\s*(?:-t-)?(il|elle|he|she)\b", window)
    if pronoun:
        return Speaker(pronoun.group(1), kind="pronoun")
    names = _names(text, start, min(end, start + 90))
    if generic and (not names or names[0].start() > start + generic.start()):
        return Speaker(generic.group(1), kind="generic")
    if not names:
        return None
    return _with_organization(text, folded, names[0], end)


def _subject_at(text: str, folded: str, start: int, end: int) -> tuple[Speaker, int] | None:
    """A speaker at `start` ("Smith said", "the company said", "he added")."""
    word = _GENERIC_SPEAKER.match(folded, start, end) or re.compile(
        r"(he|she|il|elle|they|ils)\b").match(folded, start, end)
    if word:
        kind = "pronoun" if len(word.group(1)) <= 4 else "generic"
        return Speaker(word.group(1), kind=kind), word.end()
    article = re.compile(r"(?:(?:an?|the|une?|le|la)\s+|l')").match(folded, start, end)
    match = _NAME_RE.match(text, article.end() if article else start, end)
    if not match or not _clean_name(match.group()):
        return None
    return _with_organization(text, folded, match, end), match.end()


_TITLE_WORD = re.compile(
    r"^(?:president|ceo|chairman|chairwoman|chair|chief|executive|director|founder|spokesperson"
    r"|spokesman|spokeswoman|commissioner|minister|secretary|head|pdg|patron|senator|judge"
    r"|cfo|coo|boss|vice|general|counsel|officer)$"
)
_TITLED_OF = re.compile(r"^(?:PDG|CEO|Président|President|Directeur général|Chairman|Chief|Head"
                        r"|Patron|Présidente)\s+(?:de la |de l'|du |de |d'|of the |of )",
                        re.IGNORECASE)
_JOINED = re.compile(rf"\s+(?:and|&)\s+{_NAME}")
_ROLE_BEFORE = re.compile(
    rf"\b(?:{_ROLE_WORDS})\s+(?:of|de|du|d'|chez|at|for)\s*(?:the |la |l'|le )?$"
)
_ROLE_AFTER = re.compile(rf"(?:'s)?\s+(?:[a-z-]+\s+){{0,2}}?(?:{_ROLE_WORDS})\b")


def _role_speaker(text: str, folded: str, name: re.Match[str]) -> Speaker | None:
    """A speaker named by role: "un porte-parole d'Oracle", "a Microsoft spokesperson"."""
    organization = _clean_name(name.group())
    window = max(0, name.start() - 40)
    before = _ROLE_BEFORE.search(folded[window:name.start()])
    if before:
        start = window + before.start()
        return Speaker(" ".join(text[start:name.end()].split()).rstrip(".,;:"), organization,
                       kind="role")
    after = _ROLE_AFTER.match(folded[name.end():name.end() + 50])
    person = _NAME_RE.match(text, name.end() + after.end() + 1) if after else None
    if person and _clean_name(person.group()):
        return Speaker(_clean_name(person.group()), organization)
    if after:
        end = name.end() + after.end()
        return Speaker(" ".join(text[name.start():end].split()).replace("’s", "")
                       .replace("'s", ""), organization, kind="role")
    return None


def _split_title(written: str) -> Speaker | None:
    """ "Microsoft's Brad Smith", "Microsoft President Brad Smith": the person and the firm."""
    words = written.replace("\u2019", "'").split()
    for index, word in enumerate(words[:-1]):
        if word.endswith("'s") and index + 1 < len(words):
            return Speaker(_clean_name(" ".join(words[index + 1:])),
                           _clean_name(" ".join(words[:index + 1])) or None)
    titles = [i for i, w in enumerate(words) if _TITLE_WORD.match(w.lower())]
    if titles and titles[-1] < len(words) - 1:
        organization = " ".join(w for w in words[:titles[0]])
        return Speaker(_clean_name(" ".join(words[titles[-1] + 1:])),
                       _clean_name(organization) or None)
    return None


def _with_organization(text: str, folded: str, name: re.Match[str], end: int) -> Speaker:
    """The speaker `name`, with an organisation from its apposition or its own title."""
    role = _role_speaker(text, folded, name)
    if role is not None:
        return role
    titled = _split_title(name.group())
    if titled is not None and titled.name:
        if titled.organization is None:
            near = _organization_near(text, folded, name.end(), min(end, name.end() + 120))
            return Speaker(titled.name, near)
        return titled
    clean = _clean_name(name.group())
    before = folded[max(0, name.start() - 40):name.start()]
    prenominal = re.search(rf"([a-z][\w&.-]*)(?:'s)?\s+(?:{_ROLE_WORDS})\s*$", before)
    organization = _organization_near(text, folded, name.end(), min(end, name.end() + 120))
    if organization is None and prenominal:
        start = name.start() - len(before) + prenominal.start(1)
        written = _clean_name(text[start:start + len(prenominal.group(1))])
        organization = written if written[:1].isupper() else None
    return Speaker(clean, organization=organization)


def speaker_before(text: str, folded: str, start: int, quote_start: int) -> Speaker | None:
    """The speaker introducing a quotation: "Smith said:", "Pour X, «...»", "X a déclaré :"."""
    clause = folded[start:quote_start]
    intro = _INTRO.match(clause)
    if intro and clause.rstrip().endswith(","):
        names = _names(text, start + intro.end(), quote_start, addressee=False)
        if names:
            return _with_organization(text, folded, names[0], quote_start)
        return None
    if not re.search(r"[:,]\s*$|\b(?:" + _VERB.pattern + r")\s*$", clause):
        return None
    verbs = list(_VERB.finditer(folded, start, quote_start))
    if not verbs or quote_start - verbs[-1].end() > 70:
        return None
    found = _subject_at(text, folded, start + len(clause) - len(clause.lstrip()), verbs[-1].start())
    if found is not None:
        return found[0]
    names = _names(text, start, verbs[-1].start())
    return _with_organization(text, folded, names[0], verbs[-1].start()) if names else None


def person_opening(text: str, start: int, end: int) -> Speaker | None:
    """The person a sentence opens with ("Bret Taylor, Twitter's chairman, said..."), if any."""
    lead = len(text[start:end]) - len(text[start:end].lstrip())
    match = _NAME_RE.match(text, start + lead, end)
    if not match or len(_clean_name(match.group()).split()) < 2:
        return None
    return _with_organization(text, fold_lower(text), match, end)


def full_name(text: str, folded: str, surname: str, before: int) -> Speaker | None:
    """The person a lone surname stands for: the last "First Surname" written before."""
    pattern = re.compile(rf"(?:{_CAPITALISED}[ \t\u00a0]+){{1,3}}{re.escape(surname)}\b")
    last = None
    for match in pattern.finditer(text, max(0, before - 20_000), before):
        last = match
    if last is None:
        return None
    return _with_organization(text, folded, last, min(len(text), last.end() + 120))
