"""``with_raw_response``: the HTTP answer behind a result, the envelope's ``message`` included.

Follows openai-python: ``client.payouts.with_raw_response.retrieve("A1")`` takes the same
arguments as ``client.payouts.retrieve`` and returns an
[`APIResponse`][alliance_pay.APIResponse] whose ``parse()`` gives the usual model, beside the
status, the headers, the request id and the envelope's ``message``.

How it works, once for both clients: the wrapper opens a capture (a context variable) and calls
the plain method; every answer the client reads into a model is recorded there
(``record_response``, called from ``_reading``), and the last one is the answer behind the result.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, ParamSpec, TypeVar

import httpx

from ._hints import request_id, wire_path

__all__ = [
    "APIResponse",
    "async_to_raw_response_wrapper",
    "record_response",
    "to_raw_response_wrapper",
]

T = TypeVar("T")
P = ParamSpec("P")


class _Captured:
    __slots__ = ("body", "response")

    def __init__(self) -> None:
        self.response: httpx.Response | None = None
        self.body: Mapping[str, Any] = {}


_capture: contextvars.ContextVar[_Captured | None] = contextvars.ContextVar(
    "alliance_pay_raw_response", default=None
)


def record_response(response: httpx.Response, envelope: Mapping[str, Any]) -> None:
    """Note the answer a model was just read from, if a raw-response call is listening."""
    captured = _capture.get()
    if captured is not None:
        captured.response = response
        captured.body = envelope


class APIResponse(Generic[T]):
    """The HTTP answer behind a result: what ``with_raw_response`` methods return.

    Attributes:
        http_response: the ``httpx.Response`` (its body already read).
        status_code: the HTTP status (``200``, ``201``).
        headers: the response headers.
        message: the envelope's ``message`` (``"Payout initiated."``), or ``None``.
        request_id: the server's request id (``X-Request-Id``, ``CF-Ray``...), or ``None``.
        method: the HTTP method sent.
        path: the path as it went on the wire (a base URL's path prefix included).

    Example:
        ```python
        raw = await client.balance.with_raw_response.retrieve()
        print(raw.status_code, raw.message)  # 200 Merchant wallet balance fetched.
        balance = raw.parse()
        ```
    """

    def __init__(self, http_response: httpx.Response, envelope: Mapping[str, Any], parsed: T):
        self.http_response: httpx.Response = http_response
        self.status_code: int = http_response.status_code
        self.headers: httpx.Headers = http_response.headers
        message = envelope.get("message")
        self.message: str | None = message if isinstance(message, str) else None
        self.request_id: str | None = request_id(http_response.headers)
        self.method: str = http_response.request.method
        self.path: str = wire_path(http_response.request.url)
        self._parsed = parsed

    def parse(self) -> T:
        """The result the plain method returns (a model)."""
        return self._parsed

    def __repr__(self) -> str:
        return (
            f"<APIResponse [{self.status_code}] {self.method} {self.path} "
            f"message={self.message!r} parsed={type(self._parsed).__name__}>"
        )


def _response(captured: _Captured, parsed: T) -> APIResponse[T]:
    if captured.response is None:  # pragma: no cover - every wrapped method reads an answer
        raise RuntimeError("no response was read")
    return APIResponse(captured.response, captured.body, parsed)


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[APIResponse[T]]]:
    """Make an async endpoint method return the [`APIResponse`][alliance_pay.APIResponse]."""

    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        captured = _Captured()
        token = _capture.set(captured)
        try:
            parsed = await func(*args, **kwargs)
        finally:
            _capture.reset(token)
        return _response(captured, parsed)

    return wrapped


def to_raw_response_wrapper(func: Callable[P, T]) -> Callable[P, APIResponse[T]]:
    """Make a sync endpoint method return the [`APIResponse`][alliance_pay.APIResponse]."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        captured = _Captured()
        token = _capture.set(captured)
        try:
            parsed = func(*args, **kwargs)
        finally:
            _capture.reset(token)
        return _response(captured, parsed)

    return wrapped
