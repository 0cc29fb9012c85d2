"""Bulk payouts: a file of beneficiaries paid exactly once, resumable after any crash.

The Alliance API has no batch endpoint. A bulk run is built on ``payouts.create`` with the
row's ``order_id`` as the idempotency key and the status call (``payouts.retrieve``) as the
truth. A journal (SQLite, or PostgreSQL for many machines) holds every row's state.

The row state machine
---------------------
::

                       validation pass
    row ──validation──┬──────────────────────────────> invalid  (never sent)
                      v
                   pending ──claim, COMMIT──> sending ──create──┬─> created ──wait──┬─> approved
                      ^                         │               │                  └─> rejected
                      │    lookup: not found    │               ├─> refused (API said no)
                      └─────────────────────────┤               └─> unknown (no answer)
                                                │<──── lookup ──────────┘
                                                └─> created / approved / rejected (found)

Rules, each of which a test breaks on purpose:

1. ``pending -> sending`` is committed to the journal *before* the request leaves (rows are
   claimed in small chunks, one transaction each). A crash can therefore leave a row
   ``sending`` whose request never left, never the reverse.
2. A ``sending`` or ``unknown`` row is never re-sent blindly: it is looked up first. Found:
   ``created`` (or ``approved``/``rejected``), after checking the found payout is this row's
   (amount, account, IFSC, user); a different payout under the same order id is ``refused``
   with ``OrderIdConflictError``. Not found (a 404, proven): back to ``pending``, sent again
   with the *same* order id, so even a request that lands late is refused by the API as a
   duplicate and then resolved by lookup, never paid twice. Lookup failed: ``unknown``.
3. A create's answer is read by the SDK's truthful create: a lost answer is resolved inside
   ``payouts.create``; ``OutcomeUnknownError`` makes the row ``unknown``; a 408/429 or a
   connection never made (proven not processed) leaves it ``pending``; another 4xx is
   ``refused``; a duplicate order id on a fresh send is resolved by lookup; 401/403 stop the
   run with the row still ``pending``.
4. Done rows (``created``, ``approved``, ``rejected``, ``refused``, ``invalid``) are skipped by
   a rerun; only ``pending`` rows are sent. The journal never makes a row less final.
5. Interrupted (Ctrl-C, an exception, the iterator closed): rows claimed but not started go
   back to ``pending``; rows in flight are recorded ``unknown`` and resolved by the next run.
   ``kill -9`` leaves them ``sending``, which the next run resolves the same way.
6. The journal keeps the input file's SHA-256. A rerun with a changed file is refused once any
   row of the batch has left ``pending``; before that, the batch is simply reloaded.
7. Every row is validated (the rules of a single create) and duplicates within the file are
   marked ``invalid`` (all copies) before anything is sent; the results file lists the
   invalid rows first.
8. With PostgreSQL, rows are claimed with ``FOR UPDATE SKIP LOCKED`` by any number of workers
   that heartbeat; a worker silent for ``heartbeat_ttl`` seconds loses its ``sending`` rows to
   rule 2 (lookup first), never to a blind resend.

The results file is written as rows finish, each line after its row is committed; a
single-machine run rewrites it from the journal at the end, in row order, so it always
agrees with the journal.

Example:
    ```python
    from alliance_pay.bulk import AsyncBulkRun

    async with AsyncAllianceClient() as client:
        summary = await AsyncBulkRun(client, csv_path).run()
    print(summary.to_text())
    ```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alliance_pay.bulk._errors import (
    BulkBalanceError,
    BulkBusyError,
    BulkChangedFileError,
    BulkError,
    BulkFileError,
    BulkValidationError,
)
from alliance_pay.bulk._journal import Journal
from alliance_pay.bulk._model import BulkOptions, InvalidRow, RowResult, RowState
from alliance_pay.bulk._open import open_journal
from alliance_pay.bulk._reader import PAYOUT_COLUMNS, derive_order_id, read_rows
from alliance_pay.bulk._results import ResultsWriter, write_report
from alliance_pay.bulk._sqlite import SQLiteJournal
from alliance_pay.bulk._summary import Summary
from alliance_pay.bulk._validate import ValidationReport

if TYPE_CHECKING:
    from alliance_pay._async._bulk import AsyncBulkRun
    from alliance_pay._sync._bulk import BulkRun
    from alliance_pay.bulk._postgres import PostgresJournal

__all__ = [
    "AsyncBulkRun",
    "BulkBalanceError",
    "BulkBusyError",
    "BulkChangedFileError",
    "BulkError",
    "BulkFileError",
    "BulkOptions",
    "BulkRun",
    "BulkValidationError",
    "InvalidRow",
    "Journal",
    "PAYOUT_COLUMNS",
    "PostgresJournal",
    "ResultsWriter",
    "RowResult",
    "RowState",
    "SQLiteJournal",
    "Summary",
    "ValidationReport",
    "derive_order_id",
    "open_journal",
    "read_rows",
    "write_report",
]

_LAZY = {
    # The runners import the clients; PostgresJournal needs psycopg (the `postgres` extra).
    "AsyncBulkRun": "alliance_pay._async._bulk",
    "BulkRun": "alliance_pay._sync._bulk",
    "PostgresJournal": "alliance_pay.bulk._postgres",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'alliance_pay.bulk' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
