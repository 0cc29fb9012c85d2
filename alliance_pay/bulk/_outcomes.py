"""What an answer (or an error) means for a row: sans-I/O, shared by the async and sync runners.

``created_result`` reads a payout the API returned; ``send_failure`` and ``lookup_failure``
read the errors of a create and of a status lookup. The rules, in short: an error that proves
the create was not processed leaves the row ``pending``; one that leaves the outcome open makes
it ``unknown``; a refusal is ``refused``; nothing is ever reported refused unless the API said
no to this row's payout.
"""

from __future__ import annotations

from types import SimpleNamespace

from attrs import frozen

from alliance_pay._exceptions import (
    AllianceError,
    AllianceValidationError,
    APIConnectionError,
    APIError,
    APIStatusError,
    AuthenticationError,
    DuplicateOrderIdError,
    OrderIdConflictError,
    OutcomeUnknownError,
    PermissionDeniedError,
)
from alliance_pay._models import Payout, PayoutStatus
from alliance_pay._retries import differences, is_resendable
from alliance_pay.bulk._journal import StoredRow
from alliance_pay.bulk._model import RowResult, RowState

__all__ = [
    "COMPARED_FIELDS",
    "Outcome",
    "conflict_with",
    "created_result",
    "lookup_failure",
    "not_found_result",
    "send_failure",
]

#: The fields a found payout must share with the row for it to be the row's payout.
COMPARED_FIELDS = ("amount", "beneficiary_acc_no", "ifsc", "user_id")


@frozen
class Outcome:
    """A row's result, and what the run must do with it.

    ``emit``: report it (results file, iterator); rows sent back to ``pending`` are not.
    ``fatal``: an error no other row can escape (bad keys): the run stops, resumable.
    ``lookup``: a duplicate order id on a fresh send; the order must be looked up.
    """

    result: RowResult
    emit: bool = True
    fatal: AllianceError | None = None
    lookup: bool = False


def _result(row: StoredRow, state: RowState, **changes: object) -> RowResult:
    return RowResult(
        row=row.row,
        order_id=row.order_id,
        state=state,
        amount=row.amount,
        status=changes.get("status"),  # type: ignore[arg-type]
        transaction_id=changes.get("transaction_id"),  # type: ignore[arg-type]
        charge=changes.get("charge"),  # type: ignore[arg-type]
        error_code=changes.get("error_code"),  # type: ignore[arg-type]
        error=changes.get("error"),  # type: ignore[arg-type]
    )


def created_result(row: StoredRow, payout: Payout) -> RowResult:
    """The row's result once the API holds its payout (a create's answer or a lookup)."""
    status = payout.status
    state = {PayoutStatus.APPROVED: RowState.APPROVED, PayoutStatus.REJECTED: RowState.REJECTED}
    return _result(
        row,
        state.get(status, RowState.CREATED),
        status=str(status),
        transaction_id=payout.transaction_id,
        charge=payout.charge,
        error=payout.message if status is PayoutStatus.REJECTED else None,
    )


def conflict_with(row: StoredRow, payout: Payout) -> RowResult | None:
    """A ``refused`` result when the order id belongs to a payout other than the row's."""
    asked = SimpleNamespace(**(row.payload or {}))
    asked.amount = row.amount
    diff = differences(asked, payout, COMPARED_FIELDS)
    if not diff:
        return None
    fields = ", ".join(sorted(diff))
    return _result(
        row,
        RowState.REFUSED,
        error_code="OrderIdConflictError",
        error=f"order id {row.order_id!r} already belongs to another payout (differs in "
        f"{fields}); this row was not paid",
    )


def not_found_result(row: StoredRow) -> RowResult:
    """A row in doubt that the API proves it never made: safe to send again."""
    return _result(row, RowState.PENDING)


def lookup_failure(row: StoredRow, error: APIError) -> Outcome:
    """A status lookup of a row in doubt failed: the row stays ``unknown``."""
    fatal = error if isinstance(error, (AuthenticationError, PermissionDeniedError)) else None
    return Outcome(
        _result(
            row,
            RowState.UNKNOWN,
            error_code="LookupFailed",
            error=f"could not look the order up ({error}); rerun to resolve it",
        ),
        fatal=fatal,
    )


def send_failure(row: StoredRow, error: AllianceError) -> Outcome:
    """What a failed ``payouts.create`` means for the row."""
    name = type(error).__name__
    if isinstance(error, OutcomeUnknownError):
        return Outcome(_result(row, RowState.UNKNOWN, error_code=name, error=str(error)))
    if isinstance(error, OrderIdConflictError):
        return Outcome(_result(row, RowState.REFUSED, error_code=name, error=str(error)))
    if isinstance(error, DuplicateOrderIdError):
        # Taken before this send: maybe by this very row in a run whose journal was lost.
        return Outcome(
            _result(row, RowState.UNKNOWN, error_code=name, error=str(error)), lookup=True
        )
    if isinstance(error, (AuthenticationError, PermissionDeniedError)):
        # Not processed, and no other row will fare better: stop, keep the row to send.
        return Outcome(_result(row, RowState.PENDING), emit=False, fatal=error)
    if isinstance(error, (APIStatusError, APIConnectionError)) and is_resendable(error):
        # 408/429, or no connection made: certainly not processed; sent again later.
        return Outcome(
            _result(row, RowState.PENDING, error_code=name, error=str(error)), emit=False
        )
    if isinstance(error, APIStatusError) and error.status_code < 500:
        return Outcome(_result(row, RowState.REFUSED, error_code=name, error=str(error)))
    if isinstance(error, AllianceValidationError):
        return Outcome(_result(row, RowState.INVALID, error_code=error.field, error=str(error)))
    # Anything else may have landed: only a lookup can tell.
    return Outcome(_result(row, RowState.UNKNOWN, error_code=name, error=str(error)))
