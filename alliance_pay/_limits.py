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
import sys
import time
import zlib
from types import TracebackType
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from ._lifecycle import running_asyncio

if TYPE_CHECKING:
    import asyncio

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


def attempt_scope_async(deadline: Deadline) -> contextlib.AbstractContextManager[object]:
    """A scope that ends the attempt at its deadline with ``TimeoutError``, under any loop.

    On asyncio (3.11+) it is asyncio's own timeout mechanism, as ``asyncio.timeout`` does it:
    one timer on the loop, a fraction of an anyio cancel scope's cost on every call. Elsewhere
    (trio, or Python 3.10 without ``Task.uncancel``) it is ``anyio.fail_after``.

    Examples:
        >>> import asyncio
        >>> async def slow() -> None:
        ...     with attempt_scope_async(Deadline(0.01)):
        ...         await asyncio.sleep(1)
        >>> asyncio.run(slow())
        Traceback (most recent call last):
        ...
        TimeoutError
    """
    running = running_asyncio() if _HAS_UNCANCEL else None
    if running is not None:
        module, loop = running
        task = module.current_task(loop)
        if task is not None:
            return _LoopDeadline(loop, task, deadline.seconds, module.CancelledError)
    return anyio.fail_after(deadline.seconds)


_HAS_UNCANCEL = sys.version_info >= (3, 11)


class _LoopDeadline:
    """Cancel the task at the deadline, and turn that cancellation (only that one) into
    ``TimeoutError`` on the way out: ``asyncio.timeout``'s logic, as a plain context manager.

    A cancellation from anywhere else (the caller's cancel scope, ``task.cancel()``) counts in
    ``Task.cancelling()`` and goes on as ``CancelledError``, even when the timer fired too.
    """

    __slots__ = ("_cancelled", "_cancelling", "_fired", "_handle", "_loop", "_seconds", "_task")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        task: asyncio.Task[Any],
        seconds: float,
        cancelled: type[BaseException],
    ) -> None:
        self._cancelled = cancelled
        self._loop = loop
        self._task: Any = task  # Task.cancelling()/uncancel() are 3.11+, checked by the caller
        self._seconds = seconds
        self._fired = False

    def __enter__(self) -> _LoopDeadline:
        self._cancelling = self._task.cancelling()
        self._handle = self._loop.call_at(self._loop.time() + self._seconds, self._fire)
        return self

    def _fire(self) -> None:
        self._fired = True
        self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._handle.cancel()
        # uncancel() runs whenever the timer fired: it takes back this scope's own request.
        if (
            self._fired
            and self._task.uncancel() <= self._cancelling
            and exc_type is self._cancelled
        ):
            raise TimeoutError from exc


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
