"""Receiving webhooks: remembering handled events, the receiver's answers, the ASGI app.

``client.webhooks.handle`` de-duplicates with an ``EventStore`` and says what to answer with a
``WebhookResult``; ``webhook_app`` wraps it in a framework-neutral ASGI app. The public names are
re-exported from ``alliance_pay.webhooks``.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Protocol

from attrs import frozen

from . import _callables
from ._logging import logger
from ._models import Payin, Payout
from ._webhook_events import WebhookEvent

if TYPE_CHECKING:
    from ._async._client import AsyncAllianceClient
    from ._async._webhooks import WebhookHandler

__all__ = [
    "Claim",
    "DEFAULT_MAX_BODY_SIZE",
    "EventStore",
    "InMemoryEventStore",
    "WebhookApp",
    "WebhookOutcome",
    "WebhookResult",
    "webhook_app",
    "webhook_result",
]


class Claim(enum.Enum):
    """What [`EventStore.claim`][alliance_pay.webhooks.EventStore.claim] found for an event key."""

    NEW = "new"
    """Not seen before: the caller owns the key and must ``complete`` or ``release`` it."""
    HANDLED = "handled"
    """Handled already: this is a redelivery."""
    IN_PROGRESS = "in_progress"
    """Another delivery of the same event is being handled right now."""


class EventStore(Protocol):
    """Remembers which event keys were handled, so a redelivery is not handled twice.

    ``claim`` must be atomic: of two concurrent claims of one key, one gets ``NEW``. A claim
    that is never completed or released (the process died mid-handler) should expire after a
    while in a persistent store, or the event stays ``IN_PROGRESS`` forever.

    Example:
        A store on your database, whose ``processed_webhooks`` table has a unique ``key``:

        ```python
        class DatabaseEventStore:
            def claim(self, key: str) -> Claim:
                ...  # INSERT the key as 'in_progress'; on conflict, read its state
            def complete(self, key: str) -> None:
                ...  # UPDATE its state to 'handled'
            def release(self, key: str) -> None:
                ...  # DELETE the row
        ```
    """

    def claim(self, key: str) -> Claim:
        """Try to take ``key`` for handling; see [`Claim`][alliance_pay.webhooks.Claim]."""
        ...

    def complete(self, key: str) -> None:
        """Mark a claimed key handled: later claims get ``HANDLED``."""
        ...

    def release(self, key: str) -> None:
        """Give a claimed key back unhandled: a later delivery may claim it again."""
        ...


class InMemoryEventStore:
    """An [`EventStore`][alliance_pay.webhooks.EventStore] in memory: thread-safe, bounded in size.

    It keeps the ``max_size`` most recently handled keys and forgets older ones; it forgets
    everything on restart and is not shared between processes. In production, keep handled
    keys in your database, ideally in the same transaction as the handler's own writes.

    Examples:
        >>> store = InMemoryEventStore(max_size=2)
        >>> store.claim("payout.succeeded:P-1")
        <Claim.NEW: 'new'>
        >>> store.complete("payout.succeeded:P-1")
        >>> store.claim("payout.succeeded:P-1")
        <Claim.HANDLED: 'handled'>
    """

    def __init__(self, max_size: int = 10_000) -> None:
        if isinstance(max_size, bool) or max_size < 1:
            raise ValueError(f"max_size must be a positive int, not {max_size!r}")
        self._max_size = max_size
        self._handled: OrderedDict[str, None] = OrderedDict()
        self._in_progress: set[str] = set()
        self._lock = threading.Lock()

    def claim(self, key: str) -> Claim:
        """Take ``key`` unless it is handled or being handled."""
        with self._lock:
            if key in self._handled:
                return Claim.HANDLED
            if key in self._in_progress:
                return Claim.IN_PROGRESS
            self._in_progress.add(key)
            return Claim.NEW

    def complete(self, key: str) -> None:
        """Remember ``key`` as handled, forgetting the oldest beyond ``max_size``."""
        with self._lock:
            self._in_progress.discard(key)
            self._handled[key] = None
            self._handled.move_to_end(key)
            while len(self._handled) > self._max_size:
                self._handled.popitem(last=False)

    def release(self, key: str) -> None:
        """Forget a claim that was not handled."""
        with self._lock:
            self._in_progress.discard(key)


class WebhookOutcome(str, enum.Enum):
    """What ``client.webhooks.handle`` did with a webhook, and so what to answer."""

    HANDLED = "handled"
    """Confirmed, and your handler returned: 200."""
    DUPLICATE = "duplicate"
    """A redelivery of an event already handled: 200, the handler is not called again."""
    IGNORED = "ignored"
    """An event type the SDK does not know; it cannot be confirmed, so it is logged (a
    warning) and acknowledged without calling the handler: 200."""
    INVALID = "invalid"
    """The body is not a valid event: 400."""
    REJECTED = "rejected"
    """The API does not confirm the event (unknown order, another amount or status): 400, and
    a warning on the ``alliance_pay`` logger. A redelivery would not change the answer."""
    RETRY = "retry"
    """Not handled *yet*: the status call failed, the API does not show the event's final
    status yet, or the same event is being handled right now. 503, so it can come again."""

    def __str__(self) -> str:
        return str(self.value)


_STATUS_CODES: Mapping[WebhookOutcome, int] = {
    WebhookOutcome.HANDLED: 200,
    WebhookOutcome.DUPLICATE: 200,
    WebhookOutcome.IGNORED: 200,
    WebhookOutcome.INVALID: 400,
    WebhookOutcome.REJECTED: 400,
    WebhookOutcome.RETRY: 503,
}


@frozen(kw_only=True)
class WebhookResult:
    """The result of ``client.webhooks.handle``: what happened and what to answer.

    Attributes:
        outcome: the [`WebhookOutcome`][alliance_pay.webhooks.WebhookOutcome].
        status_code: the HTTP status to answer with (200, 400 or 503).
        detail: why, for your logs. Do not send it back: it may tell a forger what the API
            holds (an order's real amount); answer with ``outcome`` alone.
        event: the parsed event, unless the body did not parse.
        record: the API's record, when the event was confirmed.

    Example:
        ```python
        result = client.webhooks.handle(request.get_data(), on_event)
        return {"outcome": str(result.outcome)}, result.status_code
        ```
    """

    outcome: WebhookOutcome
    status_code: int
    detail: str
    event: WebhookEvent | None = None
    record: Payin | Payout | None = None


def webhook_result(
    outcome: WebhookOutcome,
    detail: str,
    event: WebhookEvent | None = None,
    record: Payin | Payout | None = None,
) -> WebhookResult:
    # One log line per webhook: anything not handled (or handled before) is worth a warning.
    quiet = outcome in (WebhookOutcome.HANDLED, WebhookOutcome.DUPLICATE)
    level = logging.INFO if quiet else logging.WARNING
    name = event.key if event is not None else "webhook"
    logger.log(level, "%s %s: %s", name, outcome.value, detail)
    return WebhookResult(
        outcome=outcome,
        status_code=_STATUS_CODES[outcome],
        detail=detail,
        event=event,
        record=record,
    )


# The ASGI receiver. Raw ASGI, no framework: mount it in any of them, or serve it alone.

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
        _callables.check_async_api_callable(
            handler, what="the webhook handler", api="webhook_app", fix=""
        )
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
        handler: ``async def handler(event, record) -> None``, or a plain ``def`` one.
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
