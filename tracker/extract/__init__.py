"""Extraction: deal-status events (stages, deadlines, statements) read from news articles.

`Extractor(deals).extract(article)` returns the events an article supports for the
configured deals, in French or English; `Extractor(deals).read(article)` also gives the
deals it names and the rule behind each event. See DESIGN.md for the vocabulary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.extract.extractor import Extractor

__all__ = ["Extractor"]


def __getattr__(name: str) -> Any:
    # importing the engine loads the lexicon: a poll of unchanged feeds never does
    if name == "Extractor":
        from tracker.extract.extractor import Extractor

        return Extractor
    raise AttributeError(name)
