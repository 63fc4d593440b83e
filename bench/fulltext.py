"""Full text: what reading the article's page adds when a feed carries only a summary.

Takes a labelled set in the gold.json format (default: ../shared/corpus/real-news-dev)
and serves it as publishers do: each feed entry keeps its headline and only the first
sentence of its text, and its link leads to an HTML page holding the whole text among
a site's furniture (navigation, cookie banner, related links, comments). The pages are
spread over several loopback hosts (127.0.0.2, 127.0.0.3...) so that politeness (one
request a second per host) does not make the run minutes long. Polls the set twice,
through the command line: once with `full_text = "never"` (the summary alone) and once
with the default `"auto"`, and prints precision, recall and F1 per type side by side,
the pages read and the wall time of each.

    python bench/fulltext.py [--set DIR] [--hosts N]

The set is read in place and rewritten into a temporary folder, never into the
repository.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sqlite3
import sys
import tempfile
import time
from contextlib import ExitStack
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import feedparser

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.goldset import (  # noqa: E402
    DEFAULT_SET,
    TYPES,
    BenchError,
    GoldSet,
    Tally,
    config_text,
    judge_all,
    load_set,
    poll_twice,
    serve,
    tally,
)

FURNITURE_BEFORE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="cookie-consent">We and our partners use cookies. <button>Accept</button>
<button>Refuse</button></div><header><nav><a href="/">Home</a> <a href="/business">Business</a>
<a href="/markets">Markets</a> <a href="/tech">Tech</a> <a href="/subscribe">Subscribe</a></nav>
</header><main><article><h1>{title}</h1><p class="byline">Staff writer</p>
<div class="share">Share · Tweet · E-mail</div>
"""
FURNITURE_AFTER = """<aside class="related"><h3>Most read</h3><ul>
<li><a href="/a">Oil prices slip as stocks hold near records</a></li>
<li><a href="/b">Ten gadgets to watch this year</a></li></ul></aside>
<div class="newsletter">Get our newsletter every morning. <input placeholder="e-mail"></div>
</article><section class="comments"><h3>Comments</h3>
<p>I said this deal would fall apart by next Friday.</p></section></main>
<footer>© Example Publisher · Terms · Privacy</footer></body></html>"""
FIRST_SENTENCE = re.compile(r"^.{20,300}?[.!?](?=\s|$)", re.S)


def summary_of(text: str) -> str:
    """The first sentence of `text` (at most about 300 characters)."""
    flat = " ".join(text.split())
    match = FIRST_SENTENCE.match(flat)
    return match.group() if match else flat[:200]


def page_html(title: str, text: str) -> str:
    """A news page holding `text` (paragraphs kept) among a site's furniture."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()] or [text]
    body = "".join(f"<p>{html.escape(' '.join(p.split()))}</p>\n" for p in paragraphs)
    return FURNITURE_BEFORE.format(title=html.escape(title)) + body + FURNITURE_AFTER


def entries_of(goldset: GoldSet, feed: dict[str, Any]) -> list[Any]:
    """The entries of one of the set's feed files."""
    parsed = feedparser.parse((goldset.folder / feed["file"]).read_bytes())
    return list(parsed.entries)


def entry_text(entry: Any) -> str:
    """An entry's whole text, as tracker reads it from a feed."""
    from tracker.feeds.html import html_to_text

    content = entry.get("content") or [{"value": entry.get("summary", "")}]
    return html_to_text(str(content[0].get("value", "")))


def split_set(goldset: GoldSet, folder: Path, hosts: list[str]) -> GoldSet:
    """Write the set as summaries + pages into `folder`; the links of gold.json follow."""
    (folder / "pages").mkdir(parents=True, exist_ok=True)
    moved: dict[str, str] = {}
    for feed in goldset.feeds:
        items = []
        for entry in entries_of(goldset, feed):
            n = len(moved)
            link = f"{hosts[n % len(hosts)]}pages/{n}.html"
            moved[str(entry.get("link", ""))] = link
            text, title = entry_text(entry), str(entry.get("title", ""))
            (folder / "pages" / f"{n}.html").write_text(page_html(title, text), "utf-8")
            when = entry.get("published_parsed") or entry.get("updated_parsed")
            stamp = format_datetime_tuple(when) if when else ""
            items.append(f"<item><guid isPermaLink=\"false\">{escape(str(entry.get('id', n)))}"
                         f"</guid><title>{escape(title)}</title><link>{escape(link)}</link>"
                         f"{f'<pubDate>{stamp}</pubDate>' if stamp else ''}"
                         f"<description>{escape(summary_of(text))}</description></item>")
        (folder / feed["file"]).parent.mkdir(parents=True, exist_ok=True)
        (folder / feed["file"]).write_text(
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(feed['name'])}</title><link>http://example.org/</link>"
            f"<description>d</description>{''.join(items)}</channel></rss>", "utf-8")
    items = [{**item, "link": moved.get(item["link"], item["link"])} for item in goldset.items]
    gold = {"deals": goldset.deals, "feeds": goldset.feeds, "items": items,
            "checkpoints": goldset.checkpoints}
    (folder / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
    return GoldSet(folder, goldset.deals, goldset.feeds, items, goldset.checkpoints)


def format_datetime_tuple(parsed: time.struct_time) -> str:
    """A feedparser time as an RFC 822 date."""
    from datetime import UTC, datetime

    return format_datetime(datetime(*parsed[:6], tzinfo=UTC))


def score(split: GoldSet, base_url: str, mode: str, folder: Path) -> tuple[Tally, str, float]:
    """Poll the split set with `full_text = mode`; the tally, the pages line, seconds."""
    folder.mkdir()
    config = folder / "tracker.toml"
    text = config_text(split, base_url=base_url).replace(
        "[[feeds]]\n", f'[[feeds]]\nfull_text = "{mode}"\n')
    text = text.replace('timezone = "UTC"', 'timezone = "UTC"\nmax_pages_per_poll = 1000')
    config.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    rows, _ = poll_twice(config)
    took = time.perf_counter() - started
    return tally(judge_all(split, rows)), pages_line(config), took


def pages_line(config: Path) -> str:
    """How many pages the poll read and failed on, from the archive."""
    conn = sqlite3.connect(config.parent / "tracker.db")
    read, failed = conn.execute(
        "SELECT sum(text_source = 'page'), sum(page_error IS NOT NULL) FROM articles").fetchone()
    conn.close()
    return f"{read or 0} pages read, {failed or 0} failed"


def main(argv: list[str] | None = None) -> int:
    """Run both polls and print their figures side by side."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, dest="folder")
    parser.add_argument("--hosts", type=int, default=16, help="loopback hosts serving pages")
    args = parser.parse_args(argv)
    try:
        goldset = load_set(args.folder)
        with tempfile.TemporaryDirectory(prefix="fulltext-") as tmp, ExitStack() as stack:
            site = Path(tmp) / "site"
            site.mkdir()
            # the servers must be up before the links are written: their ports are in them
            hosts = [stack.enter_context(serve(site, f"127.0.0.{n}"))
                     for n in range(2, 2 + args.hosts)]
            split = split_set(goldset, site, hosts)
            base = stack.enter_context(serve(site, "127.0.0.1"))
            results = {mode: score(split, base, mode, Path(tmp) / mode)
                       for mode in ("never", "auto")}
    except BenchError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    print(f"set: {args.folder} as summaries (first sentence) + pages on {args.hosts} hosts")
    print(f"{'':12} {'summary alone (never)':>24} {'with pages (auto)':>24}")
    print(f"{'type':12} {'P':>7} {'R':>7} {'F1':>7}   {'P':>7} {'R':>7} {'F1':>7}")
    for kind in (*TYPES, None):
        cells = []
        for mode in ("never", "auto"):
            cells += [f"{x:7.3f}" for x in results[mode][0].prf(kind)]
        print(f"{kind or 'overall':12} {' '.join(cells[:3])}   {' '.join(cells[3:])}")
    for mode in ("never", "auto"):
        _, line, took = results[mode]
        print(f"full_text = {mode!r}: {line}, two polls in {took:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
