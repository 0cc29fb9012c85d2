"""The errors of a bulk run; each is an ``AllianceError`` and says what to do next.

AllianceError
└── BulkError
    ├── BulkFileError           the file cannot be read as a bulk file (format, columns)
    ├── BulkChangedFileError    the journal holds this batch for a different file
    ├── BulkValidationError     --strict and some rows are invalid; nothing was sent
    ├── BulkBalanceError        the total exceeds the wallet balance; nothing was sent
    └── BulkBusyError           another run holds this journal
"""

from __future__ import annotations

from decimal import Decimal

from alliance_pay._exceptions import AllianceError

__all__ = [
    "BulkBalanceError",
    "BulkBusyError",
    "BulkChangedFileError",
    "BulkError",
    "BulkFileError",
    "BulkValidationError",
]


class BulkError(AllianceError):
    """A bulk run refused to start, or to go on; nothing was sent when it is raised."""


class BulkFileError(BulkError):
    """The file cannot be read as a bulk payout file.

    Examples:
        >>> str(BulkFileError("payouts.txt", "unknown format; use .csv or .jsonl"))
        'payouts.txt: unknown format; use .csv or .jsonl'
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class BulkChangedFileError(BulkError):
    """The journal already holds this batch, made from a file with different content."""

    def __init__(self, batch_id: str, journal_hash: str, file_hash: str) -> None:
        super().__init__(
            f"batch {batch_id!r} was started from a different file (journal sha256 "
            f"{journal_hash[:12]}..., this file {file_hash[:12]}...). Rows of that batch have "
            "already been sent, so resuming it with changed rows could pay the wrong amounts. "
            "Resume with the original file, or start a new batch: pass another batch id "
            "(--batch-id) or journal (--journal)."
        )
        self.batch_id = batch_id
        self.journal_hash = journal_hash
        self.file_hash = file_hash


class BulkValidationError(BulkError):
    """``strict`` was asked and some rows are invalid: the whole file is refused."""

    def __init__(self, invalid: int, first: str) -> None:
        super().__init__(
            f"{invalid} invalid row(s) and --strict: nothing was sent. First: {first}. "
            "Fix the rows (see the results file) or run without --strict to send the valid ones."
        )
        self.invalid = invalid


class BulkBalanceError(BulkError):
    """The rows still to send add up to more than the wallet holds."""

    def __init__(self, total: Decimal, balance: Decimal, rows: int) -> None:
        super().__init__(
            f"the {rows} row(s) to send total {total} INR but the wallet holds {balance} INR "
            "(charges come on top): nothing was sent. Top the wallet up, split the file, or pass "
            "--skip-balance-check to send until the API refuses."
        )
        self.total = total
        self.balance = balance
        self.rows = rows


class BulkBusyError(BulkError):
    """Another process is running this batch on this journal."""

    def __init__(self, journal: str) -> None:
        super().__init__(
            f"another run is using the journal {journal}; wait for it to finish (or stop it: "
            "its rows resume safely) and try again"
        )
        self.journal = journal
