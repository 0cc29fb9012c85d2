"""The limits on one attempt, sans-I/O: a wall-clock deadline and a cap on the decoded body.

httpx's timeouts bound each network operation, not the call: a server that sends one byte a
second never trips a 2 s read timeout. [`Deadline`][alliance_pay._limits.Deadline] is the
attempt's total, from sending to the last byte of the body. The async client also runs the
attempt inside an anyio cancel scope with that deadline (asyncio and trio alike); the sync
client, which has no cancel scopes, checks it between body chunks.

[`BodyReader`][alliance_pay._limits.BodyReader] decodes the raw body itself, never more than
the cap: a 1 MB gzip bomb that inflates to 1 GB stops at the cap, and memory stays bounded
by it, on a success and on an error status alike.
"""

from __future__ import annotations

import contextlib
import time
import zlib

import anyio
import httpx

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "BodyReader",
    "BodyTooLarge",
    "BodyUndecodable",
    "Deadline",
    "DeadlineExceeded",
    "attempt_scope_async",
    "attempt_scope_sync",
    "check_size",
]

#: A JSON answer from this API is a few hundred bytes; 4 MiB is room enough for any of them.
DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024
#: The encodings this module decodes within the cap; the client asks for only these.
ACCEPT_ENCODING = "gzip, deflate"
_IDENTITY = frozenset({"", "identity"})
_GZIP = frozenset({"gzip", "x-gzip"})


class DeadlineExceeded(Exception):
    """The attempt ran past its total deadline (raised by the sync reader)."""


class BodyTooLarge(Exception):
    """The decoded body is larger than the cap; ``prefix`` is what was read before stopping."""

    def __init__(self, limit: int, prefix: bytes) -> None:
        super().__init__(f"more than {limit} bytes once decoded")
        self.prefix = prefix


class BodyUndecodable(Exception):
    """The body's ``Content-Encoding`` is unknown, or its bytes do not decode."""


class Deadline:
    """The moment an attempt must be over, on the monotonic clock.

    Examples:
        >>> Deadline(30.0).expired()
        False
    """

    __slots__ = ("expires_at", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() > self.expires_at

    def check(self) -> None:
        if time.monotonic() > self.expires_at:
            raise DeadlineExceeded(f"over the {self.seconds:g} s deadline")


def attempt_scope_async(deadline: Deadline) -> contextlib.AbstractContextManager[anyio.CancelScope]:
    """A cancel scope that ends the attempt at its deadline (``TimeoutError``), under any loop."""
    return anyio.fail_after(deadline.seconds)


def attempt_scope_sync(deadline: Deadline) -> contextlib.nullcontext[None]:
    """No cancel scope for threads: the sync reader checks ``deadline`` between chunks instead,
    and each network operation is bounded by its own httpx timeout, never longer than it."""
    return contextlib.nullcontext()


def check_size(content: bytes, limit: int) -> None:
    """Refuse a body already in memory that is over the cap, as the reader would have."""
    if len(content) > limit:
        raise BodyTooLarge(limit, content[:2000])


class BodyReader:
    """Decodes a response body chunk by chunk, refusing to hold more than ``limit`` bytes.

    Examples:
        >>> import gzip
        >>> reader = BodyReader(httpx.Headers({"Content-Encoding": "gzip"}), limit=10)
        >>> reader.feed(gzip.compress(b"0" * 100))
        Traceback (most recent call last):
        ...
        alliance_pay._limits.BodyTooLarge: more than 10 bytes once decoded
    """

    __slots__ = ("_decoder", "_fallback", "_limit", "_parts", "_size")

    def __init__(self, headers: httpx.Headers, limit: int) -> None:
        self._limit = limit
        self._parts: list[bytes] = []
        self._size = 0
        self._fallback: zlib._Decompress | None = None
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding in _IDENTITY:
            self._decoder: zlib._Decompress | None = None
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                raise BodyTooLarge(limit, b"")
        elif encoding in _GZIP:
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            # "deflate" is zlib-wrapped by the RFC and raw in practice: try both, like httpx.
            self._decoder = zlib.decompressobj()
            self._fallback = zlib.decompressobj(-zlib.MAX_WBITS)
        else:
            raise BodyUndecodable(
                f"the response has Content-Encoding {encoding!r}; only {ACCEPT_ENCODING} "
                "were asked for"
            )

    def feed(self, chunk: bytes) -> None:
        """Take the next raw chunk off the wire."""
        if self._decoder is None:
            self._keep(chunk)
            return
        data = chunk
        while data:
            try:
                # Never more than one byte past the cap per call: a bomb cannot inflate here.
                out = self._decoder.decompress(data, self._limit - self._size + 1)
            except zlib.error as exc:
                if self._fallback is None or self._size:
                    raise BodyUndecodable(f"the body does not decode: {exc}") from None
                self._decoder, self._fallback = self._fallback, None
                continue
            self._fallback = None
            self._keep(out)
            data = self._decoder.unconsumed_tail

    def finish(self) -> bytes:
        """The whole decoded body, once the wire has no more."""
        if self._decoder is not None:
            try:
                self._keep(self._decoder.flush())
            except zlib.error as exc:
                raise BodyUndecodable(f"the body does not decode: {exc}") from None
        return b"".join(self._parts)

    def _keep(self, data: bytes) -> None:
        if not data:
            return
        self._size += len(data)
        if self._size > self._limit:
            prefix = b"".join(self._parts)[:2000]
            self._parts.clear()
            raise BodyTooLarge(self._limit, prefix)
        self._parts.append(data)
