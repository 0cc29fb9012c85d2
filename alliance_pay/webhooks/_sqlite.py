"""``SQLiteEventStore``: the durable event store for one host, on the standard library's sqlite3."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import cast

from alliance_pay.webhooks._pool import Connection as _Connection
from alliance_pay.webhooks._schema import Dialect
from alliance_pay.webhooks._sql import SQLEventStore
from alliance_pay.webhooks._store import DEFAULT_LEASE, DEFAULT_RETENTION, seconds

__all__ = ["SQLiteEventStore"]


class SQLiteEventStore(SQLEventStore):
    """An [`EventStore`][alliance_pay.webhooks.EventStore] in a SQLite file: survives restarts,
    shared safely by every worker process on one host.

    The database runs in WAL mode (readers never wait for the writer) and every write is a
    short ``BEGIN IMMEDIATE`` transaction; a process waits up to ``busy_timeout`` seconds for
    another one's write to finish. The file must be on a local disk: SQLite's locks do not
    hold over NFS or between containers that do not share the host's kernel. For replicas on
    several hosts, use [`PostgresEventStore`][alliance_pay.webhooks.PostgresEventStore].

    Args:
        path: the database file; created with its tables if missing.
        lease: seconds (or a ``timedelta``) a claim holds an event: a redelivery after that
            is handled again, in case the process holding it died. Longer than your
            slowest handler.
        retention: how long an event and its raw deliveries are kept after their last change
            (30 days by default); ``prune()`` forgets older ones, and runs by itself at most
            once an hour.
        busy_timeout: seconds to wait for another process's write.

    Close it when done (``store.close()``, in your app's shutdown, or a ``with`` block); one
    left to the garbage collector is closed there, with a ``ResourceWarning`` saying so.

    Example:
        ```python
        store = SQLiteEventStore("/var/lib/shop/webhooks.sqlite3", lease=30)
        receiver = webhook_app(client, on_event, store=store)
        ...
        store.close()  # at shutdown
        ```
    """

    dialect: Dialect = "sqlite"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lease: float | timedelta = DEFAULT_LEASE,
        retention: float | timedelta = DEFAULT_RETENTION,
        busy_timeout: float = 5.0,
    ) -> None:
        self.path: Path = Path(path)
        self._busy_timeout = seconds(busy_timeout, "busy_timeout")
        super().__init__(lease=lease, retention=retention)

    def __repr__(self) -> str:
        return f"SQLiteEventStore({str(self.path)!r}, lease={self.lease!r})"

    def _connect(self) -> _Connection:
        # isolation_level=None: sqlite3 starts no transaction behind our back; we BEGIN.
        connection = sqlite3.connect(
            self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            # FULL: a commit is on disk when it returns, power cut included (NORMAL is not).
            connection.execute("PRAGMA synchronous = FULL")
        except BaseException:
            connection.close()  # not a database, locked past the timeout: not left open
            raise
        return connection

    @contextmanager
    def _transaction(self, connection: _Connection) -> Iterator[None]:
        # IMMEDIATE takes the write lock at once: a transaction that read first and wrote
        # later could fail to upgrade, without waiting, when another process wrote meanwhile.
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            # Some errors end the transaction by themselves: roll back only what is still open.
            if cast("sqlite3.Connection", connection).in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _sql(self, statement: str) -> str:
        return statement.replace("%s", "?")
