"""The extractor: an article and the configured deals in, validated events out."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from events.errors import InvalidEvent
from events.model import DeadlineSet, Event, NegotiationReported, StatementMade
from tracker.extract.attribution import read_statements
from tracker.extract.dates import has_past_marker
from tracker.extract.deadlines import find_deadlines
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
from tracker.extract.sentences import Span, sentences
from tracker.extract.stages import classify
from tracker.extract.text import clean, fold
from tracker.extract.vocabulary import lexicon
from tracker.model import Article, Deal
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
    stages: list[tuple[str, set[int]]] = field(default_factory=list)
    _flags: dict[str, bool] = field(default_factory=dict)

    def has(self, what: str) -> bool:
        """Whether the sentence has deal words, names an authority or speaks of a decision.

        Several readers ask; each question is answered once per sentence.
        """
        if what not in self._flags:
            self._flags[what] = _VOCABULARY[what].search(self.folded) is not None
        return self._flags[what]

    def dealing(self) -> bool:
        """Whether the sentence speaks of a deal, a regulator or a decision."""
        return self.has("deal") or self.has("authority") or self.has("decision")


_VOCABULARY = {what: lexicon().compiled(f"words.{what}") for what in ("deal", "authority",
                                                                        "decision")}
_ANAPHORA = lexicon().compiled("words.anaphora")
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
        reading = self._read(article)
        return list(reading.events.values()) if reading else []

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
        for span in sentences(r.text):
            here = r.mentions[bisect.bisect_left(starts, span.start):
                              bisect.bisect_left(starts, span.end)]
            folded = r.folded[span.start:span.end]
            named = sentence_deals(self._index, here, r.deals) if here else set()
            named = settle_rivals(self._index, named, here)
            current = named or current
            sentence = _Sentence(span, r.text[span.start:span.end], folded, set(current),
                                 bool(named))
            if here or _ANAPHORA.search(folded):
                self._read_stage(r, sentence, here)
            for _, deals in sentence.stages:
                r.topical |= deals
            if (not sentence.stages and named and sentence.dealing()
                    and self._both_sides(here, named)):
                r.topical |= named
            r.sentences.append(sentence)

    def _read_stage(self, r: _Reading, sentence: _Sentence, here: Sequence[Mention]) -> None:
        """Classify the sentence; with rival bidders named, each clause keeps its bidder."""
        if not (self._names_target(here, sentence.deals) or _DEAL_NOUN.search(sentence.folded)):
            return  # "Nvidia was barred from selling chips": the buyer, not the deal
        named = sentence_deals(self._index, here, r.deals)
        # naming both sides makes a sentence about the deal: "Acme now owns Globex"
        about_deal = sentence.has("deal") or self._both_sides(here, named)
        readings = classify(sentence.folded, lambda c: has_past_marker(c, r.article.published),
                            deal_words=about_deal, authority=sentence.has("authority"))
        for reading in readings:
            deals = sentence.deals
            if len(named) > 1:
                start = sentence.span.start
                clause = (start + reading.start, start + reading.end)
                deals = settle_rivals(self._index, named, here, clause) or deals
            sentence.stages.append((reading.stage, set(deals)))

    def _names_target(self, here: Sequence[Mention], deals: set[int]) -> bool:
        """Whether a sentence names the target side, or buyer and seller, of one of `deals`."""
        roles = {pair for m in here for pair in self._index.roles(m.key) if pair[0] in deals}
        return any((n, TARGET) in roles or {(n, ACQUIRER), (n, SELLER)} <= roles for n in deals)

    def _both_sides(self, here: Sequence[Mention], named: set[int]) -> bool:
        """Whether a sentence names the target side and the buyer or seller of a deal."""
        roles = {(n, role) for m in here for n, role in self._index.roles(m.key) if n in named}
        return any((n, "target") in roles and {(n, "acquirer"), (n, "seller")} & roles
                   for n in named)

    def _stages(self, r: _Reading) -> None:
        for sentence in r.sentences:
            for stage, deals in sentence.stages:
                for number in sorted(deals):
                    self._add(r, NegotiationReported, number, sentence.text, stage=stage)

    def _deadlines(self, r: _Reading) -> None:
        context = ""  # the sentence before: who "elle" or "it" is, for the label
        for sentence in r.sentences:
            context, before = sentence.folded, context
            deals = sentence.deals & r.topical
            if not deals or not sentence.dealing():
                continue
            for draft in find_deadlines(sentence.folded, published=r.article.published,
                                        language=r.language, context=before):
                replaces = draft.replaces.isoformat() if draft.replaces else None
                for number in sorted(deals):
                    self._add(r, DeadlineSet, number, sentence.text, due=draft.due.isoformat(),
                              label=draft.label, replaces=replaces)

    def _statements(self, r: _Reading) -> None:
        def add(number: int, evidence: str, **fields: object) -> None:
            self._add(r, StatementMade, number, evidence, **fields)

        read_statements(r, self._index, add)

    def _add(self, r: _Reading, kind: type[Event], number: int, evidence: str,
             **fields: object) -> None:
        """Build one event; an event the model refuses is dropped, never raised."""
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
        except InvalidEvent as error:
            log.debug("dropped an invalid %s for %s: %s", kind.type, deal.id, error)
