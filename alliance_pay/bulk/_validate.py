"""The validation pass: every row checked by the rules of a single ``payouts.create``.

Nothing here is sent anywhere. Each row becomes a ``LoadRow``: ``pending`` with the exact body
to send, or ``invalid`` with the field and the reason. Duplicate order ids are found by the
journal once the whole file is in (memory stays flat), and totals are read back from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

import attrs
from attrs import frozen

from alliance_pay._exceptions import AllianceValidationError
from alliance_pay._validation import payout_request
from alliance_pay.bulk._journal import LoadRow, TotalsRow
from alliance_pay.bulk._model import InvalidRow, RowState
from alliance_pay.bulk._reader import SourceRow, derive_order_id

__all__ = ["ValidationReport", "check_row", "check_rows"]


def check_row(source: SourceRow, *, batch_id: str, derive: str | None = None) -> LoadRow:
    """Check one row as ``payouts.create`` would; never raises for a bad row.

    Examples:
        >>> bad = check_row(SourceRow(3, {"order_id": "A1", "amount": "-1"}), batch_id="b")
        >>> bad.state.value, bad.error_code.split(",")[:2]
        ('invalid', ['beneficiary_name', 'beneficiary_email'])
    """
    values = source.values
    given = values.get("order_id")
    order_id = "" if given is None else str(given)
    if source.problem is not None:
        field, reason = source.problem
        return _invalid(source.row, order_id, field, reason)
    if order_id.strip() == "" and derive is not None:
        order_id = derive_order_id(batch_id, source.row, values, derive)
    if order_id.strip() == "" and derive is None:
        return _invalid(
            source.row,
            order_id,
            "order_id",
            "must not be empty (or derive order ids: --derive-order-ids row|content)",
        )
    method = values.get("payment_method")
    remarks = values.get("remarks")
    try:
        body = payout_request(
            # A JSON number is refused as a single create would refuse it, not turned into text.
            order_id=order_id if given is None or isinstance(given, str) else given,
            user_id=values.get("user_id"),
            amount=values.get("amount"),
            beneficiary_name=values.get("beneficiary_name"),
            beneficiary_email=values.get("beneficiary_email"),
            beneficiary_mobile_no=values.get("beneficiary_mobile_no"),
            beneficiary_address=values.get("beneficiary_address"),
            beneficiary_acc_no=values.get("beneficiary_acc_no"),
            bank_name=values.get("bank_name"),
            ifsc=values.get("ifsc"),
            payment_method="IMPS" if method in (None, "") else method,
            remarks=None if remarks in (None, "") else remarks,
        )
    except AllianceValidationError as exc:
        # Every refused field of the row, as a single create would list them.
        problems = exc.errors or {exc.field: [exc.reason]}
        reason = "; ".join(f"{name}: {' '.join(why)}" for name, why in problems.items())
        return LoadRow(
            source.row, order_id, RowState.INVALID, error_code=",".join(problems), error=reason
        )
    payload = {name: str(value) for name, value in attrs.asdict(body).items() if value is not None}
    return LoadRow(source.row, body.order_id, RowState.PENDING, body.amount, payload)


def _invalid(row: int, order_id: str, field: str, reason: str) -> LoadRow:
    return LoadRow(row, order_id, RowState.INVALID, error_code=field, error=f"{field}: {reason}")


def check_rows(
    rows: Iterable[SourceRow], *, batch_id: str, derive: str | None = None
) -> Iterator[LoadRow]:
    """``check_row`` over a stream of rows, lazily."""
    for source in rows:
        yield check_row(source, batch_id=batch_id, derive=derive)


@frozen(kw_only=True)
class ValidationReport:
    """What the validation pass found, before anything is sent.

    Attributes:
        rows: data rows in the file.
        valid: rows that may be paid.
        invalid: rows that will not be (bad fields, duplicate order ids).
        total: the sum of the valid rows' amounts.
        to_send: rows of the batch not yet sent (on a rerun, fewer than ``valid``).
        to_send_total: their amounts' sum, which the balance preflight compares.
        invalid_rows: the first invalid rows, in row order (all of them are in the results).
    """

    rows: int
    valid: int
    invalid: int
    total: Decimal
    to_send: int
    to_send_total: Decimal
    invalid_rows: tuple[InvalidRow, ...]

    @classmethod
    def from_totals(
        cls, totals: Iterable[TotalsRow], invalid_rows: Iterable[InvalidRow]
    ) -> ValidationReport:
        by_state = {t.state: t for t in totals}
        invalid = by_state.get(RowState.INVALID)
        pending = by_state.get(RowState.PENDING)
        rows = sum(t.count for t in by_state.values())
        total = sum(
            (t.amount for s, t in by_state.items() if s is not RowState.INVALID), Decimal(0)
        )
        return cls(
            rows=rows,
            valid=rows - (invalid.count if invalid else 0),
            invalid=invalid.count if invalid else 0,
            total=total,
            to_send=pending.count if pending else 0,
            to_send_total=pending.amount if pending else Decimal(0),
            invalid_rows=tuple(invalid_rows),
        )
