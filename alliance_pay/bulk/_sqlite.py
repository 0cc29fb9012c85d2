"""The SQLite journal: one file (WAL mode), one run at a time, stdlib ``sqlite3`` only.

Every write is its own committed transaction with ``synchronous=FULL``: when ``claim_pending``
returns, the rows are ``sending`` on disk, before any request leaves. One run at a time holds the
journal, through an OS lock on ``<journal>.lock`` that dies with the process, so a rerun right
after ``kill -9`` can start at once.

The connection and the lock file live until ``close()`` (or the end of a ``with`` block), on every
path: a file that turns out locked, corrupt or of another schema is closed before the error
leaves ``SQLiteJournal(...)``, and a journal dropped unclosed is closed by the collector with a
``ResourceWarning`` naming it.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import IO

from alliance_pay._closing import ClosedOnExit, close_when_collected
from alliance_pay.bulk._errors import BulkBusyError
from alliance_pay.bulk._journal import (
    DUPLICATES,
    LOAD_COLUMNS,
    ROW_COLUMNS,
    SCHEMA,
    BatchInfo,
    LoadRow,
    StoredRow,
    TotalsRow,
    duplicate_errors,
    result_params,
    state_rank,
)
from alliance_pay.bulk._model import RowResult, RowState

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock, one run at a time is on the user
    fcntl = None  # type: ignore[assignment]

__all__ = ["SQLiteJournal"]

_RANK_SQL = (
    "CASE state WHEN 'approved' THEN 3 WHEN 'rejected' THEN 3 WHEN 'refused' THEN 3 "
    "WHEN 'invalid' THEN 3 WHEN 'created' THEN 2 ELSE 1 END"
)
_LOAD_CHUNK = 1000
# Built from constants only; every value travels as a parameter.
_CLAIM_PENDING = (
    "UPDATE bulk_rows SET state = 'sending', worker = ? WHERE batch = ? AND row IN "  # noqa: S608
    "(SELECT row FROM bulk_rows WHERE batch = ? AND state = 'pending' ORDER BY row LIMIT ?) "
    f"RETURNING {ROW_COLUMNS}"
)
_CLAIM_IN_DOUBT = (
    "UPDATE bulk_rows SET state = 'sending', worker = ? WHERE batch = ? AND row IN "  # noqa: S608
    "(SELECT row FROM bulk_rows WHERE batch = ? AND row > ? AND "
    "(state = 'unknown' OR (state = 'sending' AND worker IS NOT ?)) ORDER BY row LIMIT ?) "
    f"RETURNING {ROW_COLUMNS}"
)
_FINISH = (
    "UPDATE bulk_rows SET state = ?, status = ?, transaction_id = ?, charge = ?, "  # noqa: S608
    "error_code = ?, error = ?, worker = NULL WHERE batch = ? AND row = ? "
    f"AND {_RANK_SQL} <= ?"
)


class _Handles:
    """What a journal holds open: its connection and, while a run holds it, the lock file."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.lock_file: IO[bytes] | None = None

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            if self.lock_file is not None:
                self.lock_file.close()  # the OS drops the lock with the descriptor
                self.lock_file = None


class SQLiteJournal(ClosedOnExit):
    """A journal in one SQLite file.

    Close it when done (``close()``, or a ``with`` block): that closes its connection and frees
    the one-run-at-a-time lock. One left to the garbage collector is closed there, with a
    ``ResourceWarning`` saying so.

    Args:
        path: the database file; created (with its directory) if missing.

    Raises:
        sqlite3.DatabaseError: the file is not a database, holds tables of another shape, or
            another process keeps it locked past the 5 s timeout; nothing is left open.

    Example:
        ```python
        from alliance_pay.bulk import SQLiteJournal

        with SQLiteJournal("payroll.journal.sqlite3") as journal:
            print(journal.batch("payroll"))  # None: no such batch yet
        ```
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path: Path = Path(path)
        self.location: str = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._handles = _Handles(self._db)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=10000")
            with self._transaction():
                for statement in SCHEMA:
                    self._db.execute(statement.format(real="REAL"))
        except BaseException:
            self._db.close()  # locked, corrupt, another schema, or interrupted: nothing stays open
            raise
        self._finalizer = close_when_collected(
            self,
            self._handles.close,
            what=f"SQLiteJournal({self.location!r})",
            advice="Call journal.close() when done, or use `with SQLiteJournal(path) as journal:`.",
        )

    def __repr__(self) -> str:
        return f"SQLiteJournal({self.location!r})"

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def batch(self, batch_id: str) -> BatchInfo | None:
        found = self._db.execute(
            "SELECT batch, file_hash, source, rows, loaded FROM bulk_batches WHERE batch = ?",
            (batch_id,),
        ).fetchone()
        if found is None:
            return None
        return BatchInfo(found[0], found[1], found[2], int(found[3]), bool(found[4]))

    def started(self, batch_id: str) -> bool:
        found = self._db.execute(
            "SELECT 1 FROM bulk_rows WHERE batch = ? AND state NOT IN "
            "('pending', 'invalid', 'loading') LIMIT 1",
            (batch_id,),
        ).fetchone()
        return found is not None

    def load(self, info: BatchInfo, rows: Iterable[LoadRow]) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM bulk_rows WHERE batch = ?", (info.batch_id,))
            db.execute("DELETE FROM bulk_batches WHERE batch = ?", (info.batch_id,))
            db.execute(
                "INSERT INTO bulk_batches (batch, file_hash, source, rows, loaded) "
                "VALUES (?, ?, ?, 0, 0)",
                (info.batch_id, info.file_hash, info.source),
            )
            count = 0
            chunk: list[tuple[object, ...]] = []
            for item in rows:
                count += 1
                chunk.append(item.record(info.batch_id))
                if len(chunk) >= _LOAD_CHUNK:
                    self._insert(db, chunk)
                    chunk = []
            self._insert(db, chunk)
            db.executemany(
                "UPDATE bulk_rows SET state = 'invalid', error_code = 'order_id', error = ? "
                "WHERE batch = ? AND row = ?",
                [
                    (e, info.batch_id, n)
                    for e, n in duplicate_errors(_duplicates(db, info.batch_id))
                ],
            )
            db.execute(
                "UPDATE bulk_rows SET state = 'pending' WHERE batch = ? AND state = 'loading'",
                (info.batch_id,),
            )
            db.execute(
                "UPDATE bulk_batches SET rows = ?, loaded = 1 WHERE batch = ?",
                (count, info.batch_id),
            )

    @staticmethod
    def _insert(db: sqlite3.Connection, chunk: list[tuple[object, ...]]) -> None:
        db.executemany(
            f"INSERT INTO bulk_rows ({LOAD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            chunk,
        )

    def acquire(self, batch_id: str, worker: str) -> None:
        if self._handles.lock_file is None and fcntl is not None:
            handle = open(f"{self.path}.lock", "ab")  # noqa: SIM115 (held until close)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                raise BulkBusyError(self.location) from None
            except BaseException:
                handle.close()
                raise
            self._handles.lock_file = handle
        self.heartbeat(batch_id, worker)

    def heartbeat(self, batch_id: str, worker: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO bulk_workers (batch, worker, heartbeat_at) VALUES (?, ?, ?) "
                "ON CONFLICT (batch, worker) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
                (batch_id, worker, time.time()),
            )

    def leave(self, batch_id: str, worker: str) -> None:
        with self._transaction() as db:
            db.execute(
                "DELETE FROM bulk_workers WHERE batch = ? AND worker = ?", (batch_id, worker)
            )

    def claim_pending(self, batch_id: str, worker: str, limit: int) -> list[StoredRow]:
        with self._transaction() as db:
            found = db.execute(_CLAIM_PENDING, (worker, batch_id, batch_id, limit)).fetchall()
        return sorted((StoredRow.from_db(r) for r in found), key=lambda r: r.row)

    def claim_in_doubt(
        self, batch_id: str, worker: str, limit: int, after_row: int, ttl: float
    ) -> list[StoredRow]:
        # One run at a time holds the file lock: every other worker's rows are orphans.
        with self._transaction() as db:
            found = db.execute(
                _CLAIM_IN_DOUBT, (worker, batch_id, batch_id, after_row, worker, limit)
            ).fetchall()
        return sorted((StoredRow.from_db(r) for r in found), key=lambda r: r.row)

    def finish(self, batch_id: str, results: Sequence[RowResult]) -> None:
        if not results:
            return
        with self._transaction() as db:
            db.executemany(
                _FINISH,
                [(*result_params(r), batch_id, r.row, state_rank(r.state)) for r in results],
            )

    def others_in_flight(self, batch_id: str, worker: str) -> int:
        # Nobody else can hold rows while this run holds the lock.
        return 0

    def rows(
        self, batch_id: str, *, after_row: int, limit: int, states: Sequence[RowState] | None = None
    ) -> list[StoredRow]:
        where = ""
        params: list[object] = [batch_id, after_row]
        if states is not None:
            where = f" AND state IN ({', '.join('?' for _ in states)})"
            params.extend(state.value for state in states)
        params.append(limit)
        found = self._db.execute(
            f"SELECT {ROW_COLUMNS} FROM bulk_rows WHERE batch = ? AND row > ?{where} "  # noqa: S608
            "ORDER BY row LIMIT ?",
            params,
        ).fetchall()
        return [StoredRow.from_db(r) for r in found]

    def totals(self, batch_id: str) -> list[TotalsRow]:
        sums: dict[str, list[object]] = {}
        # Summed in Python: SQLite's SUM of TEXT would go through a float.
        cursor = self._db.execute(
            "SELECT state, amount FROM bulk_rows WHERE batch = ?", (batch_id,)
        )
        for state, amount in cursor:
            entry = sums.setdefault(state, [0, Decimal(0)])
            entry[0] = int(str(entry[0])) + 1
            if amount:
                entry[1] = Decimal(str(entry[1])) + Decimal(amount)
        return [
            TotalsRow(RowState(state), int(str(count)), Decimal(str(amount)))
            for state, (count, amount) in sums.items()
        ]

    def close(self) -> None:
        """Close the connection and free the lock; closing again does nothing."""
        self._finalizer.detach()
        self._handles.close()


def _duplicates(db: sqlite3.Connection, batch_id: str) -> list[tuple[str, int]]:
    return db.execute(DUPLICATES.replace("%s", "?"), (batch_id, batch_id)).fetchall()
