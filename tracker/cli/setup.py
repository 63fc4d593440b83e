"""Commands that set a tracker up: `init` (a starter config and its database) and
`demo` (the main job, offline, on the bundled samples)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from events.replay import replay
from tracker.cli.app import App
from tracker.cli.polling import summary_notes
from tracker.cli.starter import write_starter_config
from tracker.cli.views import replay_table
from tracker.config import find_config_path, load_config


@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.pass_obj
def init(app: App, force: bool) -> None:
    """Write a starter tracker.toml and create its database.

    Example: tracker init && tracker feeds import subscriptions.opml && tracker poll
    """
    path, _ = find_config_path(app.config_option)
    write_starter_config(path, force=force)
    app._config = load_config(path)
    app.store()
    click.echo(f"Wrote {path} and created {app.config.database_label}.")
    click.echo("Next: add feeds (`tracker feeds add NAME URL`, or `tracker feeds import"
               " FILE.opml`) and deals (`tracker deals add ID --acquirer A --target T`),"
               " then run `tracker poll`.")


@click.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo (default: a new temporary folder).")
@click.pass_context
def demo(ctx: click.Context, folder: Path | None) -> None:
    """Run the main job offline: bundled sample feeds -> a demo database -> status.

    Example: tracker demo --dir /tmp/tracker-demo
    """
    from tracker.cli.demo import DEMO_AS_OF, prepare_demo
    from tracker.jobs.poll import poll_feeds
    from tracker.jobs.report import run_daily_report

    config_path = prepare_demo(folder)
    app = App(str(config_path))
    # the demo's own file, whatever $TRACKER_DATABASE_URL names: never a real log
    app._config = replace(load_config(config_path), database_url=None)
    ctx.call_on_close(app.close)
    summary = poll_feeds(app.config, app.archive(), all_feeds=True)
    for note in summary_notes(summary):  # none on the bundled samples, unless broken
        click.echo(note, err=True)
    click.echo(summary.line())
    result = replay(app.store(), as_of=DEMO_AS_OF, zone=app.config.zone)
    click.echo(replay_table(result, app.config, deal_id=None))
    outcome = run_daily_report(app.config, app.store(), app.archive(), day=DEMO_AS_OF,
                               dry_run=True)
    click.echo(f"\nReport: {outcome.html_path}")
    click.echo(f"E-mail it would send: {outcome.eml_path}")
    click.echo(f"\nDemo folder: {config_path.parent}")
    click.echo(f"Replay any day: tracker --config {config_path} replay --as-of 2020-08-03")
