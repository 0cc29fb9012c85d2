"""The ASGI receiver: ``webhook_app`` wraps ``AsyncAllianceClient.webhooks.handle``.

Raw ASGI, no framework: mount it in any of them, or serve it alone.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from alliance_pay._logging import logger
from alliance_pay.webhooks._memory import InMemoryEventStore
from alliance_pay.webhooks._store import EventStore

if TYPE_CHECKING:
    from alliance_pay._async._client import AsyncAllianceClient
    from alliance_pay._async._webhooks import WebhookHandler

__all__ = ["DEFAULT_MAX_BODY_SIZE", "WebhookApp", "webhook_app"]


_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]

DEFAULT_MAX_BODY_SIZE = 64 * 1024
"""The largest body, in bytes, a [`WebhookApp`][alliance_pay.webhooks.WebhookApp] reads by
default; a documented webhook is under 2 KiB."""


async def _respond(
    send: _Send, status: int, outcome: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = json.dumps({"outcome": outcome}).encode("ascii")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class WebhookApp:
    """The ASGI app [`webhook_app`][alliance_pay.webhooks.webhook_app] returns; see there.

    It answers ``POST`` at whatever path it is mounted on, runs
    ``client.webhooks.handle(body, handler, store=store)`` and answers with its status code and
    ``{"outcome": "..."}``; an exception from ``handler`` is logged and answered with 500.
    Anything but ``POST`` gets 405, a body over ``max_body_size`` bytes 413. It answers the
    ASGI lifespan protocol, and owns nothing: close the client yourself.
    """

    def __init__(
        self,
        client: AsyncAllianceClient,
        handler: WebhookHandler,
        *,
        store: EventStore | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        self._client = client
        self._handler = handler
        self._store: EventStore = store if store is not None else InMemoryEventStore()
        self._max_body_size = max_body_size

    async def __call__(self, scope: _Message, receive: _Receive, send: _Send) -> None:
        """Serve one ASGI connection."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["method"] != "POST":
            await _respond(send, 405, "method_not_allowed", ((b"allow", b"POST"),))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the sender hung up: there is no one to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body_size:
                await _respond(send, 413, "too_large")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        try:
            result = await self._client.webhooks.handle(
                b"".join(chunks), self._handler, store=self._store
            )
        except Exception:
            # The event was confirmed but not handled: never acknowledge it.
            logger.exception(
                "the webhook handler failed; answering 500, not acknowledging the event"
            )
            await _respond(send, 500, "error")
            return
        await _respond(send, result.status_code, result.outcome.value)


async def _lifespan(receive: _Receive, send: _Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def webhook_app(
    client: AsyncAllianceClient,
    handler: WebhookHandler,
    *,
    store: EventStore | None = None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
) -> WebhookApp:
    """An ASGI app that receives Alliance webhooks and hands confirmed events to ``handler``.

    Each ``POST`` is parsed, de-duplicated, confirmed with a signed status call and, if the API
    agrees, passed to ``await handler(event, record)``, where ``record`` is the API's
    [`Payin`][alliance_pay.Payin] or [`Payout`][alliance_pay.Payout]: act on ``record``. The
    answer is 200 once handled (or a duplicate, or an unknown event type), 400 for a body that
    is not an event or an event the API does not confirm, 503 when it could not be confirmed
    yet (so that it can be sent again), 500 when ``handler`` raised. An event is never
    acknowledged before ``handler`` has returned, so keep it quick: record the change, queue
    slow work. See [`WebhookOutcome`][alliance_pay.webhooks.WebhookOutcome].

    Args:
        client: the client whose signed status calls confirm events; give it a short timeout
            (``client.with_options(timeout=5, max_retries=1)``) so the answer comes in time.
        handler: ``async def handler(event, record) -> None``.
        store: where handled event keys are kept; an
            [`InMemoryEventStore`][alliance_pay.webhooks.InMemoryEventStore] by default.
        max_body_size: bodies larger than this many bytes are refused with 413.

    Example:
        ```python
        from starlette.routing import Route

        async def on_event(event: KnownEvent, record: Payin | Payout) -> None:
            await orders.update_status(record.order_id, record.status)

        receiver = webhook_app(client, on_event)
        routes = [Route("/webhooks/alliance", receiver, methods=["POST"])]
        ```
    """
    return WebhookApp(client, handler, store=store, max_body_size=max_body_size)
