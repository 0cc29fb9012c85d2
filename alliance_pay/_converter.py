"""The one cattrs converter, and every wire rule it knows.

* Money (``amount``, ``request_amount``, ``charge``, ``balance``) is ``Decimal``. It
  arrives as a string (``"1111.11"``) or a JSON number (``5.9``); a number is read through its
  shortest repr, so ``5.9`` becomes ``Decimal("5.9")``, never ``5.9000000000000003552...``.
  An amount in a response must be finite, not negative, below a trillion rupees and exact to
  the paisa: ``1e999999``, a 100,000-digit decimal, ``-5`` or ``0.001`` is a bad response.
  Unstructuring keeps ``Decimal``; ``alliance_pay._signing.dumps_body`` writes it as an exact
  JSON number.
* ``created_at``/``updated_at`` are UTC ISO-8601 (``2025-07-29T16:23:48.000000Z``) and become aware
  datetimes; ``time_of_processing`` is a naive India Standard Time wall clock
  (``2025-08-04 16:58:30``) and becomes an aware datetime at UTC+05:30.
* Ids and phone numbers may come as JSON numbers; they become strings.
* A status or payment method the SDK does not know becomes an ``UNKNOWN`` pseudo-member, never
  an error.
* The payin-link answer is the one the provider's older export documents ("Payin Link"):
  ``user_id``, ``order_id``, ``amount``, ``method``, ``redirect_url``, ``created_at``,
  ``updated_at`` and ``pay_url``; it has no status.
* Unknown extra fields are ignored; documented fields may be ``null``.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

import cattrs
from cattrs.gen import make_dict_structure_fn, override

from ._models import Payin, _OpenStrEnum

__all__ = ["IST", "converter", "make_converter", "to_decimal", "to_money"]

#: India Standard Time. A fixed offset is exact: India has no daylight saving time.
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")


def to_decimal(value: object, _: object = None) -> Decimal:
    """Read money exactly: ``Decimal`` from a string, an int, or a float's shortest repr.

    Examples:
        >>> to_decimal(5.9)
        Decimal('5.9')
        >>> to_decimal("1111.11")
        Decimal('1111.11')
    """
    # The messages read after a field name: ``check_amount`` reports them as "amount: <reason>".
    if isinstance(value, bool):
        raise TypeError("must be a number, not a bool")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"must be a finite number, not {value!r}")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        if len(value) > _MAX_TEXT:
            raise ValueError(_too_large(value))
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"is not a number: {value!r}") from None
    else:
        raise TypeError(f"must be a Decimal, int or decimal string, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"must be a finite number, not {value!r}")
    if len(result.as_tuple().digits) > _MAX_DIGITS or result.adjusted() >= _MAX_EXPONENT:
        raise ValueError(_too_large(value))
    return result


#: Under a trillion rupees, at most 30 digits: room for any real amount, none for a bomb.
_MAX_EXPONENT = 12
_MAX_DIGITS = 30
#: Longer text is refused before it is parsed at all.
_MAX_TEXT = 64
_PAISA = Decimal("0.01")


def _too_large(value: object) -> str:
    return f"is too large for an amount in rupees (or has too many digits): {_shown(value)}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"


def to_money(value: object, _: object = None) -> Decimal:
    """Read an amount from a response: as ``to_decimal``, and not negative, exact to the paisa.

    Examples:
        >>> to_money("5.90")
        Decimal('5.90')
        >>> to_money("-1.00")
        Traceback (most recent call last):
        ...
        ValueError: must not be negative: '-1.00'
    """
    result = to_decimal(value)
    if result < 0:
        raise ValueError(f"must not be negative: {_shown(value)}")
    if result != result.quantize(_PAISA):
        raise ValueError(f"is not a whole number of paise: {_shown(value)}")
    return result


def _to_text(value: object, _: object = None) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"expected a string, not {type(value).__name__}")


def _to_status(value: object, type_: type[_OpenStrEnum]) -> _OpenStrEnum:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, not {type(value).__name__}")
    return type_(value)


def _to_utc_datetime(value: object, _: object = None) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO-8601 timestamp string, not {type(value).__name__}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    # A timestamp without an offset is taken as UTC, which is what this API sends.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.timezone.utc)


def _to_ist_datetime(value: object, _: object = None) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected a 'YYYY-MM-DD HH:MM:SS' string, not {type(value).__name__}")
    parsed = dt.datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=IST)


def make_converter() -> cattrs.Converter:
    """Build the converter that turns API JSON into the SDK's models and back.

    Examples:
        >>> from alliance_pay._converter import make_converter
        >>> from alliance_pay import Balance
        >>> make_converter().structure({"balance": "1111.11", "new": 1}, Balance)
        Balance(balance=Decimal('1111.11'))
    """
    conv = cattrs.Converter(forbid_extra_keys=False)
    conv.register_structure_hook(Decimal, to_money)
    conv.register_unstructure_hook(Decimal, lambda value: value)
    # Registered by class, not by predicate: cattrs looks class hooks up first and would
    # otherwise read a required ``str`` field with a bare ``str()`` (``null`` -> ``"None"``).
    # The enum hook is the more specific class, so the status enums (``str`` subclasses) get it.
    conv.register_structure_hook(str, _to_text)
    conv.register_structure_hook(_OpenStrEnum, _to_status)
    conv.register_structure_hook(dt.datetime, _to_utc_datetime)
    # ``X | None`` fields need no hooks of their own: cattrs builds them from the ``X`` hook.

    conv.register_structure_hook(
        Payin,
        make_dict_structure_fn(
            Payin, conv, time_of_processing=override(struct_hook=_to_ist_datetime)
        ),
    )
    return conv


#: The converter every part of the SDK uses.
converter = make_converter()
