"""``client.webhooks``: confirm webhook events with a signed status call, and receive them.

The rules live in the ``alliance_pay.webhooks`` package, shared by the async and the sync client:
what must agree in ``_confirmation``, which answer a receiver gives in ``_results``. This module
only fetches the order and calls the merchant's handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, overload

from alliance_pay import _callables
from alliance_pay._exceptions import (
    AllianceValidationError,
    APIError,
    NotFoundError,
    WebhookParseError,
    WebhookVerificationError,
)
from alliance_pay._models import Payin, Payout
from alliance_pay.webhooks._confirmation import contradiction_in, disagreement
from alliance_pay.webhooks._events import (
    KnownEvent,
    PayinEvent,
    PayoutEvent,
    UnknownEvent,
    WebhookEvent,
    parse_event,
)
from alliance_pay.webhooks._inbox import ClaimLostError
from alliance_pay.webhooks._memory import InMemoryEventStore
from alliance_pay.webhooks._offload import in_worker
from alliance_pay.webhooks._results import (
    NOT_TRANSACTIONAL,
    WebhookOutcome,
    WebhookResult,
    describe_error,
    raw_body,
    record_data,
    webhook_result,
)
from alliance_pay.webhooks._sql import SQLEventStore
from alliance_pay.webhooks._store import (
    Claim,
    Delivery,
    EventNotStoredError,
    EventStore,
    check_event_store,
)

if TYPE_CHECKING:
    from alliance_pay._async._client import AsyncAllianceClient

__all__ = ["AsyncWebhooksResource", "InboxHandler", "WebhookHandler"]

_HANDLE = "AsyncAllianceClient.webhooks.handle"
_HANDLER = "the webhook handler"


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


class InboxHandler(Protocol):
    """What ``client.webhooks.handle(..., transactional=True)`` calls with each confirmed event.

    ``connection`` is the store's database connection (``sqlite3.Connection`` or
    ``psycopg.Connection``) inside the transaction that marks the event handled: write your
    own changes on it, and they commit together with the mark, or not at all. Do not commit
    or roll back yourself.

    Example:
        ```python
        def on_event(event: KnownEvent, record: Payin | Payout, connection) -> None:
            connection.execute(
                "UPDATE orders SET status = %s WHERE id = %s", (record.status, record.order_id)
            )
        ```
    """

    def __call__(
        self, event: KnownEvent, record: Payin | Payout, connection: Any, /
    ) -> _callables.AwaitableOrNone:
        """Act on one confirmed event, writing on ``connection``."""
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
        self,
        payload: bytes | str,
        handler: WebhookHandler | InboxHandler,
        *,
        store: EventStore | None = None,
        headers: Sequence[tuple[str, str]] = (),
        remote: str | None = None,
        transactional: bool = False,
    ) -> WebhookResult:
        """Receive one webhook: store it, parse, de-duplicate, confirm, call ``handler``.

        The raw request is stored first, whatever it holds. Then ``handler(event, record)`` is
        called at most once per event key among all the processes sharing ``store`` (unless a
        claim outlives its lease), and only after the API confirmed the event; its exceptions
        propagate (answer 500), and the event is then stored as ``failed`` so that a
        redelivery is handled. Answer the provider with ``result.status_code``, see
        [`WebhookOutcome`][alliance_pay.webhooks.WebhookOutcome].

        Args:
            payload: the raw request body.
            handler: ``async def handler(event, record)`` (a plain function works too); with
                ``transactional=True``, ``handler(event, record, connection)``.
            store: where deliveries and events are kept; by default an
                [`InMemoryEventStore`][alliance_pay.webhooks.InMemoryEventStore] this resource
                keeps (one per client; ``with_options`` clones get their own).
            headers: the request's headers, kept with the raw body.
            remote: the sender's address, kept with the raw body.
            transactional: call ``handler(event, record, connection)`` inside the store's
                database transaction that marks the event handled, so the handler's writes
                on ``connection`` and the mark commit together (SQL stores only).

        Returns:
            What happened, and the status code to answer with, as a
                [`WebhookResult`][alliance_pay.webhooks.WebhookResult].

        Raises:
            TypeError: ``handler`` is not a function this client can run (the sync client
                refuses a coroutine function), or it returned an awaitable to the sync client:
                nothing was handled, so answer 500 and the event comes again. Also when
                ``store`` lacks a method of ``EventStore`` (a store written for 0.1.0).

        Example:
            ```python
            result = await client.webhooks.handle(raw_body, on_event)
            # answer with result.status_code and {"outcome": str(result.outcome)}
            ```
        """
        _callables.check_async_api_callable(
            handler, what=_HANDLER, api=_HANDLE, fix=_callables.WEBHOOK_HANDLER_FIX
        )
        body = raw_body(payload)
        if store is None:
            store = self._store
        else:
            check_event_store(store)
        if transactional and not isinstance(store, SQLEventStore):
            raise TypeError(NOT_TRANSACTIONAL.format(store=type(store).__name__))
        delivery = Delivery.now(body, headers, remote)
        delivery_id = await in_worker(store.record_delivery, delivery)
        try:
            event = parse_event(body)
        except WebhookParseError as exc:
            key, result = None, webhook_result(WebhookOutcome.INVALID, str(exc))
        else:
            key = event.key
            try:
                result = await self._dispatch(event, handler, store, transactional)
            except BaseException:
                await in_worker(store.note_delivery, delivery_id, key=key, outcome="error")
                raise
        await in_worker(store.note_delivery, delivery_id, key=key, outcome=result.outcome.value)
        return result

    async def _dispatch(
        self,
        event: WebhookEvent,
        handler: WebhookHandler | InboxHandler,
        store: EventStore,
        transactional: bool,
    ) -> WebhookResult:
        if isinstance(event, UnknownEvent):
            return webhook_result(
                WebhookOutcome.IGNORED, "an event type this SDK does not know", event
            )
        claim = await in_worker(store.claim, event.key)
        if claim is Claim.HANDLED:
            return webhook_result(WebhookOutcome.DUPLICATE, "handled before", event)
        if claim is Claim.IN_PROGRESS:
            return webhook_result(
                WebhookOutcome.IN_PROGRESS, "the same event is being handled now", event
            )
        settled = False
        try:
            result = await self._confirm_claimed(event, store)
            if not isinstance(result, (Payin, Payout)):
                settled = True
                return result
            try:
                if isinstance(store, SQLEventStore) and transactional:
                    await self._call_in_transaction(event, result, handler, store)
                else:
                    await _callables.call_in_async_api(
                        handler, event, result, what=_HANDLER, api=_HANDLE
                    )
                    await in_worker(store.complete, event.key)
            except ClaimLostError as exc:
                settled = True
                return webhook_result(WebhookOutcome.IN_PROGRESS, str(exc), event, result)
            except BaseException as exc:
                settled = True
                await in_worker(store.fail, event.key, describe_error(exc))
                raise
            settled = True
            return webhook_result(
                WebhookOutcome.HANDLED, f"confirmed: {result.status}", event, result
            )
        finally:
            if not settled:  # interrupted: give the claim back rather than wait for the lease
                await in_worker(store.release, event.key, "interrupted before it was handled")

    async def _confirm_claimed(
        self, event: KnownEvent, store: EventStore
    ) -> Payin | Payout | WebhookResult:
        """The API's record of a claimed event, or the result that ends its claim."""
        contradiction = contradiction_in(event)
        if contradiction is not None:
            await in_worker(store.forge, event.key, contradiction.reason)
            return webhook_result(WebhookOutcome.REJECTED, contradiction.reason, event)
        try:
            record = await self._fetch(event)
        except WebhookVerificationError as exc:
            await in_worker(store.forge, event.key, exc.reason)
            return webhook_result(WebhookOutcome.REJECTED, exc.reason, event)
        except APIError as exc:
            reason = f"the status call failed: {exc}"
            await in_worker(store.release, event.key, reason)
            return webhook_result(WebhookOutcome.RETRY, reason, event)
        mismatch = disagreement(event, record)
        if mismatch is not None and mismatch.unsettled:
            await in_worker(store.release, event.key, mismatch.reason)
            return webhook_result(WebhookOutcome.RETRY, mismatch.reason, event, record)
        if mismatch is not None:
            await in_worker(store.forge, event.key, mismatch.reason)
            return webhook_result(WebhookOutcome.REJECTED, mismatch.reason, event, record)
        await in_worker(store.mark_confirmed, event.key, record_data(record))
        return record

    async def _call_in_transaction(
        self,
        event: KnownEvent,
        record: Payin | Payout,
        handler: WebhookHandler | InboxHandler,
        store: SQLEventStore,
    ) -> None:
        transaction = await in_worker(store.begin_handling, event.key)
        try:
            await _callables.call_in_async_api(
                handler, event, record, transaction.connection, what=_HANDLER, api=_HANDLE
            )
        except BaseException:
            await in_worker(transaction.rollback)
            raise
        await in_worker(transaction.commit)

    async def replay(
        self,
        key: str,
        handler: WebhookHandler | InboxHandler,
        *,
        store: EventStore,
        transactional: bool = False,
    ) -> WebhookResult:
        """Handle a stored event once more, from its latest stored raw delivery.

        The event is marked for one more handling (``store.rearm``), then its raw body goes
        through [`handle`][alliance_pay._async._webhooks.AsyncWebhooksResource.handle] again:
        re-confirmed with a status call and passed to ``handler``, even if it was handled.

        Raises:
            EventNotStoredError: ``store`` holds no complete delivery of ``key``.

        Example:
            ```python
            result = await client.webhooks.replay("payout.succeeded:PO-1001", on_event, store=store)
            ```
        """
        stored = [d for d in await in_worker(store.deliveries, key) if not d.truncated]
        if not stored:
            raise EventNotStoredError(key)
        await in_worker(store.rearm, key)
        latest = stored[-1]
        return await self.handle(
            latest.body,
            handler,
            store=store,
            headers=latest.headers,
            remote="replay",
            transactional=transactional,
        )
