"""Shell completion of deal ids and feed names, read from the config being used.

Completion runs before any command, with no `App` yet: the config is found from the
`--config` option already typed (or $TRACKER_CONFIG, or ./tracker.toml). A config that
cannot be read completes nothing: a traceback in the middle of a shell line helps no one.
"""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem

from tracker.config import Config, find_config_path, load_config
from tracker.errors import TrackerError


def complete_deal_ids(ctx: click.Context, _param: click.Parameter,
                      incomplete: str) -> list[CompletionItem]:
    """The configured deal ids starting with what was typed, each with its title."""
    config = _config_of(ctx)
    deals = config.deals if config else ()
    return [CompletionItem(deal.id, help=deal.title) for deal in deals
            if deal.id.startswith(incomplete)]


def complete_feed_names(ctx: click.Context, _param: click.Parameter,
                        incomplete: str) -> list[CompletionItem]:
    """The configured feed names starting with what was typed, each with its URL."""
    config = _config_of(ctx)
    feeds = config.feeds if config else ()
    return [CompletionItem(feed.name, help=feed.url) for feed in feeds
            if feed.name.startswith(incomplete)]


def _config_of(ctx: click.Context) -> Config | None:
    option = ctx.find_root().params.get("config_option")
    path, explicit = find_config_path(option)
    try:
        return load_config(path, must_exist=explicit)
    except (TrackerError, OSError):
        return None
