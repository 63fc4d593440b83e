"""A TLS client context that reads its CA certificates at the first connection.

Loading certifi's bundle costs about 35 ms at every start; a poll of unchanged or
plain-http feeds should not pay it. Verification is never weakened: the context
requires certificates and checks host names from the start, and loads the bundle
before any handshake.
"""

from __future__ import annotations

import os
import ssl
import threading
from typing import Any


class LazyTrustContext(ssl.SSLContext):
    """`ssl.SSLContext` for clients that loads the CA bundle before its first handshake."""

    _lock = threading.Lock()

    def _ensure_certificates(self) -> None:
        with self._lock:
            if getattr(self, "_certificates_loaded", False):
                return
            if os.environ.get("SSL_CERT_FILE") or os.environ.get("SSL_CERT_DIR"):
                self.load_verify_locations(cafile=os.environ.get("SSL_CERT_FILE"),
                                           capath=os.environ.get("SSL_CERT_DIR"))
            else:
                import certifi

                self.load_verify_locations(cafile=certifi.where())
            self._certificates_loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._ensure_certificates()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._ensure_certificates()
        return super().wrap_bio(*args, **kwargs)


def lazy_client_context() -> ssl.SSLContext:
    """A verifying client context (TLS 1.2 or newer) whose CA bundle loads on first use."""
    context = LazyTrustContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context
