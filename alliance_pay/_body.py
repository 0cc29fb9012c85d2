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

[`checked_body`][alliance_pay._body.checked_body] writes the same bytes straight from the
arguments a model would be built from, testing each against its endpoint's rules as it goes,
when each passes its quick test and is already in its field's form: a call whose arguments
are good then neither checks them a second time nor builds the model.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, NoReturn

from ._converter import converter, plain_fields
from ._rules import QUICK_NAMES, quick_terms_for
from ._signing import decimal_text, dumps_body, json_string, json_value

__all__ = ["checked_body", "request_body"]

Encoder = Callable[[Any], bytes]

_ENCODERS: dict[type, Encoder] = {}
_WRITERS: dict[tuple[str, type], Callable[[Mapping[str, object]], bytes | None]] = {}
_LOCK = threading.Lock()


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


def checked_body(rules: str, cls: type, values: Mapping[str, object]) -> bytes | None:
    """The body ``request_body`` writes for the ``cls`` the SDK's request builders make from
    ``values``, when the values pass the ``rules`` endpoint's quick test (see
    ``alliance_pay._rules``) and each is in a form written here; else ``None``: check them one
    by one, then build the model.

    Each value is tested and written in the same expression, read once. Written here: for a
    text field a ``str`` (a ``str`` subclass by its characters, which is what the SDK's request
    builders store); for money a ``Decimal`` or an ``int``; ``None`` where the field is
    optional. Anything else (an ``int`` mobile number, a float amount), a class whose fields
    are not all plain, or one with a field the rules do not test gives ``None``.

    Examples:
        >>> from alliance_pay._models import PayinStatusRequest
        >>> checked_body("payins.retrieve", PayinStatusRequest, {"order_id": "PI-1"})
        b'{"order_id":"PI-1"}'
        >>> checked_body("payins.retrieve", PayinStatusRequest, {"order_id": "PI\\n1"}) is None
        True
        >>> checked_body("payins.retrieve", PayinStatusRequest, {"order_id": 7}) is None
        True
    """
    writer = _WRITERS.get((rules, cls))
    if writer is None:
        writer = _writer_for(rules, cls)
    return writer(values)


def _writer_for(rules: str, cls: type) -> Callable[[Mapping[str, object]], bytes | None]:
    with _LOCK:
        writer = _WRITERS.get((rules, cls))
        if writer is None:
            writer = _mapping_writer(rules, cls) or _never
            _WRITERS[(rules, cls)] = writer
    return writer


def _never(values: Mapping[str, object]) -> None:
    return None


class _NotWritten(Exception):
    """A value ``checked_body`` does not write: it is checked one by one, and the model built."""


def _other_text(value: object) -> str:
    if isinstance(value, str):  # a str subclass (an enum member): its characters, as checked
        return json_string(str.__str__(value))
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


def _refused() -> NoReturn:
    raise _NotWritten


def _mapping_writer(rules: str, cls: type) -> Callable[[Mapping[str, object]], bytes | None] | None:
    import attrs

    names = plain_fields(cls)  # resolves the field types too
    guards = quick_terms_for(rules)
    if names is None or guards is None or set(guards) != set(names):
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
        written = f"{write} if v.__class__ is {exact} else {other}"
        if optional:
            written = f"'null' if v is None else {written}"
        # The guard reads the value into v (a missing one is M, which no branch writes), and
        # is true when it passes its field's rules.
        values.append(f"        ({written}) if {guards[field.name]} else R(),")
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
        **QUICK_NAMES,  # the guards' names, Decimal and M (a missing value) among them
        "S": json_string,
        "D": decimal_text,
        "T": _other_text,
        "N": _other_money,
        "R": _refused,
        "NotWritten": _NotWritten,
        "FORMAT": _format(names),
    }
    where = f"<alliance_pay {rules} body {cls.__name__}>"
    exec(compile(source + "\n", where, "exec"), namespace)  # noqa: S102
    writer: Callable[[Mapping[str, object]], bytes | None] = namespace[f"write_{cls.__name__}"]
    return writer
