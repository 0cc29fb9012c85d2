"""What a bulk run needs from its journal (a Protocol), the stored row, and the schema.

Every backend (``_sqlite.py``, ``_postgres.py``) implements ``Journal`` over the same two tables;
the run's logic lives in the runner and never in a backend. Every method commits before it
returns: when ``claim_pending`` returns, the claimed rows are durably ``sending``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

from attrs import frozen

from alliance_pay.bulk._model import RowResult, RowState

__all__ = [
    "SCHEMA",
    "BatchInfo",
    "Journal",
    "LoadRow",
    "StoredRow",
    "TotalsRow",
    "DUPLICATES",
    "LOAD_COLUMNS",
    "duplicate_errors",
    "other_rows",
    "result_params",
    "state_rank",
]

#: The tables, in the SQL both SQLite and PostgreSQL read. ``{real}`` is the timestamp type.
#: A row's ``worker`` is the process that claimed it; ``bulk_workers`` holds their heartbeats.
#: ``bulk_rows_live_order`` makes an order id unique within a batch among rows that may be paid;
#: ``loading`` rows are exempt until duplicates have been marked ``invalid``.
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS bulk_batches (
        batch TEXT PRIMARY KEY,
        file_hash TEXT NOT NULL,
        source TEXT NOT NULL,
        rows INTEGER NOT NULL DEFAULT 0,
        loaded INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS bulk_rows (
        batch TEXT NOT NULL,
        row INTEGER NOT NULL,
        order_id TEXT NOT NULL,
        state TEXT NOT NULL,
        amount TEXT,
        payload TEXT,
        status TEXT,
        transaction_id TEXT,
        charge TEXT,
        error_code TEXT,
        error TEXT,
        worker TEXT,
        PRIMARY KEY (batch, row)
    )""",
    "CREATE INDEX IF NOT EXISTS bulk_rows_state ON bulk_rows (batch, state, row)",
    "CREATE INDEX IF NOT EXISTS bulk_rows_order ON bulk_rows (batch, order_id)",
    """CREATE UNIQUE INDEX IF NOT EXISTS bulk_rows_live_order ON bulk_rows (batch, order_id)
        WHERE state NOT IN ('invalid', 'loading')""",
    """CREATE TABLE IF NOT EXISTS bulk_workers (
        batch TEXT NOT NULL,
        worker TEXT NOT NULL,
        heartbeat_at {real} NOT NULL,
        PRIMARY KEY (batch, worker)
    )""",
)

#: The columns a ``StoredRow`` is read from, in order.
ROW_COLUMNS = (
    "row, order_id, state, amount, payload, status, transaction_id, charge, error_code, error"
)


def state_rank(state: RowState) -> int:
    """How final a state is; a journal never replaces a state with a less final one.

    Examples:
        >>> state_rank(RowState.APPROVED) > state_rank(RowState.CREATED)
        True
        >>> state_rank(RowState.CREATED) > state_rank(RowState.UNKNOWN)
        True
    """
    if state in (RowState.APPROVED, RowState.REJECTED, RowState.REFUSED, RowState.INVALID):
        return 3
    return 2 if state is RowState.CREATED else 1


@frozen
class LoadRow:
    """A row as the validation pass hands it to the journal."""

    row: int
    order_id: str
    state: RowState  # PENDING or INVALID
    amount: Decimal | None = None
    payload: dict[str, str] | None = None
    error_code: str | None = None
    error: str | None = None

    def payload_text(self) -> str | None:
        return None if self.payload is None else json.dumps(self.payload, separators=(",", ":"))

    def record(self, batch_id: str) -> tuple[object, ...]:
        """The values of ``LOAD_COLUMNS``; a valid row is ``loading`` until duplicates are
        marked, so the unique index on live order ids holds from the first row on."""
        return (
            batch_id,
            self.row,
            self.order_id,
            "loading" if self.state is RowState.PENDING else self.state.value,
            None if self.amount is None else str(self.amount),
            self.payload_text(),
            self.error_code,
            self.error,
        )


#: Every row whose order id another row of the batch shares, by order id then row
#: (``%s`` placeholders: the batch id, twice).
DUPLICATES = (
    "SELECT order_id, row FROM bulk_rows WHERE batch = %s AND order_id <> '' AND order_id IN "
    "(SELECT order_id FROM bulk_rows WHERE batch = %s GROUP BY order_id HAVING COUNT(*) > 1) "
    "ORDER BY order_id, row"
)
#: The columns ``LoadRow.record`` fills, in order.
LOAD_COLUMNS = "batch, row, order_id, state, amount, payload, error_code, error"


def duplicate_errors(found: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """``(error, row)`` for every row of ``(order_id, row)`` pairs sorted by order id.

    Examples:
        >>> duplicate_errors([("A", 2), ("A", 9)])[0]
        ("order_id: 'A' is also in row(s) 9; neither is paid", 2)
    """
    rows: dict[str, list[int]] = {}
    for order_id, row in found:
        rows.setdefault(order_id, []).append(int(row))
    return [
        (f"order_id: {order_id!r} is also in row(s) {other_rows(numbers, n)}; neither is paid", n)
        for order_id, numbers in rows.items()
        for n in numbers
    ]


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None or text == "" else Decimal(text)


@frozen
class StoredRow:
    """A row as the journal holds it."""

    row: int
    order_id: str
    state: RowState
    amount: Decimal | None
    payload: dict[str, str] | None
    status: str | None
    transaction_id: str | None
    charge: Decimal | None
    error_code: str | None
    error: str | None

    @classmethod
    def from_db(cls, record: Sequence[object]) -> StoredRow:
        row, order_id, state, amount, payload, status, txn, charge, code, error = record
        return cls(
            row=int(str(row)),
            order_id=str(order_id),
            state=RowState(str(state)),
            amount=_decimal(None if amount is None else str(amount)),
            payload=None if payload is None else json.loads(str(payload)),
            status=None if status is None else str(status),
            transaction_id=None if txn is None else str(txn),
            charge=_decimal(None if charge is None else str(charge)),
            error_code=None if code is None else str(code),
            error=None if error is None else str(error),
        )

    def result(self) -> RowResult:
        """The row as the results file shows it."""
        return RowResult(
            row=self.row,
            order_id=self.order_id,
            state=self.state,
            status=self.status,
            transaction_id=self.transaction_id,
            charge=self.charge,
            amount=self.amount,
            error_code=self.error_code,
            error=self.error,
        )


def other_rows(numbers: list[int], number: int, shown: int = 5) -> str:
    """The rows sharing an order id with ``number``, for its message (a few, then a count).

    Examples:
        >>> other_rows([2, 9], 2)
        '9'
        >>> other_rows(list(range(1, 10)), 1, shown=2)
        '2, 3 and 6 more'
    """
    others = [n for n in numbers if n != number]
    text = ", ".join(str(n) for n in others[:shown])
    return text if len(others) <= shown else f"{text} and {len(others) - shown} more"


def result_params(result: RowResult) -> tuple[object, ...]:
    """``state, status, transaction_id, charge, error_code, error`` of a result, for SQL."""
    return (
        result.state.value,
        result.status,
        result.transaction_id,
        None if result.charge is None else str(result.charge),
        result.error_code,
        result.error,
    )


@frozen
class BatchInfo:
    """A batch the journal knows: which file it came from and whether it is fully loaded."""

    batch_id: str
    file_hash: str
    source: str
    rows: int
    loaded: bool


@frozen
class TotalsRow:
    """How many rows are in one state, and their amounts' sum."""

    state: RowState
    count: int
    amount: Decimal


class Journal(Protocol):
    """Where a bulk run keeps every row's state; see ``alliance_pay.bulk`` for the machine."""

    #: Where the journal is, for messages (a PostgreSQL DSN without its password).
    location: str

    def batch(self, batch_id: str) -> BatchInfo | None:
        """The batch, or ``None`` if this journal has never seen it."""
        ...

    def started(self, batch_id: str) -> bool:
        """Whether any row of the batch ever left ``pending`` or ``invalid``."""
        ...

    def load(self, info: BatchInfo, rows: Iterable[LoadRow]) -> None:
        """Replace the batch (never started) with these rows, in one transaction; mark rows
        sharing an order id ``invalid``; then mark the batch loaded."""
        ...

    def acquire(self, batch_id: str, worker: str) -> None:
        """Join the batch as ``worker``; raise ``BulkBusyError`` where only one may run."""
        ...

    def heartbeat(self, batch_id: str, worker: str) -> None:
        """Tell other workers this one is alive."""
        ...

    def leave(self, batch_id: str, worker: str) -> None:
        """Stop being a worker of the batch (its rows must all be finished or released)."""
        ...

    def claim_pending(self, batch_id: str, worker: str, limit: int) -> list[StoredRow]:
        """Up to ``limit`` pending rows, now ``sending`` and owned by ``worker`` (committed)."""
        ...

    def claim_in_doubt(
        self, batch_id: str, worker: str, limit: int, after_row: int, ttl: float
    ) -> list[StoredRow]:
        """Up to ``limit`` rows after ``after_row`` whose request may have left and that nobody
        alive owns: ``unknown`` ones, and ``sending`` ones of workers silent for ``ttl``
        seconds. They become ``sending``, owned by ``worker``, to be looked up."""
        ...

    def finish(self, batch_id: str, results: Sequence[RowResult]) -> None:
        """Record each result (state and what the API said); never makes a row less final."""
        ...

    def others_in_flight(self, batch_id: str, worker: str) -> int:
        """How many rows other workers hold as ``sending``."""
        ...

    def rows(
        self, batch_id: str, *, after_row: int, limit: int, states: Sequence[RowState] | None = None
    ) -> list[StoredRow]:
        """Rows after ``after_row`` in row order, optionally only those in ``states``."""
        ...

    def totals(self, batch_id: str) -> list[TotalsRow]:
        """Counts and sums per state."""
        ...

    def close(self) -> None:
        """Release the journal (and, for SQLite, its lock)."""
        ...
