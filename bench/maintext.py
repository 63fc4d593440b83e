"""Main-text extraction from article pages: trafilatura beside the alternatives.

Each page of tests/data/pages (written for this project: a news site's furniture
around a story, in French and English) comes with the paragraphs a reader calls the
article (`NAME.txt`). For each extractor, side by side: the share of those paragraphs
found whole (recall), the share of the text it returned that is not the article
(noise: menus, banners, comments, related links, headlines and bylines), and the time
per page. jusText ships with trafilatura; "every paragraph" is the hand-written rule
we would otherwise write (all text of the page's <p> elements).

    python bench/maintext.py [--rounds N]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import justext  # noqa: E402
import lxml.html  # noqa: E402

from tracker.feeds.maintext import main_text  # noqa: E402

PAGES = ROOT / "tests" / "data" / "pages"
Extractor = Callable[[bytes, str], str]


def with_trafilatura(page: bytes, language: str) -> str:
    return main_text(page, url="https://news.example/story")


def with_justext(page: bytes, language: str) -> str:
    stoplist = justext.get_stoplist("French" if language == "fr" else "English")
    return "\n\n".join(p.text for p in justext.justext(page, stoplist)
                       if not p.is_boilerplate)


def every_paragraph(page: bytes, language: str) -> str:
    tree = lxml.html.fromstring(page)
    return "\n\n".join(" ".join(p.text_content().split()) for p in tree.iter("p"))


EXTRACTORS: dict[str, Extractor] = {"trafilatura": with_trafilatura, "jusText": with_justext,
                                    "every paragraph": every_paragraph}


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def score(extract: Extractor, rounds: int) -> tuple[float, float, float]:
    """Recall of the article's paragraphs, share of noise, and ms per page."""
    found = expected = noise = returned = 0
    seconds = 0.0
    for page in sorted(PAGES.glob("*.html")):
        article = [normal(line) for line in page.with_suffix(".txt").read_text("utf-8")
                   .splitlines() if line.strip()]
        content = page.read_bytes()
        started = time.perf_counter()
        for _ in range(rounds):
            text = extract(content, page.stem[:2])
        seconds += (time.perf_counter() - started) / rounds
        got = [normal(p) for p in text.split("\n\n") if p.strip()]
        found += sum(1 for line in article if line in got)
        expected += len(article)
        noise += sum(len(p) for p in got if p not in article)
        returned += sum(len(p) for p in got)
    pages = len(list(PAGES.glob("*.html")))
    return found / expected, noise / max(returned, 1), 1000 * seconds / pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    pages = len(list(PAGES.glob("*.html")))
    print(f"{pages} pages of tests/data/pages, {rounds} rounds each")
    print(f"{'extractor':<16} {'recall':>7} {'noise':>7} {'ms/page':>8}")
    for name, extract in EXTRACTORS.items():
        recall, noise, ms = score(extract, rounds)
        print(f"{name:<16} {recall:7.3f} {noise:7.3f} {ms:8.2f}")


if __name__ == "__main__":
    main()
