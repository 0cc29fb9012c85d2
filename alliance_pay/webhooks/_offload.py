"""Calling the stores and the merchant's handler from the async and the sync ``client.webhooks``.

The stores are synchronous (sqlite3, psycopg's blocking connection): the async client runs
each store call in a worker thread, so a database that waits on a lock never stalls the event
loop, and shields it from cancellation, so a claim taken is always recorded or given back.
``scripts/unasync.py`` turns ``in_worker`` into ``inline`` and ``call_async_api`` into
``call_sync_api`` in the generated sync client.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import anyio
import anyio.to_thread

__all__ = ["call_async_api", "call_sync_api", "in_worker", "inline"]

_T = TypeVar("_T")


async def in_worker(function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run a store call in a worker thread, to its end even if the caller is cancelled."""
    with anyio.CancelScope(shield=True):
        result = await anyio.to_thread.run_sync(functools.partial(function, *args, **kwargs))
    return result  # noqa: RET504 - after the scope: a cancel scope may swallow an exception


def inline(function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run a store call here: the sync client's twin of ``in_worker``."""
    return function(*args, **kwargs)


async def call_async_api(handler: Callable[..., Any], *args: Any) -> object:
    """Call a handler for the async client: an ``async def`` one or a plain one."""
    result = handler(*args)
    if inspect.isawaitable(result):
        return await result
    return result


def call_sync_api(handler: Callable[..., Any], *args: Any) -> object:
    """Call a handler for the sync client; an awaitable it returns is a ``TypeError``: it was
    never run, so the event must not be acknowledged."""
    result = handler(*args)
    if inspect.isawaitable(result):
        if isinstance(result, Coroutine):
            result.close()
        raise TypeError(
            f"the webhook handler {getattr(handler, '__qualname__', handler)!r} returned a "
            f"{type(result).__name__} to the sync client: it was never awaited, so it never "
            "ran. Make it a plain def function, or receive webhooks with AsyncAllianceClient."
        )
    return result
