"""Reading a response: the envelope (``success``, ``data``), the record in it, and the typed
error a non-2xx status calls for.

Every function here returns its error rather than raising it, so no frame left in a traceback
holds the decoded body (and the account numbers in it) as a local.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from ._api_call import ApiCall
from ._converter import converter, structure_problems
from ._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    DuplicateOrderIdError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    field_errors,
)
from ._hints import wire_path
from ._response import record_response

__all__ = ["invalid_response", "read_result", "sent_path", "status_error"]

T = TypeVar("T")

_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
_MAX_TEXT_IN_ERROR = 2000


def read_result(
    call: ApiCall, response: httpx.Response, cast_to: type[T]
) -> T | APIResponseValidationError:
    body = _decode_json(response)
    if body is _NOT_JSON:
        return invalid_response(call, response, _short_text(response), "the response is not JSON")
    # The decoder makes every JSON object a dict, and only JSON objects.
    if not isinstance(body, dict):
        return invalid_response(call, response, body, "the response is not a JSON object")
    success = body.get("success")
    if success is not True:
        why = (
            f"the API answered success=false: {_server_message(body)}"
            if success is False
            else f"'success' is {_json_kind(success)}, not the boolean true"
        )
        return invalid_response(call, response, body, why)
    data = body.get("data")
    if not isinstance(data, dict):
        return invalid_response(call, response, body, "the response has no 'data' object")
    try:
        result = converter.structure(data, cast_to)
    except Exception as exc:
        problems = structure_problems(exc)
        if problems is None:  # not a bad value: the client reports it as unreadable
            raise
        return invalid_response(
            call, response, body, f"the response data is not a valid {cast_to.__name__}: {problems}"
        )
    if call.order_id is not None:
        got = getattr(result, "order_id", None)
        if got is not None and got != call.order_id:
            return invalid_response(
                call,
                response,
                body,
                f"it is the record of order_id {got!r}, not of {call.order_id!r} as asked",
            )
    record_response(response, body)
    return result


def _json_kind(value: object) -> str:
    if value is None:
        return "missing or null"
    return f"the {type(value).__name__} {value!r}"[:80]


_NOT_JSON: Any = object()


#: One decoder for every response (json.loads would build one, scanner and all, per call).
_JSON = json.JSONDecoder(parse_float=Decimal)


def _decode_json(response: httpx.Response) -> Any:
    content = response.content
    try:
        # What json.loads does with bytes: UTF-8, -16 or -32, told apart by the first bytes.
        return _JSON.decode(content.decode(json.detect_encoding(content), "surrogatepass"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _NOT_JSON


def _short_text(response: httpx.Response) -> str:
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):
        text = response.content.decode("utf-8", "replace")
    return text[:_MAX_TEXT_IN_ERROR]


def _server_message(body: Mapping[str, Any]) -> str:
    for key in ("message", "error"):
        value = body.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return "no message"


def sent_path(call: ApiCall, response: httpx.Response) -> str:
    """The path the response answers, as it went on the wire (base-URL prefix included)."""
    try:
        return wire_path(response.request.url)
    except RuntimeError:  # a Response built without its request (only in tests)
        return "/" + call.path


def invalid_response(
    call: ApiCall, response: httpx.Response, body: object, why: str
) -> APIResponseValidationError:
    path = sent_path(call, response)
    return APIResponseValidationError(
        f"{call.method} {path} returned {response.status_code}, but {why}",
        response=response,
        body=body,
        method=call.method,
        path=path,
    )


def status_error(call: ApiCall, response: httpx.Response) -> APIStatusError:
    """The typed error for a non-2xx response."""
    body = _decode_json(response)
    if body is _NOT_JSON:
        body = _short_text(response)
    message = _server_message(body) if isinstance(body, Mapping) else "no message"
    if message == "no message" and response.is_redirect:
        location = response.headers.get("Location", "?")
        message = f"redirect to {location} not followed: signed calls never follow redirects"
    elif message == "no message":
        message = response.reason_phrase or "HTTP error"
    code = response.status_code
    kind = _STATUS_ERRORS.get(code, InternalServerError if code >= 500 else APIStatusError)
    if kind is UnprocessableEntityError and _says_order_id_taken(body, message):
        kind = DuplicateOrderIdError
    path = sent_path(call, response)
    return kind(message, response=response, body=body, method=call.method, path=path)


_TAKEN_WORDS = ("taken", "already", "duplicate", "exist", "unique", "used")


def _says_order_id_taken(body: object, message: str) -> bool:
    errors = field_errors(body)
    if errors:
        texts = errors.get("order_id", [])
    else:
        # Without per-field errors only the message can say it, and it must name the order.
        texts = [message] if "order" in message.lower() else []
    return any(word in text.lower() for text in texts for word in _TAKEN_WORDS)
