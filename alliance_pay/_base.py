"""Sans-I/O core shared by the async and the sync client.

Building requests, reading the envelope, mapping statuses to exceptions and deciding retries all
live here, once. The clients in ``_async`` (and the generated ``_sync``) only send and sleep.
"""

from __future__ import annotations

import copy
import json
import os
import platform
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import httpx

from ._auth import AllianceAuth, GetBody
from ._body import request_body
from ._converter import converter, structure_problems
from ._exceptions import (
    AllianceValidationError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    DuplicateOrderIdError,
    InternalServerError,
    NotFoundError,
    OrderIdConflictError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    field_errors,
)
from ._hints import KeySources, auth_hints, wire_path
from ._httpx2 import (
    AsyncHttpClient,
    HttpClient,
    as_httpx_timeout,
    foreign_request_args,
    timeout_errors,
)
from ._limits import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_RESPONSE_BYTES,
    BodyTooLarge,
    BodyUndecodable,
    DeadlineExceeded,
)
from ._logging import logger, mask_key
from ._request_builder import RequestBuilder
from ._response import record_response
from ._rules import ENDPOINTS
from ._signing import EMPTY_NON_GET_BODY, signing_path
from ._types import NOT_GIVEN, NotGiven, NotGivenOr, TimeoutTypes
from ._version import __version__

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RESOLVE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "ApiCall",
    "BaseClient",
    "accept_record",
    "note_interrupted_create",
    "status_error",
]

T = TypeVar("T")
R = TypeVar("R")
_Client = TypeVar("_Client", bound="BaseClient")

#: 30 s in all per attempt, 5 s of it to connect: long enough for a slow bank, short enough
#: never to hang.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
#: How long a create whose answer was lost keeps looking its order up before it says the
#: outcome is unknown.
DEFAULT_RESOLVE_TIMEOUT = 30.0
_HTTPX_DEFAULT = httpx.Timeout(5.0)

ENV_ACCESS_KEY = "ALLIANCE_ACCESS_KEY"
ENV_SECRET_KEY = "ALLIANCE_SECRET_KEY"  # noqa: S105 (a variable name, not a secret)
ENV_BASE_URL = "ALLIANCE_BASE_URL"

_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
_MAX_TEXT_IN_ERROR = 2000


def _body_repr(body: bytes | None) -> str:
    # The body holds account numbers, names and mobiles: a traceback with locals (Sentry,
    # rich) shows every ApiCall on the stack, so its repr gives only the size.
    return "None" if body is None else f"<{len(body)} bytes>"


@attrs.frozen
class ApiCall:
    """One endpoint call, before it is sent.

    Attributes:
        method: the HTTP method.
        path: the path below the base URL, percent-encoded as it will be sent and signed.
        body: the exact JSON bytes to send, or ``None`` for none; ``repr`` shows only its size.
        idempotent: whether re-sending it can never create anything twice.
        order_id: the order the answer must be about: a record for another order is refused.

    Examples:
        >>> ApiCall("POST", "api/v1/payout/initiate", b'{"beneficiary_acc_no":"123"}')
        ApiCall(method='POST', path='api/v1/payout/initiate', body=<28 bytes>, idempotent=True, order_id=None)
    """  # noqa: E501 (a doctest line)

    method: str
    path: str
    body: bytes | None = attrs.field(default=None, repr=_body_repr)
    idempotent: bool = True
    order_id: str | None = None

    @classmethod
    def json(
        cls,
        method: str,
        path: str,
        payload: object,
        *,
        idempotent: bool,
        order_id: str | None = None,
    ) -> ApiCall:
        body = request_body(payload)
        return cls(method, path, body, idempotent, order_id)


def _setting(name: str, value: str | None, env: str) -> str:
    if value is None:
        value = os.environ.get(env)
        if value is None or not value.strip():
            raise AllianceValidationError(name, f"is missing: pass {name}= or set {env}")
        if value != value.strip():
            # A key file read with $(cat ...) or pasted from an email often keeps its newline,
            # and the signature then fails with an opaque 401. The value itself is never shown.
            where = "ends" if value[-1:].isspace() else "starts"
            what = "a newline" if "\n" in value or "\r" in value else "whitespace"
            raise AllianceValidationError(
                name,
                f"the environment variable {env} {where} with {what} (value not shown); "
                f"set it without surrounding whitespace, e.g. export {env}=\"$(tr -d '[:space:]'"
                ' < key-file)"',
            )
    return value


def normalize_base_url(value: str | httpx.URL) -> httpx.URL:
    """Check a base URL and give it the trailing ``/`` that keeps its path prefix when joined.

    Examples:
        >>> str(normalize_base_url("https://api.example.in/alliance"))
        'https://api.example.in/alliance/'
    """
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise AllianceValidationError("base_url", f"is not a valid URL: {exc}") from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise AllianceValidationError("base_url", "must be an absolute http:// or https:// URL")
    if url.query or url.fragment:
        raise AllianceValidationError("base_url", "must not have a query string or a fragment")
    raw_path = url.raw_path.split(b"?", 1)[0]
    if not raw_path.endswith(b"/"):
        raw_path += b"/"
    # Rebuilt even when the path ends in "/": "https://host" reports the path "/" but prints
    # none, and requests are built from the printed form.
    return url.copy_with(raw_path=raw_path)


def check_timeout(value: object) -> httpx.Timeout:
    value = as_httpx_timeout(value)
    if isinstance(value, httpx.Timeout):
        if None in (value.connect, value.read, value.write):
            raise AllianceValidationError(
                "timeout",
                "must limit connect, read and write (a payments call must not wait "
                "forever); only pool may be None",
            )
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return httpx.Timeout(
            float(value), connect=min(float(value), DEFAULT_TIMEOUT.connect or 5.0)
        )
    raise AllianceValidationError(
        "timeout",
        "must be a positive number of seconds or an httpx.Timeout (never None: a "
        "payments call must not wait forever)",
    )


def attempt_seconds(timeout: httpx.Timeout) -> float:
    """The total wall-clock time one attempt may take: its largest piece.

    ``timeout=2`` is 2 s for the whole attempt, from connecting to the last byte of the body.
    With an ``httpx.Timeout`` each piece bounds its own step and the largest bounds the whole.

    Examples:
        >>> attempt_seconds(httpx.Timeout(30.0, connect=5.0))
        30.0
    """
    pieces = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    return max(piece for piece in pieces if piece is not None)


def check_max_response_bytes(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1024:
        return value
    raise AllianceValidationError(
        "max_response_bytes", "must be an int of at least 1024 (bytes of decoded body)"
    )


def check_resolve_timeout(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 3600:
        return float(value)
    raise AllianceValidationError(
        "resolve_timeout", "must be a positive number of seconds, under an hour"
    )


def check_max_retries(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10:
        return value
    raise AllianceValidationError("max_retries", "must be an int from 0 to 10")


def check_headers(name: str, headers: Mapping[str, str]) -> dict[str, str]:
    """Refuse extra headers that would clash with the signature the auth adds."""
    for header in headers:
        if header.lower() in {"access-key", "signature", "timestamp"}:
            raise AllianceValidationError(name, f"must not set {header}: it is signed")
    return dict(headers)


def user_agent() -> str:
    return (
        f"alliance-pay-python/{__version__} httpx/{httpx.__version__} "
        f"python/{platform.python_version()}"
    )


class BaseClient:
    """What the async and the sync client share: settings, request building, response reading."""

    _auth: AllianceAuth
    _base_url: httpx.URL
    _timeout: httpx.Timeout
    _attempt_seconds: float
    _max_retries: int
    _max_response_bytes: int
    _resolve_timeout: float
    _headers: dict[str, str]
    _request_builder: RequestBuilder
    _timeout_extension: dict[str, float | None]
    _base_url_text: str
    _signing_prefix: str

    def _configure(
        self,
        *,
        access_key: str | None,
        secret_key: str | None,
        base_url: str | httpx.URL | None,
        timeout: NotGivenOr[TimeoutTypes],
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        http_client_timeout: httpx.Timeout | None,
        get_body: GetBody | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        resolve_timeout: float = DEFAULT_RESOLVE_TIMEOUT,
    ) -> None:
        self._auth = AllianceAuth(
            _setting("access_key", access_key, ENV_ACCESS_KEY),
            _setting("secret_key", secret_key, ENV_SECRET_KEY),
            get_body=get_body,
        )
        self._key_sources = KeySources(
            ENV_ACCESS_KEY if access_key is None else None,
            ENV_SECRET_KEY if secret_key is None else None,
        )
        self._base_url = normalize_base_url(
            base_url if base_url is not None else _setting("base_url", None, ENV_BASE_URL)
        )
        self._base_url_text = str(self._base_url)
        self._signing_prefix = signing_path(self._base_url.raw_path)
        if timeout is NOT_GIVEN:
            # A client of yours with httpx's own default (5 s) gets ours; one you set is kept.
            if http_client_timeout is not None and http_client_timeout != _HTTPX_DEFAULT:
                timeout = http_client_timeout
            else:
                timeout = DEFAULT_TIMEOUT
        self._set_timeout(timeout)
        self._max_retries = check_max_retries(max_retries)
        self._max_response_bytes = check_max_response_bytes(max_response_bytes)
        self._resolve_timeout = check_resolve_timeout(resolve_timeout)
        headers = {
            "User-Agent": user_agent(),
            "Accept": "application/json",
            # Only what the SDK decodes within max_response_bytes (see _limits).
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        headers.update(check_headers("default_headers", default_headers or {}))
        self._headers = headers
        self._request_builder = RequestBuilder(headers)

    def _set_timeout(self, timeout: object) -> None:
        self._timeout = check_timeout(timeout)
        self._timeout_extension = self._timeout.as_dict()
        self._attempt_seconds = attempt_seconds(self._timeout)

    @property
    def base_url(self) -> httpx.URL:
        """The base URL every path is joined to (always ending in ``/``)."""
        return self._base_url

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeouts of every attempt; the largest is the attempt's total deadline."""
        return self._timeout

    @property
    def max_response_bytes(self) -> int:
        """The most bytes of decoded body read from one response."""
        return self._max_response_bytes

    @property
    def resolve_timeout(self) -> float:
        """How long a create that went unanswered keeps looking its order up."""
        return self._resolve_timeout

    @property
    def max_retries(self) -> int:
        """How many times a failed call is retried."""
        return self._max_retries

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={str(self._base_url)!r}, auth={self._auth!r})"

    def _with_call_options(
        self: _Client,
        *,
        timeout: NotGivenOr[TimeoutTypes] = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
    ) -> _Client:
        """This client, or a copy sharing its connections, with one call's own options."""
        if timeout is NOT_GIVEN and max_retries is NOT_GIVEN and not extra_headers:
            return self
        clone = copy.copy(self)
        if not isinstance(timeout, NotGiven):
            clone._set_timeout(timeout)
        if not isinstance(max_retries, NotGiven):
            clone._max_retries = check_max_retries(max_retries)
        if extra_headers:
            clone._headers = {**self._headers, **check_headers("extra_headers", extra_headers)}
            clone._request_builder = RequestBuilder(clone._headers)
        return clone

    def _refusing(self, operation: str) -> _Refusing:
        """Let an argument refused inside name the request that was therefore not sent."""
        return _Refusing(self._base_url, operation)

    def _url(self, path: str) -> str:
        # One URL build per call: httpx parses this string once, in build_request. The path is
        # already percent-encoded and httpx keeps existing escapes, so an order id is sent
        # exactly as signed.
        return self._base_url_text + path

    def _build_request(self, http_client: HttpClient | AsyncHttpClient, call: ApiCall) -> Any:
        """The request for one attempt, signed: every attempt gets a fresh timestamp."""
        body = call.body
        if body is None and call.method != "GET":
            body = EMPTY_NON_GET_BODY  # what AllianceAuth sends, and signs, for no payload
        # Signed as AllianceAuth signs (the same method), on the path as it is sent: the base
        # URL's raw path and the call's encoded path, which httpx keeps byte for byte.
        headers = self._auth._signed_headers(
            call.method, self._signing_prefix + call.path, body or b""
        )
        if body is not None:
            headers["Content-Type"] = "application/json"
        url = self._url(call.path)
        request = self._request_builder.build(
            http_client, call.method, url, body, headers, self._timeout_extension
        )
        if request is not None:
            return request
        foreign_url, timeout = foreign_request_args(http_client, url, self._timeout)
        return http_client.build_request(
            call.method,
            foreign_url,
            content=body,
            headers={**self._headers, **headers},
            timeout=timeout,
        )

    def _transport_error(self, call: ApiCall, exc: BaseException) -> APIConnectionError:
        """The typed error for an attempt that got no usable answer.

        ``exc`` is kept as the cause: whether a create may have been processed depends on it
        (see ``_retries.is_ambiguous``). Anything that is not an httpx transport error, say a
        ``RuntimeError`` from inside a connection pool, is an ``APIConnectionError`` too: a
        create must never end in an untyped error after its request may have been written.
        """
        if isinstance(exc, (*timeout_errors(), TimeoutError, DeadlineExceeded)):
            kind: type[APIConnectionError] = APITimeoutError
            what = "timed out"
            if isinstance(exc, (TimeoutError, DeadlineExceeded)):
                what = f"took longer than its {self._attempt_seconds:g} s deadline"
        else:
            kind, what = APIConnectionError, "failed"
        path = wire_path(httpx.URL(self._url(call.path)))
        error = kind(
            f"{call.method} {path} {what}: {type(exc).__name__}: {exc}",
            method=call.method,
            path=path,
        )
        error.__cause__ = exc
        return error

    def _body_error(
        self, call: ApiCall, response: httpx.Response, exc: BodyTooLarge | BodyUndecodable
    ) -> APIError:
        """The typed error for a body too large to read, or one that does not decode."""
        if isinstance(exc, BodyUndecodable):
            path = _sent_path(call, response)
            # No cause attached: not a connect failure, so a create stays in doubt.
            return APIConnectionError(
                f"{call.method} {path} returned {response.status_code} with a body that "
                f"cannot be read: {exc}",
                method=call.method,
                path=path,
            )
        response._content = exc.prefix  # what error.response.text shows
        return _invalid(
            call,
            response,
            None,
            f"its body is over max_response_bytes={self._max_response_bytes} once decoded; "
            "it was not read (raise max_response_bytes if this API really sends that much)",
        )

    def _unreadable(self, call: ApiCall, response: httpx.Response, exc: Exception) -> APIError:
        """A response the SDK failed to read for a reason it did not foresee: still typed (and
        ambiguous for a create, which then looks its order up)."""
        error = _invalid(
            call, response, None, f"reading it failed: {type(exc).__name__}: {exc}"[:500]
        )
        error.__cause__ = exc
        return error

    def _parse(self, call: ApiCall, response: httpx.Response, cast_to: type[T]) -> T:
        """Read a response into ``cast_to``, or raise the typed error it calls for.

        The errors are built by functions that return them, so no frame left in the
        traceback holds the decoded body (and the account numbers in it) as a local.
        """
        if not response.is_success:
            error = status_error(call, response)
            if isinstance(error, AuthenticationError):
                error.hints = tuple(
                    auth_hints(
                        response.request,
                        response,
                        sources=self._key_sources,
                        access_key_shown=repr(mask_key(self._auth.access_key)),
                        get_body=self._auth.get_body,
                    )
                )
            raise error
        outcome = _structure(call, response, cast_to)
        if isinstance(outcome, APIResponseValidationError):
            raise outcome
        return outcome


def _structure(
    call: ApiCall, response: httpx.Response, cast_to: type[T]
) -> T | APIResponseValidationError:
    body = _decode_json(response)
    if body is _NOT_JSON:
        return _invalid(call, response, _short_text(response), "the response is not JSON")
    if body.__class__ is not dict and not isinstance(body, Mapping):
        return _invalid(call, response, body, "the response is not a JSON object")
    success = body.get("success")
    if success is not True:
        why = (
            f"the API answered success=false: {_server_message(body)}"
            if success is False
            else f"'success' is {_json_kind(success)}, not the boolean true"
        )
        return _invalid(call, response, body, why)
    data = body.get("data")
    if data.__class__ is not dict and not isinstance(data, Mapping):
        return _invalid(call, response, body, "the response has no 'data' object")
    try:
        result = converter.structure(data, cast_to)
    except Exception as exc:
        problems = structure_problems(exc)
        if problems is None:  # not a bad value: the client reports it as unreadable
            raise
        return _invalid(
            call, response, body, f"the response data is not a valid {cast_to.__name__}: {problems}"
        )
    if call.order_id is not None:
        got = getattr(result, "order_id", None)
        if got is not None and got != call.order_id:
            return _invalid(
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


def accept_record(
    record: R,
    found: Callable[[R], T],
    differences: Callable[[R], Mapping[str, tuple[object, object]]],
    order_id: str,
) -> T:
    """What a create returns once its order's record is found: ``found(record)``, unless the
    record differs from what was asked (``OrderIdConflictError``)."""
    conflict = _conflict(record, differences, order_id)
    if conflict is not None:
        raise conflict
    return found(record)


def _conflict(
    record: R, differences: Callable[[R], Mapping[str, tuple[object, object]]], order_id: str
) -> OrderIdConflictError | None:
    # Returns rather than raises: the differences hold account numbers, and a frame left in a
    # traceback would show them as a local.
    diff = differences(record)
    if not diff:
        return None
    return OrderIdConflictError(order_id=order_id, existing=record, differences=diff)


def note_interrupted_create(exc: BaseException, *, order_id: str, operation: str) -> None:
    """Say, on the ``alliance_pay`` logger and on the exception, that a create was interrupted
    (cancelled, KeyboardInterrupt) after its request may have been sent.

    The interruption still propagates: this only makes sure the unknown outcome is seen.
    """
    message = (
        f"{operation} for order_id {order_id!r} was interrupted ({type(exc).__name__}) after "
        f"its request may have been sent: the outcome is unknown; call retrieve({order_id!r}) "
        "to learn whether it was made, before doing anything else"
    )
    logger.warning("%s", message)
    add_note = getattr(exc, "add_note", None)  # Python 3.11+
    if add_note is not None:
        add_note(message)


class _Refusing:
    # A class, not a contextlib generator: it is entered on every call.
    __slots__ = ("_base_url", "_operation")

    def __init__(self, base_url: httpx.URL, operation: str) -> None:
        self._base_url = base_url
        self._operation = operation

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, traceback: object) -> None:
        if isinstance(error, AllianceValidationError):
            method, _, path = ENDPOINTS[self._operation].partition(" ")
            prefix = self._base_url.raw_path.decode("ascii").split("?", 1)[0]
            raise error.locate(method, prefix + path) from None


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


def _sent_path(call: ApiCall, response: httpx.Response) -> str:
    """The path the response answers, as it went on the wire (base-URL prefix included)."""
    try:
        return wire_path(response.request.url)
    except RuntimeError:  # a Response built without its request (only in tests)
        return "/" + call.path


def _invalid(
    call: ApiCall, response: httpx.Response, body: object, why: str
) -> APIResponseValidationError:
    path = _sent_path(call, response)
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
    path = _sent_path(call, response)
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
