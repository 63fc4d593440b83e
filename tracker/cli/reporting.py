"""`tracker report`: the daily page, its index and Atom feed, and the e-mail."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.app import App
from tracker.cli.options import parse_day, parse_moment


@click.command("report")
@click.option("--date", "day", metavar="DATE", help="The report day (default: today).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the pages (default: reports_dir of the config).")
@click.option("--email", is_flag=True, help="E-mail the report as configured in [email].")
@click.option("--dry-run", is_flag=True, help="Write the e-mail as DATE.eml instead of sending.")
@click.option("--known-at", metavar="TIME",
              help="Only what the log held at TIME (ISO-8601 with offset or Z).")
@click.pass_obj
def report_command(app: App, day: str | None, out_dir: Path | None, email: bool, dry_run: bool,
                   known_at: str | None) -> None:
    """Render the daily report: DATE.html, index.html and feed.atom; e-mail it with --email.

    The page is written (and the day recorded) before any e-mail is attempted.

    Example: tracker report --date 2020-08-03 --email --dry-run
    """
    from tracker.jobs.report import run_daily_report

    report_day = parse_day(day, option="--date") if day else None
    moment = parse_moment(known_at, option="--known-at") if known_at else None
    outcome = run_daily_report(
        app.config, app.store(create=False), app.archive(create=False), day=report_day,
        out_dir=out_dir, email=email, dry_run=dry_run, known_at=moment,
    )
    also = " (and index.html, feed.atom)" if outcome.index_path else ""
    click.echo(f"Wrote {outcome.html_path}{also}: {outcome.subject}"
               f" [events up to seq {outcome.last_seq}].")
    if outcome.eml_path is not None:
        click.echo(f"Wrote the e-mail to {outcome.eml_path} (not sent).")
    if outcome.sent:
        click.echo("E-mailed the report.")
