"""The report by e-mail, received by a real SMTP server (aiosmtpd) on 127.0.0.1 and parsed back."""

from __future__ import annotations

import email
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from events.sqlite_store import SQLiteEventStore
from reports.errors import MailError
from reports.mailer import SmtpSettings, build_message, send_message
from tests.test_report_story import HOSTILE_QUOTE, HOSTILE_SPEAKER, SUBJECT, build_story
from tracker.archive.sqlite_archive import SQLiteArchive as Archive
from tracker.config import load_config
from tracker.errors import ReportError
from tracker.jobs.report import reported_days, run_daily_report

USER, PASSWORD = "desk", "s3cret"


def free_port() -> int:
    """A port nobody listens on now (aiosmtpd 1.4.6 refuses port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Keeper:
    """An aiosmtpd handler that keeps every envelope for the test to read."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=default)  # type: ignore[misc]
                for e in self.envelopes]


def check_login(server: Any, session: Any, envelope: Any, mechanism: str,
                auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # False: the server answers 535 itself


@pytest.fixture
def smtp() -> Iterator[tuple[Keeper, int]]:
    keeper = Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=free_port(),
                            authenticator=check_login, auth_require_tls=False)
    controller.start()
    yield keeper, controller.port
    controller.stop()


def write_config(tmp_path: Path, port: int, *, username: str = "", starttls: bool = False) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text(f"""\
[tracker]
timezone = "Europe/Paris"

[email]
smtp_host = "127.0.0.1"
smtp_port = {port}
sender = "tracker@example.org"
to = ["desk@example.org", "boss@example.org"]
starttls = {"true" if starttls else "false"}
username = "{username}"

[[deals]]
id = "microsoft-tiktok"
title = "Microsoft / TikTok US"
acquirer = "Microsoft"
target = "TikTok"
""", encoding="utf-8")
    return path


def send_story(tmp_path: Path, port: int, **config: Any) -> Any:
    cfg = load_config(write_config(tmp_path, port, **config))
    store = build_story(cfg.database)
    return run_daily_report(cfg, store, Archive(store), day=date(2020, 8, 3), email=True)


def parts(message: EmailMessage) -> dict[str, str]:
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_the_report_arrives_as_text_and_html(tmp_path: Path, smtp: tuple[Keeper, int]) -> None:
    keeper, port = smtp
    outcome = send_story(tmp_path, port)
    assert outcome.sent and outcome.html_path.exists()
    (envelope,) = keeper.envelopes
    assert envelope.rcpt_tos == ["desk@example.org", "boss@example.org"]
    (message,) = keeper.messages()
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == SUBJECT
    assert message["From"] == "tracker@example.org"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    assert HOSTILE_QUOTE in body["text/plain"]  # plain text shows it as it is
    html = body["text/html"]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<style" not in html and 'style="' in html  # inline styles only
    assert "javascript:" not in html
    with SQLiteEventStore(tmp_path / "tracker.db") as store:
        assert reported_days(Archive(store)) == {date(2020, 8, 3)}
        assert store.conn.execute("SELECT day, last_seq, sent FROM reports").fetchall() == [
            ("2020-08-03", 4, 1)]


def test_newlines_cannot_reach_the_headers(smtp: tuple[Keeper, int]) -> None:
    keeper, port = smtp
    message = build_message(subject="Deals\r\nBcc: victim@example.org\r\n\r\n<b>body</b>",
                            sender="tracker@example.org\nX-Evil: 1", to=["desk@example.org"],
                            text="hi", html="<p>hi</p>", now=datetime(2020, 8, 3, tzinfo=UTC))
    send_message(message, SmtpSettings("127.0.0.1", port))
    (received,) = keeper.messages()
    assert received["Bcc"] is None and received["X-Evil"] is None
    assert received["Subject"] == "Deals Bcc: victim@example.org <b>body</b>"
    assert keeper.envelopes[0].rcpt_tos == ["desk@example.org"]


def test_login_is_used_when_configured(tmp_path: Path, smtp: tuple[Keeper, int],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    keeper, port = smtp
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", PASSWORD)
    assert send_story(tmp_path, port, username=USER).sent
    assert len(keeper.envelopes) == 1


def test_a_refused_login_is_one_clear_line_after_the_files_are_written(
        tmp_path: Path, smtp: tuple[Keeper, int], monkeypatch: pytest.MonkeyPatch) -> None:
    keeper, port = smtp
    monkeypatch.setenv("TRACKER_SMTP_PASSWORD", "wrong")
    with pytest.raises(ReportError) as caught:
        send_story(tmp_path, port, username=USER)
    text = str(caught.value)
    assert "\n" not in text and f"SMTP login as 'desk' refused by 127.0.0.1:{port}: 535" in text
    assert (tmp_path / "reports" / "2020-08-03.html").exists() and keeper.envelopes == []
    assert "report written to" in text


def test_a_missing_password_is_named(tmp_path: Path, smtp: tuple[Keeper, int],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_SMTP_PASSWORD", raising=False)
    with pytest.raises(ReportError, match="TRACKER_SMTP_PASSWORD is not"):
        send_story(tmp_path, smtp[1], username=USER)


def test_a_refused_connection_keeps_the_report(tmp_path: Path) -> None:
    port = free_port()
    with pytest.raises(ReportError) as caught:
        send_story(tmp_path, port)
    assert str(caught.value) == (
        f"report written to {tmp_path / 'reports' / '2020-08-03.html'}, but not e-mailed:"
        f" SMTP server 127.0.0.1:{port} refused the connection")
    with SQLiteEventStore(tmp_path / "tracker.db") as store:
        assert reported_days(Archive(store)) == {date(2020, 8, 3)}
        sent = store.conn.execute("SELECT sent FROM reports").fetchone()[0]
    assert sent == 0


def test_no_password_goes_out_in_clear_to_another_host() -> None:
    settings = SmtpSettings("mail.example.org", 25, username=USER, password=PASSWORD)
    with pytest.raises(MailError, match="without STARTTLS"):
        send_message(EmailMessage(), settings)


def test_dry_run_writes_the_eml_and_sends_nothing(tmp_path: Path, smtp: tuple[Keeper, int]) -> None:
    keeper, port = smtp
    cfg = load_config(write_config(tmp_path, port))
    store = build_story(cfg.database)
    outcome = run_daily_report(cfg, store, Archive(store), day=date(2020, 8, 3), email=True,
                               dry_run=True)
    assert not outcome.sent and keeper.envelopes == []
    assert outcome.eml_path == tmp_path / "reports" / "2020-08-03.eml"
    message = email.message_from_bytes(outcome.eml_path.read_bytes(), policy=default)
    assert message["Subject"] == outcome.subject
    assert set(parts(message)) == {"text/plain", "text/html"}  # type: ignore[arg-type]
    assert HOSTILE_SPEAKER in parts(message)["text/plain"]  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_starttls_then_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    keeper = Keeper()
    controller = Controller(keeper, hostname="127.0.0.1", port=free_port(), tls_context=context,
                            require_starttls=True, authenticator=check_login)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        monkeypatch.setenv("TRACKER_SMTP_PASSWORD", PASSWORD)
        assert send_story(tmp_path, controller.port, username=USER, starttls=True).sent
    finally:
        controller.stop()
    assert len(keeper.envelopes) == 1
