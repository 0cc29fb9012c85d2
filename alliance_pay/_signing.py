"""The Alliance request signature, as pure functions (no httpx, no clock, no I/O).

The provider signs ``METHOD + "\\n" + PATH + "\\n" + BODY + "\\n" + TIMESTAMP + "\\n"`` with
HMAC-SHA256 under the secret key and sends the lowercase hex digest in the ``Signature`` header.
How this project reads each part (see ``docs/auth.md``):

* PATH is the path as it goes on the wire: percent-encoded exactly as sent, without the leading
  ``/`` and without the query string. A base URL's path prefix is part of it.
* BODY is the exact bytes sent. GET signs an empty body line; any other method with no payload
  sends and signs ``{}``.
* TIMESTAMP is milliseconds since the epoch.

Everything here is deterministic, so it is pinned by the known-answer vectors in
``tests/data/signature-vectors.json``.
"""

from __future__ import annotations

import hmac
import json
import json.encoder
import re
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

__all__ = [
    "EMPTY_NON_GET_BODY",
    "canonical_message",
    "compute_signature",
    "dumps_body",
    "encode_path_segment",
    "now_ms",
    "signing_path",
]

#: What a non-GET request without a payload sends, and signs.
EMPTY_NON_GET_BODY = b"{}"


def now_ms() -> int:
    """Milliseconds since the epoch, the unit of the ``Timestamp`` header."""
    return time.time_ns() // 1_000_000


def _as_text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def canonical_message(method: str, path: str, body: str | bytes, timestamp: int | str) -> bytes:
    """Build the exact byte string that is signed.

    Args:
        method: the HTTP method, upper case (``"GET"``, ``"POST"``).
        path: the signing path, see ``signing_path`` (``"api/v1/balance"``).
        body: the body bytes exactly as sent (``b""`` for GET).
        timestamp: milliseconds since the epoch.

    Examples:
        >>> canonical_message("GET", "api/v1/balance", b"", 1726748295000)
        b'GET\\napi/v1/balance\\n\\n1726748295000\\n'
    """
    body_bytes = body if isinstance(body, bytes) else body.encode("utf-8")
    return b"%s\n%s\n%s\n%s\n" % (
        method.upper().encode("ascii"),
        path.encode("utf-8"),
        body_bytes,
        str(timestamp).encode("ascii"),
    )


#: HMAC from OpenSSL's C module, which ``hmac.new`` wraps in a Python class. Not ``hmac.digest``,
#: whose one-shot path (OpenSSL 3's ``HMAC()``) measured 4% of a whole create slower in the
#: benchmarks' request loop, several times its cost alone. Same bytes either way.
_new_hmac: Callable[[bytes, bytes, str], Any]
try:
    from _hashlib import hmac_new as _new_hmac
except ImportError:  # pragma: no cover  (a Python built without OpenSSL, or a future one)
    _new_hmac = hmac.new


def compute_signature(
    secret_key: str | bytes,
    method: str,
    path: str,
    body: str | bytes,
    timestamp: int | str,
) -> str:
    """Compute the ``Signature`` header value for one request.

    Use it to debug a 401 or to sign a request outside httpx;
    [`AllianceAuth`][alliance_pay.AllianceAuth] calls it for every request it sends.

    Args:
        secret_key: the merchant's secret key.
        method: the HTTP method.
        path: the signing path: as sent on the wire, no leading ``/``, no query string.
        body: the body exactly as sent (``""`` for GET, ``"{}"`` for a body-less POST).
        timestamp: the ``Timestamp`` header value, milliseconds since the epoch.

    Returns:
        The lowercase hex HMAC-SHA256 digest.

    Examples:
        >>> compute_signature("s3cr3t", "GET", "api/v1/balance", "", 1726748295000)
        'd835b81dd0f08cb934cebfc6c986ef4fb95e339c6d1dab668ef6f90c4914a8b7'
    """
    key = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    message = canonical_message(method, path, body, timestamp)
    return _new_hmac(key, message, "sha256").hexdigest()  # type: ignore[no-any-return]


def signing_path(raw_path: str | bytes) -> str:
    """Turn a request's raw (percent-encoded) path into the PATH line that is signed.

    The query string and one leading ``/`` are dropped; nothing is decoded or re-encoded.

    Examples:
        >>> signing_path(b"/prefix/api/v1/payout/ORD%2F1/status?x=1")
        'prefix/api/v1/payout/ORD%2F1/status'
    """
    text = _as_text(raw_path)
    path = text.split("?", 1)[0]
    return path[1:] if path.startswith("/") else path


def encode_path_segment(value: str) -> str:
    """Percent-encode a value (an order id) so that it stays one path segment.

    Examples:
        >>> encode_path_segment("ORD/2026/11")
        'ORD%2F2026%2F11'
    """
    # Letters, digits and "_.-~" are what quote() leaves as they are: such a value (most order
    # ids) is its own encoding.
    return value if _UNRESERVED(value) else quote(value, safe="")


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


#: ``json``'s C string encoder (non-ASCII as ``\\uXXXX``), what ``json.dumps`` itself uses.
json_string = json.encoder.encode_basestring_ascii
_other = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def json_value(value: object) -> str:
    # Mirrors json.dumps(separators=(",", ":")) for the value types a request body holds, and
    # writes Decimal money as an exact JSON number (never through a binary float). The types a
    # body is made of are tried first; anything else takes json's own path.
    if isinstance(value, str):
        return json_string(value)
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)  # as json does, for int subclasses (IntEnum) too
    if isinstance(value, Mapping):
        return _object(value)
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        return "[" + ",".join([json_value(item) for item in value]) + "]"
    return _other(value)


def _object(value: Mapping[Any, object]) -> str:
    parts = []
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"JSON object keys must be str, not {type(key).__name__}")
        parts.append(json_string(key) + ":" + json_value(item))
    return "{" + ",".join(parts) + "}"


def decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"cannot send a non-finite amount: {value}")
    # Plain digits, exactly: format() never rounds (normalize() would, to the context's 28
    # digits) and never writes an exponent. Trailing zeros go, as the float samples had none.
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def dumps_body(body: Mapping[str, object]) -> bytes:
    """Serialise a request body the way the documentation's Python sample does.

    Compact separators, non-ASCII escaped as ``\\uXXXX``, keys in the order given, and
    ``Decimal`` written as a plain JSON number (``Decimal("100.50")`` -> ``100.5``).

    Examples:
        >>> from decimal import Decimal
        >>> dumps_body({"order_id": "ünï", "amount": Decimal("100.50"), "remarks": None})
        b'{"order_id":"\\\\u00fcn\\\\u00ef","amount":100.5,"remarks":null}'
    """
    return _object(body).encode("ascii")
