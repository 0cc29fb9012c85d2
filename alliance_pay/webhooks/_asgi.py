"""The ASGI receiver: ``webhook_app`` wraps ``AsyncAllianceClient.webhooks.handle``.

Raw ASGI, no framework: mount it in any of them, or serve it alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from alliance_pay import _callables
from alliance_pay._logging import logger
from alliance_pay.webhooks._offload import in_worker
from alliance_pay.webhooks._receiving import (
    DEFAULT_MAX_BODY_SIZE,
    HANDLER_FAILED,
    ReceiverSettings,
    answer_body,
    keep_refused,
)
from alliance_pay.webhooks._store import EventStore

if TYPE_CHECKING:
    from alliance_pay._async._client import AsyncAllianceClient
    from alliance_pay._async._webhooks import InboxHandler, WebhookHandler

__all__ = ["DEFAULT_MAX_BODY_SIZE", "WebhookApp", "webhook_app"]


_Message = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[_Message]]
_Send = Callable[[_Message], Awaitable[None]]


async def _respond(
    send: _Send, status: int, outcome: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    body = answer_body(outcome)
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
    ``client.webhooks.handle(body, handler, store=store, ...)`` with the request's headers and
    the sender's address, and answers with its status code and ``{"outcome": "..."}``; an
    exception from ``handler`` is logged and answered with 500. Anything but ``POST`` gets
    405, a body over ``max_body_size`` bytes 413 (its beginning is stored, marked truncated).
    It answers the ASGI lifespan protocol, and owns nothing: close the client yourself.
    """

    def __init__(
        self,
        client: AsyncAllianceClient,
        handler: WebhookHandler | InboxHandler,
        *,
        store: EventStore | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        transactional: bool = False,
    ) -> None:
        _callables.check_async_api_callable(
            handler, what="the webhook handler", api="webhook_app", fix=""
        )
        self._client = client
        self._handler = handler
        self._settings = ReceiverSettings.of(store, max_body_size, transactional)

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
        headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]
        ]
        client = scope.get("client")
        remote = f"{client[0]}:{client[1]}" if client else None
        read = await self._read_body(receive, headers)
        if read is None:
            return  # the sender hung up: there is no one to answer
        body, too_large = read
        if too_large:
            await in_worker(keep_refused, self._settings.store, body, headers, remote)
            await _respond(send, 413, "too_large")
            return
        try:
            result = await self._client.webhooks.handle(
                body, self._handler, **self._settings.handle_options(headers, remote)
            )
        except Exception:
            # The event was confirmed but not handled: never acknowledge it.
            logger.exception(HANDLER_FAILED)
            await _respond(send, 500, "error")
            return
        await _respond(send, result.status_code, result.outcome.value)

    async def _read_body(
        self, receive: _Receive, headers: list[tuple[str, str]]
    ) -> tuple[bytes, bool] | None:
        """The body and whether it is too large (then only its first ``max_body_size`` bytes,
        none if its declared length says so); ``None`` if the sender hung up."""
        declared = dict(headers).get("content-length", "")
        if declared.isdigit() and int(declared) > self._settings.max_body_size:
            return b"", True
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if size > self._settings.max_body_size:
                return b"".join(chunks)[: self._settings.max_body_size], True
            if not message.get("more_body", False):
                return b"".join(chunks), False


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
    handler: WebhookHandler | InboxHandler,
    *,
    store: EventStore | None = None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    transactional: bool = False,
) -> WebhookApp:
    """An ASGI app that receives Alliance webhooks and hands confirmed events to ``handler``.

    Each ``POST`` is stored raw in ``store``, parsed, de-duplicated, confirmed with a signed
    status call and, if the API agrees, passed to ``handler(event, record)``, where ``record``
    is the API's [`Payin`][alliance_pay.Payin] or [`Payout`][alliance_pay.Payout]: act on
    ``record``. The answer is 200 once handled (or a duplicate, or an unknown event type), 400
    for a body that is not an event or an event the API does not confirm, 503 when it could
    not be confirmed yet or another delivery of it is being handled (so that it comes again),
    500 when ``handler`` raised. An event is never acknowledged before ``handler`` has
    returned, so keep it quick: record the change, queue slow work. See
    [`WebhookOutcome`][alliance_pay.webhooks.WebhookOutcome].

    Args:
        client: the client whose signed status calls confirm events; give it a short timeout
            (``client.with_options(timeout=5, max_retries=1)``) so the answer comes in time.
        handler: ``async def handler(event, record) -> None``, or a plain ``def`` one; with
            ``transactional=True``, ``handler(event, record, connection)``.
        store: where deliveries and events are kept: a
            [`SQLiteEventStore`][alliance_pay.webhooks.SQLiteEventStore] for one host, a
            [`PostgresEventStore`][alliance_pay.webhooks.PostgresEventStore] for replicas; an
            [`InMemoryEventStore`][alliance_pay.webhooks.InMemoryEventStore] by default.
        max_body_size: bodies larger than this many bytes are refused with 413.
        transactional: call ``handler(event, record, connection)`` inside the store's
            transaction that marks the event handled (a SQL store only): the handler's writes
            on ``connection`` commit with the mark, or not at all.

    Example:
        ```python
        from starlette.routing import Route

        async def on_event(event: KnownEvent, record: Payin | Payout) -> None:
            await orders.update_status(record.order_id, record.status)

        receiver = webhook_app(client, on_event, store=SQLiteEventStore("webhooks.sqlite3"))
        routes = [Route("/webhooks/alliance", receiver, methods=["POST"])]
        ```
    """
    return WebhookApp(
        client, handler, store=store, max_body_size=max_body_size, transactional=transactional
    )
