"""`tracker feeds`: list (with their health), add, remove, import and export the feeds
read, editing the config in place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from events.clock import utc_now
from tracker.cli.app import FORMATS, App, TrackerGroup
from tracker.cli.completion import complete_feed_names
from tracker.cli.feed_health import Health, health_json, health_table, pair_states
from tracker.cli.options import check_web_url, option_error
from tracker.config import load_config
from tracker.errors import ConfigError, DuplicateEntry, NoDatabase, OpmlError, TrackerError
from tracker.model import FULL_TEXT, Feed
from tracker.text import printable

if TYPE_CHECKING:  # editing the config (tomlkit) and OPML load only for those commands
    from tracker.feeds.opml import Merge

FEED_OPTIONS = {"name": "NAME", "url": "URL", "language": "--language",
                "full_text": "--full-text"}


@click.group(cls=TrackerGroup)
def feeds() -> None:
    """List, add, remove, import and export the feeds read (the [[feeds]] of the config)."""


@feeds.command("list")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def list_feeds(app: App, format_: str) -> None:
    """List the configured feeds and how polling them went: last success, last error,
    failures in a row, next poll (times in the configured time zone).

    Example: tracker feeds list
    """
    app.config_file()
    paired = _health(app)
    if format_ == "json":
        click.echo(json.dumps([health_json(*pair) for pair in paired], ensure_ascii=False,
                              indent=2))
    elif not paired:
        click.echo(f"No feeds in {app.config.path}: add one with `tracker feeds add` or"
                   " `tracker feeds import`.")
    else:
        click.echo(health_table(paired, zone=app.config.zone, now=utc_now()))


def _health(app: App) -> list[Health]:
    """The feeds with their stored state; with no database yet, the config alone."""
    try:
        states = app.archive(create=False).all_feeds()
    except NoDatabase:
        click.echo(f"No database at {app.config.database} yet: the health of the feeds"
                   " shows after the first `tracker poll`.", err=True)
        states = []
    return pair_states(app.config.feeds, states)


@feeds.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--language", type=click.Choice(["fr", "en"]),
              help="The feed's language, when it does not say.")
@click.option("--full-text", type=click.Choice(FULL_TEXT),
              help="When to read an entry's page: auto (short entries about a deal, the"
                   " default), always or never.")
@click.pass_obj
def add_feed_command(app: App, name: str, url: str, language: str | None,
                     full_text: str | None) -> None:
    """Add a feed to the config file, keeping its comments and layout.

    URL is an http(s) URL or a feed file; the next `tracker poll` reads it.

    Example: tracker feeds add lemonde https://www.lemonde.fr/rss/une.xml --language fr
    """
    path = app.config_file()
    location = _location(url, base=path.absolute().parent)
    for feed in app.config.feeds:
        if feed.url == _loaded(location, base=path.absolute().parent):
            raise DuplicateEntry(f"feed {feed.name!r} in {path} already reads {url}")
    entry = f"[[feeds]][{len(app.config.feeds)}]"
    from tracker.config_edit import add_feeds

    try:
        add_feeds(path, [{"name": name, "url": location, "language": language,
                          "full_text": full_text}])
    except ConfigError as error:
        raise option_error(error, entry=entry, options=FEED_OPTIONS) from None
    click.echo(f"Added feed {name} ({url}) to {path}.")


@feeds.command("remove")
@click.argument("name", shell_complete=complete_feed_names)
@click.pass_obj
def remove_feed_command(app: App, name: str) -> None:
    """Remove a feed from the config file; its articles and events stay in the database.

    Example: tracker feeds remove lemonde-eco
    """
    from tracker.config_edit import remove_feed

    path = app.config_file()
    remove_feed(path, name)
    click.echo(f"Removed feed {name} from {path} (its articles and events stay).")


@feeds.command("import")
@click.argument("file", type=click.File("rb"))
@click.pass_obj
def import_feeds(app: App, file: IO[bytes]) -> None:
    """Add the feeds of an OPML file (as any feed reader exports) to the config file.

    Feeds in folders are found too; a feed already configured (same URL) or listed
    twice is skipped and counted. FILE may be - for standard input.

    Example: tracker feeds import ~/Downloads/subscriptions.opml
    """
    from tracker.config_edit import add_feeds
    from tracker.feeds.opml import MAX_OPML_BYTES, merge_subscriptions, read_opml

    path = app.config_file()
    name = getattr(file, "name", None)  # standard input may have none
    source = printable(name if isinstance(name, str) and name != "<stdin>" else "-")
    found = read_opml(file.read(MAX_OPML_BYTES + 1), source=source)
    if not found:
        raise OpmlError(f"{source}: no feed in it (no outline with an xmlUrl)")
    merge = merge_subscriptions(load_config(path).feeds, found)
    if merge.added:
        add_feeds(path, [_entry(feed) for feed in merge.added])
    click.echo(f"Imported {len(merge.added)} feed(s) from {source} into {path}{_skips(merge)}.")


@feeds.command("export")
@click.pass_obj
def export_feeds(app: App) -> None:
    """Print the configured feeds as OPML 2.0, for a feed reader or another tracker.

    Example: tracker feeds export > subscriptions.opml
    """
    from tracker.feeds.opml import write_opml

    path = app.config_file()
    click.echo(write_opml(app.config.feeds, title=f"tracker feeds ({path.name})"), nl=False)


def _location(url: str, *, base: Path) -> str:
    """An http(s) or file URL as given; a path checked and written as the config will
    read it (relative to the config's folder when it is inside it)."""
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme in ("http", "https"):
        return check_web_url(url, option="URL") or url
    if scheme and scheme != "file":
        raise TrackerError(f"URL: expected an http(s) URL or a feed file, got {url!r}")
    if scheme == "file":
        return url
    file = Path(url).expanduser().absolute()
    if not file.is_file():
        raise TrackerError(f"URL: no such file {str(file)!r} (give an http(s) URL or a feed"
                           " file)")
    return str(file.relative_to(base)) if file.is_relative_to(base) else str(file)


def _loaded(location: str, *, base: Path) -> str:
    """`location` as the config reader makes it: a relative path joined to the folder."""
    return location if "://" in location or Path(location).is_absolute() else str(base / location)


def _entry(feed: Feed) -> dict[str, Any]:
    return {"name": feed.name, "url": feed.url, "language": feed.language,
            "full_text": None if feed.full_text == "auto" else feed.full_text}


def _skips(merge: Merge) -> str:
    skipped = []
    if merge.duplicates:
        skipped.append(f"{merge.duplicates} duplicate(s) skipped")
    if merge.unusable:
        skipped.append(f"{merge.unusable} without an http(s) or file URL skipped")
    return f" ({', '.join(skipped)})" if skipped else ""
