"""When a client may be used: not after ``close``, not from a forked child with the parent's
connections, not from an event loop other than the one its connections belong to.

Each check runs before anything is sent, so misuse is a typed error and never a half-sent
payout. A client and its [`with_options`][alliance_pay.AsyncAllianceClient.with_options]
clones share one [`ClientState`][alliance_pay._lifecycle.ClientState].
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any, Generic, NoReturn, TypeVar

from ._exceptions import ClientClosedError, ClientUsageError

__all__ = [
    "AsyncWithOnly",
    "ClientState",
    "WithOnly",
    "check_async_usage",
    "check_sync_usage",
    "fork_generation",
]

C = TypeVar("C")

_generation = 0


def _after_fork_in_child() -> None:
    global _generation  # one counter per process, bumped by the fork hook
    _generation += 1


if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)


def fork_generation() -> int:
    """How many forks deep this process is: it changes in a child, never in the parent."""
    return _generation


class ClientState(Generic[C]):
    """What a client and its clones share: the connection pool, and where it may be used.

    Attributes:
        http_client: the httpx client requests go through.
        owned: the SDK made ``http_client`` (so it may replace it in a forked child).
        closes_http_client: closing the client closes ``http_client`` (the SDK's own, or one
            handed over to it, as ``alliance_pay.testing`` does).
        closed: ``close()``/``aclose()`` was called.
        generation: the fork generation the connections were made in.
        loop: the event loop (asyncio loop or trio token) the connections belong to.
        watchdog: the one timer for the attempt deadlines on that loop
            ([`Watchdog`][alliance_pay._limits.Watchdog]), made by the first attempt;
            ``False`` where there is none (trio).
        abandoned: connection pools left behind in a forked child. They belong to the parent:
            closing them here could end its TLS sessions, and dropping them would warn about
            unclosed sockets, so the child keeps them untouched.
    """

    __slots__ = (
        "abandoned",
        "closed",
        "closes_http_client",
        "generation",
        "http_client",
        "loop",
        "owned",
        "watchdog",
    )

    def __init__(self, http_client: C, *, owned: bool) -> None:
        self.http_client = http_client
        self.owned = owned
        self.closes_http_client = owned
        self.closed = False
        self.generation = _generation
        self.loop: object = None
        self.watchdog: Any = None
        self.abandoned: list[C] = []


def running_asyncio() -> tuple[Any, Any] | None:
    """``(asyncio, loop)`` when an asyncio loop runs in this thread, else ``None``.

    Not imported means not running: a sync program never pays for importing asyncio here.
    """
    module = sys.modules.get("asyncio")
    if module is not None:
        loop = module._get_running_loop()
        if loop is not None:
            return module, loop
    return None


def _current_loop() -> object:
    running = running_asyncio()
    if running is not None:
        return running[1]
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            return trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
    return None


def check_sync_usage(state: ClientState[Any], name: str) -> bool:
    """Check a client before a request: open, its pool open too, and, in a forked child, a pool
    of its own. True when a forked child needs a fresh pool (raises if it cannot have one).

    All a sync client needs; an async client also checks its loop (``check_async_usage``).
    """
    if state.closed:
        raise ClientClosedError(
            f"this {name} is closed: create a new client (closing a client, or leaving its "
            "`with` block, ends it and every client made from it with with_options)"
        )
    if state.http_client.is_closed:
        raise ClientClosedError(
            f"the http_client this {name} uses was closed: nothing was sent; pass an open one"
        )
    if state.generation == _generation:
        return False
    if not state.owned:
        raise ClientUsageError(
            f"this {name} was created before os.fork() with your own http_client, whose "
            "connections the parent process still uses; nothing was sent. Create the client "
            "(and its http_client) in the child process"
        )
    state.generation = _generation
    state.loop = state.watchdog = None
    return True


def check_async_usage(state: ClientState[Any], name: str) -> bool:
    """Check an async client before a request; True when a forked child needs a fresh pool.

    The connections of an ``httpx.AsyncClient`` belong to the event loop that opened them.
    Used from another loop (a second ``asyncio.run``), they fail half-way through a request,
    maybe after a payout was sent; so the client refuses at once, before sending anything.
    """
    forked = check_sync_usage(state, name)  # the checks every client needs, then the loop
    loop = _current_loop()
    if state.loop is None:
        state.loop = loop
    elif state.loop is not loop:
        raise ClientUsageError(
            f"this {name} was first used in another event loop (a second asyncio.run(), "
            "or another thread's loop), and its connections belong to that loop; nothing was "
            f"sent. Create one client per event loop, e.g. `async with {name}() as client:` "
            "inside the function you pass to asyncio.run()"
        )
    return forked


class AsyncWithOnly:
    """Makes ``with`` on an async client a clear ``TypeError``, not a confusing one."""

    def __enter__(self) -> NoReturn:
        raise TypeError(
            f"{type(self).__name__} is an async client: use `async with`, not `with` "
            "(or use AllianceClient for synchronous code)"
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class WithOnly:
    """Makes ``async with`` on the sync client a clear ``TypeError``."""

    async def __aenter__(self) -> NoReturn:
        raise TypeError(
            f"{type(self).__name__} is a synchronous client: use `with`, not `async with` "
            "(or use AsyncAllianceClient in async code)"
        )

    async def __aexit__(self, *args: Any) -> None:
        return None
