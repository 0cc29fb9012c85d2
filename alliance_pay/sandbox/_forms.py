"""Request bodies as a Laravel server reads them: JSON, urlencoded or multipart form.

The documentation's cURL sample for payin status sends ``--form 'order_id="..."'`` (multipart),
while the SDK sends JSON; a Laravel server reads either (and urlencoded) into the same input. So
does the sandbox, for that endpoint. The signature is always checked over the exact bytes
received, whatever their type. Standard library only: no ``python-multipart`` needed.
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from alliance_pay.sandbox._wire import parse_json_object

__all__ = ["body_kind", "parse_body"]


def body_kind(content_type: str | None) -> str:
    """``"multipart"``, ``"urlencoded"`` or ``"json"`` (the default, with or without a type)."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "multipart/form-data":
        return "multipart"
    if media == "application/x-www-form-urlencoded":
        return "urlencoded"
    return "json"


def _multipart(content_type: str, body: bytes) -> dict[str, Any] | None:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            return None
        try:
            fields[name] = payload.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return fields


def parse_body(content_type: str | None, body: bytes) -> dict[str, Any] | None:
    """The body's fields, or ``None`` when it is not a readable object of its declared type.

    Form values are strings, as a form's always are.

    Examples:
        >>> parse_body("application/x-www-form-urlencoded", b"order_id=PI-1")
        {'order_id': 'PI-1'}
        >>> parse_body(None, b'{"order_id": "PI-1"}')
        {'order_id': 'PI-1'}
    """
    kind = body_kind(content_type)
    if kind == "urlencoded":
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            return None
    if kind == "multipart":
        return _multipart(content_type or "", body)
    return parse_json_object(body)
