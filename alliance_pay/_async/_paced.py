"""A client whose every request (creates, lookups, retries) goes through the run's pacer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio

from alliance_pay._httpx2 import AsyncHttpClient
from alliance_pay.bulk._pacer import Pacer

if TYPE_CHECKING:
    from ._client import AsyncAllianceClient

__all__ = ["AsyncPacedHTTPClient", "paced"]


class AsyncPacedHTTPClient:
    """Wraps the client's ``httpx.AsyncClient``: waits for the pacer, then sends; slows the
    whole run down when an answer says so (429/503 ``Retry-After``)."""

    def __init__(self, inner: AsyncHttpClient, pacer: Pacer) -> None:
        self._inner = inner
        self._pacer = pacer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def build_request(self, *args: Any, **kwargs: Any) -> Any:
        return self._inner.build_request(*args, **kwargs)

    async def send(self, request: Any, **kwargs: Any) -> Any:
        delay = self._pacer.reserve()
        if delay > 0:
            await anyio.sleep(delay)
        response = await self._inner.send(request, **kwargs)
        self._pacer.observe(response)
        return response


def paced(client: AsyncAllianceClient, pacer: Pacer) -> AsyncAllianceClient:
    """A clone of ``client`` sharing its connections, paced by ``pacer``; closing it is a no-op."""
    clone = client.with_options()
    clone._http_client = AsyncPacedHTTPClient(client._http_client, pacer)
    return clone
