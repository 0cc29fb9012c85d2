"""``client.webhooks``: confirm webhook events with a signed status call, and receive them.

The rules live in private modules shared by the async and the sync client: what must agree in
``_webhook_confirmation``, which answer a receiver gives in ``_webhook_receiver``. This module
only fetches the order and calls the merchant's handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, overload

from alliance_pay import _callables
from alliance_pay._exceptions import (
    AllianceValidationError,
    APIError,
    NotFoundError,
    WebhookParseError,
    WebhookVerificationError,
)
from alliance_pay._models import Payin, Payout
from alliance_pay._webhook_confirmation import contradiction_in, disagreement
from alliance_pay._webhook_events import (
    KnownEvent,
    PayinEvent,
    PayoutEvent,
    UnknownEvent,
    WebhookEvent,
    parse_event,
)
from alliance_pay._webhook_receiver import (
    Claim,
    EventStore,
    InMemoryEventStore,
    WebhookOutcome,
    WebhookResult,
    webhook_result,
)

if TYPE_CHECKING:
    from alliance_pay._async._client import AsyncAllianceClient

__all__ = ["AsyncWebhooksResource", "WebhookHandler"]

_HANDLE = "AsyncAllianceClient.webhooks.handle"


class WebhookHandler(Protocol):
    """What ``client.webhooks.handle`` calls with each confirmed event.

    ``event`` is the webhook as received, ``record`` the API's authoritative record of its
    order: act on ``record``. Raise to refuse the event: it is then not acknowledged, so it
    can be sent again. See [`handle`][alliance_pay._async._webhooks.AsyncWebhooksResource.handle].

    The async client runs a coroutine function or a plain function; the sync client refuses a
    coroutine function with ``TypeError``, as it would never run it.

    Example:
        ```python
        async def on_event(event: KnownEvent, record: Payin | Payout) -> None:
            await orders.update_status(record.order_id, record.status)
        ```
    """

    def __call__(self, event: KnownEvent, record: Payin | Payout, /) -> _callables.AwaitableOrNone:
        """Act on one confirmed event."""
        ...


class AsyncWebhooksResource:
    """Webhook confirmation and receiving, reached as ``client.webhooks``.

    Alliance does not sign its webhooks, so their bodies prove nothing; this resource checks
    each one against a signed status call. See ``docs/webhooks.md``.
    """

    def __init__(self, client: AsyncAllianceClient) -> None:
        self._client = client
        self._store = InMemoryEventStore()

    @overload
    async def confirm(self, event: PayinEvent) -> Payin: ...
    @overload
    async def confirm(self, event: PayoutEvent) -> Payout: ...
    @overload
    async def confirm(self, event: WebhookEvent) -> Payin | Payout: ...

    async def confirm(self, event: WebhookEvent) -> Payin | Payout:
        """Check an event against the API, and return the API's record of its order.

        One signed status call (``payins.retrieve`` or ``payouts.retrieve``, retried like them)
        must find the order, with the event's order id, ``amount`` (and ``request_amount`` for
        a payin), ``transaction_id`` when both have one, and status. The status rules:

        * the same status: confirmed;
        * the event's status is not final (``payin.initiated``) and the API's is anything:
          confirmed, the order simply moved on; the record returned says where it is now;
        * the event claims ``Approved`` or ``Rejected`` and the API says otherwise (still
          ``Pending``, or the other final status): refused;
        * the event's status does not fit its type (``payout.succeeded`` carrying
          ``Rejected``): refused, without a call.

        Act on the record returned, never on ``event.data``: for ``payin.initiated`` the record
        may already be ``Approved``.

        Args:
            event: an event from [`parse_event`][alliance_pay.webhooks.parse_event].

        Returns:
            The API's record of the order, a [`Payin`][alliance_pay.Payin] or a
                [`Payout`][alliance_pay.Payout].

        Raises:
            WebhookVerificationError: the API does not confirm the event: an unknown order, a
                different amount or status, or an event type the SDK cannot confirm.
            APIError: the status call itself failed (network, 5xx after retries, 401). That
                proves nothing about the event: answer non-2xx so that it can be sent again.

        Example:
            ```python
            event = parse_event(raw_body)  # the request body exactly as received, as bytes
            payin = await client.webhooks.confirm(event)
            if payin.status is PayinStatus.APPROVED:
                await orders.mark_paid(payin.order_id, payin.amount)
            ```
        """
        if isinstance(event, UnknownEvent):
            raise WebhookVerificationError(
                f"an event of type {event.type!r} cannot be confirmed: this SDK does not know it",
                event=event,
            )
        contradiction = contradiction_in(event)
        if contradiction is not None:
            raise WebhookVerificationError(contradiction.reason, event=event)
        record = await self._fetch(event)
        mismatch = disagreement(event, record)
        if mismatch is not None:
            raise WebhookVerificationError(mismatch.reason, event=event)
        return record

    async def _fetch(self, event: KnownEvent) -> Payin | Payout:
        order_id = event.data.order_id
        kind = "payin" if isinstance(event, PayinEvent) else "payout"
        try:
            if isinstance(event, PayinEvent):
                return await self._client.payins.retrieve(order_id)
            return await self._client.payouts.retrieve(order_id)
        except NotFoundError as exc:
            raise WebhookVerificationError(
                f"unknown order: the API has no {kind} with order id {order_id!r}", event=event
            ) from exc
        except AllianceValidationError as exc:
            raise WebhookVerificationError(
                f"the order id cannot be looked up: {exc.reason}", event=event
            ) from exc

    async def handle(
        self, payload: bytes | str, handler: WebhookHandler, *, store: EventStore | None = None
    ) -> WebhookResult:
        """Receive one webhook: parse, de-duplicate, confirm, call ``handler``; say what to answer.

        ``handler(event, record)`` is called at most once per event key, and only after the
        API confirmed the event; its exceptions propagate (answer 500), and the key is then
        released so that a redelivery is handled. Answer the provider with
        ``result.status_code``, see [`WebhookOutcome`][alliance_pay.webhooks.WebhookOutcome].

        Args:
            payload: the raw request body.
            handler: ``handler(event, record)``, a
                [`WebhookHandler`][alliance_pay._async._webhooks.WebhookHandler]; checked
                first, whatever the payload.
            store: where handled keys are kept; by default an
                [`InMemoryEventStore`][alliance_pay.webhooks.InMemoryEventStore] this resource
                keeps (one per client; ``with_options`` clones get their own).

        Returns:
            What happened, and the status code to answer with, as a
                [`WebhookResult`][alliance_pay.webhooks.WebhookResult].

        Raises:
            TypeError: ``handler`` is not a function this client can run (the sync client
                refuses a coroutine function), or it returned an awaitable to the sync client:
                nothing was handled, so answer 500 and the event comes again.

        Example:
            ```python
            result = await client.webhooks.handle(raw_body, on_event)
            # answer with result.status_code and {"outcome": str(result.outcome)}
            ```
        """
        _callables.check_async_api_callable(
            handler, what="the webhook handler", api=_HANDLE, fix=_callables.WEBHOOK_HANDLER_FIX
        )
        try:
            event = parse_event(payload)
        except WebhookParseError as exc:
            return webhook_result(WebhookOutcome.INVALID, str(exc))
        if isinstance(event, UnknownEvent):
            return webhook_result(
                WebhookOutcome.IGNORED, "an event type this SDK does not know", event
            )
        store = self._store if store is None else store
        claim = store.claim(event.key)
        if claim is Claim.HANDLED:
            return webhook_result(WebhookOutcome.DUPLICATE, "handled before", event)
        if claim is Claim.IN_PROGRESS:
            return webhook_result(
                WebhookOutcome.RETRY, "the same event is being handled now", event
            )
        handled = False
        try:
            contradiction = contradiction_in(event)
            if contradiction is not None:
                return webhook_result(WebhookOutcome.REJECTED, contradiction.reason, event)
            try:
                record = await self._fetch(event)
            except WebhookVerificationError as exc:
                return webhook_result(WebhookOutcome.REJECTED, exc.reason, event)
            except APIError as exc:
                return webhook_result(WebhookOutcome.RETRY, f"the status call failed: {exc}", event)
            mismatch = disagreement(event, record)
            if mismatch is not None:
                outcome = WebhookOutcome.RETRY if mismatch.unsettled else WebhookOutcome.REJECTED
                return webhook_result(outcome, mismatch.reason, event, record)
            await _callables.call_in_async_api(
                handler, event, record, what="the webhook handler", api=_HANDLE
            )
            handled = True
            return webhook_result(
                WebhookOutcome.HANDLED, f"confirmed: {record.status}", event, record
            )
        finally:
            if handled:
                store.complete(event.key)
            else:
                store.release(event.key)
