"""Webhooks: parse an event, confirm it with a signed status call, then act on it.

Alliance signs nothing it sends: anyone who knows a receiver's URL can POST a webhook saying a
payment succeeded. So a webhook is a *hint*, and the SDK turns it into a fact in three steps:

1. :func:`parse_event` turns the body into a typed event (:class:`PayinEvent`,
   :class:`PayoutEvent`, or :class:`UnknownEvent` for a type the SDK does not know yet).
2. ``client.webhooks.confirm(event)`` fetches the order with a signed status call and checks
   that it exists and that the event's order id, amounts and status agree with it. It returns
   the API's record: act on that, never on the event's ``data``.
3. ``client.webhooks.handle(body, handler)`` does both, de-duplicates redeliveries by
   :attr:`PayinEvent.key`, and calls your handler once per confirmed event; :func:`webhook_app`
   is the same as a framework-neutral ASGI app. See ``docs/webhooks.md``.

Example:
    ```python
    from alliance_pay.webhooks import parse_event

    event = parse_event(b'{"event": "payout.failed", "data": {"order_id": "P-1", ...}}')
    payout = await client.webhooks.confirm(event)  # raises WebhookVerificationError if forged
    ```
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import cattrs
from attrs import frozen

from ._converter import converter
from ._exceptions import WebhookParseError
from ._logging import logger
from ._models import Payin, PayinStatus, Payout, PayoutStatus
from ._signing import dumps_body

if TYPE_CHECKING:
    from ._async._client import AsyncAllianceClient
    from ._async._webhooks import WebhookHandler

__all__ = [
    "Claim",
    "DEFAULT_MAX_BODY_SIZE",
    "EventStore",
    "EventType",
    "InMemoryEventStore",
    "KnownEvent",
    "PayinEvent",
    "PayoutEvent",
    "UnknownEvent",
    "WebhookApp",
    "WebhookEvent",
    "WebhookOutcome",
    "WebhookResult",
    "parse_event",
    "webhook_app",
]


class EventType(str, enum.Enum):
    """The documented webhook events. Each member equals its wire name.

    Examples:
        >>> EventType("payout.failed") is EventType.PAYOUT_FAILED
        True
        >>> EventType.PAYIN_SUCCEEDED == "payin.succeeded"
        True
    """

    PAYIN_INITIATED = "payin.initiated"
    PAYIN_SUCCEEDED = "payin.succeeded"
    PAYIN_FAILED = "payin.failed"
    PAYOUT_SUCCEEDED = "payout.succeeded"
    PAYOUT_FAILED = "payout.failed"

    def __str__(self) -> str:
        return str(self.value)


@frozen(kw_only=True)
class PayinEvent:
    """A ``payin.*`` event as received: *not yet confirmed*.

    Attributes:
        type: ``payin.initiated``, ``payin.succeeded`` or ``payin.failed``.
        data: the :class:`~alliance_pay.Payin` the body carries, read like a status call's.
        key: ``"<type>:<order_id>"``, identical for every redelivery of this event; use it to
            handle each event once.

    Examples:
        >>> event = parse_event('{"event": "payin.failed", '
        ...                     '"data": {"order_id": "A-1", "status": "Rejected", "amount": 5.9}}')
        >>> event.key, event.data.amount
        ('payin.failed:A-1', Decimal('5.9'))
    """

    type: EventType
    data: Payin
    key: str


@frozen(kw_only=True)
class PayoutEvent:
    """A ``payout.*`` event as received: *not yet confirmed*.

    Attributes:
        type: ``payout.succeeded`` or ``payout.failed``.
        data: the :class:`~alliance_pay.Payout` the body carries.
        key: ``"<type>:<order_id>"``, identical for every redelivery of this event.

    Examples:
        >>> event = parse_event('{"event": "payout.succeeded", '
        ...                     '"data": {"order_id": "P-1", "status": "Approved", "charge": 5.9}}')
        >>> event.type, event.data.charge
        (<EventType.PAYOUT_SUCCEEDED: 'payout.succeeded'>, Decimal('5.9'))
    """

    type: EventType
    data: Payout
    key: str


@frozen(kw_only=True)
class UnknownEvent:
    """An event type this SDK does not know yet, kept so that a new event breaks nothing.

    It cannot be confirmed (the SDK does not know which call would confirm it), so
    ``client.webhooks.handle`` acknowledges it without calling your handler.

    Attributes:
        type: the ``event`` string as received.
        data: the ``data`` object as received; numbers with a fraction are ``Decimal``.
        key: ``"<type>:sha256:<hex>"``, the SHA-256 of the body in a canonical form (keys
            sorted, numbers normalised), so a redelivery of the same body has the same key.

    Examples:
        >>> event = parse_event('{"event": "refund.created", "data": {"amount": 10.50}}')
        >>> event.type, event.data
        ('refund.created', {'amount': Decimal('10.50')})
    """

    type: str
    data: Mapping[str, Any]
    key: str


#: An event the SDK can confirm.
KnownEvent = PayinEvent | PayoutEvent
#: What :func:`parse_event` returns.
WebhookEvent = PayinEvent | PayoutEvent | UnknownEvent

_Record = TypeVar("_Record", Payin, Payout)
_PAYIN_TYPES = frozenset(
    {EventType.PAYIN_INITIATED, EventType.PAYIN_SUCCEEDED, EventType.PAYIN_FAILED}
)
_JSON_TYPE_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return "a number"
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python keeps the last of two equal keys; a body that says "event" twice is ambiguous,
    # and a receiver must not guess which one the sender meant.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key[:40]!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _load(payload: bytes | str) -> Any:
    if isinstance(payload, (bytes, bytearray)):
        try:
            text = bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookParseError("the webhook body is not UTF-8 text") from None
    elif isinstance(payload, str):
        text = payload
    else:
        raise TypeError(
            f"parse_event takes the raw body as bytes or str, not {type(payload).__name__}: "
            "pass the bytes you received (request.body()), not parsed JSON"
        )
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_object_without_duplicates,
        )
    except RecursionError:
        raise WebhookParseError("the webhook body is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, a duplicate key, NaN, an oversized integer
        raise WebhookParseError(f"the webhook body is not valid JSON: {exc}") from None


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _body_digest(body: Mapping[str, Any]) -> str:
    try:
        canonical = dumps_body(_sorted(body))
    except RecursionError:
        raise WebhookParseError("the webhook body is nested too deeply") from None
    return hashlib.sha256(canonical).hexdigest()


def _structure(data: Mapping[str, Any], cls: type[_Record]) -> _Record:
    # The order id names the order to confirm and makes the key: it must be read as sent.
    # (The converter's hook for a required ``str`` would turn ``null`` into "None".)
    order_id = data.get("order_id")
    if "order_id" in data and (isinstance(order_id, bool) or not isinstance(order_id, (str, int))):
        raise WebhookParseError(
            f"the event's data.order_id must be a string, not {_json_type(order_id)}"
        )
    try:
        record = converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        reasons = "; ".join(cattrs.transform_error(exc, path="data"))
        raise WebhookParseError(
            f"the event's data is not a valid {cls.__name__}: {reasons}"
        ) from None
    except (TypeError, ValueError) as exc:
        raise WebhookParseError(f"the event's data is not a valid {cls.__name__}: {exc}") from None
    if not record.order_id:
        raise WebhookParseError("the event's data.order_id is empty")
    return record


def parse_event(payload: bytes | str) -> WebhookEvent:
    """Read a webhook body into a typed event. It does no I/O and proves nothing: confirm it.

    A documented event becomes a :class:`PayinEvent` or :class:`PayoutEvent` whose ``data`` is
    the same model the status calls return (money as exact ``Decimal``, statuses as
    :class:`~alliance_pay.PayinStatus` / :class:`~alliance_pay.PayoutStatus`). Any other
    ``event`` string becomes an :class:`UnknownEvent`. Extra fields are ignored. Whether the
    event's status fits its type (``payout.succeeded`` with ``Rejected``) is checked by
    ``confirm``, not here: such a body is well formed, just not true.

    Args:
        payload: the raw request body, exactly as received.

    Returns:
        A :data:`WebhookEvent`.

    Raises:
        WebhookParseError: the body is not UTF-8 JSON, not an object, has no string
            ``event`` or no object ``data``, repeats a key, or a known event's ``data``
            cannot be read (a missing ``order_id`` or ``status``, an amount that is no number).
        TypeError: ``payload`` is neither bytes nor str.

    Examples:
        >>> event = parse_event(b'{"event": "payin.succeeded", "data": '
        ...                     b'{"order_id": "A-1", "status": "Approved", "amount": 100.50}}')
        >>> event.key, event.data.status.name, event.data.amount
        ('payin.succeeded:A-1', 'APPROVED', Decimal('100.50'))
    """
    body = _load(payload)
    if not isinstance(body, dict):
        raise WebhookParseError(f"a webhook body must be a JSON object, not {_json_type(body)}")
    if "event" not in body:
        raise WebhookParseError("the webhook body has no 'event'")
    name = body["event"]
    if not isinstance(name, str):
        raise WebhookParseError(f"'event' must be a string, not {_json_type(name)}")
    if not name.strip():
        raise WebhookParseError("'event' is empty")
    if "data" not in body:
        raise WebhookParseError("the webhook body has no 'data'")
    data = body["data"]
    if not isinstance(data, dict):
        raise WebhookParseError(f"'data' must be a JSON object, not {_json_type(data)}")
    try:
        event_type = EventType(name)
    except ValueError:
        return UnknownEvent(type=name, data=data, key=f"{name}:sha256:{_body_digest(body)}")
    if event_type in _PAYIN_TYPES:
        payin = _structure(data, Payin)
        return PayinEvent(type=event_type, data=payin, key=f"{name}:{payin.order_id}")
    payout = _structure(data, Payout)
    return PayoutEvent(type=event_type, data=payout, key=f"{name}:{payout.order_id}")


# How an event is checked against the API's record. Pure functions, shared by the async and
# the sync ``client.webhooks``.

_FINAL = frozenset({"Approved", "Rejected"})
_UNSETTLED = frozenset({"Pending", "Initiated"})
#: The statuses each event type may carry in its data.
_CLAIMED_STATUSES: Mapping[EventType, frozenset[str]] = {
    EventType.PAYIN_INITIATED: frozenset({PayinStatus.INITIATED.value, PayinStatus.PENDING.value}),
    EventType.PAYIN_SUCCEEDED: frozenset({PayinStatus.APPROVED.value}),
    EventType.PAYIN_FAILED: frozenset({PayinStatus.REJECTED.value}),
    EventType.PAYOUT_SUCCEEDED: frozenset({PayoutStatus.APPROVED.value}),
    EventType.PAYOUT_FAILED: frozenset({PayoutStatus.REJECTED.value}),
}


@frozen
class _Mismatch:
    reason: str
    #: The event claims a final status the API does not show *yet*: a genuine webhook may
    #: have outrun the status API, so a receiver asks for a redelivery instead of refusing.
    unsettled: bool = False


def _contradiction(event: KnownEvent) -> _Mismatch | None:
    """An event whose status does not fit its own type (``payout.succeeded`` + ``Rejected``)."""
    claimed = event.data.status.value
    if claimed not in _CLAIMED_STATUSES[event.type]:
        return _Mismatch(f"a {event.type} event cannot carry the status {claimed!r}")
    return None


def _disagreement(event: KnownEvent, record: Payin | Payout) -> _Mismatch | None:
    """What the event claims that the API's record does not say, or ``None``.

    Amounts and the UTR are compared when the event carries them; the status must be equal,
    unless the event's status is not final (``payin.initiated``): the order may have moved on.
    """
    contradiction = _contradiction(event)
    if contradiction is not None:
        return contradiction
    data = event.data
    if record.order_id != data.order_id:
        return _Mismatch(f"the API answered for order {record.order_id!r}, not {data.order_id!r}")
    names = ("amount", "request_amount") if isinstance(data, Payin) else ("amount",)
    for name in names:
        claimed, actual = getattr(data, name), getattr(record, name)
        # Decimal equality: 100 == 100.00, as money should compare.
        if claimed is not None and claimed != actual:
            return _Mismatch(f"{name} disagrees: the event says {claimed}, the API says {actual}")
    if (
        data.transaction_id is not None
        and record.transaction_id is not None
        and data.transaction_id != record.transaction_id
    ):
        return _Mismatch(
            f"transaction_id disagrees: the event says {data.transaction_id!r}, "
            f"the API says {record.transaction_id!r}"
        )
    claimed_status, actual_status = data.status.value, record.status.value
    if claimed_status != actual_status and claimed_status in _FINAL:
        return _Mismatch(
            f"status disagrees: the event says {claimed_status!r}, the API says {actual_status!r}",
            unsettled=actual_status in _UNSETTLED,
        )
    return None


# Receiving: de-duplication and the receiver's answers.


class Claim(enum.Enum):
    """What :meth:`EventStore.claim` found for an event key."""

    #: Not seen before: the caller owns the key and must ``complete`` or ``release`` it.
    NEW = "new"
    #: Handled already: this is a redelivery.
    HANDLED = "handled"
    #: Another delivery of the same event is being handled right now.
    IN_PROGRESS = "in_progress"


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
        """Try to take ``key`` for handling; see :class:`Claim`."""
        ...

    def complete(self, key: str) -> None:
        """Mark a claimed key handled: later claims get ``HANDLED``."""
        ...

    def release(self, key: str) -> None:
        """Give a claimed key back unhandled: a later delivery may claim it again."""
        ...


class InMemoryEventStore:
    """An :class:`EventStore` in this process's memory, thread-safe, bounded in size.

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

    #: Confirmed, and your handler returned: 200.
    HANDLED = "handled"
    #: A redelivery of an event already handled: 200, the handler is not called again.
    DUPLICATE = "duplicate"
    #: An event type the SDK does not know; it cannot be confirmed, so it is logged (a
    #: warning) and acknowledged without calling the handler: 200.
    IGNORED = "ignored"
    #: The body is not a valid event: 400.
    INVALID = "invalid"
    #: The API does not confirm the event (unknown order, another amount or status): 400, and
    #: a warning on the ``alliance_pay`` logger. A redelivery would not change the answer.
    REJECTED = "rejected"
    #: Not handled *yet*: the status call failed, the API does not show the event's final
    #: status yet, or the same event is being handled right now. 503, so it can come again.
    RETRY = "retry"

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
        outcome: the :class:`WebhookOutcome`.
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


def _result(
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

#: The largest body :class:`WebhookApp` reads; a documented webhook is under 2 KiB.
DEFAULT_MAX_BODY_SIZE = 64 * 1024


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
    """The ASGI app :func:`webhook_app` returns; see there.

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
    :class:`~alliance_pay.Payin` or :class:`~alliance_pay.Payout`: act on ``record``. The
    answer is 200 once handled (or a duplicate, or an unknown event type), 400 for a body that
    is not an event or an event the API does not confirm, 503 when it could not be confirmed
    yet (so that it can be sent again), 500 when ``handler`` raised. An event is never
    acknowledged before ``handler`` has returned, so keep it quick: record the change, queue
    slow work. See :class:`WebhookOutcome`.

    Args:
        client: the client whose signed status calls confirm events; give it a short timeout
            (``client.with_options(timeout=5, max_retries=1)``) so the answer comes in time.
        handler: ``async def handler(event, record) -> None``.
        store: where handled event keys are kept; an :class:`InMemoryEventStore` by default.
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
