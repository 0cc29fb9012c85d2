"""The schema of the durable webhook stores, in one place, for SQLite and PostgreSQL alike.

Three tables, each prefixed ``alliance_webhook_``:

- ``deliveries``: every raw request, written before its body is parsed (raw first);
- ``events``: one row per event key: its state, attempts, last error, the confirmed record,
  and the claim (``claim_token`` + ``lease_until``) that makes handling exclusive;
- ``history``: every state change of an event.

Times are seconds since the epoch (a float), so both databases compare them the same way.
The statements use ``%s`` placeholders; the SQLite store turns them into ``?``.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["SCHEMA_VERSION", "Dialect", "create_statements"]

SCHEMA_VERSION = 1

Dialect = Literal["sqlite", "postgresql"]

_TYPES: dict[Dialect, dict[str, str]] = {
    "sqlite": {
        "id": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "bytes": "BLOB",
        "time": "REAL",
    },
    "postgresql": {
        "id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "bytes": "BYTEA",
        "time": "DOUBLE PRECISION",
    },
}

_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS alliance_webhook_deliveries (
        id {id},
        received_at {time} NOT NULL,
        body {bytes} NOT NULL,
        headers TEXT NOT NULL,
        remote TEXT,
        truncated INTEGER NOT NULL DEFAULT 0,
        event_key TEXT,
        outcome TEXT
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS alliance_webhook_deliveries_key
        ON alliance_webhook_deliveries (event_key, id)
    """,
    """
    CREATE INDEX IF NOT EXISTS alliance_webhook_deliveries_received
        ON alliance_webhook_deliveries (received_at)
    """,
    """
    CREATE TABLE IF NOT EXISTS alliance_webhook_events (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        record TEXT,
        received_at {time} NOT NULL,
        updated_at {time} NOT NULL,
        claim_token TEXT,
        lease_until {time},
        rearmed INTEGER NOT NULL DEFAULT 0
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS alliance_webhook_events_updated
        ON alliance_webhook_events (updated_at)
    """,
    """
    CREATE TABLE IF NOT EXISTS alliance_webhook_history (
        id {id},
        event_key TEXT NOT NULL,
        at {time} NOT NULL,
        state TEXT NOT NULL,
        detail TEXT
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS alliance_webhook_history_key
        ON alliance_webhook_history (event_key, id)
    """,
)


def create_statements(dialect: Dialect) -> list[str]:
    """The ``CREATE ... IF NOT EXISTS`` statements of the schema, for ``dialect``."""
    types = _TYPES[dialect]
    return [" ".join(statement.format(**types).split()) for statement in _TABLES]
