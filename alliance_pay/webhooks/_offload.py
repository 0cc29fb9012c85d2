"""Calling the stores from the async and the sync ``client.webhooks``.

The stores are synchronous (sqlite3, psycopg's blocking connection): the async client runs
each store call in a worker thread, so a database that waits on a lock never stalls the event
loop, and shields it from cancellation, so a claim taken is always recorded or given back.
``scripts/unasync.py`` turns ``in_worker`` into ``inline`` in the generated sync client.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread

__all__ = ["in_worker", "inline"]

_T = TypeVar("_T")


async def in_worker(function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run a store call in a worker thread, to its end even if the caller is cancelled."""
    with anyio.CancelScope(shield=True):
        result = await anyio.to_thread.run_sync(functools.partial(function, *args, **kwargs))
    return result  # noqa: RET504 - after the scope: a cancel scope may swallow an exception


def inline(function: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run a store call here: the sync client's twin of ``in_worker``."""
    return function(*args, **kwargs)
