"""httpx2 beside httpx: the SDK works with a client of either package.

httpx is required; httpx2, pydantic's maintained fork of it (the ``httpx2`` extra), is used
when it is installed. The two have the same API but separate classes: an ``httpx2.Request`` is
not an ``httpx.Request``, an ``httpx2.ConnectError`` not an ``httpx.ConnectError``. So nothing
here assumes an object of one package is an instance of the other's class:

* exceptions are caught as tuples holding both packages' classes (``REQUEST_ERRORS`` ...);
* an ``http_client`` is recognised by what it can do (``check_http_client``), and a foreign
  one is handed plain values it understands (``foreign_request_args``);
* ``AllianceAuth`` derives from ``AUTH_BASE``, which is both packages' ``Auth`` when httpx2 is
  installed, so each package's client takes it as one of its own.

After ``httpx2.alias_httpx()``, ``import httpx`` gives httpx2 itself: then there is one package.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx

from ._exceptions import AllianceValidationError

__all__ = [
    "AUTH_BASE",
    "HTTPX2",
    "PACKAGES",
    "REQUEST_ERRORS",
    "TIMEOUT_ERRORS",
    "UNSENT_ERRORS",
    "AsyncHttpClient",
    "HttpClient",
    "as_httpx_timeout",
    "check_http_client",
    "foreign_request_args",
]


_T = TypeVar("_T")


def _installed_httpx2() -> ModuleType | None:
    try:
        if importlib.util.find_spec("httpx2") is None:
            return None
    except ValueError:  # imported already, without a spec
        pass
    module = importlib.import_module("httpx2")
    return None if module is httpx else module  # after alias_httpx(), httpx *is* httpx2


HTTPX2: ModuleType | None = _installed_httpx2()
"""The ``httpx2`` module when it is installed (and not aliased as ``httpx``), else ``None``."""

PACKAGES: tuple[ModuleType, ...] = (httpx,) if HTTPX2 is None else (httpx, HTTPX2)
"""The HTTP packages a client, request or exception may come from."""

REQUEST_ERRORS: tuple[type[Exception], ...] = tuple(p.RequestError for p in PACKAGES)
"""No usable response: transport failures, and a body that will not decode."""

TIMEOUT_ERRORS: tuple[type[Exception], ...] = tuple(p.TimeoutException for p in PACKAGES)
"""The request timed out (connecting, reading, writing, or waiting for a connection)."""

UNSENT_ERRORS: tuple[type[Exception], ...] = tuple(
    cls for p in PACKAGES for cls in (p.ConnectError, p.ConnectTimeout, p.PoolTimeout)
)
"""Failures that prove the request never reached the server: it is safe to send again."""

if TYPE_CHECKING or HTTPX2 is None:
    AUTH_BASE = httpx.Auth
else:

    class AUTH_BASE(httpx.Auth, HTTPX2.Auth):
        """``httpx.Auth`` and ``httpx2.Auth`` at once: each client's ``isinstance`` passes.

        Both bases have the same duck-typed flows (``sync_auth_flow``, ``async_auth_flow``);
        httpx's come first in the MRO and work on either package's requests.
        """

        __slots__ = ()


class AsyncHttpClient(Protocol):
    """What ``AsyncAllianceClient`` needs of ``http_client``: an ``httpx.AsyncClient`` or an
    ``httpx2.AsyncClient``."""

    @property
    def timeout(self) -> Any:
        """The client's default timeout."""
        ...

    def build_request(
        self, method: str, url: Any, *, content: Any = ..., headers: Any = ..., timeout: Any = ...
    ) -> Any:
        """Build a request without sending it."""
        ...

    async def send(
        self, request: Any, *, auth: Any = ..., follow_redirects: Any = ..., stream: bool = ...
    ) -> Any:
        """Send a request; with ``stream=True`` the body is left to read."""
        ...

    async def aclose(self) -> None:
        """Close the connections."""
        ...


class HttpClient(Protocol):
    """What ``AllianceClient`` needs of ``http_client``: an ``httpx.Client`` or an
    ``httpx2.Client``."""

    @property
    def timeout(self) -> Any:
        """The client's default timeout."""
        ...

    def build_request(
        self, method: str, url: Any, *, content: Any = ..., headers: Any = ..., timeout: Any = ...
    ) -> Any:
        """Build a request without sending it."""
        ...

    def send(
        self, request: Any, *, auth: Any = ..., follow_redirects: Any = ..., stream: bool = ...
    ) -> Any:
        """Send a request; with ``stream=True`` the body is left to read."""
        ...

    def close(self) -> None:
        """Close the connections."""
        ...


def check_http_client(value: object, like: type[httpx.Client | httpx.AsyncClient]) -> None:
    """Refuse an ``http_client`` that is not a client of the same kind as ``like``.

    Sync or async is read from ``send``; which package it comes from does not matter.

    Raises:
        AllianceValidationError: naming the clients that are accepted.

    Examples:
        >>> import httpx
        >>> try:
        ...     check_http_client(httpx.Client(), httpx.AsyncClient)
        ... except ValueError as exc:
        ...     print(exc)
        http_client: must be an httpx.AsyncClient or an httpx2.AsyncClient, not Client
    """
    send = getattr(type(value), "send", None)
    wanted_async = inspect.iscoroutinefunction(like.send)
    if (
        callable(send)
        and callable(getattr(value, "build_request", None))
        and inspect.iscoroutinefunction(send) == wanted_async
    ):
        return
    kind = like.__name__
    raise AllianceValidationError(
        "http_client", f"must be an httpx.{kind} or an httpx2.{kind}, not {type(value).__name__}"
    )


def as_httpx_timeout(value: _T) -> _T | httpx.Timeout:
    """An ``httpx.Timeout`` for a timeout of the other package; anything else as it is.

    Examples:
        >>> import httpx
        >>> as_httpx_timeout(httpx.Timeout(5.0)) == httpx.Timeout(5.0)
        True
    """
    if HTTPX2 is not None and isinstance(value, HTTPX2.Timeout):
        return httpx.Timeout(
            connect=value.connect, read=value.read, write=value.write, pool=value.pool
        )
    return value


def foreign_request_args(
    http_client: object, url: httpx.URL | str, timeout: httpx.Timeout
) -> tuple[httpx.URL | str, httpx.Timeout | tuple[float | None, ...]]:
    """``url`` and ``timeout`` as ``http_client.build_request`` takes them.

    An httpx client takes them as they are; another package's client gets the URL as text
    (parsed back to the same bytes: the path is already percent-encoded) and the timeout as
    the ``(connect, read, write, pool)`` tuple both packages accept.

    Examples:
        >>> import httpx
        >>> foreign_request_args(object(), httpx.URL("https://a.in/x%2Fy"), httpx.Timeout(3.0))
        ('https://a.in/x%2Fy', (3.0, 3.0, 3.0, 3.0))
    """
    if isinstance(http_client, httpx.Client | httpx.AsyncClient):
        return url, timeout
    return str(url), (timeout.connect, timeout.read, timeout.write, timeout.pool)
