"""``BaseClient``: what the async and the sync client share, once.

Its settings (checked in ``_settings``), building and signing each attempt's request (with the
``RequestBuilder`` that owns the default headers), and turning a response into a result or a
typed error (read in ``_reading``). The clients in ``_async`` (and the generated ``_sync``)
only send and sleep.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

import httpx

from ._api_call import ApiCall
from ._auth import AllianceAuth, GetBody
from ._exceptions import (
    AllianceValidationError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
)
from ._hints import KeySources, auth_hints, wire_path
from ._httpx2 import AsyncHttpClient, HttpClient, foreign_request_args, timeout_errors
from ._limits import ACCEPT_ENCODING, BodyTooLarge, BodyUndecodable, DeadlineExceeded
from ._logging import mask_key
from ._reading import invalid_response, read_result, sent_path, status_error
from ._request_builder import RequestBuilder
from ._rules import ENDPOINTS
from ._settings import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_RESOLVE_TIMEOUT,
    DEFAULT_TIMEOUT,
    ENV_ACCESS_KEY,
    ENV_BASE_URL,
    ENV_SECRET_KEY,
    HTTPX_DEFAULT_TIMEOUT,
    attempt_seconds,
    check_headers,
    check_max_response_bytes,
    check_max_retries,
    check_resolve_timeout,
    check_timeout,
    normalize_base_url,
    read_setting,
    user_agent,
)
from ._signing import EMPTY_NON_GET_BODY, signing_path
from ._types import NOT_GIVEN, NotGiven, NotGivenOr, TimeoutTypes

__all__ = ["BaseClient"]

T = TypeVar("T")
_Client = TypeVar("_Client", bound="BaseClient")


class BaseClient:
    """What the async and the sync client share: settings, request building, response reading."""

    _auth: AllianceAuth
    _base_url: httpx.URL
    _timeout: httpx.Timeout
    _attempt_seconds: float
    _max_retries: int
    _max_response_bytes: int
    _resolve_timeout: float
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
            read_setting("access_key", access_key, ENV_ACCESS_KEY),
            read_setting("secret_key", secret_key, ENV_SECRET_KEY),
            get_body=get_body,
        )
        self._key_sources = KeySources(
            ENV_ACCESS_KEY if access_key is None else None,
            ENV_SECRET_KEY if secret_key is None else None,
        )
        self._base_url = normalize_base_url(
            base_url if base_url is not None else read_setting("base_url", None, ENV_BASE_URL)
        )
        self._base_url_text = str(self._base_url)
        self._signing_prefix = signing_path(self._base_url.raw_path)
        if timeout is NOT_GIVEN:
            # A client of yours with httpx's own default (5 s) gets ours; one you set is kept.
            if http_client_timeout is not None and http_client_timeout != HTTPX_DEFAULT_TIMEOUT:
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
            clone._request_builder = self._request_builder.with_headers(
                check_headers("extra_headers", extra_headers)
            )
        return clone

    def _refused(self, error: AllianceValidationError, operation: str) -> AllianceValidationError:
        """``error``, an argument refused before ``operation`` was sent, naming the request that
        therefore was not: its method and wire path (the base URL's prefix included).

        Called from an ``except`` around the checks, which cost nothing when they pass.
        """
        method, _, path = ENDPOINTS[operation].partition(" ")
        prefix = self._base_url.raw_path.decode("ascii").split("?", 1)[0]
        return error.locate(method, prefix + path)

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
        builder = self._request_builder
        request = builder.build(
            http_client, call.method, url, body, headers, self._timeout_extension
        )
        if request is not None:
            return request
        foreign_url, timeout = foreign_request_args(http_client, url, self._timeout)
        return http_client.build_request(
            call.method,
            foreign_url,
            content=body,
            headers={**builder.defaults, **headers},
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
            path = sent_path(call, response)
            # No cause attached: not a connect failure, so a create stays in doubt.
            return APIConnectionError(
                f"{call.method} {path} returned {response.status_code} with a body that "
                f"cannot be read: {exc}",
                method=call.method,
                path=path,
            )
        response._content = exc.prefix  # what error.response.text shows
        return invalid_response(
            call,
            response,
            None,
            f"its body is over max_response_bytes={self._max_response_bytes} once decoded; "
            "it was not read (raise max_response_bytes if this API really sends that much)",
        )

    def _unreadable(self, call: ApiCall, response: httpx.Response, exc: Exception) -> APIError:
        """A response the SDK failed to read for a reason it did not foresee: still typed (and
        ambiguous for a create, which then looks its order up)."""
        error = invalid_response(
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
        outcome = read_result(call, response, cast_to)
        if isinstance(outcome, APIResponseValidationError):
            raise outcome
        return outcome
