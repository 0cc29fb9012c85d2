"""The API's records as frozen attrs classes. No behaviour here: every wire rule (money as
``Decimal``, timestamps, renames, unknown enum values) lives in ``_converter.py``."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from attrs import field, frozen

from ._logging import mask_last_four

__all__ = [
    "Balance",
    "Payin",
    "PayinLink",
    "PayinLinkRequest",
    "PayinStatus",
    "PayinStatusRequest",
    "Payout",
    "PayoutRequest",
    "PayoutStatus",
]


class _OpenStrEnum(str, enum.Enum):
    """A str enum that keeps values it does not know instead of failing.

    The provider may add a status tomorrow; a merchant's code must not crash parsing it. An unknown
    value becomes a pseudo-member whose ``value`` is the raw string and whose ``name`` is
    ``"UNKNOWN"``; it compares equal to that string and to nothing in the enum.
    """

    @classmethod
    def _missing_(cls, value: object) -> _OpenStrEnum | None:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = "UNKNOWN"
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str(self.value)


class PayinStatus(_OpenStrEnum):
    """Where a payin stands. ``INITIATED`` appears in the ``payin.initiated`` webhook.

    Examples:
        >>> from alliance_pay import PayinStatus
        >>> PayinStatus("Approved") is PayinStatus.APPROVED
        True
        >>> PayinStatus("Refunded").name  # a value this SDK does not know yet
        'UNKNOWN'
    """

    PENDING = "Pending"
    INITIATED = "Initiated"
    APPROVED = "Approved"
    REJECTED = "Rejected"


class PayoutStatus(_OpenStrEnum):
    """Where a payout stands. ``APPROVED`` and ``REJECTED`` are final.

    Examples:
        >>> from alliance_pay import PayoutStatus
        >>> PayoutStatus("Pending") is PayoutStatus.PENDING
        True
    """

    PENDING = "Pending"
    APPROVED = "Approved"
    REJECTED = "Rejected"


def _mask_account(value: str | None) -> str:
    # Account numbers are PII: a logged record shows only the last four digits.
    return "None" if value is None else repr(mask_last_four(value))


@frozen(kw_only=True)
class Balance:
    """The merchant wallet's balance.

    Attributes:
        balance: the available balance in INR.
    """

    balance: Decimal


@frozen(kw_only=True)
class PayinLink:
    """A created payin link: send the customer to ``pay_url``.

    Attributes:
        pay_url: where the customer pays.
        order_id: the merchant's order id, when the API echoes it.
    """

    pay_url: str
    order_id: str | None = None
    user_id: str | None = None
    amount: Decimal | None = None
    status: PayinStatus | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@frozen(kw_only=True)
class Payin:
    """A payin (money collected from a customer) as the status call and webhooks report it.

    Attributes:
        order_id: the merchant's unique order id.
        status: ``Pending``, ``Initiated``, ``Approved`` or ``Rejected`` (or a value the SDK does
            not know yet, kept as received).
        amount: the amount received (final), in INR.
        request_amount: the amount requested from the customer.
        transaction_id: the payment's UTR, once there is one.
        time_of_processing: when it was processed, in India Standard Time.
    """

    order_id: str
    status: PayinStatus
    user_id: str | None = None
    transaction_id: str | None = None
    amount: Decimal | None = None
    request_amount: Decimal | None = None
    method: str | None = None
    comments: str | None = None
    time_of_processing: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    bank_upi: str | None = None
    bank_name: str | None = None


@frozen(kw_only=True)
class Payout:
    """A payout (money sent to a bank account) as the create and status calls report it.

    Attributes:
        order_id: the merchant's unique order id.
        status: ``Pending``, ``Approved`` or ``Rejected`` (or a value the SDK does not know yet).
        amount: the amount transferred, in INR.
        charge: the fee charged for the transfer.
        transaction_id: the transfer's UTR, once there is one.
        beneficiary_acc_no: the account number; ``repr`` shows only its last four digits.
    """

    order_id: str
    status: PayoutStatus
    user_id: str | None = None
    transaction_id: str | None = None
    amount: Decimal | None = None
    charge: Decimal | None = None
    beneficiary_name: str | None = None
    beneficiary_email: str | None = None
    beneficiary_mobile_no: str | None = None
    beneficiary_address: str | None = None
    payment_method: str | None = None
    beneficiary_acc_no: str | None = field(default=None, repr=_mask_account)
    ifsc: str | None = None
    bank_name: str | None = None
    vpa: str | None = None
    remarks: str | None = None
    message: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


# Request bodies. Field order is the wire order of the documentation's examples, which the
# signature vectors were made with.


@frozen(kw_only=True)
class PayinLinkRequest:
    """The body of ``POST api/v1/payin/generate/link``."""

    user_id: str
    order_id: str
    amount: Decimal
    method: str
    redirect_url: str


@frozen(kw_only=True)
class PayinStatusRequest:
    """The body of ``POST api/v1/payin/transactions``."""

    order_id: str


@frozen(kw_only=True)
class PayoutRequest:
    """The body of ``POST api/v1/payout/initiate``."""

    beneficiary_name: str
    beneficiary_email: str
    beneficiary_mobile_no: str
    beneficiary_address: str
    payment_method: str
    beneficiary_acc_no: str = field(repr=_mask_account)
    bank_name: str
    ifsc: str
    amount: Decimal
    order_id: str
    user_id: str
    remarks: str | None = None
