"""One time limit for a whole fetch, held in every phase: connect, TLS, headers, body.

httpx's timeouts bound each wait for bytes, so a server that drips one header byte a
second is never late and holds a fetch for ever. Here the network streams under httpx
give each read, write and TLS handshake at most the time left until the fetch's
deadline, and fail once it has passed. The deadline belongs to the thread running the
fetch: pooled connections serve whichever fetch uses them.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx
from httpcore._backends.sync import SyncBackend

_CURRENT = threading.local()
#: What a wait cut short says.
OVERALL = "the overall time limit passed"


@contextmanager
def time_limit(deadline: float) -> Iterator[None]:
    """Inside, every network wait of this thread ends by `deadline` (time.monotonic)."""
    _CURRENT.deadline = deadline
    try:
        yield
    finally:
        _CURRENT.deadline = None


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout`, shortened to the time left before this thread's deadline."""
    deadline = getattr(_CURRENT, "deadline", None)
    if deadline is None:
        return timeout
    left = float(deadline) - time.monotonic()
    if left <= 0:
        raise error(OVERALL)
    return left if timeout is None else min(timeout, left)


class _LimitedStream(httpcore.NetworkStream):
    """A network stream whose every wait ends by the current fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _LimitedStream(self._stream.start_tls(
            ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _LimitedBackend(httpcore.NetworkBackend):
    """Opens connections as usual, each one a `_LimitedStream`."""

    def __init__(self) -> None:
        self._backend = SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _LimitedStream(self._backend.connect_tcp(
            host, port, _left(timeout, httpcore.ConnectTimeout), local_address,
            socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        return _LimitedStream(self._backend.connect_unix_socket(
            path, _left(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def limited_transport(*, verify: ssl.SSLContext, max_connections: int) -> httpx.HTTPTransport:
    """An httpx transport whose connections honour `time_limit`."""
    transport = httpx.HTTPTransport(
        verify=verify, limits=httpx.Limits(max_connections=max_connections,
                                           max_keepalive_connections=max_connections))
    # httpx builds its connection pool without a way to name the network backend;
    # the pool keeps it in this attribute (httpcore 1.x), which tests/test_hostile_*
    # checks by a real server dripping headers
    transport._pool._network_backend = _LimitedBackend()  # noqa: SLF001
    return transport
