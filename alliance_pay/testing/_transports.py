"""httpx transports that hand requests straight to a sandbox app, for both kinds of client."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import anyio.from_thread
import httpx
from starlette.types import ASGIApp

from alliance_pay.sandbox import SandboxConnectionDropped

__all__ = ["AsyncSandboxTransport", "SandboxTransport"]


class AsyncSandboxTransport(httpx.AsyncBaseTransport):
    """Send an ``httpx.AsyncClient``'s requests to a sandbox app in the same event loop.

    A ``commit_then_drop`` fault in ``"drop"`` mode surfaces as ``httpx.RemoteProtocolError``,
    as a connection closed mid-response does over a socket. No timeout applies in-process: a
    ``latency`` fault delays the answer but cannot time the client out.

    Examples:
        >>> import httpx
        >>> from alliance_pay.sandbox import create_app
        >>> client = httpx.AsyncClient(transport=AsyncSandboxTransport(create_app()))
    """

    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._asgi.handle_async_request(request)
        except SandboxConnectionDropped as exc:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body", request=request
            ) from exc


class SandboxTransport(httpx.BaseTransport):
    """Send an ``httpx.Client``'s requests to a sandbox app running on a background event loop.

    The loop lives in one worker thread for the transport's life; closing the client stops it.
    While a call is in flight the test's thread waits, so reading the sandbox's state from the
    test between calls is safe.

    Examples:
        >>> import httpx
        >>> from alliance_pay.sandbox import create_app
        >>> with httpx.Client(transport=SandboxTransport(create_app())) as client:
        ...     client.get("http://sandbox/_sandbox/state").status_code
        200
    """

    def __init__(self, app: ASGIApp) -> None:
        self._inner = AsyncSandboxTransport(app)
        self._portal_cm: AbstractContextManager[Any] = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        # ASGITransport needs an async body stream: send a copy carrying the bytes.
        copy = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.read(),
            extensions=request.extensions,
        )

        async def send() -> tuple[int, httpx.Headers, bytes]:
            response = await self._inner.handle_async_request(copy)
            return response.status_code, response.headers, await response.aread()

        status_code, headers, body = self._portal.call(send)
        return httpx.Response(status_code, headers=headers, content=body, request=request)

    def close(self) -> None:
        self._portal_cm.__exit__(None, None, None)
