"""How the sandbox reads and writes the wire: JSON with exact money, dates, envelopes, raw paths."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from alliance_pay._signing import dumps_body

__all__ = [
    "Errors",
    "failure",
    "is_json_request",
    "ist_time",
    "json_response",
    "parse_json_object",
    "raw_path",
    "raw_segment",
    "read_body",
    "success",
    "utc_iso",
    "validation_failure",
]

#: Laravel's validation bag: field name -> messages.
Errors = dict[str, list[str]]

_IST = timezone(timedelta(hours=5, minutes=30), "IST")


def utc_iso(epoch: float) -> str:
    """``created_at``, ``updated_at``: UTC with microseconds (``2025-08-04T06:16:03.000000Z``)."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ist_time(epoch: float) -> str:
    """``time_of_processing``: naive India Standard Time (``2025-08-04 16:58:30``)."""
    return datetime.fromtimestamp(epoch, _IST).strftime("%Y-%m-%d %H:%M:%S")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json_object(body: bytes) -> dict[str, Any] | None:
    """Parse a request body into a JSON object, or ``None`` when it is not one.

    Numbers with a fraction become ``Decimal`` (never a binary float); an empty body reads as
    ``{}`` so that it fails validation field by field, as Laravel does.
    """
    if not body.strip():
        return {}
    try:
        value = json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


async def read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or ``None`` once it is over ``limit`` bytes (the rest is not read)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        return None
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        parts.append(chunk)
    return b"".join(parts)


def is_json_request(request: Request) -> bool:
    """Whether the request says its body is JSON (a cross-site form cannot say so)."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media_type == "application/json"


def json_response(payload: Mapping[str, object], status_code: int = 200) -> Response:
    """A JSON response whose ``Decimal`` amounts are written as exact JSON numbers."""
    return Response(dumps_body(payload), status_code=status_code, media_type="application/json")


def success(data: Mapping[str, object], message: str, status_code: int = 200) -> Response:
    """The documented envelope around a result."""
    envelope = {"error": "", "data": data, "message": message, "success": True}
    return json_response(envelope, status_code)


def failure(status_code: int, message: str) -> Response:
    """The envelope of a refused request; ``error`` and ``message`` both say why."""
    envelope = {"error": message, "data": None, "message": message, "success": False}
    return json_response(envelope, status_code)


def validation_failure(errors: Errors) -> Response:
    """A Laravel-style 422: every failing field with its messages."""
    first = next(iter(errors.values()))[0]
    envelope = {
        "error": first,
        "message": "The given data was invalid.",
        "errors": errors,
        "data": None,
        "success": False,
    }
    return json_response(envelope, 422)


def raw_path(scope: Scope) -> str:
    """The request path exactly as received, percent-encoding intact, without the query."""
    raw = scope.get("raw_path")
    # raw_path is optional in ASGI; re-encoding the decoded path is the best a server can do.
    text = raw.decode("latin-1") if raw else quote(scope["path"])
    return text.split("?", 1)[0]


def raw_segment(scope: Scope, marker: str, suffix: str = "") -> str | None:
    """Decode the one path segment after ``marker`` (and before ``suffix``), read from the raw path.

    Servers decode ``%2F`` into ``/`` in ``scope["path"]``, which would split an order id
    ``ORD/1`` in two; the raw path keeps it as one segment. ``None`` when the path does not
    have exactly one segment there.

    Example: ``/api/v1/payout/ORD%2F1/status`` with marker ``/api/v1/payout/`` and suffix
    ``/status`` gives ``ORD/1``.
    """
    text = raw_path(scope)
    start = text.rfind(marker)
    if start < 0:
        return None
    rest = text[start + len(marker) :]
    if suffix:
        if not rest.endswith(suffix):
            return None
        rest = rest[: -len(suffix)]
    if not rest or "/" in rest:
        return None
    return unquote(rest)
