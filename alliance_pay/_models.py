"""The API's records as frozen attrs classes. No wire rules here: those (money as ``Decimal``,
timestamps, renames, unknown enum values) live in ``_converter.py``; ``to_dict``/``to_json`` come
from the shared [`Model`][alliance_pay._model_base.Model] base.

Personal data (account and mobile numbers, emails, names, addresses, UPI ids) is masked in every
``repr`` exactly as the log lines mask it; the attribute keeps the full value."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from attrs import field, frozen

from ._model_base import Model, masked

__all__ = [
    "Balance",
    "PaymentMethod",
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

    # The member's text, which is its value (a pseudo-member's too): str's own slot, so
    # ``str(member)``, as every request body writes a rail, calls no Python code.
    __str__ = str.__str__


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


class PaymentMethod(_OpenStrEnum):
    """A payment rail. Payouts name one in ``payment_method``, payins in ``method``.

    The members are the rails known for Indian bank transfers (``IMPS``, ``NEFT``, ``RTGS``) and
    ``UPI``, the one the documentation names for payin links. The enum is open: a rail the API
    adds tomorrow parses as an ``UNKNOWN`` pseudo-member keeping its value, and every endpoint
    method takes a plain string too, so nothing waits for a new SDK release.

    Examples:
        >>> from alliance_pay import PaymentMethod
        >>> PaymentMethod("NEFT") is PaymentMethod.NEFT
        True
        >>> PaymentMethod("IMPS") == "IMPS"
        True
        >>> PaymentMethod("CARD").name  # a rail this SDK does not know yet
        'UNKNOWN'
    """

    IMPS = "IMPS"
    NEFT = "NEFT"
    RTGS = "RTGS"
    UPI = "UPI"


@frozen(kw_only=True)
class Balance(Model):
    """The merchant wallet's balance.

    Attributes:
        balance: the available balance in INR.
    """

    balance: Decimal


@frozen(kw_only=True)
class PayinLink(Model):
    """A created payin link: send the customer to ``pay_url``.

    The fields are those of the documented answer ("Payin Link" in the provider's older
    export). It has no status: follow the payin with ``payins.retrieve(order_id)`` or webhooks.

    Attributes:
        pay_url: the payment page; send the customer there.
        order_id: the merchant's order id.
        user_id: the merchant's id for the paying customer.
        amount: the amount asked for, in INR.
        method: the payment rail, ``UPI``.
        redirect_url: where the customer returns after paying.
        created_at: when the link was created (UTC).
        updated_at: when it last changed (UTC).
    """

    pay_url: str
    order_id: str | None = None
    user_id: str | None = None
    amount: Decimal | None = None
    method: PaymentMethod | None = None
    redirect_url: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@frozen(kw_only=True)
class Payin(Model):
    """A payin (money collected from a customer) as the status call and webhooks report it.

    Attributes:
        order_id: the merchant's unique order id.
        status: ``Pending``, ``Initiated``, ``Approved`` or ``Rejected`` (or a value the SDK does
            not know yet, kept as received).
        amount: the amount received (final), in INR.
        request_amount: the amount requested from the customer.
        transaction_id: the payment's UTR, once there is one.
        method: the payment rail, ``UPI``.
        comments: the API's note on the payin (``Auto Approved``).
        time_of_processing: when it was processed, in India Standard Time.
        created_at: when the payin was created (UTC).
        updated_at: when it last changed (UTC).
        bank_upi: the UPI id the payment went to; ``repr`` redacts it.
        bank_name: the name of the receiving account, when the API sends one.
    """

    order_id: str
    status: PayinStatus
    user_id: str | None = None
    transaction_id: str | None = None
    amount: Decimal | None = None
    request_amount: Decimal | None = None
    method: PaymentMethod | None = None
    comments: str | None = None
    time_of_processing: dt.datetime | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    bank_upi: str | None = field(default=None, repr=masked("bank_upi"))
    bank_name: str | None = None


@frozen(kw_only=True)
class Payout(Model):
    """A payout (money sent to a bank account) as the create and status calls report it.

    Attributes:
        order_id: the merchant's unique order id.
        status: ``Pending``, ``Approved`` or ``Rejected`` (or a value the SDK does not know yet).
        amount: the amount transferred, in INR.
        charge: the fee charged for the transfer.
        transaction_id: the transfer's UTR, once there is one.
        user_id: the merchant's user id.
        beneficiary_name: the account holder's name; ``repr`` shows its initial.
        beneficiary_email: the beneficiary's email; ``repr`` shows its first letter and domain.
        beneficiary_mobile_no: the mobile number (a string even when sent as a number);
            ``repr`` shows its last four digits.
        beneficiary_address: the beneficiary's address; ``repr`` redacts it.
        payment_method: the rail (``IMPS``, ``NEFT``, ``RTGS``, or one the SDK does not know).
        beneficiary_acc_no: the account number; ``repr`` shows only its last four digits.
        ifsc: the branch's IFSC code.
        bank_name: the beneficiary's bank.
        vpa: a UPI id, when the payout went by UPI; ``repr`` redacts it.
        remarks: the note sent with the payout.
        message: the API's note on this payout (``Payout has been completed.``).
        created_at: when the payout was created (UTC).
        updated_at: when it last changed (UTC).
    """

    order_id: str
    status: PayoutStatus
    user_id: str | None = None
    transaction_id: str | None = None
    amount: Decimal | None = None
    charge: Decimal | None = None
    beneficiary_name: str | None = field(default=None, repr=masked("beneficiary_name"))
    beneficiary_email: str | None = field(default=None, repr=masked("beneficiary_email"))
    beneficiary_mobile_no: str | None = field(default=None, repr=masked("beneficiary_mobile_no"))
    beneficiary_address: str | None = field(default=None, repr=masked("beneficiary_address"))
    payment_method: PaymentMethod | None = None
    beneficiary_acc_no: str | None = field(default=None, repr=masked("beneficiary_acc_no"))
    ifsc: str | None = None
    bank_name: str | None = None
    vpa: str | None = field(default=None, repr=masked("vpa"))
    remarks: str | None = None
    message: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


# Request bodies. Field order is the wire order of the documentation's examples, which the
# signature vectors were made with.


@frozen(kw_only=True)
class PayinLinkRequest(Model):
    """The body of ``POST api/v1/payin/generate/link``."""

    user_id: str
    order_id: str
    amount: Decimal
    method: str
    redirect_url: str


@frozen(kw_only=True)
class PayinStatusRequest(Model):
    """The body of ``POST api/v1/payin/transactions``."""

    order_id: str


@frozen(kw_only=True)
class PayoutRequest(Model):
    """The body of ``POST api/v1/payout/initiate``."""

    beneficiary_name: str = field(repr=masked("beneficiary_name"))
    beneficiary_email: str = field(repr=masked("beneficiary_email"))
    beneficiary_mobile_no: str = field(repr=masked("beneficiary_mobile_no"))
    beneficiary_address: str = field(repr=masked("beneficiary_address"))
    payment_method: str
    beneficiary_acc_no: str = field(repr=masked("beneficiary_acc_no"))
    bank_name: str
    ifsc: str
    amount: Decimal
    order_id: str
    user_id: str
    remarks: str | None = None
