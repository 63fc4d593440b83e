"""Extraction: deal-status events (stages, deadlines, statements) read from news articles.

`Extractor(deals).extract(article)` returns the events an article supports for the
configured deals, in French or English. See issue 4 and DESIGN.md for the vocabulary.
"""

from __future__ import annotations

from tracker.extract.extractor import Extractor

__all__ = ["Extractor"]
