"""Reading a bulk file, one row at a time: CSV or JSON Lines, memory flat in the file's size.

Columns are named exactly as the arguments of ``payouts.create``. ``order_id`` is required
unless order ids are derived (``derive_order_id``); ``payment_method`` (default ``IMPS``) and
``remarks`` are optional; any other column is refused, so a misspelt header cannot silently drop
a field.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from attrs import frozen

from alliance_pay.bulk._errors import BulkFileError

__all__ = [
    "OPTIONAL_COLUMNS",
    "PAYOUT_COLUMNS",
    "REQUIRED_COLUMNS",
    "SourceRow",
    "derive_order_id",
    "file_hash",
    "file_format",
    "read_rows",
]

#: Every column a bulk file may have, in the documented order.
PAYOUT_COLUMNS = (
    "order_id",
    "user_id",
    "amount",
    "beneficiary_name",
    "beneficiary_email",
    "beneficiary_mobile_no",
    "beneficiary_address",
    "beneficiary_acc_no",
    "bank_name",
    "ifsc",
    "payment_method",
    "remarks",
)
OPTIONAL_COLUMNS = frozenset({"payment_method", "remarks"})
REQUIRED_COLUMNS = tuple(name for name in PAYOUT_COLUMNS if name not in OPTIONAL_COLUMNS)

_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_CHUNK = 1 << 20


@frozen
class SourceRow:
    """One data row as read: its number, its values, or why it could not be read at all."""

    row: int
    values: dict[str, object]
    problem: tuple[str, str] | None = None  # (field, reason) when the row itself is unreadable


def file_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """``"csv"`` or ``"jsonl"``, from ``fmt`` or the file's extension.

    Examples:
        >>> file_format("payroll.CSV")
        'csv'
        >>> file_format("refunds.ndjson")
        'jsonl'
    """
    if fmt is not None:
        if fmt not in ("csv", "jsonl"):
            raise BulkFileError(str(path), f"unknown format {fmt!r}; use 'csv' or 'jsonl'")
        return fmt
    found = _FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise BulkFileError(
            str(path), "unknown format: name the file .csv, .jsonl or .ndjson, or pass the format"
        )
    return found


def file_hash(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of the file's bytes, hex; the journal keeps it to refuse a changed file."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise BulkFileError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    return digest.hexdigest()


def derive_order_id(batch_id: str, row: int, values: dict[str, object], scheme: str) -> str:
    """The order id of a row that has none, the same on every rerun of the same file.

    ``"row"``: ``{batch_id}-{row:06d}``: stable as long as rows keep their places.

    ``"content"``: ``{batch_id}-`` then the first 20 hex digits of the SHA-256 of the row's other
    columns (in ``PAYOUT_COLUMNS`` order, each ``name=value`` as read, ``""`` when absent, joined
    by the unit separator ``\\x1f``): stable when rows are re-sorted; two identical rows get the
    same id, so both are refused as duplicates (add a ``remarks`` to tell them apart).

    Examples:
        >>> derive_order_id("payroll-nov", 7, {}, "row")
        'payroll-nov-000007'
        >>> derive_order_id("b", 1, {"amount": "10.00"}, "content")
        'b-8292c773635272f0914b'
    """
    if scheme == "row":
        return f"{batch_id}-{row:06d}"
    canonical = "\x1f".join(
        f"{name}={_text(values.get(name))}" for name in PAYOUT_COLUMNS if name != "order_id"
    )
    return f"{batch_id}-{hashlib.sha256(canonical.encode()).hexdigest()[:20]}"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def read_rows(
    path: str | os.PathLike[str], fmt: str | None = None, *, need_order_id: bool = True
) -> Iterator[SourceRow]:
    """Yield the data rows of a CSV or JSON Lines file, one at a time.

    Raises:
        BulkFileError: the file cannot be opened, or its CSV header misses a required column or
            has one this SDK does not know.
    """
    kind = file_format(path, fmt)
    try:
        # utf-8-sig: a byte-order mark from a spreadsheet export is not part of the first column.
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise BulkFileError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    with handle:
        try:
            if kind == "csv":
                yield from _csv_rows(str(path), handle, need_order_id)
            else:
                yield from _jsonl_rows(handle)
        except UnicodeDecodeError as exc:
            raise BulkFileError(str(path), f"is not UTF-8 text ({exc.reason})") from None


def _check_header(path: str, header: list[str], need_order_id: bool) -> list[str]:
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in PAYOUT_COLUMNS]
    if unknown:
        raise BulkFileError(
            path,
            f"unknown column(s) {', '.join(map(repr, unknown))}; the columns are the payout "
            f"fields: {', '.join(PAYOUT_COLUMNS)}",
        )
    required = [n for n in REQUIRED_COLUMNS if n != "order_id" or need_order_id]
    missing = [name for name in required if name not in names]
    if missing:
        raise BulkFileError(path, f"missing required column(s): {', '.join(missing)}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BulkFileError(path, f"column(s) named twice: {', '.join(repeated)}")
    return names


def _csv_rows(path: str, handle: io.TextIOBase, need_order_id: bool) -> Iterator[SourceRow]:
    reader = csv.reader(handle)
    header = next(reader, None)
    if header is None:
        raise BulkFileError(path, "is empty: the first line must be the header")
    names = _check_header(path, header, need_order_id)
    number = 0
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue  # a blank line is not a row
        number += 1
        if len(cells) != len(names):
            yield SourceRow(
                number,
                {},
                ("row", f"has {len(cells)} cells but the header has {len(names)} columns"),
            )
            continue
        yield SourceRow(number, dict(zip(names, cells, strict=True)))


def _jsonl_rows(handle: io.TextIOBase) -> Iterator[SourceRow]:
    number = 0
    for line in handle:
        if not line.strip():
            continue
        number += 1
        try:
            # Decimal, not float: 100.10 stays exactly 100.10.
            value = json.loads(line, parse_float=Decimal)
        except ValueError as exc:
            yield SourceRow(number, {}, ("row", f"is not valid JSON: {exc}"))
            continue
        if not isinstance(value, dict):
            yield SourceRow(number, {}, ("row", "must be a JSON object"))
            continue
        unknown = [key for key in value if key not in PAYOUT_COLUMNS]
        if unknown:
            yield SourceRow(number, value, (unknown[0], "is not a payout field"))
            continue
        yield SourceRow(number, value)
