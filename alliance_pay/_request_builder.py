"""An attempt's ``httpx.Request``, built as ``http_client.build_request`` would build it, cheaper.

``build_request`` merges the client's default headers with the call's on every request, and the
SDK's own ``User-Agent``, ``Accept`` and ``Accept-Encoding`` replace three of httpx's defaults:
each replacement is a search and a removal in httpx's header list. Here that merge is done once
per client and kept while the client's headers stay what they were; each request copies it and
adds only its signed headers. The result is the request ``build_request`` returns: the same URL,
header order and values, body and timeout. For a client with default cookies or query
parameters, a subclass, or one of another package (httpx2), ``build`` returns ``None``: its own
``build_request`` builds the request.

Examples:
    >>> import httpx
    >>> builder = RequestBuilder({"User-Agent": "alliance-pay"})
    >>> with httpx.Client(headers={"X-Team": "payouts"}) as http_client:
    ...     request = builder.build(
    ...         http_client, "GET", "https://alliance.test/api/v1/balance", None,
    ...         {"Timestamp": "1"}, {"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0},
    ...     )
    >>> request.headers["user-agent"], request.headers["x-team"], request.headers["timestamp"]
    ('alliance-pay', 'payouts', '1')
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import httpx

__all__ = ["RequestBuilder"]


class RequestBuilder:
    """Builds each attempt's request from the SDK's default headers and the call's own.

    It is the one holder of a client's default headers: ``defaults`` shows them (read-only) to
    a client whose own ``build_request`` must build the request, and ``with_headers`` gives the
    builder of a call with extra headers.
    """

    __slots__ = ("_defaults", "_merged", "_seen", "_view")

    def __init__(self, defaults: Mapping[str, str]) -> None:
        self._defaults = dict(defaults)
        self._view = MappingProxyType(self._defaults)
        self._seen: list[tuple[bytes, bytes]] | None = None
        self._merged: httpx.Headers | None = None

    @property
    def defaults(self) -> Mapping[str, str]:
        """The default headers every request built here carries, read-only.

        Examples:
            >>> RequestBuilder({"Accept": "application/json"}).defaults["Accept"]
            'application/json'
        """
        return self._view

    def with_headers(self, extra: Mapping[str, str]) -> RequestBuilder:
        """A builder whose defaults are these, with ``extra`` on top (this one is unchanged).

        Examples:
            >>> builder = RequestBuilder({"User-Agent": "alliance-pay", "Accept": "*/*"})
            >>> dict(builder.with_headers({"Accept": "application/json"}).defaults)
            {'User-Agent': 'alliance-pay', 'Accept': 'application/json'}
            >>> dict(builder.defaults)
            {'User-Agent': 'alliance-pay', 'Accept': '*/*'}
        """
        return RequestBuilder({**self._defaults, **extra})

    def build(
        self,
        http_client: Any,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        timeout: dict[str, float | None],
    ) -> httpx.Request | None:
        """The request, with the client's headers, then the SDK's, then ``headers`` on top;
        ``None`` for a client whose own ``build_request`` must build it."""
        if type(http_client) not in _PLAIN_CLIENTS or http_client.cookies or http_client.params:
            return None
        merged = httpx.Headers(self._merged_defaults(http_client.headers))
        merged.update(headers)
        return httpx.Request(
            method, url, content=body, headers=merged, extensions={"timeout": timeout}
        )

    def _merged_defaults(self, client_headers: httpx.Headers) -> httpx.Headers:
        raw = client_headers.raw
        if self._merged is None or raw != self._seen:
            merged = httpx.Headers(client_headers)
            merged.update(self._defaults)
            self._merged, self._seen = merged, raw
        return self._merged


#: Clients whose ``build_request`` this reproduces: httpx's own, not subclasses that may
#: override it.
_PLAIN_CLIENTS = frozenset({httpx.Client, httpx.AsyncClient})
