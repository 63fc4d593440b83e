"""Ingestion benchmark: a 20,000-entry feed served on 127.0.0.1.

Prints, measured in one run: `tracker ingest URL` as a whole process, feedparser
parsing the same bytes alone, their ratio (a feed that needs no page: `full_text =
"never"`), a second unchanged `tracker poll` (a 304) as a whole process, where
installed the peers `reader` and `feed-to-sqlite` on the same feed (neither of them
extracts anything), and the cost of full text: a poll of 200 one-line summaries naming
the deal with their pages served on local hosts, read and not read.

    python bench/ingest.py
    python bench/ingest.py --entries 5000
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.server
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

DEAL_SENTENCES = (
    "Microsoft confirmed it is in talks to buy the US business of TikTok from ByteDance.",
    "The decision on TikTok is due by September 15, people close to Microsoft said.",
    "“We are committed to the talks,” said a Microsoft spokesperson about TikTok.",
)
FILLER = ("Markets rose on Tuesday as investors weighed earnings from retailers and banks. "
          "Analysts expect the central bank to hold rates steady at its next meeting. "
          "Shipping costs fell for a third week while oil prices were little changed. ")


def make_feed(entries: int, *, seed: int = 3) -> bytes:
    """An RSS document of `entries` items, one in ten naming the configured deal."""
    rng = random.Random(seed)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    items = []
    for n in range(entries):
        body = FILLER * rng.randint(1, 3)
        if n % 10 == 0:
            body = rng.choice(DEAL_SENTENCES) + " " + body
        when = format_datetime(start + timedelta(minutes=17 * n))
        items.append(
            f"<item><guid isPermaLink=\"false\">bench-{n}</guid><title>News item {n}</title>"
            f"<link>https://bench.example/{n}</link><pubDate>{when}</pubDate>"
            f"<description>{escape('<p>' + body + '</p>')}</description></item>")
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            "<title>Bench</title><link>https://bench.example/</link><description>b"
            f"</description><language>en</language>{''.join(items)}</channel></rss>").encode()


@contextmanager
def serve(body: bytes) -> Iterator[str]:
    """Serve `body` with an ETag on 127.0.0.1 (port chosen by the system)."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()


def timed(command: list[str], *, cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return took


def feedparser_alone(body: bytes) -> float:
    import feedparser

    started = time.perf_counter()
    feedparser.parse(body)
    return time.perf_counter() - started


def write_config(folder: Path, url: str, *, full_text: str = "never") -> None:
    (folder / "tracker.toml").write_text(
        f'[tracker]\nmax_pages_per_poll = 1000\n\n[[feeds]]\nname = "bench"\nurl = "{url}"\n'
        f'full_text = "{full_text}"\n\n[[deals]]\nid = "microsoft-tiktok"\n'
        'acquirer = "Microsoft"\ntarget = "TikTok"\nseller = "ByteDance"\n', encoding="utf-8")


PAGE = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
        "<nav><a href=\"/\">Home</a> <a href=\"/tech\">Tech</a></nav><main><article>"
        "<h1>{title}</h1><p>{lede}</p><p>{body}</p><p>{body}</p></article></main>"
        "<footer>About · Terms</footer></body></html>")


def make_site(entries: int, hosts: list[str]) -> tuple[bytes, dict[str, bytes]]:
    """A feed of `entries` one-line summaries naming the deal, and their pages by path,
    linked on the given hosts in turn."""
    start = datetime(2020, 8, 1, tzinfo=UTC)
    items, pages = [], {}
    for n in range(entries):
        path = f"/pages/{n}.html"
        title = f"TikTok talks, part {n}"
        pages[path] = PAGE.format(title=title, lede=DEAL_SENTENCES[n % 3],
                                  body=escape(FILLER)).encode()
        when = format_datetime(start + timedelta(minutes=17 * n))
        items.append(f"<item><guid>fulltext-{n}</guid><title>{title}</title>"
                     f"<link>{hosts[n % len(hosts)]}{path}</link><pubDate>{when}</pubDate>"
                     "<description>Microsoft and TikTok: the latest.</description></item>")
    feed = ("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            "<title>Briefs</title><link>https://bench.example/</link><description>b"
            f"</description>{''.join(items)}</channel></rss>").encode()
    return feed, pages


@contextmanager
def serve_pages(pages: dict[str, bytes], address: str) -> Iterator[str]:
    """Serve `pages` by path on `address`; yield the base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer((address, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{address}:{server.server_address[1]}"
    finally:
        server.shutdown()


def full_text_cost(entries: int, host_count: int) -> dict[str, float]:
    """`tracker poll` of a feed of one-line summaries, pages read (auto) and not (never)."""
    timings = {}
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        pages: dict[str, bytes] = {}
        hosts = [stack.enter_context(serve_pages(pages, f"127.0.0.{n}"))
                 for n in range(2, 2 + host_count)]
        feed, made = make_site(entries, hosts)
        pages.update(made)
        url = stack.enter_context(serve(feed))
        tracker = [sys.executable, "-m", "tracker.cli", "poll"]
        for mode in ("never", "auto"):
            folder = Path(tmp) / mode
            folder.mkdir()
            write_config(folder, url, full_text=mode)
            timings[mode] = timed(tracker, cwd=folder)
    return timings


def peers(url: str, folder: Path) -> dict[str, float]:
    """Time the peers that are installed, each as a whole process on a fresh database."""
    found: dict[str, float] = {}
    tool = shutil.which("feed-to-sqlite") or str(Path(sys.executable).parent / "feed-to-sqlite")
    if Path(tool).exists():
        found["feed-to-sqlite"] = timed([tool, str(folder / "f2s.db"), url], cwd=folder)
    code = ("import sys; from reader import make_reader; r = make_reader(sys.argv[1]);"
            "r.add_feed(sys.argv[2]); r.update_feeds()")
    if subprocess.run([sys.executable, "-c", "import reader"], capture_output=True).returncode == 0:
        found["reader"] = timed([sys.executable, "-c", code, str(folder / "reader.db"), url],
                                cwd=folder)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--pages", type=int, default=200, help="entries with a page to read")
    parser.add_argument("--hosts", type=int, default=16, help="loopback hosts serving pages")
    args = parser.parse_args()
    body = make_feed(args.entries)
    tracker = [sys.executable, "-m", "tracker.cli"]
    with serve(body) as url, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_config(folder, url)
        alone = min(feedparser_alone(body) for _ in range(2))
        ingest = timed([*tracker, "ingest", url], cwd=folder)
        (folder / "tracker.db").unlink()
        timed([*tracker, "poll"], cwd=folder)
        repoll = min(timed([*tracker, "poll"], cwd=folder) for _ in range(3))
        others = peers(url, folder)
    print(f"feed: {args.entries:,} entries, {len(body) / 2**20:.1f} MB, 10% naming the deal")
    print(f"feedparser alone (in process):     {alone:6.2f} s")
    print(f"tracker ingest (whole process):    {ingest:6.2f} s   {ingest / alone:.2f}x feedparser"
          " (target < 1.3x, at most 2x)")
    for name, took in others.items():
        print(f"{name + ' (whole process):':35s}{took:6.2f} s   {took / alone:.2f}x feedparser")
    print(f"unchanged re-poll (304, process):  {repoll:6.2f} s   (target < 0.2 s)")
    pages = full_text_cost(args.pages, args.hosts)
    extra = pages["auto"] - pages["never"]
    print(f"full text: {args.pages} entries naming the deal, one-line summaries, pages on"
          f" {args.hosts} local hosts (1 request/s per host, 2 at once):")
    print(f"  poll, summaries alone (never):   {pages['never']:6.2f} s")
    rate = args.pages / pages["auto"]
    print(f"  poll, pages read (auto):         {pages['auto']:6.2f} s   {rate:.1f} articles/s;"
          f" {extra / args.pages * 1000:.0f} ms more per article")


if __name__ == "__main__":
    main()
