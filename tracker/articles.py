"""Articles: feed entries normalised into what extraction reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Article:
    """One feed entry as plain text, with its publication time in UTC."""

    feed: str
    key: str
    link: str | None
    title: str
    text: str
    published: datetime
    language: str | None = None
