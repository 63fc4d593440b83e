"""Decoding a gzip or deflate body piece by piece, never inflating more than asked.

The size cap on a response counts inflated bytes, so a small compressed body (a bomb)
must never be inflated whole in memory.
"""

from __future__ import annotations

import zlib

from tracker.errors import FetchError, FetchErrorKind


class Inflater:
    """Decodes a gzip or deflate body piece by piece, never inflating more than asked."""

    def __init__(self, url: str, encoding: str) -> None:
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(url, FetchErrorKind.HTTP, f"unsupported Content-Encoding {encoding!r}")
        self.url = url
        self.encoding = encoding
        self.started = False
        wbits = zlib.MAX_WBITS | 16 if "gzip" in encoding else zlib.MAX_WBITS
        self.decoder = zlib.decompressobj(wbits)

    def __call__(self, data: bytes, room: int) -> bytes:
        if self.encoding == "identity":
            return data
        try:
            return self._inflate(data, room)
        except zlib.error as error:
            if self.started or self.encoding != "deflate":
                raise FetchError(self.url, FetchErrorKind.HTTP,
                                 f"cannot decode {self.encoding} body: {error}") from None
            # Some servers send raw deflate without the zlib header HTTP asks for.
            self.decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            return self(data, room)

    def _inflate(self, data: bytes, room: int) -> bytes:
        # max_length keeps a bomb from inflating in memory: what does not fit stays in
        # unconsumed_tail and is only inflated while there is room left.
        pieces = []
        while data and room > 0 and not self.decoder.eof:
            piece = self.decoder.decompress(data, room)
            self.started = True
            pieces.append(piece)
            room -= len(piece)
            data = self.decoder.unconsumed_tail
        return b"".join(pieces)

    def flush(self) -> bytes:
        """Whatever the decoder still holds once all input was given."""
        return b"" if self.encoding == "identity" else self.decoder.flush()
