"""The Starlette app: the API, the hosted payment page and the control endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from email.utils import formatdate

from starlette.applications import Starlette
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliance_pay.sandbox._api import Api
from alliance_pay.sandbox._config import SandboxConfig
from alliance_pay.sandbox._control import control_routes
from alliance_pay.sandbox._pages import PayPages, not_found_page
from alliance_pay.sandbox._sandbox import Sandbox
from alliance_pay.sandbox._wire import failure

__all__ = ["create_app"]


class _AnyPathConvertor(PathConvertor):
    # Starlette's "path" is ".*", which stops at a newline: an order id "A\nB" (sent as A%0AB)
    # would miss the route and get a 404 instead of the 422 that names the bad order id.
    regex = "(?s:.*)"


register_url_convertor("any_path", _AnyPathConvertor())


class _SandboxDate:
    """Every answer's ``Date`` comes from the sandbox's own clock (the server adds none), so a
    client sees the skew a ``SandboxConfig(clock=...)`` simulates, as it would a real server's."""

    def __init__(self, app: ASGIApp, clock: Callable[[], float]) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"date" for name, _ in headers):
                    headers.append((b"date", formatdate(self.clock(), usegmt=True).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_date)


async def _http_error(request: Request, exc: Exception) -> Response:
    status_code = exc.status_code if isinstance(exc, HTTPException) else 500
    if status_code == 404 and "/pay/" in request.url.path:
        return not_found_page()
    message = {404: "Not found.", 405: "Method not allowed."}.get(status_code, "Server error.")
    return failure(status_code, message)


def create_app(config: SandboxConfig | None = None, *, sandbox: Sandbox | None = None) -> Starlette:
    """Build the sandbox's ASGI app; its [`Sandbox`][alliance_pay.sandbox.Sandbox] is
    ``app.state.sandbox``.

    Pass a ``config`` for a new sandbox, or an existing ``sandbox`` to serve it. Under uvicorn
    the lifespan runs [`Sandbox.running`][alliance_pay.sandbox.Sandbox.running]; in-process
    (``httpx.ASGITransport``) no lifespan runs, see [`Sandbox`][alliance_pay.sandbox.Sandbox]
    for the two ways background work happens.

    Examples:
        >>> app = create_app(SandboxConfig(payout_delay=0))
        >>> app.state.sandbox.balance
        Decimal('100000.00')

        Then talk to it in-process with
        ``httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sandbox")``.
    """
    if sandbox is not None and config is not None:
        raise TypeError("pass a config or a sandbox, not both")
    sandbox = sandbox if sandbox is not None else Sandbox(config)
    api = Api(sandbox)
    pages = PayPages(sandbox)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with sandbox.running():
            yield

    routes = [
        Route("/api/v1/balance", api.balance, methods=["GET"]),
        Route("/api/v1/payin/generate/link", api.create_link, methods=["POST"]),
        Route("/api/v1/payin/transactions", api.payin_status, methods=["POST"]),
        Route("/api/v1/payout/initiate", api.create_payout, methods=["POST"]),
        # {order:path} because %2F in an order id arrives decoded as "/" in scope["path"];
        # the handler reads the id back from the raw path.
        Route("/api/v1/payout/{order:any_path}/status", api.payout_status, methods=["GET"]),
        Route("/pay/{order:path}", pages.show, methods=["GET"]),
        Route("/pay/{order:path}", pages.submit, methods=["POST"]),
        *control_routes(sandbox),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: _http_error, 405: _http_error},
        middleware=[Middleware(_SandboxDate, clock=sandbox.config.clock)],
    )
    app.state.sandbox = sandbox
    return app
