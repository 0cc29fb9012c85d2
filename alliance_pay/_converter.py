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
import re
import sys
import threading
import types
import typing
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from ._models import Payin, _OpenStrEnum

if TYPE_CHECKING:
    import cattrs

T = TypeVar("T")

__all__ = [
    "IST",
    "converter",
    "make_converter",
    "plain_fields",
    "structure_problems",
    "to_decimal",
    "to_money",
]

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
#: An amount as the API writes it: up to 12 integer digits and 2 decimals, nothing else.
_MAX_PLAIN_INT = 10**12
_PLAIN_AMOUNT = re.compile(r"(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,2})?").fullmatch


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
    # The common cases, digits with at most two decimals: nothing to bound or round.
    if type(value) is int:
        if 0 <= value < _MAX_PLAIN_INT:
            return Decimal(value)
    elif type(value) is float:
        text = repr(value)
        if _PLAIN_AMOUNT(text):
            return Decimal(text)
    elif type(value) is str and len(value) <= _MAX_TEXT and _PLAIN_AMOUNT(value):
        return Decimal(value)
    elif (
        type(value) is Decimal  # a JSON number with a fraction, as the SDK's decoder reads it
        and value.is_finite()
        and 0 <= value < _MAX_PLAIN_INT
        and value.as_tuple().exponent >= -2  # type: ignore[operator]  # an int when finite
    ):
        return value
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
    # A known value is a dictionary look-up; Enum's own call is several times slower.
    member = type_._value2member_map_.get(value)
    return member if member is not None else type_(value)  # type: ignore[return-value]


def _to_utc_datetime(value: object, _: object = None) -> dt.datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO-8601 timestamp string, not {type(value).__name__}")
    if _FROMISOFORMAT_READS_Z and value[-1:] == "Z" and value[:1].isdigit():
        # What the API sends; 3.11+ reads the ``Z`` itself, to the same aware datetime.
        return dt.datetime.fromisoformat(value)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    # A timestamp without an offset is taken as UTC, which is what this API sends.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.timezone.utc)


_FROMISOFORMAT_READS_Z = sys.version_info >= (3, 11)


def _to_ist_datetime(value: object, _: object = None) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected a 'YYYY-MM-DD HH:MM:SS' string, not {type(value).__name__}")
    parsed = dt.datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=IST)


def _optional_hook_factory(kind: Any, conv: cattrs.Converter) -> Any:
    # ``X | None`` with the ``X`` hook looked up once, here: cattrs's own version dispatches on
    # the type on every call of every optional field.
    (inner_type,) = (arg for arg in typing.get_args(kind) if arg is not type(None))
    inner = conv.get_structure_hook(inner_type)

    def structure_optional(value: object, _: object = None) -> Any:
        return None if value is None else inner(value, inner_type)

    return structure_optional


def _is_optional(kind: Any) -> bool:
    args = typing.get_args(kind)
    return typing.get_origin(kind) in _UNION_TYPES and len(args) == 2 and type(None) in args


_UNION_TYPES: tuple[object, ...] = (typing.Union, types.UnionType)


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """Build the converter that turns API JSON into the SDK's models and back.

    ``detailed_validation=False`` makes the hot path's converter: the same hooks, without the
    bookkeeping that names every bad field (the SDK re-reads a record that failed with a detailed
    converter, to say what was wrong).

    Examples:
        >>> from alliance_pay._converter import make_converter
        >>> from alliance_pay import Balance
        >>> make_converter().structure({"balance": "1111.11", "new": 1}, Balance)
        Balance(balance=Decimal('1111.11'))
    """
    import cattrs
    from cattrs.gen import make_dict_structure_fn, override

    conv = cattrs.Converter(forbid_extra_keys=False, detailed_validation=detailed_validation)
    conv.register_structure_hook(Decimal, to_money)
    conv.register_unstructure_hook(Decimal, lambda value: value)
    # Registered by class, not by predicate: cattrs looks class hooks up first and would
    # otherwise read a required ``str`` field with a bare ``str()`` (``null`` -> ``"None"``).
    # The enum hook is the more specific class, so the status enums (``str`` subclasses) get it.
    conv.register_structure_hook(str, _to_text)
    conv.register_structure_hook(_OpenStrEnum, _to_status)
    conv.register_structure_hook(dt.datetime, _to_utc_datetime)
    conv.register_structure_hook_factory(_is_optional, _optional_hook_factory)

    if detailed_validation:
        conv.register_structure_hook(
            Payin,
            make_dict_structure_fn(
                Payin, conv, time_of_processing=override(struct_hook=_to_ist_datetime)
            ),
        )
    else:  # the hot path's: one straight-line function per model, the same hooks
        from ._record_hooks import is_model, record_hook

        conv.register_structure_hook(
            Payin, record_hook(Payin, conv, {"time_of_processing": _to_ist_datetime})
        )
        conv.register_structure_hook_factory(
            is_model, lambda cl: record_hook(cl, conv, text_hook=_to_text)
        )
    return conv


class _Converter:
    """The converter every part of the SDK uses, built on first use.

    Importing cattrs and generating its hooks is most of what ``import alliance_pay`` would
    otherwise cost, so it happens at the first record read or body written. Records are read by
    a converter without detailed validation; one that fails is read again by a detailed one, so
    the error names each bad field exactly as before.
    """

    __slots__ = ("_hooks",)

    def __init__(self) -> None:
        self._hooks: dict[object, Any] = {}

    def structure(self, obj: object, cl: type[T]) -> T:
        hook = self._hooks.get(cl)
        if hook is None:
            hook = self._hooks[cl] = _converters()[0].get_structure_hook(cl)
        try:
            result: T = hook(obj, cl)
        except Exception:  # re-read for the detailed error (or, were it to pass, the same result)
            return _converters()[1].structure(obj, cl)
        return result

    def unstructure(self, obj: object) -> Any:
        return _converters()[0].unstructure(obj)

    def __getattr__(self, name: str) -> Any:
        return getattr(_converters()[1], name)

    def __repr__(self) -> str:
        return "<alliance_pay converter>"


_built: tuple[cattrs.Converter, cattrs.Converter] | None = None
_build_lock = threading.Lock()


def _converters() -> tuple[cattrs.Converter, cattrs.Converter]:
    """The hot path's converter and the detailed one, built once."""
    global _built
    built = _built
    if built is None:
        with _build_lock:
            if _built is None:
                _built = (make_converter(detailed_validation=False), make_converter())
            built = _built
    return built


#: Field types a request body's value is written as it is: the converter would return it as is.
_PLAIN_FIELD_TYPES: frozenset[object] = frozenset(
    {str, Decimal, int, str | None, Decimal | None, type(None)}
)


def plain_fields(cls: type) -> tuple[str, ...] | None:
    """The field names of an attrs class whose fields all unstructure to themselves, else None.

    Examples:
        >>> from alliance_pay._models import PayinStatusRequest
        >>> plain_fields(PayinStatusRequest)
        ('order_id',)
    """
    import attrs

    if not attrs.has(cls):
        return None
    # Resolved here, as cattrs resolves them: the answer is the same before and after cattrs
    # has seen the class (its field types are strings until then).
    fields = attrs.fields(attrs.resolve_types(cls))
    if fields and all(field.type in _PLAIN_FIELD_TYPES for field in fields):
        return tuple(field.name for field in fields)
    return None


def structure_problems(exc: BaseException) -> str | None:
    """What a failed ``converter.structure`` says was wrong, or ``None`` for another error.

    Examples:
        >>> structure_problems(ValueError("is not a number: 'x'"))
        "is not a number: 'x'"
    """
    if isinstance(exc, (ValueError, TypeError, KeyError, ArithmeticError)):
        return str(exc)
    if _built is not None:  # a validation error can only come from a converter already built
        import cattrs

        if isinstance(exc, cattrs.BaseValidationError):
            return "; ".join(cattrs.transform_error(exc, format_exception=_problem))
    return None


def _problem(exc: BaseException, kind: type | None) -> str:
    """One bad field's reason: the SDK's own words (``must not be negative: '-1'``) where a
    hook of the SDK gave them, cattrs's (``required field missing``) otherwise."""
    from cattrs.v import format_exception

    if type(exc) in (ValueError, TypeError) and str(exc):
        return str(exc)
    return format_exception(exc, kind)


#: The converter every part of the SDK uses (built on first use).
converter = _Converter()
