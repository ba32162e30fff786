"""Bounded body reading: the size cap holds for the bytes on the wire and again after decompression."""

from __future__ import annotations

import zlib


class BodyTooLarge(ValueError):
    """The body (compressed or decompressed) went past the cap."""


class BoundedBody:
    """Accumulates a response body chunk by chunk, decompressing gzip/deflate, never past ``limit`` bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self.limit = limit
        self.raw_bytes = 0
        self._buffer = bytearray()
        encoding = (content_encoding or "identity").strip().lower()
        if encoding in {"", "identity"}:
            self._decoder: zlib._Decompress | None = None
        elif encoding in {"gzip", "x-gzip"}:
            self._decoder = zlib.decompressobj(wbits=31)
        elif encoding == "deflate":
            self._decoder = zlib.decompressobj(wbits=47)
        else:
            raise ValueError(f"unsupported content encoding {encoding!r}")

    def feed(self, chunk: bytes) -> None:
        """Add one chunk from the wire; raise BodyTooLarge past the cap, zlib.error on a corrupt stream."""
        self.raw_bytes += len(chunk)
        if self.raw_bytes > self.limit:
            raise BodyTooLarge(f"body exceeds {self.limit} bytes on the wire")
        if self._decoder is None:
            self._append(chunk)
            return
        data = chunk
        while data:
            # max_length bounds each step, so a small compressed chunk cannot balloon in memory.
            self._append(self._decoder.decompress(data, self.limit - len(self._buffer) + 1))
            data = self._decoder.unconsumed_tail

    def _append(self, data: bytes) -> None:
        if len(self._buffer) + len(data) > self.limit:
            raise BodyTooLarge(f"body exceeds {self.limit} bytes after decompression")
        self._buffer += data

    def finish(self) -> bytes:
        """The whole decoded body."""
        if self._decoder is not None:
            self._append(self._decoder.flush())
        return bytes(self._buffer)
