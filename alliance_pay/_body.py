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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ._converter import converter, plain_fields
from ._signing import decimal_text, dumps_body, json_string, json_value

__all__ = ["request_body"]

Encoder = Callable[[Any], bytes]

_ENCODERS: dict[type, Encoder] = {}
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
    parts = []
    for index, name in enumerate(names):
        # The key (an attribute name, so plain ASCII) written once, here, with its separator.
        key = ("{" if index == 0 else ",") + json_string(name) + ":"
        value = (
            f"(S(v) if (v := p.{name}).__class__ is str"
            " else D(v) if v.__class__ is Decimal else V(v))"
        )
        parts.append(f"{key!r} + {value}")
    body = " + ".join(parts) if parts else "'{'"
    source = f"def encode_{cls.__name__}(p):\n    return ({body} + '}}').encode('ascii')\n"
    exec(compile(source, f"<alliance_pay body {cls.__name__}>", "exec"), namespace)  # noqa: S102
    encoder: Encoder = namespace[f"encode_{cls.__name__}"]
    return encoder
