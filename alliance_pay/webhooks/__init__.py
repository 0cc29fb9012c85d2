"""Webhooks: parse an event, confirm it with a signed status call, then act on it.

Alliance signs nothing it sends: anyone who knows a receiver's URL can POST a webhook saying a
payment succeeded. So a webhook is a *hint*, and the SDK turns it into a fact in three steps:

1. [`parse_event`][alliance_pay.webhooks.parse_event] turns the body into a typed event
   ([`PayinEvent`][alliance_pay.webhooks.PayinEvent],
   [`PayoutEvent`][alliance_pay.webhooks.PayoutEvent], or
   [`UnknownEvent`][alliance_pay.webhooks.UnknownEvent] for a type the SDK does not know yet).
2. ``client.webhooks.confirm(event)`` fetches the order with a signed status call and checks
   that it exists and that the event's order id, amounts and status agree with it. It returns
   the API's record: act on that, never on the event's ``data``.
3. ``client.webhooks.handle(body, handler, store=store)`` does both, keeps every request in an
   event store first, de-duplicates deliveries by the event's ``key`` with a leased claim, and
   calls your handler once per confirmed event;
   [`webhook_app`][alliance_pay.webhooks.webhook_app] (ASGI) and
   [`webhook_wsgi_app`][alliance_pay.webhooks.webhook_wsgi_app] (WSGI) are the same as apps.

The stores: [`SQLiteEventStore`][alliance_pay.webhooks.SQLiteEventStore] for the processes of
one host, [`PostgresEventStore`][alliance_pay.webhooks.PostgresEventStore] for replicas (and the
transactional inbox), [`InMemoryEventStore`][alliance_pay.webhooks.InMemoryEventStore] for
tests. See ``docs/webhooks.md``.

Example:
    ```python
    from alliance_pay.webhooks import parse_event

    event = parse_event(b'{"event": "payout.failed", "data": {"order_id": "P-1", ...}}')
    payout = await client.webhooks.confirm(event)  # raises WebhookVerificationError if forged
    ```
"""

from __future__ import annotations

from alliance_pay.webhooks._asgi import WebhookApp, webhook_app
from alliance_pay.webhooks._events import (
    EventType,
    KnownEvent,
    PayinEvent,
    PayoutEvent,
    UnknownEvent,
    WebhookEvent,
    parse_event,
)
from alliance_pay.webhooks._inbox import ClaimLostError, InboxTransaction
from alliance_pay.webhooks._memory import InMemoryEventStore
from alliance_pay.webhooks._postgres import PostgresEventStore
from alliance_pay.webhooks._receiving import DEFAULT_MAX_BODY_SIZE
from alliance_pay.webhooks._results import WebhookOutcome, WebhookResult
from alliance_pay.webhooks._sqlite import SQLiteEventStore
from alliance_pay.webhooks._store import (
    DEFAULT_LEASE,
    DEFAULT_RETENTION,
    Claim,
    Delivery,
    EventNotStoredError,
    EventState,
    EventStore,
    HistoryEntry,
    StoredEvent,
)
from alliance_pay.webhooks._wsgi import WebhookWSGIApp, webhook_wsgi_app

__all__ = [
    "Claim",
    "ClaimLostError",
    "DEFAULT_LEASE",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_RETENTION",
    "Delivery",
    "EventNotStoredError",
    "EventState",
    "EventStore",
    "EventType",
    "HistoryEntry",
    "InMemoryEventStore",
    "InboxTransaction",
    "KnownEvent",
    "PayinEvent",
    "PayoutEvent",
    "PostgresEventStore",
    "SQLiteEventStore",
    "StoredEvent",
    "UnknownEvent",
    "WebhookApp",
    "WebhookEvent",
    "WebhookOutcome",
    "WebhookResult",
    "WebhookWSGIApp",
    "parse_event",
    "webhook_app",
    "webhook_wsgi_app",
]
