"""The daily report job: render the day, write its files, record it, then e-mail it.

The files (`YYYY-MM-DD.html`, `index.html`, `feed.atom`) are written, and the day is
recorded in the `reports` table, before any e-mail is attempted: a failing SMTP server
loses nothing, and the error says where the report is.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path

from events.clock import utc_now
from events.store import EventStore
from reports.atom import feed_id_for, render_atom
from reports.build import Report, compose_report, read_log
from reports.context import DealRef, FeedStatus
from reports.errors import MailError
from reports.mailer import SmtpSettings, build_message, send_message
from reports.render import render_email_html, render_email_text, render_page
from tracker.archive import Archive
from tracker.archive.headlines import headlines_of
from tracker.config import Config
from tracker.errors import ReportError

log = logging.getLogger(__name__)
PASSWORD_ENV = "TRACKER_SMTP_PASSWORD"

_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.html$")


@dataclass(frozen=True)
class ReportOutcome:
    """What `run_daily_report` did: the files written, and whether the e-mail went."""

    day: date
    html_path: Path
    index_path: Path | None  # None when a later day's report is already the latest
    atom_path: Path | None
    eml_path: Path | None
    sent: bool
    last_seq: int
    subject: str


def run_daily_report(config: Config, store: EventStore, archive: Archive, *,
                     day: date | None = None, out_dir: Path | None = None, email: bool = False,
                     dry_run: bool = False, known_at: datetime | None = None) -> ReportOutcome:
    """Render the report of `day` (default: today), write it, record it, e-mail it.

    `dry_run` writes the e-mail as `YYYY-MM-DD.eml` beside the page instead of sending.
    Raises ReportError when the files cannot be written, or after writing them when
    the e-mail cannot be sent.
    """
    today = datetime.now(config.zone).date()
    day = day or today
    if day > today:
        raise ReportError(f"--date: {day.isoformat()} is still to come (today is"
                          f" {today.isoformat()} in {config.timezone})")
    folder = out_dir or config.reports_dir
    if email and not dry_run and config.email is None:
        raise ReportError(f"--email: no [email] section in {config.path}")
    report = build_day(config, store, archive, day=day, known_at=known_at,
                       feed_id=feed_id_for(str(folder.absolute())))
    html_path, index_path, atom_path = save_report_files(folder, report)
    message = compose_email(config, report) if email or dry_run else None
    eml_path = save_eml(folder, day, message) if dry_run and message else None
    # only the day's own report counts as done: not a preview elsewhere, not a rebuild
    official = known_at is None and folder.absolute() == config.reports_dir.absolute()
    if official:
        save_report_row(archive, day, last_seq=report.page.last_seq, sent=False)
    sent = email and not dry_run and message is not None
    if sent and message is not None:
        _send(config, message, html_path)
        if official:
            save_report_row(archive, day, last_seq=report.page.last_seq, sent=True)
    return ReportOutcome(day, html_path, index_path, atom_path, eml_path, sent,
                         report.page.last_seq, report.page.subject)


def build_day(config: Config, store: EventStore, archive: Archive, *, day: date,
              known_at: datetime | None, feed_id: str) -> Report:
    """The report of `day`, each change with the headline of the article it was read in."""
    window = read_log(store, day=day, zone=config.zone, known_at=known_at)
    # one query for every link the report may show; a link never archived has no headline
    headlines = headlines_of(archive, window.shown())
    return compose_report(store, window, deals=deal_refs(config),
                          feeds=feed_statuses(config, archive), headlines=headlines,
                          feed_id=feed_id, base_url=config.base_url)


def save_eml(folder: Path, day: date, message: EmailMessage) -> Path:
    """Write the e-mail of `day` as `YYYY-MM-DD.eml` in `folder`."""
    path = folder / f"{day.isoformat()}.eml"
    try:
        _write_atomically(path, message.as_bytes())
    except OSError as error:
        raise ReportError(f"cannot write {path}: {error.strerror or error}") from error
    return path


def deal_refs(config: Config) -> list[DealRef]:
    """The configured deals, in config order."""
    return [DealRef(deal.id, deal.title) for deal in config.deals]


def feed_statuses(config: Config, archive: Archive) -> list[FeedStatus]:
    """The health of each configured feed, as polling left it (never polled: no news)."""
    known = {state.name: state for state in archive.all_feeds()}
    statuses = []
    for feed in config.feeds:
        state = known.get(feed.name)
        statuses.append(FeedStatus(feed.name) if state is None else FeedStatus(
            feed.name, state.last_success_at, state.error_count, state.last_error,
            state.disabled_reason))
    return statuses


def save_report_files(folder: Path,
                      report: Report) -> tuple[Path, Path | None, Path | None]:
    """Write the day's page; refresh index.html and feed.atom unless a later day exists."""
    day = report.page.day
    html_path = folder / f"{day.isoformat()}.html"
    index_path: Path | None = folder / "index.html"
    atom_path: Path | None = folder / report.page.atom_file
    try:
        folder.mkdir(parents=True, exist_ok=True)
        page = render_page(report.page).encode("utf-8")
        _write_atomically(html_path, page)
        if day >= max(_days_written(folder), default=day):
            _write_atomically(folder / "index.html", page)
            _write_atomically(folder / report.page.atom_file, render_atom(report.feed))
        else:
            index_path = atom_path = None
    except OSError as error:
        raise ReportError(f"cannot write the report to {folder}:"
                          f" {error.strerror or error}") from error
    return html_path, index_path, atom_path


def _days_written(folder: Path) -> list[date]:
    days = []
    for path in folder.iterdir():
        match = _DAY_FILE.match(path.name)
        if match:
            try:
                days.append(date.fromisoformat(match.group(1)))
            except ValueError:
                continue  # a stray file such as 2020-13-45.html is not a report
    return days


def _write_atomically(path: Path, content: bytes) -> None:
    # a reader (a browser, a web server) never sees half a file
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def compose_email(config: Config, report: Report) -> EmailMessage:
    """The report as an e-mail to the configured recipients."""
    sender = config.email.sender if config.email else "tracker@localhost"
    recipients = config.email.to if config.email else ()
    return build_message(subject=report.page.subject, sender=sender, to=recipients,
                         text=render_email_text(report.page),
                         html=render_email_html(report.page), now=utc_now())


def smtp_settings(config: Config) -> SmtpSettings:
    """The `[email]` section as SMTP settings; the password from TRACKER_SMTP_PASSWORD."""
    if config.email is None:
        raise ReportError(f"--email: no [email] section in {config.path}")
    mail = config.email
    return SmtpSettings(mail.smtp_host, mail.smtp_port, mail.starttls, mail.username,
                        os.environ.get(PASSWORD_ENV))


def _send(config: Config, message: EmailMessage, html_path: Path) -> None:
    try:
        refused = send_message(message, smtp_settings(config))
    except MailError as error:
        raise ReportError(f"report written to {html_path}, but not e-mailed: {error}") from error
    if refused:
        log.warning("report e-mailed, but the server refused %s", ", ".join(refused))


def save_report_row(archive: Archive, day: date, *, last_seq: int, sent: bool) -> None:
    """Record that the report of `day` was written (and, once true, that it was sent)."""
    archive.record_report(day, last_seq=last_seq, sent=sent)


def reported_days(archive: Archive, *, delivered: bool = False) -> set[date]:
    """The days whose report has been written; with `delivered`, only those e-mailed."""
    return archive.reported_days(delivered=delivered)
