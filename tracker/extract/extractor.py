"""The extractor: an article and the configured deals in, validated events out."""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from events.errors import InvalidEvent
from events.model import STAGE_RANK, DeadlineSet, Event, NegotiationReported, StatementMade
from tracker.extract.attribution import read_statements
from tracker.extract.dates import has_past_marker
from tracker.extract.deadlines import MEETING as DEADLINE_MEETING
from tracker.extract.deadlines import find_deadlines, may_hold_deadline
from tracker.extract.matching import (
    ACQUIRER,
    SELLER,
    TARGET,
    DealIndex,
    Mention,
    article_deals,
    sentence_deals,
    settle_rivals,
)
from tracker.extract.sentences import Span, paragraphs, sentences
from tracker.extract.stages import StageReading, classify, is_rumor
from tracker.extract.text import clean, fold
from tracker.extract.vocabulary import lexicon
from tracker.model import Article, ArticleReading, Deal, Found
from tracker.text import guess_language

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Sentence:
    """One sentence of the article and what the first pass learnt about it."""

    span: Span
    text: str
    folded: str
    deals: set[int]
    named: bool
    stages: list[tuple[StageReading, set[int]]] = field(default_factory=list)
    _flags: dict[str, bool] = field(default_factory=dict)

    def has(self, what: str) -> bool:
        """Whether the sentence has deal words, names an authority or speaks of a decision.

        Several readers ask; each question is answered once per sentence.
        """
        if what not in self._flags:
            self._flags[what] = (authority_in(self.folded) if what == "authority"
                                 else _VOCABULARY[what].search(self.folded) is not None)
        return self._flags[what]

    def dealing(self) -> bool:
        """Whether the sentence speaks of a deal, a regulator or a decision."""
        return self.has("deal") or self.has("authority") or self.has("decision")


_VOCABULARY = {what: lexicon().compiled(f"words.{what}") for what in ("deal", "authority",
                                                                        "decision")}
_ANAPHORA = lexicon().compiled("words.anaphora")
_NOT_AUTHORITY = lexicon().compiled("words.not_authority")
#: The company a deal wording acts on, written right after it: "bid for GSK", "merger
#: agreement with Frontier", "rachat de Zodiac". Capitals matter: read in the text.
_CAPITAL = "[A-Z\u00c0-\u00de]"
_OBJECT = re.compile(
    r"\b(?:for|of|with|de|du|d'|d\u2019|sur|avec)\s+(?:the\s+|la\s+|le\s+|l'|l\u2019)?"
    rf"(?P<name>{_CAPITAL}[\w&'\u2019.-]*(?:[ \t]+{_CAPITAL}[\w&.-]*)*)")
#: Stages of deal-making, whose wording names the company dealt with.
_DEALING_STAGES = frozenset({"rumored", "negotiating", "agreed", "completed", "abandoned"})


STATEMENT_RULE = "statement: a quotation and the party it is attributed to"


def _stage_rule(reading: StageReading, sentence: _Sentence) -> tuple[str, str]:
    """The lexicon entry behind a stage reading (and what it was read as), and the words
    that triggered it."""
    entry = lexicon().entry_at(reading.wording, sentence.folded, reading.trigger_start)
    rule = (f"{entry.file} [{entry.kind}] '{entry.source}'" if entry
            else reading.wording or "stage")
    if reading.wording != f"stage.{reading.stage}":
        rule += f", read as {reading.stage}"
    return rule, sentence.text[reading.trigger_start:reading.trigger_end]


def authority_in(folded: str) -> bool:
    """Whether folded text names a regulator, a court or a government (a board is none)."""
    authority = _VOCABULARY["authority"]
    # most sentences name none: the boards are looked for only where one might be named
    if authority.search(folded) is None:
        return False
    if _NOT_AUTHORITY.search(folded):
        folded = _NOT_AUTHORITY.sub(lambda m: " " * len(m.group()), folded)
    return authority.search(folded) is not None
_DEAL_NOUN = lexicon().compiled("words.deal_noun")


@dataclass(slots=True)
class _Reading:
    """The state of reading one article."""

    article: Article
    text: str
    folded: str
    language: str
    mentions: list[Mention]
    deals: set[int]
    sentences: list[_Sentence] = field(default_factory=list)
    topical: set[int] = field(default_factory=set)
    events: dict[tuple[object, ...], Event] = field(default_factory=dict)
    #: for each event, the rule behind it and the words that triggered it
    rules: dict[tuple[object, ...], tuple[str, str]] = field(default_factory=dict)


class _Context:
    """What the sentences around one say about it: who rules, whether it is a rumour.

    A regulator named in the sentence before (or, for the headline, in the lede) acts
    in this one too; a headline stating a fact over a lede that attributes it to sources
    reports a rumour.
    """

    def __init__(self, r: _Reading, spans: Sequence[Span]) -> None:
        self._reading = r
        self._spans = spans
        self.previous: _Sentence | None = None
        self.headline_named = False

    # Only a headline asks about the lede: the two are read on first demand.
    @cached_property
    def lede_authority(self) -> bool:
        bounds = paragraphs(self._reading.text)
        return len(bounds) > 1 and authority_in(self._reading.folded[slice(*bounds[1])])

    @cached_property
    def lede_rumor(self) -> bool:
        """Whether the lede's first sentence says the headline's news is a rumour."""
        first = next((span for span in self._spans if span.paragraph == 1), None)
        return first is not None and is_rumor(self._reading.folded[first.start:first.end])

    def authority(self, sentence: _Sentence) -> bool:
        """Whether a regulator, a court or a government acts in `sentence`."""
        if sentence.has("authority"):
            return True
        if sentence.span.paragraph == 0:
            return self.lede_authority
        previous = self.previous
        return (previous is not None and previous.span.paragraph == sentence.span.paragraph
                and previous.has("authority"))

    def rumor(self, sentence: _Sentence) -> bool:
        """Whether what surrounds `sentence` reports its news as unconfirmed."""
        return sentence.span.paragraph == 0 and self.lede_rumor


class Extractor:
    """Reads articles for the events of the configured deals; build once, use often."""

    def __init__(self, deals: Sequence[Deal]) -> None:
        self.deals = list(deals)
        self._index = DealIndex(self.deals)

    def extract(self, article: Article) -> list[Event]:
        """The events `article` supports (stages, deadlines, statements).

        An event the model refuses is dropped; anything else raised here is a bug,
        left for the caller to log whole and count.
        """
        return self.read(article).events

    def read(self, article: Article) -> ArticleReading:
        """The deals `article` names and its events, each with the rule behind it."""
        r = self._read(article)
        if r is None:
            return ArticleReading()
        found = []
        for key, event in r.events.items():
            rule, words = r.rules[key]
            at = event.evidence.find(words) if words and event.evidence else -1
            found.append(Found(event, rule, (at, at + len(words)) if at >= 0 else None))
        return ArticleReading(frozenset(self.deals[n].id for n in r.deals), tuple(found))

    def _read(self, article: Article) -> _Reading | None:
        if not isinstance(article.published, datetime) or article.published.tzinfo is None:
            return None
        text = clean(f"{article.title or ''}\n\n{article.text or ''}")
        folded = fold(text)
        mentions = self._index.mentions(text, folded)
        deals = article_deals(self._index, mentions) if mentions else set()
        if not deals:
            return None
        language = article.language if article.language in ("fr", "en") else None
        reading = _Reading(article, text, folded, language or guess_language(text) or "en",
                           mentions, deals)
        self._first_pass(reading)
        self._stages(reading)
        self._deadlines(reading)
        self._statements(reading)
        return reading

    def _first_pass(self, r: _Reading) -> None:
        """Split into sentences, tie each to deals, read its stage, find topical deals."""
        starts = [m.start for m in r.mentions]
        current: set[int] = set(r.deals) if len(r.deals) == 1 else set()
        spans = sentences(r.text)
        context = _Context(r, spans)
        for span in spans:
            here = r.mentions[bisect.bisect_left(starts, span.start):
                              bisect.bisect_left(starts, span.end)]
            folded = r.folded[span.start:span.end]
            named = sentence_deals(self._index, here, r.deals) if here else set()
            named = settle_rivals(self._index, named, here)
            current = named or current
            sentence = _Sentence(span, r.text[span.start:span.end], folded, set(current),
                                 bool(named))
            # the lede under a headline naming the deal speaks of it, named or not
            lede = span.paragraph == 1 and context.headline_named
            if here or lede or _ANAPHORA.search(folded):
                self._read_stage(r, sentence, here, context)
            if span.paragraph == 0 and named:
                context.headline_named = True
            for _, deals in sentence.stages:
                r.topical |= deals
            if (not sentence.stages and named and sentence.dealing()
                    and self._both_sides(here, named)):
                r.topical |= named
            context.previous = sentence
            r.sentences.append(sentence)

    def _read_stage(self, r: _Reading, sentence: _Sentence, here: Sequence[Mention],
                    context: _Context) -> None:
        """Classify the sentence; with rival bidders named, each clause keeps its bidder."""
        if not (self._names_target(here, sentence.deals) or _DEAL_NOUN.search(sentence.folded)):
            return  # "Nvidia was barred from selling chips": the buyer, not the deal
        named = sentence_deals(self._index, here, r.deals)
        # naming both sides makes a sentence about the deal: "Acme now owns Globex"
        about_deal = sentence.has("deal") or self._both_sides(here, named)
        readings = classify(sentence.folded, lambda c: has_past_marker(c, r.article.published),
                            deal_words=about_deal, authority=context.authority(sentence),
                            rumor=context.rumor(sentence),
                            headline=sentence.span.paragraph == 0)
        for reading in readings:
            deals = sentence.deals
            if len(named) > 1:
                start = sentence.span.start
                clause = (start + reading.start, start + reading.end)
                deals = settle_rivals(self._index, named, here, clause) or deals
            if reading.stage in _DEALING_STAGES:
                deals = self._dealt_with(sentence, reading, here, deals)
            if deals:
                sentence.stages.append((reading, set(deals)))

    def _dealt_with(self, sentence: _Sentence, reading: StageReading, here: Sequence[Mention],
                    deals: set[int]) -> set[int]:
        """The deals a wording acts on: another company named as what it acts on ("bid
        for GSK", "agreement with Frontier") takes it away from the configured deals."""
        found = _OBJECT.search(sentence.text, reading.trigger_start,
                               min(reading.end, reading.trigger_end + 60))
        if found is None:
            return deals
        at = sentence.span.start + found.start("name")
        mention = next((m for m in here if m.start <= at < m.end), None)
        if mention is not None:
            return deals & {n for n, _ in mention.roles} or deals
        if authority_in(fold(found.group("name"))):
            return deals  # "approval of the Commission": who rules, not who is bought
        return set()

    def _names_target(self, here: Sequence[Mention], deals: set[int]) -> bool:
        """Whether a sentence names the target side, or buyer and seller, of one of `deals`."""
        roles = {pair for m in here for pair in m.roles if pair[0] in deals}
        return any((n, TARGET) in roles or {(n, ACQUIRER), (n, SELLER)} <= roles for n in deals)

    def _both_sides(self, here: Sequence[Mention], named: set[int]) -> bool:
        """Whether a sentence names the target side and the buyer or seller of a deal."""
        roles = {(n, role) for m in here for n, role in m.roles if n in named}
        return any((n, "target") in roles and {(n, "acquirer"), (n, "seller")} & roles
                   for n in named)

    def _stages(self, r: _Reading) -> None:
        """One stage per deal: the news is in the headline, else in the first paragraph
        that reports one (later ones tell the story so far); there, the furthest along."""
        best: dict[int, tuple[int, int, StageReading, _Sentence]] = {}
        for sentence in r.sentences:
            for reading, deals in sentence.stages:
                for number in deals:
                    # a rumour and talks rank alike: the paragraph's first one is its news
                    rank = (-sentence.span.paragraph, max(STAGE_RANK.get(reading.stage, -1), 1))
                    if number not in best or rank > best[number][:2]:
                        best[number] = (*rank, reading, sentence)
        for number in sorted(best):
            _, _, reading, sentence = best[number]
            rule, words = _stage_rule(reading, sentence)
            self._add(r, NegotiationReported, number, sentence.text, rule, words,
                      stage=reading.stage)

    def _deadlines(self, r: _Reading) -> None:
        context = ""  # the sentence before: who "elle" or "it" is, for the label
        previous: _Sentence | None = None
        # A sentence that could be about several deals dates the ones the article names
        # with both sides: "the regulator's deadline for Globex is May 10" in an article
        # on Globex buying Initech is not about Acme's bid for Globex.
        whole = {n for n in r.deals if self._both_sides(r.mentions, {n})}
        for sentence in r.sentences:
            context, before = sentence.folded, context
            previous, was = sentence, previous
            deals = sentence.deals & r.topical
            deals = (deals & whole or deals) if len(deals) > 1 else deals
            if not (deals and may_hold_deadline(sentence.folded)
                    and self._dates_the_deal(sentence, was)):
                continue
            for draft in find_deadlines(sentence.folded, published=r.article.published,
                                        language=r.language, context=before):
                replaces = draft.replaces.isoformat() if draft.replaces else None
                words = sentence.text[slice(*draft.span)]
                for number in sorted(deals):
                    self._add(r, DeadlineSet, number, sentence.text, draft.rule, words,
                              due=draft.due.isoformat(), label=draft.label, replaces=replaces)

    @staticmethod
    def _dates_the_deal(sentence: _Sentence, previous: _Sentence | None) -> bool:
        """Whether a sentence's dates may be the deal's: it speaks of a deal, a decision or
        a shareholders' meeting, and it names a party or a deal or an authority, or follows
        a sentence that speaks of them ("That should be done by May 3" after a sentence on
        a move of headquarters is not about the deal).
        """
        if not (sentence.dealing() or DEADLINE_MEETING.search(sentence.folded)):
            return False
        return (sentence.named or sentence.has("deal") or sentence.has("authority")
                or (previous is not None and previous.dealing()))

    def _statements(self, r: _Reading) -> None:
        def add(number: int, evidence: str, **fields: object) -> None:
            quote = str(fields["quote"])
            self._add(r, StatementMade, number, evidence, STATEMENT_RULE,
                      quote if quote in " ".join(evidence.split()) else "", **fields)

        read_statements(r, self._index, add)

    def _add(self, r: _Reading, kind: type[Event], number: int, evidence: str, rule: str,
             words: str, **fields: object) -> None:
        """Build one event, with the rule and the words behind it; an event the model
        refuses is dropped, never raised."""
        deal = self.deals[number]
        key_field = {"negotiation": "stage", "deadline": "due"}.get(kind.type)
        key = (kind.type, deal.id, fields[key_field] if key_field else
               (fields["speaker"], fields["quote"]))
        if key in r.events:
            return
        article = r.article
        try:
            r.events[key] = kind(deal_id=deal.id, occurred_at=article.published,
                                 source_url=article.link, source_feed=article.feed,
                                 evidence=" ".join(evidence.split())[:2000], **fields)
            r.rules[key] = (rule, " ".join(words.split()))
        except InvalidEvent as error:
            log.debug("dropped an invalid %s for %s: %s", kind.type, deal.id, error)
