"""The PostgreSQL journal: one batch shared by worker processes on any number of machines.

Needs psycopg 3: ``pip install 'alliance-pay[postgres]'``. The file is loaded once, in one
transaction, under an advisory lock (a second loader finds it loaded and joins). Workers claim
chunks with ``SELECT ... FOR UPDATE SKIP LOCKED`` and heartbeat in ``bulk_workers``; the
database's clock decides when a silent worker's ``sending`` rows may be reclaimed (then looked up,
never blindly re-sent).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from alliance_pay._optional import extra_imports
from alliance_pay.bulk._errors import BulkChangedFileError
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

with extra_imports("postgres", feature="a PostgreSQL bulk journal"):
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

__all__ = ["PostgresJournal"]

_NOW = "extract(epoch from clock_timestamp())"
_RANK_SQL = (
    "CASE state WHEN 'approved' THEN 3 WHEN 'rejected' THEN 3 WHEN 'refused' THEN 3 "
    "WHEN 'invalid' THEN 3 WHEN 'created' THEN 2 ELSE 1 END"
)
# The chosen rows are picked once, in a CTE: a FOR UPDATE SKIP LOCKED subquery inside the UPDATE
# may be re-run per row and pick more than LIMIT rows.
_CLAIM_PENDING = (
    "WITH picked AS (SELECT row AS picked_row FROM bulk_rows WHERE batch = %s "  # noqa: S608
    "AND state = 'pending' ORDER BY row LIMIT %s FOR UPDATE SKIP LOCKED) "
    "UPDATE bulk_rows SET state = 'sending', worker = %s FROM picked "
    f"WHERE batch = %s AND row = picked_row RETURNING {ROW_COLUMNS}"
)
_CLAIM_IN_DOUBT = (
    "WITH picked AS (SELECT r.row AS picked_row FROM bulk_rows r WHERE r.batch = %s "  # noqa: S608
    "AND r.row > %s AND (r.state = 'unknown' OR (r.state = 'sending' AND r.worker IS DISTINCT "
    "FROM %s AND NOT EXISTS (SELECT 1 FROM bulk_workers w WHERE w.batch = r.batch AND "
    f"w.worker = r.worker AND w.heartbeat_at > {_NOW} - %s))) ORDER BY r.row LIMIT %s "
    "FOR UPDATE SKIP LOCKED) "
    "UPDATE bulk_rows SET state = 'sending', worker = %s FROM picked "
    f"WHERE batch = %s AND row = picked_row RETURNING {ROW_COLUMNS}"
)
_FINISH = (
    "UPDATE bulk_rows SET state = %s, status = %s, transaction_id = %s, charge = %s, "  # noqa: S608
    "error_code = %s, error = %s, worker = NULL WHERE batch = %s AND row = %s "
    f"AND {_RANK_SQL} <= %s"
)


def _masked(dsn: str) -> str:
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "postgresql://(unparsable DSN)"
    if "password" in parts:
        parts["password"] = "***"  # noqa: S105 (a mask, not a password)
    return make_conninfo("", **{k: v for k, v in parts.items() if v is not None})


class PostgresJournal:
    """A journal in a PostgreSQL database, shared by every worker of a batch.

    Args:
        dsn: a libpq connection string or ``postgresql://`` URL.

    Example:
        ```python
        from alliance_pay.bulk import PostgresJournal

        journal = PostgresJournal("postgresql://bulk@db.internal/payouts")
        ```
    """

    def __init__(self, dsn: str) -> None:
        self.location: str = _masked(dsn)
        self._db = psycopg.connect(dsn, autocommit=True)
        try:
            with self._db.transaction():
                # Workers starting together must not race on CREATE ... IF NOT EXISTS.
                self._db.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('alliance_pay.bulk.schema'))"
                )
                for statement in SCHEMA:
                    self._db.execute(statement.format(real="DOUBLE PRECISION"))
        except BaseException:
            self._db.close()  # another schema, or interrupted: nothing stays open
            raise

    def _one(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        return self._db.execute(sql, params).fetchone()

    def batch(self, batch_id: str) -> BatchInfo | None:
        found = self._one(
            "SELECT batch, file_hash, source, rows, loaded FROM bulk_batches WHERE batch = %s",
            (batch_id,),
        )
        if found is None:
            return None
        return BatchInfo(found[0], found[1], found[2], int(found[3]), bool(found[4]))

    def started(self, batch_id: str) -> bool:
        return (
            self._one(
                "SELECT 1 FROM bulk_rows WHERE batch = %s AND state NOT IN "
                "('pending', 'invalid', 'loading') LIMIT 1",
                (batch_id,),
            )
            is not None
        )

    def load(self, info: BatchInfo, rows: Iterable[LoadRow]) -> None:
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (info.batch_id,))
            known = self.batch(info.batch_id)
            if known is not None and known.loaded and known.file_hash == info.file_hash:
                return  # another process loaded this very file meanwhile
            if (
                known is not None
                and known.file_hash != info.file_hash
                and self.started(info.batch_id)
            ):
                raise BulkChangedFileError(info.batch_id, known.file_hash, info.file_hash)
            self._db.execute("DELETE FROM bulk_rows WHERE batch = %s", (info.batch_id,))
            self._db.execute("DELETE FROM bulk_batches WHERE batch = %s", (info.batch_id,))
            self._db.execute(
                "INSERT INTO bulk_batches (batch, file_hash, source, rows, loaded) "
                "VALUES (%s, %s, %s, 0, 0)",
                (info.batch_id, info.file_hash, info.source),
            )
            count = 0
            with (
                self._db.cursor() as cursor,
                cursor.copy(f"COPY bulk_rows ({LOAD_COLUMNS}) FROM STDIN") as copy,
            ):
                for item in rows:
                    count += 1
                    copy.write_row(item.record(info.batch_id))
            self._mark_duplicates(info.batch_id)
            self._db.execute(
                "UPDATE bulk_rows SET state = 'pending' WHERE batch = %s AND state = 'loading'",
                (info.batch_id,),
            )
            self._db.execute(
                "UPDATE bulk_batches SET rows = %s, loaded = 1 WHERE batch = %s",
                (count, info.batch_id),
            )

    def _mark_duplicates(self, batch_id: str) -> None:
        found = self._db.execute(DUPLICATES, (batch_id, batch_id)).fetchall()
        with self._db.cursor() as cursor:
            cursor.executemany(
                "UPDATE bulk_rows SET state = 'invalid', error_code = 'order_id', error = %s "
                "WHERE batch = %s AND row = %s",
                [(error, batch_id, n) for error, n in duplicate_errors(found)],
            )

    def acquire(self, batch_id: str, worker: str) -> None:
        self.heartbeat(batch_id, worker)

    def heartbeat(self, batch_id: str, worker: str) -> None:
        self._db.execute(
            f"INSERT INTO bulk_workers (batch, worker, heartbeat_at) VALUES (%s, %s, {_NOW}) "  # noqa: S608
            "ON CONFLICT (batch, worker) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
            (batch_id, worker),
        )

    def leave(self, batch_id: str, worker: str) -> None:
        self._db.execute(
            "DELETE FROM bulk_workers WHERE batch = %s AND worker = %s", (batch_id, worker)
        )

    def _claim(self, sql: str, params: Sequence[Any]) -> list[StoredRow]:
        with self._db.transaction():
            found = self._db.execute(sql, params).fetchall()
        return sorted((StoredRow.from_db(r) for r in found), key=lambda r: r.row)

    def claim_pending(self, batch_id: str, worker: str, limit: int) -> list[StoredRow]:
        return self._claim(_CLAIM_PENDING, (batch_id, limit, worker, batch_id))

    def claim_in_doubt(
        self, batch_id: str, worker: str, limit: int, after_row: int, ttl: float
    ) -> list[StoredRow]:
        return self._claim(
            _CLAIM_IN_DOUBT, (batch_id, after_row, worker, ttl, limit, worker, batch_id)
        )

    def finish(self, batch_id: str, results: Sequence[RowResult]) -> None:
        if not results:
            return
        with self._db.transaction(), self._db.cursor() as cursor:
            cursor.executemany(
                _FINISH,
                [(*result_params(r), batch_id, r.row, state_rank(r.state)) for r in results],
            )

    def others_in_flight(self, batch_id: str, worker: str) -> int:
        found = self._one(
            "SELECT COUNT(*) FROM bulk_rows WHERE batch = %s AND state = 'sending' "
            "AND worker IS DISTINCT FROM %s",
            (batch_id, worker),
        )
        return 0 if found is None else int(found[0])

    def rows(
        self, batch_id: str, *, after_row: int, limit: int, states: Sequence[RowState] | None = None
    ) -> list[StoredRow]:
        where = "" if states is None else " AND state = ANY(%s)"
        params: list[object] = [batch_id, after_row]
        if states is not None:
            params.append([state.value for state in states])
        params.append(limit)
        found = self._db.execute(
            f"SELECT {ROW_COLUMNS} FROM bulk_rows WHERE batch = %s AND row > %s{where} "  # noqa: S608
            "ORDER BY row LIMIT %s",
            params,
        ).fetchall()
        return [StoredRow.from_db(r) for r in found]

    def totals(self, batch_id: str) -> list[TotalsRow]:
        found = self._db.execute(
            "SELECT state, COUNT(*), COALESCE(SUM(amount::numeric), 0) FROM bulk_rows "
            "WHERE batch = %s GROUP BY state",
            (batch_id,),
        ).fetchall()
        return [TotalsRow(RowState(s), int(c), Decimal(str(a))) for s, c, a in found]

    def close(self) -> None:
        self._db.close()
