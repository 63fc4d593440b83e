"""OPML, the subscription list every feed reader imports and exports: read (1.0 and 2.0,
outlines nested in folders) and written (2.0).

A file to import may come from anywhere, so reading is defensive: a size cap, no DOCTYPE
at all (OPML needs none, and entity definitions are how a small file expands into a huge
one or reads a local file), and any XML error is one `OpmlError` line.
"""

from __future__ import annotations

import xml.parsers.expat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

from tracker.errors import OpmlError
from tracker.model import Feed
from tracker.text import printable

MAX_OPML_BYTES = 10_000_000  # a list of 10,000 feeds is about 2 MB
MAX_SUBSCRIPTIONS = 10_000
MAX_NAME = 100
MAX_URL = 2000  # what browsers and servers commonly accept
#: Where the attributes of ours live: OPML 2.0 wants any attribute it does not define
#: in a namespace.
NAMESPACE = "urn:x-tracker:opml"  # no published home to point at: a name, not a page
FEED_SCHEMES = ("http", "https", "file")


@dataclass(frozen=True)
class Subscription:
    """One feed outline of an OPML file: its title, URL and the folders it sits in."""

    title: str
    url: str
    language: str | None = None
    full_text: str | None = None
    folders: tuple[str, ...] = ()


@dataclass(frozen=True)
class Merge:
    """What importing subscriptions into a list of feeds adds, and what it leaves out."""

    added: tuple[Feed, ...]
    duplicates: int  # already configured, or twice in the file
    unusable: int  # no http(s) or file URL


def read_opml(content: bytes, *, source: str) -> list[Subscription]:
    """The feed outlines of an OPML document, in document order; raise OpmlError."""
    if len(content) > MAX_OPML_BYTES:
        raise OpmlError(f"{source}: too large for a subscription list"
                        f" ({len(content)} bytes, at most {MAX_OPML_BYTES})")
    reader = _OutlineReader(source)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = reader.refuse_doctype
    parser.EntityDeclHandler = reader.refuse_doctype
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    try:
        parser.Parse(content, True)
    except xml.parsers.expat.ExpatError as error:
        problem = xml.parsers.expat.errors.messages.get(error.code, "malformed XML")
        raise OpmlError(f"{source}: not valid XML ({problem}, line {error.lineno})") from None
    if not reader.seen_root:
        raise OpmlError(f"{source}: not an OPML file (no <opml> element)")
    return reader.found


class _OutlineReader:
    """expat handlers collecting the outlines that carry a feed URL, with their folders."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.found: list[Subscription] = []
        self.folders: list[str | None] = []  # one per open <outline>; None for a feed
        self.seen_root = False

    def refuse_doctype(self, *_: object) -> None:
        raise OpmlError(f"{self.source}: has a DOCTYPE or entity definitions, which OPML"
                        " never needs: refused")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.split(" ")[-1]  # a writer may put OPML in a default namespace
        if not self.seen_root:
            if local != "opml":
                raise OpmlError(f"{self.source}: not an OPML file (its root is"
                                f" <{printable(local)[:40]}>)")
            self.seen_root = True
        if local != "outline":
            return
        # readers disagree on case (xmlUrl, xmlurl): attributes are matched without it
        plain = {key.lower(): value for key, value in attributes.items() if " " not in key}
        title = _clean(plain.get("text") or plain.get("title") or "")
        url = plain.get("xmlurl", "").strip()
        self.folders.append(None if url else title)
        if url:
            if len(self.found) >= MAX_SUBSCRIPTIONS:
                raise OpmlError(f"{self.source}: more than {MAX_SUBSCRIPTIONS} feeds")
            self.found.append(Subscription(
                title=title, url=url, language=_language(plain.get("language")),
                full_text=attributes.get(f"{NAMESPACE} fullText"),
                folders=tuple(f for f in self.folders[:-1] if f)))

    def end(self, name: str) -> None:
        if name.split(" ")[-1] == "outline":
            self.folders.pop()


def merge_subscriptions(feeds: Sequence[Feed], found: Iterable[Subscription]) -> Merge:
    """The feeds to add for `found`: those whose URL is new, under names not yet taken."""
    urls = {_url_key(feed.url) for feed in feeds}
    names = {feed.name for feed in feeds}
    added: list[Feed] = []
    duplicates = unusable = 0
    for subscription in found:
        if not _usable(subscription.url):
            unusable += 1
            continue
        if _url_key(subscription.url) in urls:
            duplicates += 1
            continue
        name = _free_name(subscription.title or _host(subscription.url), names)
        urls.add(_url_key(subscription.url))
        names.add(name)
        added.append(Feed(name=name, url=subscription.url, language=subscription.language,
                          full_text=subscription.full_text or "auto"))
    return Merge(added=tuple(added), duplicates=duplicates, unusable=unusable)


def write_opml(feeds: Sequence[Feed], *, title: str) -> str:
    """An OPML 2.0 document listing `feeds` (a file feed as a file:// URL)."""
    root = ElementTree.Element("opml", {"version": "2.0", "xmlns:tracker": NAMESPACE})
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = ElementTree.SubElement(root, "body")
    for feed in feeds:
        attributes = {"type": "rss", "text": feed.name, "title": feed.name,
                      "xmlUrl": _as_url(feed.url)}
        if feed.language:
            attributes["language"] = feed.language
        if feed.full_text != "auto":
            attributes["tracker:fullText"] = feed.full_text
        ElementTree.SubElement(body, "outline", attributes)
    ElementTree.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ElementTree.tostring(root, encoding="unicode") + "\n")


def _clean(text: str) -> str:
    """A title as a feed name: one line, printable, not too long."""
    return printable(" ".join(text.split()))[:MAX_NAME].strip()


def _language(value: str | None) -> str | None:
    code = (value or "").strip().lower()[:2]  # "fr-FR" is French
    return code if code in ("fr", "en") else None


def _usable(url: str) -> bool:
    """An http(s) URL with a host, or a file:// URL, on one printable line."""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1": a bracket never closed
        return False
    if len(url) > MAX_URL or printable(url) != url or any(c.isspace() for c in url):
        return False
    scheme = parts.scheme.lower()
    return scheme == "file" or (scheme in ("http", "https") and bool(parts.hostname))


def _url_key(url: str) -> str:
    """A URL as compared for duplicates: scheme and host have no case."""
    parts = urlsplit(url.strip())
    if not parts.scheme:
        return url.strip()
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


def _host(url: str) -> str:
    return _clean(urlsplit(url).hostname or "") or _clean(url) or "feed"


def _free_name(wanted: str, taken: set[str]) -> str:
    """`wanted`, or `wanted (2)`, `wanted (3)`...: two folders may hold a "Tech" each."""
    name, number = wanted, 2
    while name in taken:
        name, number = f"{wanted} ({number})", number + 1
    return name


def _as_url(location: str) -> str:
    if urlsplit(location).scheme.lower() in FEED_SCHEMES:
        return location
    return Path(location).absolute().as_uri()
