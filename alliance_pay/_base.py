"""Sans-I/O core shared by the async and the sync client.

Building requests, reading the envelope, mapping statuses to exceptions and deciding retries all
live here, once. The clients in ``_async`` (and the generated ``_sync``) only send and sleep.
"""

from __future__ import annotations

import copy
import json
import os
import platform
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import httpx

from ._auth import AllianceAuth, GetBody
from ._converter import converter, structure_problems, unstructure_body
from ._exceptions import (
    AllianceValidationError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
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
from ._hints import KeySources, auth_hints, wire_path
from ._httpx2 import (
    AsyncHttpClient,
    HttpClient,
    as_httpx_timeout,
    foreign_request_args,
    timeout_errors,
)
from ._logging import mask_key
from ._response import record_response
from ._rules import ENDPOINTS
from ._signing import EMPTY_NON_GET_BODY, dumps_body, signing_path
from ._types import NOT_GIVEN, NotGiven, NotGivenOr, TimeoutTypes
from ._version import __version__

__all__ = ["DEFAULT_MAX_RETRIES", "DEFAULT_TIMEOUT", "ApiCall", "BaseClient", "status_error"]

T = TypeVar("T")
_Client = TypeVar("_Client", bound="BaseClient")

#: 5 s to connect, 30 s for the rest: long enough for a slow bank, short enough never to hang.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
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


@attrs.frozen
class ApiCall:
    """One endpoint call, before it is sent.

    Attributes:
        method: the HTTP method.
        path: the path below the base URL, percent-encoded as it will be sent and signed.
        body: the exact JSON bytes to send, or ``None`` for none.
        idempotent: whether re-sending it can never create anything twice.
    """

    method: str
    path: str
    body: bytes | None = None
    idempotent: bool = True

    @classmethod
    def json(cls, method: str, path: str, payload: object, *, idempotent: bool) -> ApiCall:
        body = dumps_body(unstructure_body(payload))
        return cls(method, path, body, idempotent)


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
    _max_retries: int
    _headers: dict[str, str]
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
        self._timeout = check_timeout(timeout)
        self._max_retries = check_max_retries(max_retries)
        headers = {"User-Agent": user_agent(), "Accept": "application/json"}
        headers.update(check_headers("default_headers", default_headers or {}))
        self._headers = headers

    @property
    def base_url(self) -> httpx.URL:
        """The base URL every path is joined to (always ending in ``/``)."""
        return self._base_url

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout applied to every request."""
        return self._timeout

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
            clone._timeout = check_timeout(timeout)
        if not isinstance(max_retries, NotGiven):
            clone._max_retries = check_max_retries(max_retries)
        if extra_headers:
            clone._headers = {**self._headers, **check_headers("extra_headers", extra_headers)}
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
        headers = dict(self._headers)
        body = call.body
        if body is None and call.method != "GET":
            body = EMPTY_NON_GET_BODY  # what AllianceAuth sends, and signs, for no payload
        if body is not None:
            headers["Content-Type"] = "application/json"
        # Signed as AllianceAuth signs (the same method), on the path as it is sent: the base
        # URL's raw path and the call's encoded path, which httpx keeps byte for byte.
        headers.update(
            self._auth._signed_headers(call.method, self._signing_prefix + call.path, body or b"")
        )
        url, timeout = foreign_request_args(http_client, self._url(call.path), self._timeout)
        return http_client.build_request(
            call.method, url, content=body, headers=headers, timeout=timeout
        )

    def _transport_error(self, call: ApiCall, exc: Exception) -> APIConnectionError:
        kind = APITimeoutError if isinstance(exc, timeout_errors()) else APIConnectionError
        what = "timed out" if kind is APITimeoutError else "failed"
        path = wire_path(httpx.URL(self._url(call.path)))
        error = kind(
            f"{call.method} {path} {what}: {type(exc).__name__}: {exc}",
            method=call.method,
            path=path,
        )
        # Kept as the cause: whether a create may have been processed depends on it.
        error.__cause__ = exc
        return error

    def _parse(self, call: ApiCall, response: httpx.Response, cast_to: type[T]) -> T:
        """Read a response into ``cast_to``, or raise the typed error it calls for."""
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
        body = _decode_json(response)
        if body is _NOT_JSON:
            raise _invalid(call, response, _short_text(response), "the response is not JSON")
        if not isinstance(body, Mapping):
            raise _invalid(call, response, body, "the response is not a JSON object")
        if body.get("success") is False:
            raise _invalid(
                call, response, body, f"the API answered success=false: {_server_message(body)}"
            )
        data = body.get("data")
        if not isinstance(data, Mapping):
            raise _invalid(call, response, body, "the response has no 'data' object")
        try:
            result = converter.structure(data, cast_to)
        except Exception as exc:
            problems = structure_problems(exc)
            if problems is None:
                raise
            raise _invalid(
                call,
                response,
                body,
                f"the response data is not a valid {cast_to.__name__}: {problems}",
            ) from None
        record_response(response, body)
        return result


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
