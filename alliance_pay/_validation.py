"""Checks on what a caller passes, run before anything is sent and before any money moves.

Each failure is an [`AllianceValidationError`][alliance_pay.AllianceValidationError] naming the
field and the reason.
"""

from __future__ import annotations

import re
from decimal import Decimal

import httpx

from ._converter import to_decimal
from ._exceptions import AllianceValidationError
from ._models import PayinLinkRequest, PayoutRequest
from ._signing import encode_path_segment

__all__ = [
    "check_amount",
    "check_order_id",
    "order_id_path_segment",
    "payin_link_request",
    "payout_request",
]

_PAISA = Decimal("0.01")
_TOO_LARGE = Decimal("1e11")
_IFSC = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
_MOBILE = re.compile(r"[6-9][0-9]{9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_ACCOUNT = re.compile(r"[A-Za-z0-9]{6,34}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(field: str, value: object, *, required: bool = True) -> str:
    if not isinstance(value, str):
        raise AllianceValidationError(field, f"must be a str, not {type(value).__name__}")
    if required and not value.strip():
        raise AllianceValidationError(field, "must not be empty")
    if _CONTROL.search(value):
        raise AllianceValidationError(field, "must not contain control characters")
    return value


def check_amount(value: object, field: str = "amount") -> Decimal:
    """Return ``value`` as an exact, positive ``Decimal`` with at most two decimal places.

    ``Decimal``, ``int`` and decimal strings are taken as they are. A ``float`` is read through its
    shortest repr (``0.1`` is ``Decimal("0.1")``) and refused if that is not exact to the paisa.

    Examples:
        >>> check_amount("100.50")
        Decimal('100.50')
        >>> check_amount(0.1)
        Decimal('0.1')
    """
    try:
        amount = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise AllianceValidationError(field, str(exc)) from None
    if amount <= 0:
        raise AllianceValidationError(field, f"must be greater than zero, not {amount}")
    if amount >= _TOO_LARGE:
        # Also keeps quantize() below within the decimal context's precision.
        raise AllianceValidationError(field, f"is too large: {amount} (at most 99999999999.99)")
    if amount != amount.quantize(_PAISA, rounding="ROUND_DOWN"):
        raise AllianceValidationError(
            field, f"must have at most two decimal places (whole paise), not {value!r}"
        )
    return amount


def check_order_id(value: object, field: str = "order_id") -> str:
    """Refuse an order id that is empty or holds control characters.

    Examples:
        >>> check_order_id("ORD/2026/11")
        'ORD/2026/11'
    """
    return _text(field, value)


def order_id_path_segment(value: object, field: str = "order_id") -> str:
    """Percent-encode an order id for a URL path, refusing one that could leave its segment.

    ``/``, ``?``, ``#`` and ``%`` are encoded, so the id stays one segment; an id that is or holds
    a dot segment (``.``, ``..``, ``a/../b``) is refused because servers and proxies that decode
    ``%2F`` would resolve it to another endpoint.

    Examples:
        >>> order_id_path_segment("ORD/1")
        'ORD%2F1'
    """
    return encode_path_segment(_path_safe_order_id(value, field))


def _url(field: str, value: object) -> str:
    text = _text(field, value)
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        raise AllianceValidationError(field, f"is not a valid URL: {text!r}") from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise AllianceValidationError(field, "must be an absolute http:// or https:// URL")
    return text


def payin_link_request(
    *, user_id: object, order_id: object, amount: object, redirect_url: object, method: object
) -> PayinLinkRequest:
    """Check the arguments of ``payins.create_link`` and build its body."""
    return PayinLinkRequest(
        user_id=_text("user_id", user_id),
        order_id=check_order_id(order_id),
        amount=check_amount(amount),
        method=_text("method", method),
        redirect_url=_url("redirect_url", redirect_url),
    )


def _mobile(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text("beneficiary_mobile_no", value)
    if not _MOBILE.fullmatch(text):
        raise AllianceValidationError(
            "beneficiary_mobile_no", "must be a 10-digit Indian mobile number (e.g. 7878787878)"
        )
    return text


def payout_request(
    *,
    order_id: object,
    user_id: object,
    amount: object,
    beneficiary_name: object,
    beneficiary_email: object,
    beneficiary_mobile_no: object,
    beneficiary_address: object,
    beneficiary_acc_no: object,
    bank_name: object,
    ifsc: object,
    payment_method: object,
    remarks: object,
) -> PayoutRequest:
    """Check the arguments of ``payouts.create`` and build its body."""
    email = _text("beneficiary_email", beneficiary_email)
    if not _EMAIL.fullmatch(email):
        raise AllianceValidationError("beneficiary_email", f"is not an email address: {email!r}")
    code = _text("ifsc", ifsc)
    if not _IFSC.fullmatch(code):
        raise AllianceValidationError(
            "ifsc", "must be 4 capital letters, a 0, then 6 capital letters or digits (SBIN0060589)"
        )
    account = _text("beneficiary_acc_no", beneficiary_acc_no)
    if not _ACCOUNT.fullmatch(account):
        raise AllianceValidationError(
            "beneficiary_acc_no", "must be 6 to 34 letters or digits, with no spaces"
        )
    if remarks is not None:
        remarks = _text("remarks", remarks, required=False)
    # Checked in the order of the documented body so the first bad field is the one named.
    return PayoutRequest(
        beneficiary_name=_text("beneficiary_name", beneficiary_name),
        beneficiary_email=email,
        beneficiary_mobile_no=_mobile(beneficiary_mobile_no),
        beneficiary_address=_text("beneficiary_address", beneficiary_address),
        payment_method=_text("payment_method", payment_method),
        beneficiary_acc_no=account,
        bank_name=_text("bank_name", bank_name),
        ifsc=code,
        amount=check_amount(amount),
        # It later travels in the status path, so it must be path-safe from the start.
        order_id=_path_safe_order_id(order_id),
        user_id=_text("user_id", user_id),
        remarks=remarks,
    )


def _path_safe_order_id(value: object, field: str = "order_id") -> str:
    order_id = check_order_id(value, field)
    if any(part.strip() in {".", ".."} for part in re.split(r"[/\\]", order_id)):
        raise AllianceValidationError(field, "must not be or contain a '.' or '..' path segment")
    return order_id
