"""Text processing is linear: seconds per megabyte for ordinary articles and hostile ones.

Each text goes through what ingestion does to an entry's body: HTML to text, then
extraction for a configured deal. Ordinary news (written for this bench) and hostile
shapes (runs of stops, unclosed tags, open quotation marks, endless exclamations) are
measured at two sizes side by side: linear work costs the same per megabyte at both.

    python bench/text.py
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tracker.extract import Extractor  # noqa: E402
from tracker.feeds.html import html_to_text  # noqa: E402
from tracker.model import Article, Deal  # noqa: E402

DEAL = Deal(id="acme-globex", title="Acme / Globex", acquirer="Acme", target="Globex")
ORDINARY = ("<p>Acme agreed on Monday to buy Globex for $2bn, the companies said.</p>"
            "<p>« Nous sommes ravis », a déclaré le PDG d'Acme. The deal needs approval"
            " from regulators by March 30, 2021, and is expected to close this year.</p>"
            "<p>Markets rose as investors weighed earnings from retailers and banks.</p>")
HOSTILE = {
    "runs of stops": ".",
    "unclosed tags": "<p ",
    "open quotes": "« Acme ",
    "exclamations": "Globex!",
    "ordinary news": ORDINARY,
}


def seconds_per_megabyte(unit: str, megabytes: float) -> float:
    """Read `unit` repeated to `megabytes` as ingestion would; seconds per megabyte."""
    text = unit * max(1, int(megabytes * 1_000_000 / len(unit.encode())))
    extractor = Extractor([DEAL])
    started = time.perf_counter()
    body = html_to_text(text)
    extractor.extract(Article(feed="bench", key="k", link=None, title="Acme and Globex",
                              text=body, published=datetime(2021, 3, 1, tzinfo=UTC),
                              language="en"))
    return (time.perf_counter() - started) / megabytes


def main() -> None:
    small, large = 0.05, 0.2  # extraction reads at most 200,000 characters of an article
    print(f"{'text':<16} {'s/MB at 50 kB':>14} {'s/MB at 200 kB':>15} {'ratio':>6}")
    for name, unit in HOSTILE.items():
        at_small = seconds_per_megabyte(unit, small)
        at_large = seconds_per_megabyte(unit, large)
        print(f"{name:<16} {at_small:>14.3f} {at_large:>15.3f} {at_large / at_small:>6.2f}")
    print("(a ratio near 1 is linear work; quadratic work would show about 4)")


if __name__ == "__main__":
    main()
