"""`tracker deals`: list, add and remove the deals followed, editing the config in place."""

from __future__ import annotations

import json
from typing import Any

import click

from tracker.cli.app import FORMATS, App, TrackerGroup
from tracker.cli.completion import complete_deal_ids
from tracker.cli.options import option_error
from tracker.cli.table import format_table
from tracker.errors import ConfigError
from tracker.model import Deal

#: config key -> the option (or argument) of `deals add` that gives it
DEAL_OPTIONS = {"id": "ID", "title": "--title", "acquirer": "--acquirer", "target": "--target",
                "seller": "--seller", "aliases": "--alias", "acquirer_aliases": "--acquirer-alias",
                "seller_aliases": "--seller-alias", "exclude": "--exclude"}


@click.group(cls=TrackerGroup)
def deals() -> None:
    """List, add and remove the deals followed (the [[deals]] of the config)."""


@deals.command("list")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def list_deals(app: App, format_: str) -> None:
    """List the configured deals and the names each is recognised by.

    Example: tracker deals list --format json
    """
    path = app.config_file()
    configured = app.config.deals
    if format_ == "json":
        click.echo(json.dumps([deal_json(deal) for deal in configured], ensure_ascii=False,
                              indent=2))
    elif not configured:
        click.echo(f"No deals in {path}: add one with `tracker deals add`.")
    else:
        click.echo(format_table(
            ("ID", "TITLE", "ACQUIRER", "TARGET", "SELLER", "OTHER NAMES"),
            [(d.id, d.title, d.acquirer, d.target, d.seller, _other_names(d))
             for d in configured], max_width=40))


@deals.command("add")
@click.argument("deal_id", metavar="ID")
@click.option("--acquirer", required=True, metavar="NAME", help="Who buys.")
@click.option("--target", required=True, metavar="NAME", help="What is bought.")
@click.option("--seller", metavar="NAME", help="Who sells, when it is not the target.")
@click.option("--title", help="The deal's title in reports (default: ACQUIRER / TARGET).")
@click.option("--alias", "aliases", multiple=True, metavar="NAME",
              help="Another name of the target side (repeatable).")
@click.option("--acquirer-alias", "acquirer_aliases", multiple=True, metavar="NAME",
              help="Another name of the acquirer (repeatable).")
@click.option("--seller-alias", "seller_aliases", multiple=True, metavar="NAME",
              help="Another name of the seller (repeatable).")
@click.option("--exclude", multiple=True, metavar="PHRASE",
              help='A phrase that is never a mention, e.g. "Fox News" (repeatable).')
@click.pass_obj
def add_deal_command(app: App, deal_id: str, acquirer: str, target: str, seller: str | None,
                     title: str | None, aliases: tuple[str, ...],
                     acquirer_aliases: tuple[str, ...], seller_aliases: tuple[str, ...],
                     exclude: tuple[str, ...]) -> None:
    """Add a deal to follow to the config file, keeping its comments and layout.

    ID is how commands name the deal: lowercase letters, digits, '.', '_' or '-'. The
    next `tracker poll` reads the articles already stored for it.

    Example: tracker deals add adobe-figma --acquirer Adobe --target Figma
    """
    path = app.config_file()
    entry = f"[[deals]][{len(app.config.deals)}]"
    from tracker.config_edit import add_deal  # tomlkit loads only for an edit

    try:
        added = add_deal(path, {
            "id": deal_id, "title": title, "acquirer": acquirer, "target": target,
            "seller": seller, "aliases": aliases, "acquirer_aliases": acquirer_aliases,
            "seller_aliases": seller_aliases, "exclude": exclude})
    except ConfigError as error:
        raise option_error(error, entry=entry, options=DEAL_OPTIONS) from None
    deal = added.deals[-1]
    click.echo(f"Added deal {deal.id} ({deal.title}) to {path}.")


@deals.command("remove")
@click.argument("deal_id", metavar="ID", shell_complete=complete_deal_ids)
@click.pass_obj
def remove_deal_command(app: App, deal_id: str) -> None:
    """Remove a deal from the config file; its events stay in the log.

    `tracker replay` and `tracker events` still show what the log holds of it;
    `tracker deals add` with the same ID follows it again.

    Example: tracker deals remove microsoft-tiktok
    """
    from tracker.config_edit import remove_deal

    path = app.config_file()
    remove_deal(path, deal_id)
    click.echo(f"Removed deal {deal_id} from {path} (its events stay in the log).")


def deal_json(deal: Deal) -> dict[str, Any]:
    """One deal as `tracker deals list --format json` prints it."""
    return {"id": deal.id, "title": deal.title, "acquirer": deal.acquirer,
            "target": deal.target, "seller": deal.seller, "aliases": list(deal.aliases),
            "acquirer_aliases": list(deal.acquirer_aliases),
            "seller_aliases": list(deal.seller_aliases), "exclude": list(deal.exclude)}


def _other_names(deal: Deal) -> str:
    return ", ".join((*deal.aliases, *deal.acquirer_aliases, *deal.seller_aliases))
