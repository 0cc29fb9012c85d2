"""``AllianceAuth``: signs every request an httpx client sends; no I/O, no state of its own."""

from __future__ import annotations

import mmap
import os
import struct
import threading
from collections.abc import Callable, Generator
from contextlib import AbstractContextManager
from typing import Any, Literal, TypeVar, cast

import httpx

from ._callables import check_sync_api_callable
from ._exceptions import AllianceValidationError
from ._httpx2 import auth_class_for
from ._logging import mask_key
from ._signing import EMPTY_NON_GET_BODY, compute_signature, now_ms, signing_path

__all__ = ["ENV_GET_BODY", "AllianceAuth", "GetBody"]

#: The environment variable that chooses the GET body line when ``get_body`` is not passed.
ENV_GET_BODY = "ALLIANCE_GET_BODY"
#: The two body lines a GET can be signed with: empty (the prose's rule) or ``{}`` (its example).
GetBody = Literal["", "{}"]
_GET_BODY_NAMES = {"": "", "empty": "", "{}": "{}"}


def _get_body(value: str | None) -> GetBody:
    if value is None:
        raw = os.environ.get(ENV_GET_BODY)
        if raw is None:
            return ""
        choice = _GET_BODY_NAMES.get(raw.strip().lower())
        if choice is None:
            raise AllianceValidationError(
                "get_body",
                f"the environment variable {ENV_GET_BODY} must be empty, 'empty' or '{{}}', "
                f"not {raw!r}",
            )
        return "{}" if choice else ""
    if value == "":
        return ""
    if value == "{}":
        return "{}"
    raise AllianceValidationError("get_body", f"must be '' or '{{}}', not {value!r}")


_BODY_HEADERS = ("Content-Length", "Transfer-Encoding")

_RequestT = TypeVar("_RequestT")


class _Secret:
    """Holds a secret so that no repr, log line or traceback local can show it."""

    __slots__ = ("key",)

    def __init__(self, value: str) -> None:
        #: The secret as HMAC keys with it: UTF-8, encoded once, not for every request.
        self.key = value.encode("utf-8")

    def __repr__(self) -> str:
        return "'**********'"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("secrets are not picklable")


def _require_key(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise AllianceValidationError(name, f"must be a str, not {type(value).__name__}")
    if not value.strip():
        raise AllianceValidationError(name, "must not be empty")
    if value != value.strip() or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        # A pasted key with a stray newline signs wrongly and fails with an opaque 401.
        raise AllianceValidationError(name, "must not contain whitespace or control characters")
    return value


#: How far ahead of the wall clock a timestamp may run to stay unique: servers allow some skew
#: (the sandbox five minutes), and a call right after an NTP correction must still pass.
MAX_LEAD_MS = 1000


def _next_ms(now: int, last: int) -> int:
    value = last + 1 if last >= now else now
    # Past the lead: the wall clock went back (an NTP correction), or more than a thousand
    # requests a second. Believe the clock: a timestamp from the future fails every request.
    return value if value <= now + MAX_LEAD_MS else now


class _UniqueMillis:
    """Milliseconds since the epoch: strictly increasing across every call in this process and
    in the processes forked from it, and never more than ``MAX_LEAD_MS`` ahead of the wall
    clock.

    Two identical requests signed in the same millisecond would carry the same signature, and a
    server that refuses replayed signatures would reject the second: a burst of concurrent
    ``balance.retrieve()`` calls is enough, and so are a parent and its forked child reading
    the same payout. So a duplicate is stepped forward a millisecond, from a counter that a
    forked child shares with its parent (shared memory, made just before the first fork).

    After the wall clock jumps back, the next timestamp is the corrected time, not one from the
    future; only beyond a thousand requests a second could a value repeat.

    Examples:
        >>> clock = _UniqueMillis(wall=lambda: 1_000_000)
        >>> [clock() for _ in range(3)]
        [1000000, 1000001, 1000002]
    """

    def __init__(self, *, wall: Callable[[], int] = now_ms) -> None:
        self._wall = wall
        self._last = 0
        self._lock: AbstractContextManager[Any] = threading.Lock()
        self._shared: mmap.mmap | None = None

    def share_with_children(self) -> None:
        """Move the counter into memory a forked child shares (called just before a fork)."""
        if self._shared is not None:
            return
        try:
            import multiprocessing

            lock = multiprocessing.get_context("fork").Lock()
            shared = mmap.mmap(-1, 8)  # anonymous and MAP_SHARED: forked children see it
        except (ImportError, OSError, ValueError):  # no fork, or no POSIX semaphores here
            return
        with self._lock:
            struct.pack_into("q", shared, 0, self._last)
            self._shared = shared
            self._lock = lock

    def __call__(self) -> int:
        now = self._wall()
        with self._lock:
            shared = self._shared
            if shared is None:
                self._last = value = _next_ms(now, self._last)
            else:
                value = _next_ms(now, struct.unpack_from("q", shared, 0)[0])
                struct.pack_into("q", shared, 0, value)
            return value


_unique_ms = _UniqueMillis()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_unique_ms.share_with_children)


class AllianceAuth(httpx.Auth):
    """Sign requests for the Alliance Payin & Payout API.

    Mount it on any httpx or httpx2 client, sync or async; every request the client sends gets
    ``Access-Key``, a fresh millisecond ``Timestamp`` and the HMAC-SHA256 ``Signature`` over the
    method, the path as sent, the exact body bytes and the timestamp. A non-GET request without
    a payload is sent, and signed, with the body ``{}``. Retries and re-sends are signed afresh.

    Args:
        access_key: the merchant's access key.
        secret_key: the merchant's secret key. It is never shown by ``repr``.
        clock: optional callable returning milliseconds since the epoch; tests pin time with it.
            The default is the wall clock, stepped forward when two requests would otherwise
            share a timestamp (a forked child shares the counter with its parent, so never
            repeats its values), and never more than a second ahead of it.
        get_body: the body line a GET without a body is signed with: ``""`` (an empty line, the
            default, as the documentation's prose and its PHP, JavaScript and Java samples do)
            or ``"{}"`` (as its "REQUEST_BODY for GET" example and its Python sample do). Only
            the signature changes; the GET still sends no body. When not passed, the
            ``ALLIANCE_GET_BODY`` environment variable decides (``empty`` or ``{}``), else ``""``.

    Raises:
        AllianceValidationError: if a key is empty or not a string.
        TypeError: if ``clock`` is an ``async def`` function: it would never be awaited.

    Examples:
        >>> import httpx
        >>> from alliance_pay import AllianceAuth
        >>> auth = AllianceAuth("my-access-key", "my-secret-key")
        >>> client = httpx.Client(base_url="https://alliance.example/", auth=auth)
        >>> auth
        AllianceAuth(access_key='my-a…')
        >>> AllianceAuth("my-access-key", "my-secret-key", get_body="{}").get_body
        '{}'

    Do not combine it with ``follow_redirects=True``: httpx copies custom headers onto a redirected
    request, so a redirect to another origin would carry ``Access-Key`` and ``Signature`` there.
    """

    requires_request_body = True

    def __new__(cls, *args: object, **kwargs: object) -> AllianceAuth:
        # Once httpx2 is loaded, an instance of the subclass that is also an httpx2.Auth.
        return super().__new__(auth_class_for(cls))

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        *,
        clock: Callable[[], int] | None = None,
        get_body: GetBody | None = None,
    ) -> None:
        self._access_key = _require_key("access_key", access_key)
        self._secret_key = _Secret(_require_key("secret_key", secret_key))
        if clock is not None:
            check_sync_api_callable(
                clock,
                what="clock",
                api="AllianceAuth",
                fix="Pass a plain function returning milliseconds since the epoch.",
            )
        self._clock: Callable[[], int] = clock if clock is not None else _unique_ms
        self._get_body: GetBody = _get_body(get_body)

    @property
    def access_key(self) -> str:
        """The access key (it is sent in clear in every request's ``Access-Key`` header)."""
        return self._access_key

    @property
    def get_body(self) -> GetBody:
        """The body line a GET without a body is signed with: ``""`` or ``"{}"``."""
        return self._get_body

    def __repr__(self) -> str:
        shown = f", get_body={self._get_body!r}" if self._get_body else ""
        return f"AllianceAuth(access_key={mask_key(self._access_key)!r}{shown})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self._sign(request)

    def __call__(self, request: _RequestT) -> _RequestT:
        """Sign a request whose body is read, and return it (the request itself, or a copy
        carrying the ``{}`` body a non-GET request without one is sent with).

        This is how a client that does not take ``AllianceAuth`` as its own ``Auth`` class
        still gets signed requests: httpx and httpx2 both accept a plain callable as ``auth``.

        Examples:
            >>> import httpx
            >>> auth = AllianceAuth("my-access-key", "my-secret-key")
            >>> request = auth(httpx.Request("GET", "https://alliance.example/api/v1/balance"))
            >>> sorted(name for name in request.headers if name in ("access-key", "signature"))
            ['access-key', 'signature']
        """
        # Duck-typed: a request of httpx or of httpx2 has the same attributes.
        return cast("_RequestT", self._sign(cast("httpx.Request", request)))

    def _sign(self, request: httpx.Request) -> httpx.Request:
        # Every class is taken from the request itself, so an httpx2 request stays one.
        body = request.content
        if not body and request.method != "GET":
            headers = type(request.headers)(request.headers)
            for name in _BODY_HEADERS:
                headers.pop(name, None)
            request = type(request)(
                request.method,
                request.url,
                headers=headers,
                content=EMPTY_NON_GET_BODY,
                extensions=request.extensions,
            )
            body = EMPTY_NON_GET_BODY
        if body and "Content-Type" not in request.headers:
            request.headers["Content-Type"] = "application/json"
        signed = self._signed_headers(request.method, signing_path(request.url.raw_path), body)
        request.headers.update(signed)
        return request

    def _signed_headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        """``Access-Key``, a fresh ``Timestamp`` and the ``Signature`` for one request.

        ``path`` is the signing path (see ``signing_path``) and ``body`` the exact bytes sent;
        the SDK's clients put these in the headers of each request they build.
        """
        timestamp = str(int(self._clock()))
        signed_body = self._get_body if not body and method == "GET" else body
        return {
            "Access-Key": self._access_key,
            "Timestamp": timestamp,
            "Signature": compute_signature(
                self._secret_key.key, method, path, signed_body, timestamp
            ),
        }
