"""A small per-process pool of database connections for the SQL event stores.

A receiver calls its store from several threads (the async client's worker threads, a threaded
WSGI server): each call takes an idle connection or opens one, and gives it back unless it
failed. Every connection's end is explicit:

- one whose call raised is closed at once (it may be mid-transaction or broken);
- the idle ones are closed by ``close()`` (the store's); one still in use then is closed when
  its call returns, never put back;
- a pool dropped without ``close()`` closes its idle ones when collected, with a
  ``ResourceWarning`` naming the store;
- before a ``fork`` (gunicorn, uvicorn ``--workers``) the idle ones are closed, so the child
  inherits none: a connection used by two processes corrupts both, and SQLite forbids even
  closing one in the child. The child opens its own.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from alliance_pay._closing import close_when_collected

__all__ = ["Connection", "ConnectionPool"]

_MAX_IDLE = 4


class Connection(Protocol):
    """What the stores need of a DB-API connection (``sqlite3`` and ``psycopg`` alike)."""

    def execute(self, sql: Any, params: Any = ..., /) -> Any: ...
    def close(self) -> None: ...


#: Connections a child process found idle in a pool it inherited (a fork that raced a call
#: giving one back): the parent's, so never used, closed or collected here.
_INHERITED: list[Connection] = []


class _Idle:
    """A pool's idle connections, apart from the pool so that its finalizer can close them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections: list[Connection] = []
        self.pid = os.getpid()
        #: Bumped by ``close()``: a connection taken out before is closed when given back.
        self.generation = 0

    def take(self) -> tuple[Connection | None, int]:
        with self.lock:
            if os.getpid() != self.pid:  # forked without the hooks below running
                self.forget_inherited()
            connection = self.connections.pop() if self.connections else None
            return connection, self.generation

    def give_back(self, connection: Connection, generation: int) -> None:
        with self.lock:
            if (
                generation == self.generation
                and os.getpid() == self.pid
                and len(self.connections) < _MAX_IDLE
            ):
                self.connections.append(connection)
                return
        connection.close()

    def close(self, *, retire_in_use: bool = True) -> None:
        with self.lock:
            if os.getpid() != self.pid:
                self.forget_inherited()
                return
            connections, self.connections = self.connections, []
            if retire_in_use:
                self.generation += 1
        for connection in connections:
            connection.close()

    def forget_inherited(self) -> None:
        """In a forked child (lock held, or not yet shared): set the parent's connections
        aside, unclosed; closing or collecting one would act on the parent's file or socket."""
        _INHERITED.extend(self.connections)
        self.connections = []
        self.pid = os.getpid()


#: Every live pool of this process, for the fork hooks.
_POOLS: weakref.WeakSet[ConnectionPool] = weakref.WeakSet()


def _before_fork() -> None:
    for pool in list(_POOLS):
        # The parent keeps working: connections in use stay in use, the idle ones reopen.
        pool._idle.close(retire_in_use=False)


def _after_fork_in_child() -> None:
    for pool in list(_POOLS):
        idle = pool._idle
        idle.lock = threading.Lock()  # another thread of the parent may have held it
        idle.forget_inherited()
        if pool._finalizer is not None:
            pool._finalizer.detach()  # the parent's warning is the parent's to give


if hasattr(os, "register_at_fork"):  # POSIX; Windows has no fork
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


class ConnectionPool:
    """Idle connections of this process, at most four kept; ``connect`` opens a new one.

    ``owner`` names the store in the warning about a store that was never closed.
    """

    def __init__(self, connect: Callable[[], Connection], *, owner: str) -> None:
        self._connect = connect
        self._owner = owner
        self._idle = _Idle()
        self._finalizer: weakref.finalize[..., object] | None = None
        _POOLS.add(self)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for one call; closed, not reused, if the call raised."""
        connection, generation = self._idle.take()
        if connection is None:
            connection = self._connect()
            self._watch()
        try:
            yield connection
        except BaseException:
            connection.close()  # it may be mid-transaction or broken: never reuse it
            raise
        self._idle.give_back(connection, generation)

    def _watch(self) -> None:
        # Armed at the first connection, and again when one is opened after close().
        with self._idle.lock:
            if self._finalizer is None or not self._finalizer.alive:
                self._finalizer = close_when_collected(
                    self,
                    self._idle.close,
                    what=self._owner,
                    advice="Call store.close() when done (in your app's shutdown or lifespan "
                    "handler), or use `with store:`.",
                )

    def close(self) -> None:
        """Close the idle connections, and each one in use as its call returns; new ones are
        opened if the pool is used again."""
        finalizer = self._finalizer
        if finalizer is not None:
            finalizer.detach()
        self._idle.close()
