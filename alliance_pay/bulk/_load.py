"""Loading a file into the journal once, checking a rerun's file, and reading the report back."""

from __future__ import annotations

import os
from collections.abc import Iterator

from alliance_pay.bulk._errors import BulkChangedFileError, BulkFileError
from alliance_pay.bulk._journal import BatchInfo, Journal, StoredRow
from alliance_pay.bulk._model import InvalidRow, RowState
from alliance_pay.bulk._reader import file_hash, read_rows
from alliance_pay.bulk._validate import ValidationReport, check_rows

__all__ = ["load_batch", "read_report", "stored_pages", "stored_rows"]

_SAMPLE = 20
_PAGE = 500


def load_batch(
    journal: Journal,
    source: str | os.PathLike[str],
    batch_id: str,
    *,
    derive: str | None = None,
    file_format: str | None = None,
    join: bool = False,
) -> None:
    """Make sure ``journal`` holds ``batch_id`` as read from ``source``, validated.

    A batch already loaded from the same bytes is left alone (a rerun). A different file is
    refused once any row has been sent, else reloaded. ``join``: never load, only check.

    Raises:
        BulkChangedFileError: the batch was started from another file.
        BulkFileError: the file cannot be read, or (``join``) the batch is not loaded yet.
    """
    digest = file_hash(source)
    known = journal.batch(batch_id)
    if join:
        if known is None or not known.loaded:
            raise BulkFileError(
                os.fspath(source),
                f"batch {batch_id!r} is not loaded in {journal.location} yet; start the first "
                "run without --worker",
            )
        if known.file_hash != digest:
            raise BulkChangedFileError(batch_id, known.file_hash, digest)
        return
    if known is not None and known.loaded and known.file_hash == digest:
        return
    if known is not None and known.file_hash != digest and journal.started(batch_id):
        raise BulkChangedFileError(batch_id, known.file_hash, digest)
    rows = read_rows(source, file_format, need_order_id=derive is None)
    journal.load(
        BatchInfo(batch_id, digest, os.fspath(source), 0, False),
        check_rows(rows, batch_id=batch_id, derive=derive),
    )


def stored_pages(journal: Journal, batch_id: str, state: RowState) -> Iterator[list[StoredRow]]:
    """The batch's rows in ``state``, a page at a time, in row order."""
    after = 0
    while page := journal.rows(batch_id, after_row=after, limit=_PAGE, states=[state]):
        yield page
        after = page[-1].row


def stored_rows(journal: Journal, batch_id: str, state: RowState) -> Iterator[StoredRow]:
    """The batch's rows in ``state``, one at a time, in row order."""
    for page in stored_pages(journal, batch_id, state):
        yield from page


def read_report(journal: Journal, batch_id: str) -> ValidationReport:
    """The validation report of a loaded batch, from the journal."""
    sample = journal.rows(batch_id, after_row=0, limit=_SAMPLE, states=[RowState.INVALID])
    return ValidationReport.from_totals(
        journal.totals(batch_id),
        (
            InvalidRow(
                row=r.row, order_id=r.order_id, field=r.error_code or "", reason=r.error or ""
            )
            for r in sample
        ),
    )
