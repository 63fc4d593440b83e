"""`feed.atom`: the report's changes, as a valid Atom 1.0 feed.

Written with ElementTree rather than a template, so that the XML is well formed
whatever the text; characters XML 1.0 forbids are dropped first. Entry ids are
`urn:uuid`s derived from event ids: rebuilding the feed never changes them.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from events.clock import format_occurred, start_of_day
from reports.context import AtomEntry, AtomFeed, Change
from reports.formatting import moment_label, one_line

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_FILE = "feed.atom"
MAX_ENTRIES = 100
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def entry_id(event_id: str) -> str:
    """The stable Atom id of the entry made from the event `event_id`."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'tracker:event:' + event_id)}"


def feed_id_for(location: str) -> str:
    """A stable Atom feed id for the reports written to `location`."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'tracker:reports:' + location)}"


def build_feed(changes: Sequence[Change], *, day: date, feed_id: str, zone: ZoneInfo,
               self_link: str = ATOM_FILE, page_link: str = "index.html") -> AtomFeed:
    """One entry per change (newest learnt first), as "What changed" describes it.

    An entry is updated when the log learnt its event, and published when it happened:
    news learnt years late still comes first to a subscriber.
    """
    entries = tuple(_entry(change, zone, page_link) for change in changes)
    updated = max((entry.updated for entry in entries),
                  default=format_occurred(start_of_day(day, zone)))
    return AtomFeed(feed_id, "Deals: what changed", updated, self_link,
                    page_link, entries)


def _entry(change: Change, zone: ZoneInfo, page_link: str) -> AtomEntry:
    title = one_line(f"{change.deal_title}: {change.headline}")
    said = [f"{title} ({moment_label(change.occurred_at, zone)}, {zone.key};"
            f" id {change.short_id})."]
    if change.quote:
        said.append(f"“{change.quote}”")
    if change.late:
        said.append(f"{change.late[0].upper()}{change.late[1:]}.")
    said.extend(_read_in(change))
    return AtomEntry(entry_id(change.event_id), title, _seconds(change.recorded_at),
                     change.occurred_at, " ".join(said), change.source_url or page_link)


def _seconds(recorded_at: str) -> str:
    """A recorded_at to the second: Atom readers show no more, and some parse no more."""
    return recorded_at[:19] + "Z" if len(recorded_at) > 20 else recorded_at


def _read_in(change: Change) -> list[str]:
    """Where the entry was read, as sentences of its summary (none for a fact added by hand)."""
    said = []
    if change.outlet or change.article_title:
        said.append(": ".join(part for part in (change.outlet, change.article_title) if part)
                    + ".")
    if change.evidence:
        said.append(f"Evidence: “{change.evidence}”")
    elif change.evidence_is_headline:
        said.append("Evidence: the headline.")
    return said


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attributes)
    element.text = _NOT_XML.sub("", text)
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str | None = None) -> None:
    attributes = {"href": _NOT_XML.sub("", href), "rel": rel}
    if kind:
        attributes["type"] = kind
    ET.SubElement(parent, f"{{{ATOM_NS}}}link", attributes)


def render_atom(feed: AtomFeed) -> bytes:
    """The feed as Atom 1.0 XML, UTF-8."""
    root = ET.Element(f"{{{ATOM_NS}}}feed")
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    _text(root, "updated", feed.updated)
    author = ET.SubElement(root, f"{{{ATOM_NS}}}author")
    _text(author, "name", "tracker")
    _text(root, "generator", "tracker")
    _link(root, feed.self_link, "self", "application/atom+xml")
    _link(root, feed.page_link, "alternate", "text/html")
    for entry in feed.entries:
        element = ET.SubElement(root, f"{{{ATOM_NS}}}entry")
        _text(element, "id", entry.id)
        _text(element, "title", entry.title, type="text")
        _text(element, "updated", entry.updated)
        _text(element, "published", entry.published)
        _link(element, entry.link, "alternate")
        _text(element, "summary", entry.summary, type="text")
    ET.register_namespace("", ATOM_NS)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"
