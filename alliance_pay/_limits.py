"""The limits on one attempt, sans-I/O: a wall-clock deadline and a cap on the decoded body.

httpx's timeouts bound each network operation, not the call: a server that sends one byte a
second never trips a 2 s read timeout. [`Deadline`][alliance_pay._limits.Deadline] is the
attempt's total, from sending to the last byte of the body. The async client also runs the
attempt inside a scope that cancels it at that deadline (one asyncio timer per client, or an
anyio cancel scope on trio); the sync client, which has no cancel scopes, checks it between
body chunks.

[`BodyReader`][alliance_pay._limits.BodyReader] decodes the raw body itself, never more than
the cap: a 1 MB gzip bomb that inflates to 1 GB stops at the cap, and memory stays bounded
by it, on a success and on an error status alike.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
import zlib
from types import TracebackType
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from ._lifecycle import ClientState, running_asyncio

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
    "Watchdog",
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


def attempt_scope_async(
    deadline: Deadline, state: ClientState[Any] | None = None
) -> contextlib.AbstractContextManager[object]:
    """A scope that ends the attempt at its deadline with ``TimeoutError``, under any loop.

    On asyncio (3.11+) it is asyncio's own timeout mechanism, as ``asyncio.timeout`` does it,
    with one timer per client, not one per attempt: the client's
    [`Watchdog`][alliance_pay._limits.Watchdog] (kept in ``state``, the client's, already
    checked to be on this loop). Elsewhere (trio, or Python 3.10 without ``Task.uncancel``) it
    is ``anyio.fail_after``.

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
    watchdog: Watchdog | None
    if state is None:
        watchdog = Watchdog.here()
    else:
        watchdog = state.watchdog
        if watchdog is None:  # the client's first attempt on this loop; False: not asyncio
            watchdog = Watchdog.here()
            state.watchdog = watchdog or False
    if watchdog:
        task = watchdog.current_task(watchdog.loop)
        if task is not None:
            return _LoopDeadline(watchdog, task, deadline.seconds)
    return anyio.fail_after(deadline.seconds)


_HAS_UNCANCEL = sys.version_info >= (3, 11)
#: How early a deadline may fire: asyncio runs a timer up to its clock's resolution early.
_EARLY = 0.001


class Watchdog:
    """One asyncio timer for every attempt open on a loop, however many there are.

    An attempt's scope registers here and leaves on exit. The timer is armed for the earliest
    deadline among them; when it fires, it cancels each task whose deadline has passed and
    re-arms for the earliest one left. An attempt whose deadline is no earlier than the armed
    timer's (the usual case: one timeout, later starts) costs a dictionary entry, no timer.

    Examples:
        >>> Watchdog.here() is None  # no asyncio loop runs here
        True
    """

    __slots__ = ("_armed_at", "_handle", "_open", "cancelled", "current_task", "loop")

    def __init__(self, module: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.current_task = module.current_task
        self.cancelled: type[BaseException] = module.CancelledError
        self._open: dict[_LoopDeadline, None] = {}
        self._handle: asyncio.TimerHandle | None = None
        self._armed_at = math.inf

    @classmethod
    def here(cls) -> Watchdog | None:
        """A watchdog for the running asyncio loop; ``None`` on trio, or before 3.11."""
        running = running_asyncio() if _HAS_UNCANCEL else None
        return None if running is None else cls(*running)

    def _arm(self, when: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._armed_at = when
        self._handle = self.loop.call_at(when, self._fire)

    def _fire(self) -> None:
        self._handle, self._armed_at = None, math.inf
        due = self.loop.time() + _EARLY
        earliest = math.inf
        for scope in list(self._open):
            if scope.expires_at <= due:
                del self._open[scope]
                scope.fire()
            elif scope.expires_at < earliest:
                earliest = scope.expires_at
        if earliest < math.inf:
            self._arm(earliest)


class _LoopDeadline:
    """Cancel the task at the deadline, and turn that cancellation (only that one) into
    ``TimeoutError`` on the way out: ``asyncio.timeout``'s logic, as a plain context manager
    whose timer is the [`Watchdog`][alliance_pay._limits.Watchdog]'s.

    A cancellation from anywhere else (the caller's cancel scope, ``task.cancel()``) counts in
    ``Task.cancelling()`` and goes on as ``CancelledError``, even when the timer fired too.
    """

    __slots__ = ("_cancelling", "_fired", "_task", "_watchdog", "expires_at")

    def __init__(self, watchdog: Watchdog, task: asyncio.Task[Any], seconds: float) -> None:
        self._watchdog = watchdog
        self._task: Any = task  # Task.cancelling()/uncancel() are 3.11+, checked by the caller
        self._fired = False
        self.expires_at = watchdog.loop.time() + seconds

    def __enter__(self) -> _LoopDeadline:
        self._cancelling = self._task.cancelling()
        # Open with the watchdog (here, not in a method of it: this runs on every call), which
        # is armed anew only for a deadline earlier than the one it is armed for.
        watchdog = self._watchdog
        watchdog._open[self] = None
        if self.expires_at < watchdog._armed_at:
            watchdog._arm(self.expires_at)
        return self

    def fire(self) -> None:
        self._fired = True
        self._task.cancel()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._fired:
            # Leave the watchdog. Its timer stays armed: it fires once, finds nothing due, and
            # is not re-armed.
            del self._watchdog._open[self]
        # uncancel() runs whenever the timer fired: it takes back this scope's own request.
        elif self._task.uncancel() <= self._cancelling and exc_type is self._watchdog.cancelled:
            raise TimeoutError from exc


def attempt_scope_sync(
    deadline: Deadline, state: ClientState[Any] | None = None
) -> contextlib.nullcontext[None]:
    """No cancel scope for threads: the sync reader checks ``deadline`` between chunks instead,
    and each network operation is bounded by its own httpx timeout, never longer than it."""
    return _NO_SCOPE


#: Stateless, so one serves every sync attempt.
_NO_SCOPE: contextlib.nullcontext[None] = contextlib.nullcontext()


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
