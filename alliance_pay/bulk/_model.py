"""The row states of a bulk run, one row's result, and the choices of a run: no I/O here."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

from attrs import Attribute, field, frozen

from alliance_pay._exceptions import AllianceValidationError

__all__ = [
    "DONE_STATES",
    "RESULT_COLUMNS",
    "IN_DOUBT_STATES",
    "BulkOptions",
    "InvalidRow",
    "RowResult",
    "RowState",
]


class RowState(str, enum.Enum):
    """Where one row of a bulk file stands; see the state machine in ``alliance_pay.bulk``.

    Examples:
        >>> from alliance_pay.bulk import RowState
        >>> RowState("created").is_done
        True
        >>> RowState.SENDING.is_done
        False
    """

    PENDING = "pending"
    SENDING = "sending"
    CREATED = "created"
    APPROVED = "approved"
    REJECTED = "rejected"
    REFUSED = "refused"
    UNKNOWN = "unknown"
    INVALID = "invalid"

    def __str__(self) -> str:
        return self.value

    @property
    def is_done(self) -> bool:
        """Whether a rerun leaves this row alone (nothing more to send or to learn)."""
        return self in DONE_STATES


#: Rows a rerun skips.
DONE_STATES = frozenset(
    {RowState.CREATED, RowState.APPROVED, RowState.REJECTED, RowState.REFUSED, RowState.INVALID}
)
#: Rows whose request may have left: resolved by a status lookup, never blindly re-sent.
IN_DOUBT_STATES = frozenset({RowState.SENDING, RowState.UNKNOWN})


def _money(value: Decimal | None) -> str:
    return "" if value is None else str(value)


@frozen(kw_only=True)
class RowResult:
    """One row's outcome, as the results file and the per-row iterator report it.

    Attributes:
        row: the row's number in the file (1 is the first data row; a CSV header is not counted).
        order_id: the payout's order id (derived or given).
        state: the journal's state for the row.
        status: the API's payout status when known (``Pending``, ``Approved``, ``Rejected``).
        transaction_id: the transfer's UTR, once there is one.
        charge: the fee the API charged, when known.
        amount: the row's amount, when the row was valid.
        error_code: a short machine-readable reason (the field of an invalid row, the error
            type of a refused one).
        error: the reason in words.
    """

    row: int
    order_id: str
    state: RowState
    status: str | None = None
    transaction_id: str | None = None
    charge: Decimal | None = None
    amount: Decimal | None = None
    error_code: str | None = None
    error: str | None = None

    def to_record(self) -> dict[str, str]:
        """The results-file columns, every value a string (money exact).

        Examples:
            >>> RowResult(row=1, order_id="A1", state=RowState.CREATED, status="Pending",
            ...           charge=Decimal("5.90")).to_record()["charge"]
            '5.90'
        """
        return {
            "row": str(self.row),
            "order_id": self.order_id,
            "state": self.state.value,
            "status": self.status or "",
            "transaction_id": self.transaction_id or "",
            "charge": _money(self.charge),
            "error_code": self.error_code or "",
            "error": self.error or "",
        }


#: The results file's columns, in order.
RESULT_COLUMNS = (
    "row",
    "order_id",
    "state",
    "status",
    "transaction_id",
    "charge",
    "error_code",
    "error",
)


@frozen(kw_only=True)
class InvalidRow:
    """A row the validation pass refused: it is never paid.

    Attributes:
        row: the row's number (1 is the first data row).
        order_id: its order id as read (may be empty).
        field: the column at fault.
        reason: why, in the words of the single-create validation.
    """

    row: int
    order_id: str
    field: str
    reason: str


def _optional_float(value: float | str | None) -> float | None:
    return None if value is None else float(value)


def _positive(_: object, attribute: Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:  # also refuses nan
        raise AllianceValidationError(attribute.name, f"must be a positive number, not {value!r}")


def _at_least_one(_: object, attribute: Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or value < 1:
        raise AllianceValidationError(attribute.name, f"must be a whole number >= 1, not {value!r}")


@frozen(kw_only=True)
class BulkOptions:
    """How a bulk run behaves; every field has the CLI flag of the same name.

    Attributes:
        concurrency: requests in flight at once (default 8).
        rate: at most this many requests per second across the whole run (``None``: no cap).
        strict: refuse the whole file when any row is invalid.
        skip_balance_check: send even when the remaining total exceeds the wallet balance.
        wait: after sending, poll until every created payout is final or ``wait_timeout``.
        wait_timeout: seconds ``wait`` may take.
        derive_order_ids: ``None`` (every row needs an ``order_id``), ``"row"`` or
            ``"content"``; see ``derive_order_id``.
        batch_id: names the batch in the journal and seeds derived order ids; by default the
            input file's name without its extension.
        heartbeat_ttl: seconds after which a silent worker's claimed rows are reclaimed
            (PostgreSQL journals).

    Examples:
        >>> BulkOptions(concurrency=16, rate=50).rate
        50.0
    """

    concurrency: int = field(default=8, validator=_at_least_one)
    rate: float | None = field(default=None, converter=_optional_float, validator=_positive)
    strict: bool = False
    skip_balance_check: bool = False
    wait: bool = False
    wait_timeout: float = field(default=600.0, validator=_positive)
    derive_order_ids: str | None = field(default=None)
    batch_id: str | None = None
    heartbeat_ttl: float = field(default=15.0, validator=_positive)

    def __attrs_post_init__(self) -> None:
        if self.derive_order_ids not in (None, "row", "content"):
            raise AllianceValidationError(
                "derive_order_ids",
                f"must be None, 'row' or 'content', not {self.derive_order_ids!r}",
            )
