"""Feed documents written for the tests: RSS built from (guid, title, body, date) items."""

from __future__ import annotations

from email.utils import format_datetime
from xml.sax.saxutils import escape

from tests.conftest import at


def rss(items: list[tuple[str, str, str, str]], *, language: str = "en",
        encoding: str = "utf-8", link_base: str = "https://news.example/") -> bytes:
    """An RSS 2.0 document; each item is (guid, title, body, 'YYYY-MM-DDTHH:MM')."""
    entries = "".join(
        f"<item><guid isPermaLink=\"false\">{escape(guid)}</guid>"
        f"<title>{escape(title)}</title><link>{link_base}{escape(guid)}</link>"
        f"<description>{escape(body)}</description>"
        f"<pubDate>{format_datetime(at(when))}</pubDate></item>"
        for guid, title, body, when in items
    )
    document = (f'<?xml version="1.0" encoding="{encoding}"?>'
                f"<rss version=\"2.0\"><channel><title>Test news</title>"
                f"<link>{link_base}</link><description>Tests</description>"
                f"<language>{language}</language>{entries}</channel></rss>")
    return document.encode(encoding)


NEWS = [
    ("a1", "Microsoft confirms talks to buy TikTok",
     "<p>Microsoft confirmed it is in talks to buy TikTok's US business.</p>", "2020-08-02T19:00"),
    ("a2", "TikTok adds creators", "<p>TikTok says more creators joined.</p>", "2020-08-03T08:00"),
    ("a3", "Cloud results", "<p>Microsoft reported cloud growth.</p>", "2020-08-04T08:00"),
]
