"""httpx2 beside httpx: the SDK works with a client of either package.

httpx is required; httpx2, pydantic's maintained fork of it (the ``httpx2`` extra), is used
when it is installed and its user has imported it (the SDK never imports it itself). The two
have the same API but separate classes: an ``httpx2.Request`` is not an ``httpx.Request``, an
``httpx2.ConnectError`` not an ``httpx.ConnectError``. So nothing here assumes an object of one
package is an instance of the other's class:

* exceptions are caught as tuples holding both packages' classes (``request_errors()`` ...);
* an ``http_client`` is recognised by what it can do (``check_http_client``), and a foreign
  one is handed plain values it understands (``foreign_request_args``);
* ``AllianceAuth`` is made, once httpx2 is loaded, as a subclass that is both packages'
  ``Auth`` (``auth_class_for``), so each package's client takes it as one of its own.

After ``httpx2.alias_httpx()``, ``import httpx`` gives httpx2 itself: then there is one package.
"""

from __future__ import annotations

import inspect
import sys
from types import ModuleType
from typing import Any, Protocol, TypeVar

import httpx

from ._exceptions import AllianceValidationError

__all__ = [
    "AsyncHttpClient",
    "HttpClient",
    "as_httpx_timeout",
    "auth_class_for",
    "check_http_client",
    "foreign_request_args",
    "loaded_httpx2",
    "packages",
    "request_errors",
    "timeout_errors",
    "unsent_errors",
    "unsigned_auth",
]


_T = TypeVar("_T")
_A = TypeVar("_A")


def loaded_httpx2() -> ModuleType | None:
    """The ``httpx2`` module once something has imported it (and it is not ``httpx`` itself).

    The SDK never imports httpx2: an httpx2 client, request, timeout or error can only exist
    once its user has, and until then httpx's classes are all there is to recognise. So
    ``import alliance_pay`` does not pay for a second HTTP package that may go unused.
    """
    module = sys.modules.get("httpx2")
    return None if module is None or module is httpx else module  # alias_httpx(): one package


def packages() -> tuple[ModuleType, ...]:
    """The HTTP packages a client, request or exception may come from now."""
    module = loaded_httpx2()
    return (httpx,) if module is None else (httpx, module)


_CLASSES: dict[tuple[tuple[str, ...], ModuleType | None], tuple[type[Exception], ...]] = {}


def _classes(*names: str) -> tuple[type[Exception], ...]:
    key = (names, loaded_httpx2())
    found = _CLASSES.get(key)
    if found is None:
        found = _CLASSES[key] = tuple(getattr(p, name) for p in packages() for name in names)
    return found


def request_errors() -> tuple[type[Exception], ...]:
    """No usable response: transport failures, and a body that will not decode."""
    return _classes("RequestError")


def timeout_errors() -> tuple[type[Exception], ...]:
    """The request timed out (connecting, reading, writing, or waiting for a connection)."""
    return _classes("TimeoutException")


def unsent_errors() -> tuple[type[Exception], ...]:
    """Failures that prove the request never reached the server: it is safe to send again."""
    return _classes("ConnectError", "ConnectTimeout", "PoolTimeout")


_NO_AUTH: dict[ModuleType, Any] = {}


def unsigned_auth(http_client: object) -> Any:
    """An ``Auth`` of ``http_client``'s own package that sends requests as they are.

    The SDK signs each request itself, as it builds it (``AllianceAuth`` called on it); sending
    with this keeps the client's own ``auth``, if it has one, off the request.
    """
    auth = _NO_AUTH_BY_CLASS.get(type(http_client))
    if auth is not None:
        return auth
    for package in packages():
        if isinstance(http_client, package.Client | package.AsyncClient):
            auth = _NO_AUTH.get(package)
            if auth is None:
                auth = _NO_AUTH[package] = package.Auth()
            _NO_AUTH_BY_CLASS[type(http_client)] = auth
            return auth
    return None


#: The answer of ``unsigned_auth`` per client class, found once.
_NO_AUTH_BY_CLASS: dict[type, Any] = {}


_DUAL_AUTH: dict[tuple[type, ModuleType], type] = {}


def auth_class_for(cls: type[_A]) -> type[_A]:
    """``cls`` (an ``httpx.Auth``), or once httpx2 is loaded, a subclass that is an
    ``httpx2.Auth`` too, so each package's client takes it as one of its own.

    Both bases have the same duck-typed flows (``sync_auth_flow``, ``async_auth_flow``);
    httpx's come first in the MRO and work on either package's requests.
    """
    module = loaded_httpx2()
    if module is None or issubclass(cls, module.Auth):
        return cls
    dual = _DUAL_AUTH.get((cls, module))
    if dual is None:
        # Named as its class for reprs, and findable here by its qualified name, so pickle
        # treats it as it treats the class (AllianceAuth refuses: it holds a secret).
        qualname = f"_{cls.__qualname__}_with_httpx2_auth"
        namespace = {"__slots__": (), "__module__": __name__, "__qualname__": qualname}
        dual = _DUAL_AUTH[(cls, module)] = type(cls.__name__, (cls, module.Auth), namespace)
        globals()[qualname] = dual
    return dual


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
    module = loaded_httpx2()
    if module is not None and isinstance(value, module.Timeout):
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
