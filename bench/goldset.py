"""Extraction quality on a labelled set of real news, through the command line.

Serves the set's feeds on 127.0.0.1, writes a tracker.toml from its gold.json, runs
`tracker poll --all` twice, `tracker events` and `tracker replay` in subprocesses, and
scores the events and the replayed checkpoints by the rules of the set's README ("How
to score it", "Checkpoints"). Prints precision, recall and F1 per event type and
overall, hard items apart, predictions on noise items, checkpoint accuracy, what the
second poll appended and the wall time.

    python bench/goldset.py [--set DIR] [--verbose] [--json PATH] [--keep DIR]

The set is third-party text: it is read in place, never copied into the repository
(default: ../shared/corpus/real-news-dev beside the checkout). `--keep DIR` leaves the
config and the database in DIR for a look with `tracker --config DIR/tracker.toml`.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT.parent / "shared" / "corpus" / "real-news-dev"
TYPES = ("negotiation", "deadline", "statement")
#: Deal keys copied from gold.json into [[deals]] when a deal has them (and they are not
#: empty): the last three are for config keys to come, so the bench needs no change then.
DEAL_KEYS = ("id", "title", "acquirer", "target", "seller", "aliases",
             "acquirer_aliases", "seller_aliases", "exclude")
#: One subprocess never takes this long unless something hangs.
TIMEOUT = 600


class BenchError(Exception):
    """The set cannot be read or a tracker command failed."""


@dataclass(frozen=True)
class GoldSet:
    """The labelled set as gold.json states it, and the folder it lives in."""

    folder: Path
    deals: list[dict[str, Any]]
    feeds: list[dict[str, Any]]
    items: list[dict[str, Any]]
    checkpoints: list[dict[str, Any]]


@dataclass(frozen=True)
class Prediction:
    """One fact the tracker extracted from one article for one deal (its first event)."""

    type: str
    deal_id: str
    source_url: str
    data: dict[str, Any]
    evidence: str | None
    event_id: str
    copies: int = 1


@dataclass
class Verdict:
    """The predictions on one (link, deal) pair, matched against the gold events."""

    link: str
    feed: str | None
    deal: str | None
    gold_deal: str | None
    hard: bool
    in_gold: bool
    predictions: list[Prediction] = field(default_factory=list)
    matches: list[tuple[dict[str, Any], Prediction]] = field(default_factory=list)
    ignored: list[tuple[dict[str, Any], Prediction]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)
    false_positives: list[Prediction] = field(default_factory=list)


@dataclass(frozen=True)
class Checkpoint:
    """A labelled checkpoint and what `tracker replay` said of it."""

    deal: str
    as_of: str
    status: str
    next_deadline: str | None
    got_status: str
    got_next_deadline: str | None

    @property
    def status_right(self) -> bool:
        """Whether the replayed status is the labelled one."""
        return self.got_status == self.status

    @property
    def deadline_right(self) -> bool:
        """Whether the replayed next deadline is the labelled one."""
        return self.got_next_deadline == self.next_deadline


@dataclass
class Tally:
    """True positives, false positives and false negatives per event type."""

    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {t: Counter() for t in TYPES})

    def add(self, verdict: Verdict) -> None:
        """Count one pair's matches, misses and false positives."""
        for gold, _ in verdict.matches:
            self.counts[gold["type"]]["tp"] += 1
        for gold in verdict.misses:
            self.counts[gold["type"]]["fn"] += 1
        for prediction in verdict.false_positives:
            self.counts[prediction.type]["fp"] += 1

    def total(self, kind: str | None = None) -> Counter[str]:
        """The counts of one type, or of all types together."""
        if kind is not None:
            return self.counts[kind]
        return sum(self.counts.values(), Counter())

    def prf(self, kind: str | None = None) -> tuple[float, float, float]:
        """Precision, recall and F1 of one type or overall (1.0 when nothing was due)."""
        c = self.total(kind)
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    def f1(self, kind: str | None = None) -> float:
        """F1 of one type or overall."""
        return self.prf(kind)[2]

    def lines(self, heading: str) -> list[str]:
        """A table of the figures, one row per type and one overall."""
        rows = [f"{heading:<12} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10}"
                f" {'recall':>7} {'f1':>6}"]
        for kind in (*TYPES, None):
            c = self.total(kind)
            precision, recall, f1 = self.prf(kind)
            rows.append(f"{kind or 'overall':<12} {c['tp']:>4} {c['fp']:>4} {c['fn']:>4}"
                        f" {precision:>10.3f} {recall:>7.3f} {f1:>6.3f}")
        return rows

    def as_json(self) -> dict[str, Any]:
        """The counts and figures, by type and overall."""
        figures = {}
        for kind in (*TYPES, None):
            c = self.total(kind)
            precision, recall, f1 = self.prf(kind)
            figures[kind or "overall"] = {"tp": c["tp"], "fp": c["fp"], "fn": c["fn"],
                                          "precision": precision, "recall": recall, "f1": f1}
        return figures


@dataclass
class GoldScores:
    """Everything the benchmark measured on one labelled set."""

    overall: Tally
    hard: Tally
    verdicts: list[Verdict]
    checkpoints: list[Checkpoint]
    items: int
    noise_items: int
    second_poll_appended: int
    seconds: float

    @property
    def noise_predictions(self) -> int:
        """Predictions (facts, counted once per item and deal) on items with no deal."""
        return sum(len(v.predictions) for v in self.verdicts if v.in_gold and not v.gold_deal)

    @property
    def noise_items_hit(self) -> int:
        """Noise items with at least one prediction."""
        return len({v.link for v in self.verdicts
                    if v.in_gold and not v.gold_deal and v.predictions})

    @property
    def status_accuracy(self) -> tuple[int, int]:
        """Checkpoints whose replayed status is right, and how many there are."""
        return sum(c.status_right for c in self.checkpoints), len(self.checkpoints)

    @property
    def deadline_accuracy(self) -> tuple[int, int]:
        """Checkpoints whose replayed next deadline is right, and how many there are."""
        return sum(c.deadline_right for c in self.checkpoints), len(self.checkpoints)

    def summary_lines(self) -> list[str]:
        """The figures, as printed."""
        status, total = self.status_accuracy
        deadline, _ = self.deadline_accuracy
        hard = sum(1 for v in self.verdicts if v.in_gold and v.hard and v.deal == v.gold_deal)
        return [f"items: {self.items} ({self.noise_items} noise, {hard} hard),"
                f" checkpoints: {total}", "",
                *self.overall.lines("all items"), "", *self.hard.lines("hard items"), "",
                f"predictions on noise items: {self.noise_predictions}"
                f" (on {self.noise_items_hit} of {self.noise_items} noise items)",
                f"checkpoint status: {status}/{total} = {ratio(status, total):.3f}",
                f"checkpoint next deadline: {deadline}/{total} = {ratio(deadline, total):.3f}",
                f"second poll appended: {self.second_poll_appended} event(s)",
                f"wall time: {self.seconds:.1f} s"]

    def detail_lines(self) -> list[str]:
        """Every false positive, false negative and wrong checkpoint, one per line."""
        lines = []
        for v in self.verdicts:
            where = (f"{v.link} [{v.feed}{', hard' if v.hard else ''}] deal={v.deal}"
                     f" (gold: {v.gold_deal})")
            lines += [f"FP {where}: {describe(p.type, p.data)} | evidence: {p.evidence!r}"
                      for p in v.false_positives]
            lines += [f"FN {where}: {describe(g['type'], g)}" for g in v.misses]
        lines += [f"CHECKPOINT {c.deal} {c.as_of}: status {c.got_status} (want {c.status}),"
                  f" next deadline {c.got_next_deadline} (want {c.next_deadline})"
                  for c in self.checkpoints if not (c.status_right and c.deadline_right)]
        return lines

    def as_json(self) -> dict[str, Any]:
        """A machine-readable dump: figures, per-pair predictions, matches and misses."""
        return {"overall": self.overall.as_json(), "hard": self.hard.as_json(),
                "items_count": self.items, "noise_items": self.noise_items,
                "noise_predictions": self.noise_predictions,
                "noise_items_hit": self.noise_items_hit,
                "status_accuracy": list(self.status_accuracy),
                "deadline_accuracy": list(self.deadline_accuracy),
                "second_poll_appended": self.second_poll_appended, "seconds": self.seconds,
                "checkpoints": [{**asdict(c), "status_right": c.status_right,
                                 "deadline_right": c.deadline_right} for c in self.checkpoints],
                "items": [verdict_json(v) for v in self.verdicts]}


def ratio(part: int, whole: int) -> float:
    """part / whole, 1.0 when there is nothing to count."""
    return part / whole if whole else 1.0


def describe(kind: str, fields: dict[str, Any]) -> str:
    """A short text for a predicted or expected event."""
    if kind == "negotiation":
        return f"negotiation stage={fields['stage']}"
    if kind == "deadline":
        return f"deadline due={fields['due']}"
    organization = f" ({fields['organization']})" if fields.get("organization") else ""
    return f"statement speaker={fields['speaker']}{organization}"


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """One pair's predictions, matches, ignored predictions, misses and false positives."""
    return {"link": verdict.link, "feed": verdict.feed, "deal": verdict.deal,
            "gold_deal": verdict.gold_deal, "hard": verdict.hard, "in_gold": verdict.in_gold,
            "predictions": [asdict(p) for p in verdict.predictions],
            "matches": [{"gold": g, "predicted": asdict(p)} for g, p in verdict.matches],
            "ignored": [{"gold": g, "predicted": asdict(p)} for g, p in verdict.ignored],
            "misses": verdict.misses,
            "false_positives": [asdict(p) for p in verdict.false_positives]}


# --- the set and the config --------------------------------------------------------


def load_set(folder: Path) -> GoldSet:
    """Read gold.json of `folder`."""
    path = folder / "gold.json"
    if not path.is_file():
        raise BenchError(f"no labelled set at {folder} ({path.name} not found)")
    try:
        gold = json.loads(path.read_text("utf-8"))
        return GoldSet(folder, gold["deals"], gold["feeds"], gold["items"],
                       gold["checkpoints"])
    except (ValueError, KeyError, TypeError) as e:
        raise BenchError(f"{path}: not a gold.json ({e!r})") from e


def toml_value(value: object) -> str:
    """`value` (a string, number, boolean or list of them) as a TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # A JSON string is a TOML basic string, except that TOML wants DEL escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise BenchError(f"cannot write {value!r} in tracker.toml")


def config_text(goldset: GoldSet, *, base_url: str) -> str:
    """A tracker.toml that polls the served feeds for the set's deals, in UTC.

    The database is tracker.db beside the file (paths are relative to the file).
    """
    lines = ["[tracker]", 'database = "tracker.db"', 'timezone = "UTC"']
    for feed in goldset.feeds:
        lines += ["", "[[feeds]]", f"name = {toml_value(feed['name'])}",
                  f"url = {toml_value(base_url + quote(feed['file']))}"]
        if feed.get("language"):
            lines.append(f"language = {toml_value(feed['language'])}")
    for deal in goldset.deals:
        lines += ["", "[[deals]]"]
        lines += [f"{key} = {toml_value(deal[key])}" for key in DEAL_KEYS
                  if deal.get(key) not in (None, "", [])]
    return "\n".join(lines) + "\n"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing: the bench prints its own figures."""


@contextmanager
def serve(folder: Path, address: str = "127.0.0.1") -> Iterator[str]:
    """Serve `folder` on `address` (a loopback address; port chosen by the system); yield
    its base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((address, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{address}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# --- the command line, as a user runs it -------------------------------------------


def run_tracker(config: Path, *args: str) -> str:
    """Run `tracker --config CONFIG ARGS...` in a subprocess; return its stdout."""
    command = [sys.executable, "-m", "tracker", "--config", str(config), *args]
    try:
        done = subprocess.run(command, cwd=config.parent, capture_output=True, text=True,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        raise BenchError(f"tracker {' '.join(args)}: no answer in {TIMEOUT} s") from e
    if done.returncode != 0:
        reason = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise BenchError(f"tracker {' '.join(args)} exited {done.returncode}: "
                         f"{reason[-1] if reason else 'no message'}")
    if done.stderr.strip():
        print(f"tracker {' '.join(args)}: {done.stderr.strip()}", file=sys.stderr)
    return done.stdout


def poll_all(config: Path) -> None:
    """`tracker poll --all`, refusing a poll in which a feed failed.

    A failed feed would show up only as a drop in recall, so it stops the bench.
    """
    summary = run_tracker(config, "poll", "--all")
    failed = re.search(r"(\d+) failed", summary)
    if failed and int(failed.group(1)):
        raise BenchError(f"tracker poll --all: {summary.strip()}")


def fetch_events(config: Path, *, after: int = 0) -> list[dict[str, Any]]:
    """The log's rows appended after seq `after`, from `tracker events --format json`."""
    args = ["events", "--format", "json"] + (["--after", str(after)] if after else [])
    rows: list[dict[str, Any]] = json.loads(run_tracker(config, *args))
    return rows


def poll_twice(config: Path) -> tuple[list[dict[str, Any]], int]:
    """Poll, read the log, poll again; the rows and how many the second poll appended."""
    poll_all(config)
    rows = fetch_events(config)
    poll_all(config)
    last = max((row["seq"] for row in rows), default=0)
    again = fetch_events(config, after=last)
    return rows + again, len(again)


def replay_checkpoints(config: Path, checkpoints: list[dict[str, Any]]) -> list[Checkpoint]:
    """Replay every checkpoint's day, one `tracker replay` per distinct day."""
    states: dict[tuple[str, str], tuple[str, str | None]] = {}
    for as_of in sorted({c["as_of"] for c in checkpoints}):
        result = json.loads(run_tracker(config, "replay", "--as-of", as_of, "--format", "json"))
        for deal in result["deals"]:
            states[as_of, deal["id"]] = (deal["status"], deal["next_deadline"])
    return [Checkpoint(c["deal"], c["as_of"], c["status"], c["next_deadline"],
                       *states.get((c["as_of"], c["deal"]), ("unknown", None)))
            for c in checkpoints]


# --- scoring -----------------------------------------------------------------------


def fold(text: str) -> str:
    """`text` case-folded, without accents, with single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def fact_key(row: dict[str, Any]) -> tuple[str, ...]:
    """What makes two predictions the same fact: type and stage, due date or speaker."""
    data = row["data"]
    value = {"negotiation": "stage", "deadline": "due"}.get(row["type"], "speaker")
    return (row["source_url"] or "", row["deal_id"], row["type"], fold(str(data[value])))


def live_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The extracted events of the log: retractions and what they withdrew left out."""
    withdrawn = {row["data"]["event_id"] for row in rows if row["type"] == "retraction"}
    return [row for row in rows if row["type"] in TYPES and row["event_id"] not in withdrawn]


def group_predictions(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[Prediction]]:
    """Predictions by (source_url, deal_id), each fact once, in append order."""
    facts: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(live_rows(rows), key=lambda r: int(r["seq"])):
        facts[fact_key(row)].append(row)
    pairs: dict[tuple[str, str], list[Prediction]] = defaultdict(list)
    for (link, deal, *_), same in facts.items():
        first = same[0]
        pairs[link, deal].append(Prediction(first["type"], deal, link, first["data"],
                                            first["evidence"], first["event_id"], len(same)))
    return pairs


def matches(gold: dict[str, Any], prediction: Prediction) -> bool:
    """Whether `prediction` is the gold event, by the set's rules."""
    if gold["type"] != prediction.type:
        return False
    data = prediction.data
    if gold["type"] == "negotiation":
        stages = gold["stage"] if isinstance(gold["stage"], list) else [gold["stage"]]
        return bool(data["stage"] in stages)
    if gold["type"] == "deadline":
        return bool(data["due"] == gold["due"])
    wanted = fold(gold["speaker"])
    names = (fold(data.get("speaker") or ""), fold(data.get("organization") or ""))
    return any(name and (wanted in name or name in wanted) for name in names)


def max_matching(golds: list[dict[str, Any]], predictions: list[Prediction]) -> dict[int, int]:
    """A maximum matching, prediction index -> gold index, filling golds in order.

    Augmenting paths never unmatch a gold event already matched, so listing the required
    events first makes their matching maximal before optional ones take what is left.
    """
    owner: dict[int, int] = {}

    def augment(g: int, seen: set[int]) -> bool:
        for p, prediction in enumerate(predictions):
            if p not in seen and matches(golds[g], prediction):
                seen.add(p)
                if p not in owner or augment(owner[p], seen):
                    owner[p] = g
                    return True
        return False

    for g in range(len(golds)):
        augment(g, set())
    return owner


def judge(verdict: Verdict, golds: list[dict[str, Any]]) -> Verdict:
    """Fill in the matches, ignored predictions, misses and false positives of a pair."""
    ordered = sorted(golds, key=lambda g: bool(g.get("optional")))
    owner = max_matching(ordered, verdict.predictions)
    matched = set(owner.values())
    for p, prediction in enumerate(verdict.predictions):
        if p not in owner:
            verdict.false_positives.append(prediction)
        elif ordered[owner[p]].get("optional"):
            verdict.ignored.append((ordered[owner[p]], prediction))
        else:
            verdict.matches.append((ordered[owner[p]], prediction))
    verdict.misses = [g for i, g in enumerate(ordered)
                      if i not in matched and not g.get("optional")]
    return verdict


def judge_all(goldset: GoldSet, rows: list[dict[str, Any]]) -> list[Verdict]:
    """A verdict for every gold item and every other (link, deal) pair predicted."""
    pairs = group_predictions(rows)
    items = {item["link"]: item for item in goldset.items}
    verdicts = []
    for item in goldset.items:
        # A noise item has no pair of its own: whatever was read from it is another deal's.
        predictions = pairs.pop((item["link"], item["deal"]), []) if item["deal"] else []
        verdicts.append(judge(Verdict(item["link"], item["feed"], item["deal"], item["deal"],
                                      bool(item["hard"]), True, predictions), item["events"]))
    feeds = {row["source_url"]: row["source_feed"] for row in rows}
    for (link, deal), predictions in pairs.items():
        # Another deal than the item's, or a link gold does not know: all false positives.
        verdicts.append(judge(stray_verdict(items.get(link), link, deal,
                                            feed=feeds.get(link), predictions=predictions), []))
    return verdicts


def stray_verdict(item: dict[str, Any] | None, link: str, deal: str, *, feed: str | None,
                  predictions: list[Prediction]) -> Verdict:
    """The verdict of a pair gold does not list: on `item` (when gold knows the link)."""
    if item is None:
        return Verdict(link, feed, deal, None, False, False, predictions)
    return Verdict(link, item["feed"], deal, item["deal"], bool(item["hard"]), True, predictions)


def tally(verdicts: list[Verdict], *, hard_only: bool = False) -> Tally:
    """The counts over all verdicts, or over those of hard items."""
    counts = Tally()
    for verdict in verdicts:
        if verdict.hard or not hard_only:
            counts.add(verdict)
    return counts


# --- the whole run -----------------------------------------------------------------


def score_folder(goldset: GoldSet, folder: Path) -> GoldScores:
    """Serve the set, poll it into `folder` and score what the command line says."""
    started = time.perf_counter()
    config = folder / "tracker.toml"
    with serve(goldset.folder) as base_url:
        config.write_text(config_text(goldset, base_url=base_url), encoding="utf-8")
        rows, appended = poll_twice(config)
    checkpoints = replay_checkpoints(config, goldset.checkpoints)
    verdicts = judge_all(goldset, rows)
    noise = sum(1 for item in goldset.items if not item["deal"])
    return GoldScores(tally(verdicts), tally(verdicts, hard_only=True), verdicts, checkpoints,
                      len(goldset.items), noise, appended, time.perf_counter() - started)


def score_set(path: Path, *, keep: Path | None = None) -> GoldScores:
    """Score the extractor on the labelled set in `path` (in a temporary folder, or `keep`)."""
    goldset = load_set(path)
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="goldset-") as folder:
            return score_folder(goldset, Path(folder))
    if (keep / "tracker.db").exists():
        # Events already there would be taken as this run's, and the second poll's check
        # would prove nothing.
        raise BenchError(f"{keep} already holds a tracker.db; give an empty folder")
    keep.mkdir(parents=True, exist_ok=True)
    return score_folder(goldset, keep.resolve())


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, dest="folder",
                        help="folder of the labelled set (with gold.json)")
    parser.add_argument("--verbose", action="store_true",
                        help="list every false positive, false negative and wrong checkpoint")
    parser.add_argument("--json", type=Path, help="write every figure and verdict to this file")
    parser.add_argument("--keep", type=Path, help="keep config and database in this folder")
    args = parser.parse_args(argv)
    try:
        scores = score_set(args.folder, keep=args.keep)
    except BenchError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    print("\n".join(scores.summary_lines()))
    if args.verbose:
        print("\n" + "\n".join(scores.detail_lines()))
    if args.json:
        args.json.write_text(json.dumps(scores.as_json(), ensure_ascii=False, indent=1) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
