"""A request model's exact JSON body, written by one function generated per model class.

``dumps_body(converter.unstructure(model))`` builds a mapping and then walks it value by value. For
a model of plain fields (text, money, ``None``) the keys and their order are known in advance,
so each class gets a function, generated once at first use, that writes the body in one
expression: the keys as constant text, a ``str`` through json's C string encoder, a
``Decimal`` as its exact digits, anything else (``None``, a subclass) through
``dumps_body``'s own value writer. The bytes are exactly those ``dumps_body`` writes. Any other
model goes through the converter and ``dumps_body``.

Examples:
    >>> from decimal import Decimal
    >>> from alliance_pay._models import PayinLinkRequest
    >>> request_body(PayinLinkRequest(
    ...     user_id="u-1", order_id="L-1", amount=Decimal("100.50"), method="UPI",
    ...     redirect_url="https://shop.in/done",
    ... ))
    b'{"user_id":"u-1","order_id":"L-1","amount":100.5,"method":"UPI","redirect_url":"https://shop.in/done"}'

[`mapping_body`][alliance_pay._body.mapping_body] writes the same bytes straight from the
arguments a model would be built from, when each is already in its field's form, so a call
whose arguments passed their checks need not build the model at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from ._converter import converter, plain_fields
from ._signing import decimal_text, dumps_body, json_string, json_value

__all__ = ["mapping_body", "request_body"]

Encoder = Callable[[Any], bytes]

_ENCODERS: dict[type, Encoder] = {}
_WRITERS: dict[type, Callable[[Mapping[str, object]], bytes | None]] = {}
_LOCK = threading.Lock()
_MISSING: Any = object()


def request_body(payload: object) -> bytes:
    """The exact JSON bytes of a request model: ``dumps_body(converter.unstructure(payload))``,
    written by the class's generated encoder where it has one."""
    encoder = _ENCODERS.get(type(payload))
    if encoder is None:
        encoder = _encoder_for(type(payload))
    return encoder(payload)


def _encoder_for(cls: type) -> Encoder:
    with _LOCK:
        encoder = _ENCODERS.get(cls)
        if encoder is None:
            names = plain_fields(cls)
            encoder = _generic if names is None else _generated(cls, names)
            _ENCODERS[cls] = encoder
    return encoder


def _generic(payload: object) -> bytes:
    return dumps_body(converter.unstructure(payload))


def _generated(cls: type, names: tuple[str, ...]) -> Encoder:
    namespace: dict[str, Any] = {
        "S": json_string,
        "D": decimal_text,
        "V": json_value,
        "Decimal": Decimal,
    }
    namespace["FORMAT"] = _format(names)
    values = "".join(
        f"(S(v) if (v := p.{name}).__class__ is str else D(v) if v.__class__ is Decimal"
        " else V(v)), "
        for name in names
    )
    source = f"def encode_{cls.__name__}(p):\n    return (FORMAT % ({values})).encode('ascii')\n"
    exec(compile(source, f"<alliance_pay body {cls.__name__}>", "exec"), namespace)  # noqa: S102
    encoder: Encoder = namespace[f"encode_{cls.__name__}"]
    return encoder


def _format(names: tuple[str, ...]) -> str:
    # The keys (attribute names, so plain ASCII, never "%") written once, here.
    return "{" + ",".join(f"{json_string(name)}:%s" for name in names) + "}"


def mapping_body(cls: type, values: Mapping[str, object]) -> bytes | None:
    """The body ``request_body`` writes for ``cls(**{name: str(v) ...})``, straight from
    ``values``, or ``None`` when a value is not in a form written here.

    Written here: for a text field a ``str`` (a ``str`` subclass as its ``str()``, which is what
    the SDK's request builders store); for money a ``Decimal`` or an ``int``; ``None`` where the
    field is optional. For anything else (an ``int`` mobile number, a float amount), or a
    class whose fields are not all plain, the answer is ``None``: build the model. The values
    are not checked here; check them first.

    Examples:
        >>> from decimal import Decimal
        >>> from alliance_pay._models import PayinLinkRequest
        >>> mapping_body(PayinLinkRequest, {
        ...     "user_id": "u-1", "order_id": "L-1", "amount": Decimal("100.50"), "method": "UPI",
        ...     "redirect_url": "https://shop.in/done",
        ... })
        b'{"user_id":"u-1","order_id":"L-1","amount":100.5,"method":"UPI","redirect_url":"https://shop.in/done"}'
        >>> mapping_body(PayinLinkRequest, {"user_id": 7}) is None
        True
    """
    writer = _WRITERS.get(cls)
    if writer is None:
        writer = _writer_for(cls)
    return writer(values)


def _writer_for(cls: type) -> Callable[[Mapping[str, object]], bytes | None]:
    with _LOCK:
        writer = _WRITERS.get(cls)
        if writer is None:
            writer = _mapping_writer(cls) or _never
            _WRITERS[cls] = writer
    return writer


def _never(values: Mapping[str, object]) -> None:
    return None


class _NotWritten(Exception):
    """A value not in a form ``mapping_body`` writes: the model is built instead."""


def _other_text(value: object) -> str:
    if isinstance(value, str):  # a str subclass (an enum member): as the model stores it
        return json_string(str(value))
    raise _NotWritten


def _other_money(value: object) -> str:
    if value.__class__ is int:
        return int.__repr__(value)
    raise _NotWritten


#: Each plain field type: how a value of exactly that class is written, the class, and what
#: writes any other value (or refuses it).
_WRITES: dict[object, tuple[str, str, str]] = {
    str: ("S(v)", "str", "T(v)"),
    Decimal: ("D(v)", "Decimal", "N(v)"),
}


def _mapping_writer(cls: type) -> Callable[[Mapping[str, object]], bytes | None] | None:
    import attrs

    names = plain_fields(cls)  # resolves the field types too
    if names is None:
        return None
    values = []
    for field in attrs.fields(cls):
        kind = field.type
        optional = kind in (str | None, Decimal | None)
        if optional:
            kind = str if kind == str | None else Decimal
        if kind not in _WRITES:
            return None
        write, exact, other = _WRITES[kind]
        # A missing value is the sentinel M, which no branch writes.
        fetch = f"(v := g({field.name!r}, M))"
        if optional:
            value = f"'null' if {fetch} is None else {write} if v.__class__ is {exact} else {other}"
        else:
            value = f"{write} if {fetch}.__class__ is {exact} else {other}"
        values.append(f"        {value},")
    source = "\n".join(
        [
            f"def write_{cls.__name__}(m):",
            "    g = m.get",
            "    try:",
            "        return (FORMAT % (",
            *values,
            "        )).encode('ascii')",
            "    except NotWritten:",
            "        return None",
        ]
    )
    namespace: dict[str, Any] = {
        "S": json_string,
        "D": decimal_text,
        "T": _other_text,
        "N": _other_money,
        "NotWritten": _NotWritten,
        "Decimal": Decimal,
        "M": _MISSING,
        "FORMAT": _format(names),
    }
    exec(compile(source + "\n", f"<alliance_pay mapping body {cls.__name__}>", "exec"), namespace)  # noqa: S102
    writer: Callable[[Mapping[str, object]], bytes | None] = namespace[f"write_{cls.__name__}"]
    return writer
