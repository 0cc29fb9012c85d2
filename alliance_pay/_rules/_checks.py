"""The checks the rules table is made of: pure functions from a JSON-ish value to a reason.

Standard library only, like the table itself (see ``alliance_pay._rules``). Each check returns
``None`` when the value passes, else the reason, worded to follow the field's name
(``amount: must be greater than 0, not 0``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Final
from urllib.parse import urlsplit

__all__ = [
    "AMOUNT_CEILING",
    "MISSING",
    "below_ceiling",
    "http_url",
    "no_control",
    "number",
    "one_path_segment",
    "positive",
    "required",
    "string",
    "string_or_integer",
    "string_or_null",
    "to_amount",
    "upi",
    "whole_paise",
]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: A field that is absent from the body.
MISSING: Final = _Missing()

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SEPARATORS = re.compile(r"[/\\]")
_PAISA_PLACES = 2
#: Amounts must stay below this (one hundred billion rupees).
AMOUNT_CEILING: Final = Decimal("1e11")


def _blank(value: object) -> bool:
    # Laravel trims strings and turns "" into null before "required" looks at them.
    return value is MISSING or value is None or (isinstance(value, str) and not value.strip())


def required(value: object) -> str | None:
    return "is required" if _blank(value) else None


def string(value: object) -> str | None:
    return None if isinstance(value, str) else f"must be a string, not {_kind(value)}"


def string_or_integer(value: object) -> str | None:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return None
    return f"must be a string or an integer, not {_kind(value)}"


def string_or_null(value: object) -> str | None:
    return None if value is None or value is MISSING else string(value)


def no_control(value: object) -> str | None:
    if isinstance(value, str) and _CONTROL.search(value):
        return "must not contain control characters (newline, tab, NUL...)"
    return None


def one_path_segment(value: object) -> str | None:
    # Without a dot there is no dot segment: the common case costs one scan.
    if (
        isinstance(value, str)
        and "." in value
        and any(part.strip() in {".", ".."} for part in _SEPARATORS.split(value))
    ):
        return "must not be or contain a '.' or '..' path segment"
    return None


#: One rule's check: why a value breaks the rule, or ``None``.
Check = Callable[[object], "str | None"]


def fast_accept(checks: tuple[Check, ...]) -> Callable[[object], bool] | None:
    """A quick test that a value passes every one of ``checks``, for the text rules most
    fields have; ``None`` for other combinations. ``False`` proves nothing: the checks then run
    one by one and say which rule failed.
    """
    if not checks or not set(checks) <= _TEXT_CHECKS:
        return None
    control, dots, search = no_control in checks, one_path_segment in checks, _CONTROL.search

    def accept(value: object) -> bool:
        # A non-blank str passes required, string and string_or_integer; the other two are
        # tested here only when the field has them.
        return (
            type(value) is str
            and value.strip() != ""
            and not (control and search(value))
            and not (dots and "." in value)
        )

    return accept


def to_amount(value: object) -> Decimal | None:
    """A JSON-ish value as an exact ``Decimal``, or ``None`` if it is not a finite number.

    A ``float`` (an SDK caller's) is read through its shortest repr, so ``0.1`` is ``0.1``.

    Examples:
        >>> to_amount("100.50"), to_amount(5), to_amount(0.1), to_amount(True)
        (Decimal('100.50'), Decimal('5'), Decimal('0.1'), None)
    """
    # Each amount rule reads the amount: the last value read is kept (by identity, and held so
    # its id cannot be reused), so the rules of one field convert it once, not once each.
    global _last_amount
    last = _last_amount
    if last[0] is value:
        return last[1]
    amount = _read_amount(value)
    _last_amount = (value, amount)
    return amount


_last_amount: tuple[object, Decimal | None] = (MISSING, None)


def _read_amount(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return amount if amount.is_finite() else None


def number(value: object) -> str | None:
    if to_amount(value) is None:
        return f"must be a number (an int, a Decimal or a decimal string), not {_shown(value)}"
    return None


def positive(value: object) -> str | None:
    amount = to_amount(value)
    return f"must be greater than 0, not {amount}" if amount is not None and amount <= 0 else None


def below_ceiling(value: object) -> str | None:
    amount = to_amount(value)
    if amount is not None and amount >= AMOUNT_CEILING:
        return f"must be less than {AMOUNT_CEILING:f} (at most 99999999999.99)"
    return None


def whole_paise(value: object) -> str | None:
    amount = to_amount(value)
    if amount is None:
        return None
    # Exact, whatever the size: strip trailing zeros from the digits, then count the places.
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    places = -exponent
    for digit in reversed(digits):
        if places <= 0 or digit != 0:
            break
        places -= 1
    if places > _PAISA_PLACES:
        return f"must have at most two decimal places (whole paise), not {_shown(value)}"
    return None


def upi(value: object) -> str | None:
    return None if value == "UPI" else f"must be 'UPI', not {_shown(value)}"


def http_url(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or _CONTROL.search(value)
        or any(ch.isspace() for ch in value)
    ):
        return "must be an absolute http:// or https:// URL"
    return None


_TEXT_CHECKS: Final = frozenset({required, string, string_or_integer, no_control, one_path_segment})


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _shown(value: object) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
