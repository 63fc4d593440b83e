"""Extraction quality: the labelled evaluation set and the seed story."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from bench import extraction
from events.model import DeadlineSet, NegotiationReported, StatementMade
from tracker.extract import Extractor
from tracker.model import Article, Deal

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed-article-fr.txt"
#: Generous floors: the bench reports the real figures; these catch regressions.
MIN_F1 = 0.75
MIN_STATUS_ACCURACY = 0.75


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return extraction


def test_the_evaluation_set_has_the_promised_shape(bench: ModuleType) -> None:
    evalset = bench.load_eval_set()
    items = evalset.items
    noise = [item for item in items if not item.get("expected")]
    followed = {e["deal"] for item in items for e in item.get("expected", [])}
    assert len(items) >= 80
    assert len(noise) / len(items) >= 0.25
    assert len(followed) >= 5
    assert {item["language"] for item in items} == {"fr", "en"}
    assert len({item["id"] for item in items}) == len(items)
    deal_ids = {deal.id for deal in evalset.deals}
    assert followed <= deal_ids
    assert {c["deal"] for c in evalset.checkpoints} <= deal_ids


def test_the_evaluation_set_scores_above_the_floor(bench: ModuleType) -> None:
    evalset = bench.load_eval_set()
    scores, predictions = bench.score(evalset, Extractor(evalset.deals))
    for kind in bench.TYPES:
        precision, recall, f1 = scores.f1(kind)
        assert f1 >= MIN_F1, (kind, precision, recall, scores.misses)
    right, total = bench.status_accuracy(evalset, predictions)
    assert right / total >= MIN_STATUS_ACCURACY


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed article is not beside the repo")
def test_the_seed_story_gives_talks_a_deadline_and_two_statements() -> None:
    deal = Deal(id="microsoft-tiktok", title="Microsoft / TikTok US", acquirer="Microsoft",
                target="TikTok", seller="ByteDance")
    article = Article(feed="seed", key="seed", link="https://example.org/seed", title="",
                      text=SEED.read_text(encoding="utf-8"),
                      published=datetime(2020, 8, 2, 12, tzinfo=UTC), language="fr")
    events = Extractor([deal]).extract(article)
    assert {e.stage for e in events if isinstance(e, NegotiationReported)} == {"negotiating"}
    assert {e.due for e in events if isinstance(e, DeadlineSet)} == {"2020-09-15"}
    statements = {(e.speaker, e.organization) for e in events if isinstance(e, StatementMade)}
    assert "Microsoft" in {speaker for speaker, _ in statements}
    assert ("Vanessa Pappas", "TikTok") in statements
