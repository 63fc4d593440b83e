"""Finding configured deals in an article: one compiled scan over every party name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tracker.extract.text import fold
from tracker.model import Deal

#: A trie of names, one character per level; "" marks the end of a name.
_Trie = dict[str, "_Trie"]

TARGET, ACQUIRER, SELLER = "target", "acquirer", "seller"
_PERSON_PARTICLES = frozenset({"de", "van", "von", "der", "da", "di", "le", "la", "bin", "al"})


@dataclass(frozen=True, slots=True)
class Mention:
    """A party name found in the text: where, which folded name, as written, and the
    (deal number, role) pairs it stands for here (an excluded phrase takes some away)."""

    start: int
    end: int
    key: str
    written: str
    roles: tuple[tuple[int, str], ...] = ()


@dataclass(slots=True)
class _NameInfo:
    """Which deals a folded name belongs to, and in which role."""

    roles: list[tuple[int, str]] = field(default_factory=list)
    #: Short names that are also common words ("Arm") only count as written.
    exact: str | None = None


def trie_pattern(keys: Sequence[str]) -> str:
    """One regex for many folded names, factored as a trie so the scan stays fast.

    Word boundaries are checked on each hit in Python: lookarounds in front of every
    name would stop the regex engine from skipping ahead on the first character.
    """
    root: _Trie = {}
    for key in keys:
        node = root
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        ends = "" in node
        branches = [(r"[\s-]+" if char == " " else re.escape(char)) + build(child)
                    for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return build(root)


def _bounded(folded: str, start: int, end: int) -> bool:
    """Whether a hit stands as whole words: no letter or digit glued on either side."""
    before = folded[start - 1] if start else " "
    after = folded[end] if end < len(folded) else " "
    glued_before = folded[start].isalnum() and (before.isalnum() or before == "_")
    glued_after = folded[end - 1].isalnum() and (after.isalnum() or after == "_")
    return not (glued_before or glued_after)


def _acquirer_names(acquirer: str) -> list[str]:
    """An acquirer's names: the full name, and a person's surname ("Elon Musk" -> "Musk")."""
    parts = acquirer.split()
    names = [acquirer]
    person_like = len(parts) == 2 and all(p[:1].isupper() and p[1:].islower() for p in parts)
    if person_like and len(parts[1]) >= 4 and parts[0].lower() not in _PERSON_PARTICLES:
        names.append(parts[1])
    return names


class DealIndex:
    """Every name of every configured deal, scanned in one pass of one regex."""

    def __init__(self, deals: Sequence[Deal]) -> None:
        self.deals = list(deals)
        self.names: dict[str, _NameInfo] = {}
        self.excluded: dict[str, set[int]] = {}  # folded phrase -> deals it is no name of
        for number, deal in enumerate(self.deals):
            for name in deal.target_names():
                self._add(name, number, TARGET)
            for name in (*_acquirer_names(deal.acquirer), *deal.acquirer_aliases):
                self._add(name, number, ACQUIRER)
            for name in deal.seller_names():
                self._add(name, number, SELLER)
            for phrase in deal.exclude:
                key = _key(phrase)
                if key:
                    self.excluded.setdefault(key, set()).add(number)
        self.rivals: dict[int, set[int]] = {n: set() for n in range(len(self.deals))}
        for info in self.names.values():
            group = {n for n, role in info.roles if role == TARGET}
            for number in group:
                self.rivals[number] |= group - {number}
        keys = sorted(self.names, key=lambda k: (-len(k), k))
        self.scan = re.compile(trie_pattern(keys)) if keys else None
        phrases = sorted(self.excluded, key=lambda k: (-len(k), k))
        self.exclude_scan = re.compile(trie_pattern(phrases)) if phrases else None

    def _add(self, name: str, number: int, role: str) -> None:
        key = _key(name)
        if not key:
            return
        info = self.names.setdefault(key, _NameInfo())
        if (number, role) not in info.roles:
            info.roles.append((number, role))
        if len(key) <= 3 and key.isalpha():
            info.exact = name.strip()

    def mentions(self, text: str, folded: str) -> list[Mention]:
        """Every party name in `text` (given with its fold), in order."""
        if self.scan is None:
            return []
        excluded = self._excluded_spans(folded)
        found = []
        for match in self.scan.finditer(folded):
            if not _bounded(folded, match.start(), match.end()):
                continue
            key = _key(match.group())
            info = self.names.get(key)
            written = text[match.start():match.end()]
            if info is None or (info.exact and written not in (info.exact, info.exact.upper())):
                continue
            away = {n for start, end, deals in excluded if start <= match.start() < end
                    for n in deals}
            roles = tuple(pair for pair in info.roles if pair[0] not in away)
            if roles:
                found.append(Mention(match.start(), match.end(), key, written, roles))
        return found

    def _excluded_spans(self, folded: str) -> list[tuple[int, int, set[int]]]:
        """Where the text says a phrase that is no name of some deals ("Fox News")."""
        if self.exclude_scan is None:
            return []
        return [(m.start(), m.end(), self.excluded[_key(m.group())])
                for m in self.exclude_scan.finditer(folded)
                if _bounded(folded, m.start(), m.end()) and _key(m.group()) in self.excluded]

    def roles(self, key: str) -> list[tuple[int, str]]:
        """The (deal number, role) pairs a folded name stands for."""
        info = self.names.get(key)
        return info.roles if info else []


def _key(name: str) -> str:
    """A name as the scan compares it: folded, dashes as spaces, spaces folded."""
    return " ".join(fold(name).replace("-", " ").split())


def article_deals(index: DealIndex, mentions: Sequence[Mention]) -> set[int]:
    """The deals an article concerns: the target side named, and the buyer too whenever
    a name of the target side also belongs to another configured deal (rival bidders,
    a company buying in one deal and bought in another): with no way to decide, none."""
    roles_seen: dict[int, set[str]] = {}
    shared: set[int] = set()  # deals whose target side was named by a name others share
    for mention in mentions:
        numbers = {number for number, _ in mention.roles}
        for number, role in mention.roles:
            roles_seen.setdefault(number, set()).add(role)
            if role == TARGET and len(numbers) > 1:
                shared.add(number)
    return {number for number, roles in roles_seen.items() if TARGET in roles
            and (ACQUIRER in roles or number not in shared)}


def sentence_deals(index: DealIndex, mentions: Sequence[Mention], among: set[int]) -> set[int]:
    """The deals of `among` that a sentence names without ambiguity."""
    owners: dict[str, set[int]] = {}
    for mention in mentions:
        numbers = {n for n, _ in mention.roles if n in among}
        owners.setdefault(mention.key, set()).update(numbers)
    named: set[int] = set()
    for numbers in owners.values():
        if len(numbers) == 1:
            named |= numbers
    return named


def settle_rivals(index: DealIndex, named: set[int], mentions: Sequence[Mention],
                  within: tuple[int, int] | None = None) -> set[int]:
    """Among rival deals named together, keep the one whose buyer the clause names first."""
    contested = {n for n in named if index.rivals.get(n, set()) & named}
    if not contested:
        return named
    first: dict[int, int] = {}
    for mention in mentions:
        for number, role in mention.roles:
            if number in contested and role == ACQUIRER:
                first.setdefault(number, mention.start)
    if within is not None:
        inside = {n: at for n, at in first.items() if within[0] <= at < within[1]}
        first = inside or first
    keep = named - contested
    if first:
        keep.add(min(first, key=lambda n: (first[n], n)))
    return keep
