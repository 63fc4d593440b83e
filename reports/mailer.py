"""The report as an e-mail: multipart/alternative (plain text + HTML), sent over SMTP.

Headers are built with `email.message.EmailMessage` under `email.policy.SMTP`, after
every CR, LF and other control character has been folded out of their values: no text
can add a header. Sending raises `MailError` with one line saying what failed.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from reports.errors import MailError
from reports.formatting import one_line

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send: STARTTLS and login are used when set."""

    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    username: str = ""
    password: str | None = None
    timeout: float = 30.0

    @property
    def where(self) -> str:
        """ "host:port", for messages."""
        return f"{self.host}:{self.port}"


def header_value(text: str) -> str:
    """A header value that cannot start another header: one line, no controls."""
    return one_line(text)


def build_message(*, subject: str, sender: str, to: Sequence[str], text: str, html: str,
                  now: datetime) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML preferred."""
    message = EmailMessage(policy=SMTP)
    message["Subject"] = header_value(subject)
    message["From"] = header_value(sender)
    if to:
        message["To"] = ", ".join(header_value(address) for address in to)
    message["Date"] = format_datetime(now)
    domain = header_value(sender).rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid("tracker", domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def send_message(message: EmailMessage, settings: SmtpSettings) -> list[str]:
    """Send `message` over SMTP; return the recipients the server refused (when some
    others took it); raise MailError (one line) when nobody got it."""
    _check_login(settings)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            refused = smtp.send_message(message)
    except smtplib.SMTPException as error:
        raise MailError(_smtp_problem(error, settings)) from error
    except ConnectionRefusedError as error:
        raise MailError(f"SMTP server {settings.where} refused the connection") from error
    except ssl.SSLError as error:
        raise MailError(f"STARTTLS with {settings.where} failed: {error.reason}") from error
    except TimeoutError as error:
        raise MailError(f"SMTP server {settings.where} did not answer in time") from error
    except OSError as error:
        reason = one_line(error.strerror or str(error))
        raise MailError(f"cannot reach SMTP server {settings.where}: {reason}") from error
    # some took it: sending again would give them a second copy, so the caller warns
    return sorted(refused)


def _check_login(settings: SmtpSettings) -> None:
    if not settings.username:
        return
    if settings.password is None:
        raise MailError(f"SMTP username {settings.username!r} is set but"
                        " TRACKER_SMTP_PASSWORD is not")
    if not settings.starttls and settings.host not in LOOPBACK:
        # a password sent in clear over the network can be read by anyone on the path
        raise MailError(f"refusing to send the SMTP password to {settings.where} without"
                        " STARTTLS: set starttls = true in [email]")


def _smtp_problem(error: smtplib.SMTPException, settings: SmtpSettings) -> str:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return (f"SMTP login as {settings.username!r} refused by {settings.where}:"
                f" {_reply(error.smtp_code, error.smtp_error)}")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return f"SMTP server {settings.where}: {one_line(str(error))}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(sorted(error.recipients))
        return f"SMTP server {settings.where} refused the recipients: {one_line(refused)}"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return (f"SMTP server {settings.where} refused the sender:"
                f" {_reply(error.smtp_code, error.smtp_error)}")
    if isinstance(error, smtplib.SMTPResponseException):
        return f"SMTP server {settings.where} said {_reply(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        # smtplib reports its socket's timeout as a disconnection
        if "timed out" in str(error):
            return f"SMTP server {settings.where} did not answer in time"
        return f"SMTP server {settings.where} closed the connection"
    return f"SMTP error with {settings.where}: {one_line(str(error))}"


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {one_line(words)}".strip()
