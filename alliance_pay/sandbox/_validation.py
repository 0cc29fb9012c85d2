"""Request validation with Laravel's rules and messages: pure functions, no HTTP.

Each ``validate_*`` function takes a parsed JSON body and returns the cleaned values and a
bag of errors (field -> messages). The bag is empty when the body is valid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from alliance_pay.sandbox._wire import Errors

__all__ = [
    "MAX_AMOUNT",
    "PAYOUT_METHODS",
    "validate_order_lookup",
    "validate_payin_link",
    "validate_payout",
]

#: The largest amount the sandbox accepts in one request (one crore rupees).
MAX_AMOUNT = Decimal("10000000.00")
#: The payout methods the sandbox accepts; the documentation shows IMPS.
PAYOUT_METHODS = ("IMPS", "NEFT", "RTGS")

_IFSC = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
_MOBILE = re.compile(r"[0-9]{10}")
_ACCOUNT = re.compile(r"[0-9]{9,18}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CENT = Decimal("0.01")


def _label(field: str) -> str:
    return field.replace("_", " ")


class _Checker:
    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body = body
        self.errors: Errors = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def present(self, field: str, *, required: bool = True) -> Any:
        value = self.body.get(field)
        # Laravel trims strings and turns "" into null before "required" looks at them.
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(field, f"The {_label(field)} field is required.")
            return None
        return value

    def string(self, field: str, *, required: bool = True, max_length: int = 255) -> str | None:
        value = self.present(field, required=required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(field, f"The {_label(field)} field must be a string.")
            return None
        if len(value) > max_length:
            self.fail(
                field,
                f"The {_label(field)} field must not be greater than {max_length} characters.",
            )
            return None
        return value

    def order_id(self) -> str | None:
        value = self.string("order_id", max_length=100)
        if value is not None and _CONTROL.search(value):
            self.fail("order_id", "The order id field format is invalid.")
            return None
        return value

    def pattern(self, field: str, pattern: re.Pattern[str], message: str) -> str | None:
        value = self.present(field)
        if value is None:
            return None
        # A number is accepted where digits are expected: the documentation's own samples
        # send the mobile number both as 7878787878 and as "7878787878".
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.fail(field, message)
            return None
        return value

    def choice(self, field: str, choices: tuple[str, ...]) -> str | None:
        value = self.present(field)
        if value is None:
            return None
        if value not in choices:
            self.fail(field, f"The selected {_label(field)} is invalid.")
            return None
        return str(value)

    def amount(self, field: str = "amount") -> Decimal | None:
        value = self.present(field)
        if value is None:
            return None
        amount = _as_decimal(value)
        label = _label(field)
        if amount is None:
            self.fail(field, f"The {label} field must be a number.")
        elif amount <= 0:
            self.fail(field, f"The {label} field must be greater than 0.")
        elif amount > MAX_AMOUNT:
            self.fail(field, f"The {label} field must not be greater than {MAX_AMOUNT}.")
        elif amount != amount.quantize(_CENT):
            self.fail(field, f"The {label} field must have 0-2 decimal places.")
        else:
            return amount.quantize(_CENT)
        return None

    def url(self, field: str) -> str | None:
        value = self.string(field, max_length=2048)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or _CONTROL.search(value):
            self.fail(field, f"The {_label(field)} field must be a valid URL.")
            return None
        return value


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return amount if amount.is_finite() else None


def validate_payin_link(body: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Check a create-link body: ``user_id, order_id, amount, method ("UPI"), redirect_url``.

    Examples:
        >>> values, errors = validate_payin_link({"order_id": "A1"})
        >>> errors["amount"]
        ['The amount field is required.']
    """
    check = _Checker(body)
    values = {
        "user_id": check.string("user_id"),
        "order_id": check.order_id(),
        "amount": check.amount(),
        "method": check.choice("method", ("UPI",)),
        "redirect_url": check.url("redirect_url"),
    }
    return values, check.errors


def validate_order_lookup(body: Mapping[str, Any]) -> tuple[str | None, Errors]:
    """Check a payin-status body: ``{"order_id": ...}``."""
    check = _Checker(body)
    order_id = check.string("order_id")
    return order_id, check.errors


def validate_payout(body: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """Check an initiate-payout body against the documented fields.

    ``beneficiary_mobile_no`` and ``beneficiary_acc_no`` may be numbers or strings; the
    cleaned values hold them as digit strings, and ``raw_mobile`` keeps what was sent so the
    initiate response can echo it as the documentation's sample does.

    Examples:
        >>> values, errors = validate_payout({"ifsc": "sbin0060589"})
        >>> errors["ifsc"]
        ['The ifsc field format is invalid.']
    """
    check = _Checker(body)
    values = {
        "beneficiary_name": check.string("beneficiary_name"),
        "beneficiary_email": check.pattern(
            "beneficiary_email",
            _EMAIL,
            "The beneficiary email field must be a valid email address.",
        ),
        "beneficiary_mobile_no": check.pattern(
            "beneficiary_mobile_no", _MOBILE, "The beneficiary mobile no field must be 10 digits."
        ),
        "raw_mobile": body.get("beneficiary_mobile_no"),
        "beneficiary_address": check.string("beneficiary_address"),
        "payment_method": check.choice("payment_method", PAYOUT_METHODS),
        "beneficiary_acc_no": check.pattern(
            "beneficiary_acc_no",
            _ACCOUNT,
            "The beneficiary acc no field must be between 9 and 18 digits.",
        ),
        "bank_name": check.string("bank_name"),
        "ifsc": check.pattern("ifsc", _IFSC, "The ifsc field format is invalid."),
        "amount": check.amount(),
        "order_id": check.order_id(),
        "user_id": check.string("user_id"),
        "remarks": check.string("remarks", required=False),
    }
    return values, check.errors
