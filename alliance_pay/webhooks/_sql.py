"""What the SQLite and the PostgreSQL event stores share: every statement and the claim logic.

A backend supplies a DB-API-like connection (``execute`` returning a cursor with ``fetchone``,
``fetchall`` and ``rowcount``), how to begin a transaction, and its placeholder style; this
module does the rest, so the two stores cannot drift apart. Connections come from a small
per-process pool (``_pool``); the inbox transaction is ``_inbox``.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from alliance_pay._closing import ClosedOnExit
from alliance_pay._logging import logger
from alliance_pay.webhooks._inbox import InboxTransaction
from alliance_pay.webhooks._pool import Connection as _Connection
from alliance_pay.webhooks._pool import ConnectionPool
from alliance_pay.webhooks._schema import Dialect, create_statements
from alliance_pay.webhooks._store import (
    Claim,
    Delivery,
    EventState,
    HistoryEntry,
    StoreBase,
    StoredEvent,
    now,
    seconds,
)

__all__ = ["SQLEventStore"]

_MARK_HANDLED = (
    "UPDATE alliance_webhook_events SET state = %s, last_error = NULL, claim_token = NULL, "
    "lease_until = NULL, updated_at = %s WHERE key = %s"
)
_MARK_HANDLED_IF_OURS = (
    "UPDATE alliance_webhook_events SET state = %s, last_error = NULL, claim_token = NULL, "
    "lease_until = NULL, updated_at = %s WHERE key = %s AND claim_token = %s"
)
_EVENT_COLUMNS = (
    "SELECT key, state, attempts, last_error, received_at, updated_at, lease_until, record "
    "FROM alliance_webhook_events"
)
_SELECT_DELIVERIES = (
    "SELECT body, headers, remote, received_at, truncated, event_key, outcome "
    "FROM alliance_webhook_deliveries WHERE event_key"
)
#: By (a state is asked for, a start time is asked for).
_SELECT_EVENTS = {
    (False, False): f"{_EVENT_COLUMNS} ORDER BY received_at, key",
    (True, False): f"{_EVENT_COLUMNS} WHERE state = %s ORDER BY received_at, key",
    (False, True): f"{_EVENT_COLUMNS} WHERE received_at >= %s ORDER BY received_at, key",
    (True, True): (
        f"{_EVENT_COLUMNS} WHERE state = %s AND received_at >= %s ORDER BY received_at, key"
    ),
}
_PRUNE_INTERVAL = 3600.0


class _Cursor(Protocol):
    rowcount: int

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)


def _state_value(state: EventState | str) -> str:
    return EventState(state).value  # refuses a name that is no state, with the valid ones


class SQLEventStore(StoreBase, ClosedOnExit):
    """The logic of a durable store over SQL; ``SQLiteEventStore`` and ``PostgresEventStore``
    add their connections."""

    dialect: Dialect

    def __init__(self, *, lease: float | timedelta, retention: float | timedelta) -> None:
        self.lease: float = seconds(lease, "lease")
        self.retention: float = seconds(retention, "retention")
        self._lock = threading.Lock()
        self._pool = ConnectionPool(self._connect, owner=repr(self))
        self._tokens: dict[str, str] = {}
        self._last_prune = 0.0
        try:
            with self._connection() as connection, self._transaction(connection):
                self._lock_schema(connection)
                for statement in create_statements(self.dialect):
                    connection.execute(statement)
        except BaseException:
            self._pool.close()  # a file of another schema, a lost link: nothing stays open
            raise

    # What a backend provides.

    def _connect(self) -> _Connection:
        raise NotImplementedError

    def _transaction(self, connection: _Connection) -> AbstractContextManager[None]:
        raise NotImplementedError

    def _lock_schema(self, connection: _Connection) -> None:
        """Serialise schema creation between processes, where the database needs it."""

    def _sql(self, statement: str) -> str:
        return statement

    # Connections.

    def _connection(self) -> AbstractContextManager[_Connection]:
        return self._pool.connection()

    def close(self) -> None:
        """Close the store's connections: the idle ones now, each one in use as its call
        returns. The store opens new ones if used again.

        Example:
            ```python
            with SQLiteEventStore("webhooks.sqlite3") as store:
                print(store.prune())
            ```
        """
        self._pool.close()

    def _run(self, connection: _Connection, statement: str, *params: Any) -> _Cursor:
        cursor: _Cursor = connection.execute(self._sql(statement), params)
        return cursor

    def _history(self, connection: _Connection, key: str, state: str, detail: str | None) -> None:
        self._run(
            connection,
            "INSERT INTO alliance_webhook_history (event_key, at, state, detail) "
            "VALUES (%s, %s, %s, %s)",
            key,
            now(),
            state,
            detail,
        )

    # Raw first.

    def record_delivery(self, delivery: Delivery) -> int:
        """Keep a raw request before anything else; returns its id."""
        with self._connection() as connection:
            row = self._run(
                connection,
                "INSERT INTO alliance_webhook_deliveries "
                "(received_at, body, headers, remote, truncated) "
                "VALUES (%s, %s, %s, %s, %s) RETURNING id",
                delivery.received_at.timestamp(),
                delivery.body,
                json.dumps([list(pair) for pair in delivery.headers]),
                delivery.remote,
                int(delivery.truncated),
            ).fetchone()
        if now() - self._last_prune > _PRUNE_INTERVAL:
            self._last_prune = now()
            self.prune()
        return int(row[0])

    def note_delivery(self, delivery_id: int, *, key: str | None, outcome: str) -> None:
        """Record the event a delivery carried and the answer it got."""
        with self._connection() as connection:
            self._run(
                connection,
                "UPDATE alliance_webhook_deliveries SET event_key = %s, outcome = %s WHERE id = %s",
                key,
                outcome,
                delivery_id,
            )

    # Claims.

    def claim(self, key: str) -> Claim:
        """Take ``key`` unless it is handled or a live claim holds it; see ``Claim``."""
        token, moment = uuid.uuid4().hex, now()
        with self._connection() as connection, self._transaction(connection):
            row = self._run(
                connection,
                "INSERT INTO alliance_webhook_events AS e (key, state, attempts, received_at, "
                "updated_at, claim_token, lease_until) VALUES (%s, 'received', 1, %s, %s, %s, %s) "
                "ON CONFLICT (key) DO UPDATE SET attempts = e.attempts + 1, "
                "claim_token = excluded.claim_token, lease_until = excluded.lease_until, "
                "rearmed = 0, updated_at = excluded.updated_at "
                "WHERE (e.state <> 'handled' OR e.rearmed = 1) "
                "AND (e.lease_until IS NULL OR e.lease_until < %s) "
                "RETURNING attempts",
                key,
                moment,
                moment,
                token,
                moment + self.lease,
                moment,
            ).fetchone()
            if row is not None:
                if row[0] == 1:
                    self._history(connection, key, EventState.RECEIVED.value, None)
                with self._lock:
                    self._tokens[key] = token
                return Claim.NEW
            current = self._run(
                connection,
                "SELECT state, rearmed, lease_until FROM alliance_webhook_events WHERE key = %s",
                key,
            ).fetchone()
        if current is None or (current[2] is not None and current[2] >= moment):
            return Claim.IN_PROGRESS
        if current[0] == EventState.HANDLED.value and not current[1]:
            return Claim.HANDLED
        return Claim.IN_PROGRESS

    def _token(self, key: str) -> str:
        with self._lock:
            return self._tokens.pop(key, "")

    def _peek_token(self, key: str) -> str:
        with self._lock:
            return self._tokens.get(key, "")

    def _end_claim(
        self, key: str, state: EventState, detail: str | None, *, keep_state: bool = False
    ) -> None:
        token = self._token(key)
        with self._connection() as connection, self._transaction(connection):
            updated = self._run(
                connection,
                f"UPDATE alliance_webhook_events SET state = {'state' if keep_state else '%s'}, "  # noqa: S608
                "last_error = %s, claim_token = NULL, lease_until = NULL, updated_at = %s "
                "WHERE key = %s AND claim_token = %s",
                *(() if keep_state else (state.value,)),
                detail,
                now(),
                key,
                token,
            )
            if updated.rowcount == 1 and not keep_state:
                self._history(connection, key, state.value, detail)
            elif updated.rowcount == 0:
                logger.warning("%s: the claim ended before it was given back", key)

    def mark_confirmed(self, key: str, record: dict[str, Any]) -> None:
        """Keep the API's record of a claimed event; its state becomes ``confirmed``."""
        with self._connection() as connection, self._transaction(connection):
            self._run(
                connection,
                "UPDATE alliance_webhook_events SET state = %s, record = %s, updated_at = %s "
                "WHERE key = %s AND claim_token = %s",
                EventState.CONFIRMED.value,
                json.dumps(record),
                now(),
                key,
                self._peek_token(key),
            )
            self._history(connection, key, EventState.CONFIRMED.value, None)

    def complete(self, key: str) -> None:
        """The handler returned: the event is handled, whoever holds the claim now."""
        self._token(key)
        with self._connection() as connection, self._transaction(connection):
            self._mark_handled(connection, key, token=None)

    def _mark_handled(self, connection: _Connection, key: str, token: str | None) -> bool:
        updated = self._run(
            connection,
            _MARK_HANDLED if token is None else _MARK_HANDLED_IF_OURS,
            EventState.HANDLED.value,
            now(),
            key,
            *(() if token is None else (token,)),
        )
        if updated.rowcount != 1:
            return False
        self._history(connection, key, EventState.HANDLED.value, None)
        return True

    def fail(self, key: str, error: str) -> None:
        """The handler raised: state ``failed`` with ``error``; a redelivery retries."""
        self._end_claim(key, EventState.FAILED, error)

    def forge(self, key: str, reason: str) -> None:
        """The API does not confirm the event: state ``forged``; never handled."""
        self._end_claim(key, EventState.FORGED, reason)

    def release(self, key: str, reason: str | None = None) -> None:
        """Give the claim back, state unchanged: a redelivery may claim it."""
        self._end_claim(key, EventState.RECEIVED, reason, keep_state=True)

    def rearm(self, key: str) -> None:
        """Let the next claim of ``key`` be ``NEW`` once, even though it was handled."""
        with self._connection() as connection, self._transaction(connection):
            updated = self._run(
                connection, "UPDATE alliance_webhook_events SET rearmed = 1 WHERE key = %s", key
            )
            if updated.rowcount == 1:
                self._history(connection, key, "rearmed", "marked for one more handling")

    def begin_handling(self, key: str) -> InboxTransaction:
        """Open the transaction a transactional handler writes in; see ``InboxTransaction``."""
        token = self._peek_token(key)
        manager = self._connection()
        connection = manager.__enter__()
        transaction = self._transaction(connection)
        try:
            transaction.__enter__()
        except BaseException as exc:  # BEGIN failed (SQLite busy past its timeout, a lost link)
            manager.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return InboxTransaction(self, key, token, connection, manager, transaction)

    # Seeing what arrived.

    def events(
        self, *, state: EventState | str | None = None, since: datetime | None = None
    ) -> Iterator[StoredEvent]:
        """The stored events, oldest first; only those in ``state`` / received since ``since``."""
        params: list[object] = []
        if state is not None:
            params.append(_state_value(state))
        if since is not None:
            params.append(since.timestamp())
        moment = now()
        with self._connection() as connection:
            rows = self._run(
                connection, _SELECT_EVENTS[state is not None, since is not None], *params
            ).fetchall()
        for key, state_, attempts, error, received, updated, lease, record in rows:
            yield StoredEvent(
                key=key,
                state=EventState(state_),
                attempts=attempts,
                last_error=error,
                received_at=_utc(received),
                updated_at=_utc(updated),
                in_progress=lease is not None and lease >= moment,
                record=None if record is None else json.loads(record),
            )

    def history(self, key: str) -> list[HistoryEntry]:
        """Every state ``key`` went through, oldest first."""
        with self._connection() as connection:
            rows = self._run(
                connection,
                "SELECT at, state, detail FROM alliance_webhook_history "
                "WHERE event_key = %s ORDER BY id",
                key,
            ).fetchall()
        return [HistoryEntry(at=_utc(at), state=state, detail=detail) for at, state, detail in rows]

    def deliveries(self, key: str | None) -> list[Delivery]:
        """The raw deliveries that carried ``key``, oldest first; with ``None``, those that
        carried no event (a body that did not parse, or was refused as too large)."""
        with self._connection() as connection:
            if key is None:
                cursor = self._run(connection, _SELECT_DELIVERIES + " IS NULL ORDER BY id")
            else:
                cursor = self._run(connection, _SELECT_DELIVERIES + " = %s ORDER BY id", key)
            rows = cursor.fetchall()
        return [
            Delivery(
                body=bytes(body),
                headers=tuple((name, value) for name, value in json.loads(headers)),
                remote=remote,
                received_at=_utc(received),
                truncated=bool(truncated),
                key=event_key,
                outcome=outcome,
            )
            for body, headers, remote, received, truncated, event_key, outcome in rows
        ]

    def prune(self) -> int:
        """Forget what was not updated within the retention window; live claims stay."""
        moment = now()
        cutoff = moment - self.retention
        with self._connection() as connection, self._transaction(connection):
            pruned = self._run(
                connection,
                "DELETE FROM alliance_webhook_events WHERE updated_at < %s "
                "AND (lease_until IS NULL OR lease_until < %s)",
                cutoff,
                moment,
            ).rowcount
            self._run(
                connection,
                "DELETE FROM alliance_webhook_history WHERE NOT EXISTS "
                "(SELECT 1 FROM alliance_webhook_events e WHERE e.key = event_key)",
            )
            self._run(
                connection,
                "DELETE FROM alliance_webhook_deliveries WHERE received_at < %s AND NOT EXISTS "
                "(SELECT 1 FROM alliance_webhook_events e WHERE e.key = event_key)",
                cutoff,
            )
        return pruned
