"""A small per-process pool of database connections for the SQL event stores.

A receiver calls its store from several threads (the async client's worker threads, a threaded
WSGI server): each call takes an idle connection or opens one, and gives it back unless it
failed. After a ``fork`` (gunicorn, uvicorn ``--workers``) the child opens its own: a connection
used by two processes corrupts both.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

__all__ = ["Connection", "ConnectionPool"]

_MAX_IDLE = 4


class Connection(Protocol):
    """What the stores need of a DB-API connection (``sqlite3`` and ``psycopg`` alike)."""

    def execute(self, sql: Any, params: Any = ..., /) -> Any: ...
    def close(self) -> None: ...


def _close_all(idle: list[Connection], lock: threading.Lock) -> None:
    with lock:
        connections = list(idle)
        idle.clear()
    for connection in connections:
        connection.close()


class ConnectionPool:
    """Idle connections of this process, at most four kept; ``connect`` opens a new one."""

    def __init__(self, connect: Callable[[], Connection]) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        self._idle: list[Connection] = []
        self._abandoned: list[Connection] = []
        self._pid = os.getpid()
        # A store dropped without close() closes its idle connections when collected.
        weakref.finalize(self, _close_all, self._idle, self._lock)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection for one call; closed, not reused, if the call raised."""
        with self._lock:
            if os.getpid() != self._pid:
                # Forked: the parent's connections are the parent's. Keep them, unused and
                # unclosed: closing (or collecting) one would talk on the parent's socket.
                self._abandoned.extend(self._idle)
                self._idle.clear()
                self._pid = os.getpid()
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = self._connect()
        try:
            yield connection
        except BaseException:
            connection.close()  # it may be mid-transaction or broken: never reuse it
            raise
        with self._lock:
            if len(self._idle) < _MAX_IDLE and os.getpid() == self._pid:
                self._idle.append(connection)
                return
        connection.close()

    def close(self) -> None:
        """Close the idle connections; new ones are opened if the pool is used again."""
        _close_all(self._idle, self._lock)
