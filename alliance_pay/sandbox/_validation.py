"""Request validation: the rules of ``alliance_pay._rules``, answered as Laravel would.

The sandbox does not keep rules of its own: it runs the one table the SDK runs before sending
(``alliance_pay._rules``, standard library only, so importing it does not import the SDK), and
words each broken rule as a Laravel validation message (``The amount field is required.``).
Each ``validate_*`` function takes a parsed body and returns the cleaned values and a bag of
errors (field -> messages); the bag is empty when the body is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from alliance_pay._rules import check_fields, check_value, to_amount
from alliance_pay.sandbox._wire import Errors

__all__ = [
    "validate_order_lookup",
    "validate_payin_link",
    "validate_payout",
    "validate_payout_lookup",
]

_CENT = Decimal("0.01")


def _errors(endpoint: str, body: Mapping[str, Any]) -> Errors:
    return {
        field: [f"The {field.replace('_', ' ')} field {reason}."]
        for field, reason in check_fields(endpoint, body).items()
    }


def _amount(value: object) -> Decimal | None:
    amount = to_amount(value)
    return None if amount is None else amount.quantize(_CENT)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def validate_payin_link(body: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Check a create-link body: ``user_id, order_id, amount, method ("UPI"), redirect_url``.

    Examples:
        >>> values, errors = validate_payin_link({"order_id": "A1"})
        >>> errors["amount"]
        ['The amount field is required.']
    """
    errors = _errors("payins.create_link", body)
    if errors:
        return {}, errors
    values = {
        "user_id": body["user_id"],
        "order_id": body["order_id"],
        "amount": _amount(body["amount"]),
        "method": body["method"],
        "redirect_url": body["redirect_url"],
    }
    return values, {}


def validate_order_lookup(body: Mapping[str, Any]) -> tuple[str | None, Errors]:
    """Check a payin-status body: ``{"order_id": ...}``.

    Examples:
        >>> validate_order_lookup({"order_id": "PI-1"})
        ('PI-1', {})
    """
    errors = _errors("payins.retrieve", body)
    return (None, errors) if errors else (body["order_id"], {})


def validate_payout_lookup(order_id: str | None) -> Errors:
    """Check the order id a payout-status path carries (``None`` when the segment is empty).

    Examples:
        >>> validate_payout_lookup("..")
        {'order_id': ["The order id field must not be or contain a '.' or '..' path segment."]}
    """
    reason = check_value("payouts.retrieve", "order_id", "" if order_id is None else order_id)
    return {} if reason is None else {"order_id": [f"The order id field {reason}."]}


def validate_payout(body: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Check an initiate-payout body against the documented fields.

    ``beneficiary_mobile_no`` may be a number or a string; the cleaned value holds it as a
    string, and ``raw_mobile`` keeps what was sent so the initiate response can echo it as the
    documentation's sample does.

    Examples:
        >>> values, errors = validate_payout({"ifsc": ""})
        >>> errors["ifsc"]
        ['The ifsc field is required.']
    """
    errors = _errors("payouts.create", body)
    if errors:
        return {}, errors
    values = {
        "beneficiary_name": body["beneficiary_name"],
        "beneficiary_email": body["beneficiary_email"],
        "beneficiary_mobile_no": str(body["beneficiary_mobile_no"]),
        "raw_mobile": body["beneficiary_mobile_no"],
        "beneficiary_address": body["beneficiary_address"],
        "payment_method": body["payment_method"],
        "beneficiary_acc_no": body["beneficiary_acc_no"],
        "bank_name": body["bank_name"],
        "ifsc": body["ifsc"],
        "amount": _amount(body["amount"]),
        "order_id": body["order_id"],
        "user_id": body["user_id"],
        "remarks": _text(body.get("remarks")),
    }
    return values, {}
