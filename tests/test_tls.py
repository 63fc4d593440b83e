"""HTTPS feeds: certificates are verified, with the CA bundle loaded only when needed."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.errors import FetchError
from tracker.feeds.fetch import fetch_feed

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture
def https_feed(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A feed served over HTTPS on 127.0.0.1 with a self-signed certificate."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            body = b"<rss version='2.0'><channel><title>secure</title></channel></rss>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}/feed", cert
    server.shutdown()


def test_an_untrusted_certificate_is_refused(https_feed: tuple[str, Path]) -> None:
    url, _ = https_feed
    with pytest.raises(FetchError, match="certificate"):
        fetch_feed(url, connect_timeout=5, read_timeout=5)


def test_a_trusted_certificate_is_accepted(https_feed: tuple[str, Path],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    url, cert = https_feed
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    result = fetch_feed(url, connect_timeout=5, read_timeout=5)
    assert b"secure" in (result.content or b"")
