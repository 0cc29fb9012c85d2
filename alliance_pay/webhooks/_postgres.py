"""``PostgresEventStore``: the durable event store for replicas, on psycopg 3 (the ``postgres``
extra, imported only when a store is made)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from alliance_pay._optional import extra_imports
from alliance_pay.webhooks._pool import Connection as _Connection
from alliance_pay.webhooks._schema import Dialect
from alliance_pay.webhooks._sql import SQLEventStore
from alliance_pay.webhooks._store import DEFAULT_LEASE, DEFAULT_RETENTION

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresEventStore", "import_psycopg"]


def import_psycopg() -> Any:
    """psycopg 3, or a one-line ``MissingExtraError`` naming the extra that installs it."""
    with extra_imports("postgres", feature="PostgresEventStore"):
        import psycopg
    return psycopg


class PostgresEventStore(SQLEventStore):
    """An [`EventStore`][alliance_pay.webhooks.EventStore] in PostgreSQL: shared by every replica
    of a service, and the only store whose transaction a handler can share.

    Claims are row updates on the event's key, so two replicas never both take one event;
    leases are measured with the replicas' own clocks (keep them in NTP sync, and the lease
    far above any skew). With ``transactional=True`` on the receiver, the handler is called
    as ``handler(event, record, connection)``, inside the transaction that marks the event
    handled: its writes and the mark commit together, or neither does (the inbox pattern).

    Args:
        dsn: a libpq connection string or URL (``postgresql://user@host/db``). Its password
            never appears in the store's repr.
        lease: seconds (or a ``timedelta``) a claim holds an event before a redelivery may
            take it over; longer than your slowest handler.
        retention: how long events and raw deliveries are kept after their last change
            (30 days by default); ``prune()`` forgets older ones, and runs by itself at most
            once an hour in each process.

    Raises:
        MissingExtraError: psycopg is not installed (``pip install 'alliance-pay[postgres]'``);
            an ``ImportError`` too.

    Example:
        ```python
        store = PostgresEventStore(os.environ["DATABASE_URL"], lease=30)
        receiver = webhook_app(client, on_event, store=store, transactional=True)
        ```
    """

    dialect: Dialect = "postgresql"

    def __init__(
        self,
        dsn: str,
        *,
        lease: float | timedelta = DEFAULT_LEASE,
        retention: float | timedelta = DEFAULT_RETENTION,
    ) -> None:
        self._psycopg = import_psycopg()
        self._dsn = dsn
        super().__init__(lease=lease, retention=retention)

    def __repr__(self) -> str:
        info = self._psycopg.conninfo.conninfo_to_dict(self._dsn)
        where = f"{info.get('host', '')}:{info.get('port', '')}/{info.get('dbname', '')}"
        return f"PostgresEventStore({where!r}, lease={self.lease!r})"

    def _connect(self) -> _Connection:
        connection: _Connection = self._psycopg.connect(self._dsn, autocommit=True)
        return connection

    @contextmanager
    def _transaction(self, connection: _Connection) -> Iterator[None]:
        with cast("psycopg.Connection[Any]", connection).transaction():
            yield

    def _lock_schema(self, connection: _Connection) -> None:
        # Replicas starting together would race on CREATE TABLE IF NOT EXISTS.
        connection.execute("SELECT pg_advisory_xact_lock(hashtext('alliance_webhook_schema'))")
