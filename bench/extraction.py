"""Extraction quality and speed on the labelled evaluation set.

Prints precision, recall and F1 per event type, the status accuracy of replayed
checkpoints, and articles per second for articles that name a deal and for those
that name none.

    python bench/extraction.py [--data tests/data/extraction] [--only heldout] [--verbose]

`--only` scores the items of the named files (stems, comma-separated) alone: the
held-out batch (heldout.toml) was written before the extractor saw it, so its figures
are the honest estimate of how extraction generalises.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from events.model import Event  # noqa: E402
from events.replay import replay  # noqa: E402
from events.sqlite_store import SQLiteEventStore  # noqa: E402
from tracker.extract import Extractor  # noqa: E402
from tracker.extract.text import fold  # noqa: E402
from tracker.model import Article, Deal  # noqa: E402

DATA = ROOT / "tests" / "data" / "extraction"
TYPES = ("negotiation", "deadline", "statement")


@dataclass
class EvalSet:
    """The labelled items, the deals they follow and the status checkpoints."""

    deals: list[Deal]
    items: list[dict[str, Any]]
    checkpoints: list[dict[str, Any]]


@dataclass
class Scores:
    """True positives, false positives and false negatives per event type."""

    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {t: Counter() for t in TYPES}
    )
    misses: list[str] = field(default_factory=list)
    organizations: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)

    def f1(self, kind: str) -> tuple[float, float, float]:
        """Precision, recall and F1 for one event type (1.0 when nothing was due)."""
        c = self.counts[kind]
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def load_eval_set(directory: Path = DATA, only: set[str] | None = None) -> EvalSet:
    """Read deals.toml and every other *.toml of `directory` (or those named in `only`)."""
    raw_deals = tomllib.loads((directory / "deals.toml").read_text("utf-8"))["deals"]
    deals = [Deal(**{**d, "aliases": tuple(d.get("aliases", ()))}) for d in raw_deals]
    items, checkpoints = [], []
    for path in sorted(directory.glob("*.toml")):
        if path.name != "deals.toml" and (only is None or path.stem in only):
            data = tomllib.loads(path.read_text("utf-8"))
            items += data.get("items", [])
            checkpoints += data.get("checkpoints", [])
    return EvalSet(deals, items, checkpoints)


def to_article(item: dict[str, Any]) -> Article:
    """The Article an evaluation item stands for."""
    published = datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
    return Article(feed="eval", key=item["id"], link=f"https://example.org/{item['id']}",
                   title=item.get("title", ""), text=item["text"],
                   published=published.astimezone(UTC),
                   language=item.get("language"))


def speaker_key(name: str) -> str:
    """The speaker's surname (or an organisation's last word), folded."""
    words = re.split(r"[\s']+", fold(name).replace("'s ", " ").strip(" .,"))
    return words[-1] if words else ""


def event_key(deal: str, kind: str, fields: dict[str, Any]) -> tuple[str, ...]:
    """What must match for a predicted event to count as an expected one."""
    if kind == "negotiation":
        return (deal, kind, fields["stage"])
    if kind == "deadline":
        return (deal, kind, fields["due"], fields.get("replaces") or "")
    return (deal, kind, speaker_key(fields["speaker"]))


def predicted_keys(events: list[Event]) -> set[tuple[str, ...]]:
    """Keys of the events the extractor returned."""
    return {event_key(e.deal_id, e.type, e.data()) for e in events}


def score(evalset: EvalSet, extractor: Extractor) -> tuple[Scores, dict[str, list[Event]]]:
    """Compare predictions with expectations, item by item."""
    scores, predictions = Scores(), {}
    for item in evalset.items:
        events = predictions[item["id"]] = extractor.extract(to_article(item))
        got = predicted_keys(events)
        want = {event_key(e["deal"], e["type"], e) for e in item.get("expected", [])}
        for key in got | want:
            verdict = "tp" if key in got and key in want else "fp" if key in got else "fn"
            scores.counts[key[1]][verdict] += 1
            if verdict != "tp":
                scores.misses.append(f"{item['id']}: {verdict} {key}")
        _score_details(scores, item, events)
    return scores, predictions


def _score_details(scores: Scores, item: dict[str, Any], events: list[Event]) -> None:
    """Count matched statements and deadlines whose labelled organisation or label agree."""
    for kind, name, counter in (("statement", "organization", scores.organizations),
                                ("deadline", "label", scores.labels)):
        found = {event_key(e.deal_id, e.type, e.data()): e.data().get(name)
                 for e in events if e.type == kind}
        for expected in item.get("expected", []):
            key = event_key(expected["deal"], expected["type"], expected)
            if expected["type"] == kind and name in expected and key in found:
                right = fold(found[key] or "") == fold(expected[name] or "")
                counter["right" if right else "wrong"] += 1
                if not right:
                    scores.misses.append(f"{item['id']}: {name} {found[key]!r}"
                                         f" != {expected[name]!r}")


def status_accuracy(evalset: EvalSet, predictions: dict[str, list[Event]]) -> tuple[int, int]:
    """Replay predicted events in publication order; count checkpoints that match."""
    ordered = sorted(evalset.items, key=lambda i: (i["published"], i["id"]))
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteEventStore(Path(folder) / "eval.db")
        try:
            for item in ordered:
                store.append(predictions[item["id"]])
            right = 0
            for checkpoint in evalset.checkpoints:
                result = replay(store, as_of=date.fromisoformat(checkpoint["as_of"]),
                                zone=UTC, deal_id=checkpoint["deal"])
                state = result.deals.get(checkpoint["deal"])
                right += (state.status if state else "unknown") == checkpoint["status"]
        finally:
            store.close()
    return right, len(evalset.checkpoints)


def without_deal_names(item: dict[str, Any], deals: list[Deal]) -> dict[str, Any]:
    """The item with every party name replaced: an article that names no deal."""
    names = {n for d in deals for n in (*d.target_names(), d.acquirer, d.seller or "") if n}
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)),
                         re.IGNORECASE)
    return {**item, "title": pattern.sub("Contoso", item.get("title", "")),
            "text": pattern.sub("Contoso", item["text"])}


def articles_per_second(extractor: Extractor, articles: list[Article],
                        seconds: float = 1.0, rounds: int = 3) -> float:
    """How many of `articles` one extractor reads per second: the best of `rounds` runs.

    The best run is the one least disturbed by other work on the machine.
    """
    for article in articles:
        extractor.extract(article)
    best = 0.0
    for _ in range(rounds):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            for article in articles:
                extractor.extract(article)
            done += len(articles)
        best = max(best, done / (time.perf_counter() - start))
    return best


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the evaluation set")
    parser.add_argument("--only", help="score only these files (stems, comma-separated)")
    parser.add_argument("--verbose", action="store_true", help="list every mismatch")
    parser.add_argument("--set", dest="sets", type=Path, action="append", default=[],
                        metavar="PATH", help="also score a set in the gold.json format of"
                        " ../shared/corpus/real-news-dev, polled as a user would (repeatable)")
    args = parser.parse_args(argv)
    evalset = load_eval_set(args.data, set(args.only.split(",")) if args.only else None)
    extractor = Extractor(evalset.deals)
    scores, predictions = score(evalset, extractor)
    noise = sum(1 for item in evalset.items if not item.get("expected"))
    languages = Counter(item.get("language", "?") for item in evalset.items)
    print(f"items: {len(evalset.items)} ({noise} noise, {noise / len(evalset.items):.0%}),"
          f" deals: {len(evalset.deals)}, languages: {dict(sorted(languages.items()))}")
    print(f"{'type':<12} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>7} {'f1':>6}")
    for kind in TYPES:
        c = scores.counts[kind]
        precision, recall, f1 = scores.f1(kind)
        print(f"{kind:<12} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4} {precision:>10.3f}"
              f" {recall:>7.3f} {f1:>6.3f}")
    orgs = scores.organizations
    print(f"statement organisations (labelled, matched): {orgs['right']}/"
          f"{orgs['right'] + orgs['wrong']}")
    labels = scores.labels
    print(f"deadline labels (labelled, matched): {labels['right']}/"
          f"{labels['right'] + labels['wrong']}")
    right, total = status_accuracy(evalset, predictions)
    print(f"status accuracy (replayed checkpoints): {right}/{total} ="
          f" {right / total if total else 1.0:.3f}")
    matching = [to_article(item) for item in evalset.items]
    others = [to_article(without_deal_names(item, evalset.deals)) for item in evalset.items]
    print(f"articles/s: matching {articles_per_second(extractor, matching):,.0f},"
          f" non-matching {articles_per_second(extractor, others):,.0f}")
    if args.verbose:
        print("\n".join(scores.misses))
    for path in args.sets:
        print_gold_set(path, scores)
    return 0


def print_gold_set(path: Path, ours: Scores) -> None:
    """Score a gold-format set (bench/goldset.py) and print it beside our own sets."""
    from bench.goldset import BenchError, score_set

    try:
        gold = score_set(path)
    except BenchError as error:
        print(f"\n{path}: {error}")
        return
    print(f"\n{path} (polled through the command line), beside {DATA.name}:")
    print(f"{'type':<12} {'f1 here':>8} {'f1 ours':>8}   (tp/fp/fn here)")
    for kind in TYPES:
        c = gold.overall.total(kind)
        print(f"{kind:<12} {gold.overall.f1(kind):>8.3f} {ours.f1(kind)[2]:>8.3f}"
              f"   ({c['tp']}/{c['fp']}/{c['fn']})")
    print("\n".join(gold.summary_lines()[-6:]))


if __name__ == "__main__":
    raise SystemExit(main())
