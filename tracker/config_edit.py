"""Editing `tracker.toml` in place: deals and feeds added or removed, comments and layout
kept.

An edit is made on the file's tomlkit document, then validated by the reader that loads
the config (`config_from_text`) and checked to have changed only what was asked, and only
then written, atomically (a temporary file beside it, then a rename): an edit that fails
leaves the file as it was. Removing a table removes its lines (header to last key) and
nothing else: the comments around it stay where they were.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, Comment, InlineTable, Table, Whitespace

from tracker.config import Config, config_from_text, load_config
from tracker.errors import ConfigError, DuplicateEntry, TrackerError

#: The order keys are written in, so an added table reads like the README's examples.
DEAL_KEYS = ("id", "title", "acquirer", "target", "seller", "aliases", "acquirer_aliases",
             "seller_aliases", "exclude")
FEED_KEYS = ("name", "url", "language", "full_text")

Entry = Mapping[str, Any]


def add_deal(path: Path, entry: Entry) -> Config:
    """Add a [[deals]] table; refuse an id already configured. Returns the new config."""
    edit = ConfigFile(path)
    if edit.before.deal(entry["id"]):
        raise DuplicateEntry(f"deal {entry['id']!r} is already in {path}")
    edit.append("deals", _ordered(entry, DEAL_KEYS))
    ids = [deal.id for deal in edit.before.deals] + [entry["id"]]
    return edit.save(lambda after: [deal.id for deal in after.deals] == ids
                     and after.deals[:-1] == edit.before.deals)


def remove_deal(path: Path, deal_id: str) -> Config:
    """Remove the [[deals]] table of `deal_id` (its events stay in the log)."""
    edit = ConfigFile(path)
    ids = [deal.id for deal in edit.before.deals]
    if deal_id not in ids:
        raise TrackerError(f"no deal {deal_id!r} in {path} (deals: {', '.join(ids) or 'none'})")
    edit.remove("deals", ids.index(deal_id))
    kept = tuple(deal for deal in edit.before.deals if deal.id != deal_id)
    return edit.save(lambda after: after.deals == kept)


def add_feeds(path: Path, entries: Sequence[Entry]) -> Config:
    """Add [[feeds]] tables; refuse a name already configured. Returns the new config."""
    edit = ConfigFile(path)
    names = [feed.name for feed in edit.before.feeds]
    taken = set(names)  # an import may add thousands to thousands
    for entry in entries:
        if entry["name"] in taken:
            raise DuplicateEntry(f"feed {entry['name']!r} is already in {path}")
        names.append(entry["name"])
        taken.add(entry["name"])
        edit.append("feeds", _ordered(entry, FEED_KEYS))
    count = len(edit.before.feeds)
    return edit.save(lambda after: [feed.name for feed in after.feeds] == names
                     and after.feeds[:count] == edit.before.feeds)


def remove_feed(path: Path, name: str) -> Config:
    """Remove the [[feeds]] table named `name` (its articles stay in the archive)."""
    edit = ConfigFile(path)
    names = [feed.name for feed in edit.before.feeds]
    if name not in names:
        raise TrackerError(f"no feed {name!r} in {path} (feeds: {', '.join(names) or 'none'})")
    edit.remove("feeds", names.index(name))
    kept = tuple(feed for feed in edit.before.feeds if feed.name != name)
    return edit.save(lambda after: after.feeds == kept)


class ConfigFile:
    """One config file open for editing: what it holds now, and its tomlkit document."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.before = load_config(path)  # a missing or invalid file: its usual one-line error
        # bytes decoded as they are, so a file written with CRLF keeps its line ends
        self.text = path.read_bytes().decode("utf-8")
        try:
            self.doc = tomlkit.parse(self.text)
        except TOMLKitError as error:
            raise ConfigError(path, None, f"cannot be edited in place: {error}") from None
        self.suffix = ""  # comments that end up after the last table
        self.inline = False  # an inline array was edited

    def append(self, key: str, entry: dict[str, Any]) -> None:
        """Add `entry` after the last table of `key` (an array created when absent)."""
        current = self.doc.get(key)
        if isinstance(current, Array):  # `deals = [{...}, ...]` inline: kept inline
            self.inline = True
            current.append(_inline_table(entry))
            return
        if current is not None and not isinstance(current, AoT):
            raise ConfigError(self.path, key, "must be an array of tables")  # loader refuses it
        table = _table(entry)
        previous = current.body[-1] if current is not None else _last_table(self.doc)
        if previous is not None:
            # the comments after the previous table are about what follows it: they stay
            # after the new one, and a blank line separates the tables
            for item in _take_trailing(previous):
                table.value.append(None, item)
            table.trivia.indent = "\n"
        if current is None:
            tables = tomlkit.aot()
            tables.append(table)
            self.doc.append(key, tables)
        else:
            current.append(table)

    def remove(self, key: str, index: int) -> None:
        """Remove the `index`th table of `key`, keeping the comments that follow it."""
        current = self.doc[key]
        if not isinstance(current, AoT):
            self.inline = True
            del current[index]
            return
        tail = _trailing_text(current.body[index]).lstrip("\r\n")
        following = _following_table(self.doc, key, index)
        if len(current.body) == 1:
            del self.doc[key]
        else:
            del current[index]
        if following is not None:
            following.trivia.indent = tail + following.trivia.indent
        else:
            self.suffix += tail

    def save(self, expected: Callable[[Config], bool]) -> Config:
        """Validate the edited document as loading would, then write it atomically."""
        text = _ending_as(self.text, tomlkit.dumps(self.doc) + self.suffix)
        after = config_from_text(self.path, text)
        if not expected(after) or _rest(after) != _rest(self.before) or not self.kept(text):
            # tomlkit laid out something we did not ask for: better no edit than that
            raise ConfigError(self.path, None, "cannot be edited in place (its layout is"
                                               " unusual): edit it by hand")
        write_atomically(self.path, text)
        return after

    def kept(self, text: str) -> bool:
        """Whether `text` keeps every line of the file but those of the tables removed,
        in order (an inline array is one line edited, so it is not checked so)."""
        old, new = self.text.splitlines(), text.splitlines()
        if self.inline:
            return True
        return _in_order(old, new) if len(new) >= len(old) else _in_order(new, old)


def write_atomically(path: Path, text: str) -> None:
    """Replace the file at `path` (or a symlink's target) by `text`, all or nothing."""
    target = path.resolve()
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".tmp")
    except OSError as error:
        raise TrackerError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _ending_as(original: str, text: str) -> str:
    """`text` with one final newline and the line ends `original` has: an added table may
    lack the final one, a removed last table leaves the blank line before it, and what
    tomlkit writes ends its lines with LF alone."""
    if "\r\n" in original:
        return re.sub(r"(?<!\r)\n", "\r\n", text.rstrip("\r\n") + "\n")
    return text.rstrip("\r\n") + "\n"


def _in_order(lines: Sequence[str], within: Sequence[str]) -> bool:
    """Whether `within` holds every line of `lines`, in the same order: an addition only
    adds lines, a removal only removes some."""
    remaining = iter(within)
    return all(line in remaining for line in lines)


def _rest(config: Config) -> Config:
    """Everything but the deals and feeds: an edit of those must not change it."""
    return replace(config, deals=(), feeds=())


def _ordered(entry: Entry, keys: Sequence[str]) -> dict[str, Any]:
    """The keys of `entry` that have a value, in the order of `keys`."""
    unknown = set(entry) - set(keys)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    return {key: entry[key] for key in keys if entry.get(key) not in (None, (), [])}


def _toml_values(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: list(value) if isinstance(value, tuple) else value
            for key, value in entry.items()}


def _inline_table(entry: dict[str, Any]) -> InlineTable:
    inline = tomlkit.inline_table()
    inline.update(_toml_values(entry))
    return inline


def _table(entry: dict[str, Any]) -> Table:
    table = tomlkit.table()
    table.update(_toml_values(entry))
    return table


def _trailing_start(table: Table) -> int:
    """Where the comments and blank lines after a table's last key begin: they sit above
    the next header, so they are about what follows, not about this table."""
    body = table.value.body
    start = len(body)
    while start > 0 and body[start - 1][0] is None and isinstance(body[start - 1][1],
                                                                  (Comment, Whitespace)):
        start -= 1
    return start


def _trailing_text(table: Table) -> str:
    return "".join(item.as_string() for _, item in table.value.body[_trailing_start(table):])


def _take_trailing(table: Table) -> list[Comment | Whitespace]:
    """Remove the trailing comments and blank lines of `table` and return them."""
    body = table.value.body
    start = _trailing_start(table)
    # keyless items are not in the container's key map: cutting them off the end is safe
    taken = [item for _, item in body[start:]]
    del body[start:]
    return taken  # type: ignore[return-value]


def _last_table(doc: tomlkit.TOMLDocument) -> Table | None:
    """The table whose header comes last in the document, if any."""
    for _, item in reversed(doc.body):
        if isinstance(item, Table):
            return item
        if isinstance(item, AoT) and item.body:
            return item.body[-1]
    return None


def _following_table(doc: tomlkit.TOMLDocument, key: str, index: int) -> Table | None:
    """The table whose header comes next after the `index`th table of `key`, if any."""
    current = doc[key]
    if isinstance(current, AoT) and index + 1 < len(current.body):
        return current.body[index + 1]
    keys = [name for name, _ in doc.body]
    position = next(n for n, name in enumerate(keys) if name is not None and name.key == key)
    for _, item in doc.body[position + 1:]:
        if isinstance(item, Table):
            return item
        if isinstance(item, AoT) and item.body:
            return item.body[0]
    return None
