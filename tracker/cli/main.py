"""The `tracker` command group: global options, and every command registered on it."""

from __future__ import annotations

import click

from tracker import __version__
from tracker.cli import (
    deals,
    feeds,
    history,
    log,
    migrate,
    polling,
    provenance,
    record,
    reporting,
    reread,
    setup,
)
from tracker.cli.app import App, TrackerGroup, setup_logging


@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_option", metavar="PATH", envvar="TRACKER_CONFIG",
              help="Config file (default: $TRACKER_CONFIG, else ./tracker.toml).")
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-vv: debug).")
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, config_option: str | None, verbose: int) -> None:
    """Follow company deals through the news, from an append-only event log."""
    setup_logging(verbose)
    app = App(config_option)
    ctx.obj = app
    ctx.call_on_close(app.close)


for command in (setup.init, setup.demo, polling.poll, polling.ingest, polling.run_command,
                log.events, log.replay_command, log.check, log.retract, record.add,
                reread.reprocess, reporting.report_command, provenance.explain_command,
                provenance.articles_command, history.history_command, deals.deals,
                feeds.feeds, migrate.migrate):
    cli.add_command(command)


def main() -> None:
    """Entry point of the `tracker` console script."""
    cli(prog_name="tracker")
