"""`feed.atom`: status changes and deadlines set or moved, as a valid Atom 1.0 feed.

Written with ElementTree rather than a template, so that the XML is well formed
whatever the text; characters XML 1.0 forbids are dropped first. Entry ids are
`urn:uuid`s derived from event ids: rebuilding the feed never changes them.
"""

from __future__ import annotations

import bisect
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import date
from operator import attrgetter
from zoneinfo import ZoneInfo

from events.clock import format_occurred, start_of_day
from events.model import DeadlineSet
from events.replay import StatusStep
from events.store import StoredEvent
from reports.context import AtomEntry, AtomFeed
from reports.formatting import moment_label, one_line
from reports.wording import (
    SHORT_ID_CHARS,
    Provenance,
    deadline_headline,
    provenance,
    status_headline,
)

ATOM_NS = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 100
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def entry_id(event_id: str) -> str:
    """The stable Atom id of the entry made from the event `event_id`."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'tracker:event:' + event_id)}"


def feed_id_for(location: str) -> str:
    """A stable Atom feed id for the reports written to `location`."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'tracker:reports:' + location)}"


def build_feed(history: dict[str, list[StatusStep]], recent: Sequence[StoredEvent],
               titles: dict[str, str], *, day: date, feed_id: str, zone: ZoneInfo,
               since: str, headlines: Mapping[str, str] | None = None) -> AtomFeed:
    """Status changes and deadline events that occurred from `since`, newest first.

    `recent` holds the events of the steps too: each entry says where it was read.
    """
    sources = {row.event_id: provenance(row, headlines or {}) for row in recent}
    found = [*_status_entries(history, titles, sources, since=since, zone=zone),
             *_deadline_entries(recent, titles, sources, zone=zone)]
    found.sort(key=lambda item: (item[0], item[1]), reverse=True)
    entries = tuple(entry for _, _, entry in found[:MAX_ENTRIES])
    updated = entries[0].updated if entries else format_occurred(start_of_day(day, zone))
    return AtomFeed(feed_id, "Deal status changes and deadlines", updated, "feed.atom",
                    "index.html", entries)


Found = tuple[str, int, AtomEntry]
_OCCURRED = attrgetter("occurred_at")
_UNKNOWN_SOURCE = Provenance(None, None, None, None)


def _status_entries(history: dict[str, list[StatusStep]], titles: dict[str, str],
                    sources: dict[str, Provenance], *, since: str,
                    zone: ZoneInfo) -> list[Found]:
    return [
        (step.occurred_at, step.seq,
         _entry(step.event_id, titles.get(step.deal_id, step.deal_id), status_headline(step),
                step.occurred_at, sources.get(step.event_id, _UNKNOWN_SOURCE), zone))
        for steps in history.values()
        # each deal's steps are in time order: skip the old ones without looking at them
        for step in steps[bisect.bisect_left(steps, since, key=_OCCURRED):]
    ]


def _deadline_entries(recent: Sequence[StoredEvent], titles: dict[str, str],
                      sources: dict[str, Provenance], *, zone: ZoneInfo) -> list[Found]:
    return [
        (row.occurred_at, row.seq,
         _entry(row.event_id, titles.get(row.deal_id, row.deal_id),
                deadline_headline(event, None), row.occurred_at, sources[row.event_id], zone))
        for row in recent if row.type == "deadline"
        for event in (row.event(),) if isinstance(event, DeadlineSet)
    ]


def _entry(event_id: str, deal_title: str, headline: str, occurred_at: str,
           source: Provenance, zone: ZoneInfo) -> AtomEntry:
    title = one_line(f"{deal_title}: {headline}")
    summary = " ".join([
        f"{title} ({moment_label(occurred_at, zone)}, {zone.key}; id {event_id[:SHORT_ID_CHARS]}).",
        *_read_in(source)])
    return AtomEntry(entry_id(event_id), title, occurred_at, summary,
                     source.source_url or "index.html")


def _read_in(source: Provenance) -> list[str]:
    """Where the entry was read, as sentences of its summary (none for a fact added by hand)."""
    said = []
    if source.outlet or source.article_title:
        said.append(": ".join(part for part in (source.outlet, source.article_title) if part)
                    + ".")
    if source.evidence:
        said.append(f"Evidence: “{source.evidence}”")
    elif source.evidence_is_headline:
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
        _link(element, entry.link, "alternate")
        _text(element, "summary", entry.summary, type="text")
    ET.register_namespace("", ATOM_NS)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"
