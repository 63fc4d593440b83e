"""Extraction never raises, stays fast on text that names no deal, and returns valid events."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from events.model import Event
from tracker.extract import Extractor, stages
from tracker.model import Article, Deal

DEALS = (
    Deal(id="microsoft-tiktok", title="T", acquirer="Microsoft", target="TikTok",
         seller="ByteDance"),
    Deal(id="oracle-tiktok", title="O", acquirer="Oracle", target="TikTok"),
    Deal(id="nvidia-arm", title="A", acquirer="Nvidia", target="Arm", aliases=("Arm Ltd",)),
)
EXTRACTOR = Extractor(DEALS)
PIECES = ["Microsoft", "TikTok's", "Oracle", "ByteDance", "Arm", "a confirmé", "in talks",
          "« ", " »", "“", "”", '"', " said ", ", ", ". ", "\n\n", "by September 15",
          "dans 45 jours", "blocked", "agreed to buy", "n'a pas", "?", "\u0301", "\u202f",
          "l’", "2020", "Oct. 18, 2023", "from July 18 to October 18", "ﬁ", "\ud7ff", "İ"]


def article(text: str, title: str = "") -> Article:
    return Article(feed="f", key="k", link="https://example.org/x", title=title, text=text,
                   published=datetime(2020, 8, 2, 9, tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=60))
def test_any_text_gives_valid_events_and_never_raises(parts: list[str]) -> None:
    text = "".join(parts)
    events = EXTRACTOR.extract(article(text, title=text[:50]))
    assert all(isinstance(event, Event) and event.deal_id for event in events)
    assert all(event.event_id for event in events)


def test_huge_and_hostile_text_is_handled_quickly() -> None:
    hostile = ("« " * 5000 + "TikTok " + '"' * 5000 + " Microsoft a confirmé négocier. "
               + "a" * 100_000 + " by September 15 " * 2000)
    start = time.perf_counter()
    EXTRACTOR.extract(article(hostile * 3))
    assert time.perf_counter() - start < 10


def test_an_article_without_a_deal_name_costs_almost_nothing() -> None:
    text = "The company reported higher quarterly profits on strong cloud demand. " * 80
    plain = article(text)
    start = time.perf_counter()
    for _ in range(200):
        assert EXTRACTOR.extract(plain) == []
    assert (time.perf_counter() - start) / 200 < 0.005


def test_a_naive_publication_time_yields_nothing_rather_than_raising() -> None:
    naive = Article(feed="f", key="k", link=None, title="", text="Microsoft is in talks with "
                    "TikTok.", published=datetime(2020, 8, 2))
    assert EXTRACTOR.extract(naive) == []


WORDS = ["rejected", "the", "offer", "s'oppose", "l'offre", "in", "talks", "to", "buy", "for",
         "$5bn", "will", "acquire", "n'est", "plus", "candidat", "terminated", "agreement",
         "cleared", "approuve", "rachat", "a", "pris", "le", "controle", "de", "judge", "blocked",
         "(", ")", ",", ";", "-", "no", "longer", "wo", "n't", "sell", "fell", "through", "opa"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), max_size=40))
def test_stage_patterns_tried_at_keyed_offsets_find_what_a_full_scan_finds(
        parts: list[str]) -> None:
    text = " ".join(parts).lower()
    offsets = stages._trigger_offsets(text)
    for index, (_, pattern) in enumerate(stages._COMPILED):
        keyed = stages._matches(pattern, text, offsets.get(index, []), 0, len(text))
        assert [m.span() for m in keyed] == [m.span() for m in pattern.finditer(text)]
