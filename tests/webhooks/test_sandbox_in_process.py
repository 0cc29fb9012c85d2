"""End to end, in-process: the sandbox delivers real webhooks (through its ``webhook_transport``)
to the SDK's ASGI receiver, which confirms each one with a signed status call to the same sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest
from starlette.applications import Starlette

from alliance_pay import (
    AsyncAllianceClient,
    Payin,
    Payout,
    WebhookVerificationError,
)
from alliance_pay._signing import dumps_body
from alliance_pay.sandbox import REJECTED_ACCOUNT_NUMBER, Sandbox, SandboxConfig, create_app
from alliance_pay.webhooks import KnownEvent, parse_event, webhook_app
from tests.webhooks.samples import altered

ACCESS_KEY = "ak_webhooks_e2e"
SECRET_KEY = "sk_webhooks_e2e_5b1f"
RECEIVER_URL = "http://merchant.test/webhooks/alliance"


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[KnownEvent, Payin | Payout]] = []

    async def __call__(self, event: KnownEvent, record: Payin | Payout) -> None:
        self.calls.append((event, record))

    def seen(self) -> list[tuple[str, str, str]]:
        return [(str(e.type), r.order_id, r.status.value) for e, r in self.calls]


class LateBound:
    """An ASGI app that forwards to one set later: the sandbox and the receiver each need the
    other's address before either exists."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@attrs.define
class World:
    sandbox: Sandbox
    client: AsyncAllianceClient
    handler: Recorder
    receiver: httpx.AsyncClient

    def deliveries(self) -> list[tuple[str, str, int | None, bool]]:
        return [
            (d.event, d.order_id, d.status_code, d.delivered) for d in self.sandbox.webhooks.log
        ]

    def sent_body(self, index: int) -> bytes:
        """A delivered webhook's body, as the sandbox sent it."""
        delivery = self.sandbox.webhooks.log[index]
        return dumps_body({"event": delivery.event, "data": delivery.data})


@pytest.fixture
async def world() -> AsyncIterator[World]:
    sandbox_app = LateBound()
    handler = Recorder()
    transport = httpx.ASGITransport(sandbox_app)
    async with httpx.AsyncClient(transport=transport) as http:
        client = AsyncAllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url="http://sandbox.test",
            http_client=http,
            max_retries=0,
        )
        receiver_transport = httpx.ASGITransport(webhook_app(client, handler))
        config = SandboxConfig(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            payout_delay=0,
            webhook_url=RECEIVER_URL,
            webhook_transport=receiver_transport,
            webhook_backoff=0.001,
        )
        app: Starlette = create_app(config)
        sandbox_app.app = app
        async with httpx.AsyncClient(transport=receiver_transport) as receiver:
            yield World(app.state.sandbox, client, handler, receiver)


async def create_link(world: World, order_id: str, amount: str = "499.50") -> None:
    await world.client.payins.create_link(
        user_id="cust-1",
        order_id=order_id,
        amount=Decimal(amount),
        redirect_url="https://shop.example.in/thanks",
    )


async def create_payout(world: World, order_id: str, account: str = "123456789012") -> None:
    await world.client.payouts.create(
        order_id=order_id,
        user_id="merchant-7",
        amount=Decimal("1500.00"),
        beneficiary_name="Asha Verma",
        beneficiary_email="asha@example.in",
        beneficiary_mobile_no="9876543210",
        beneficiary_address="12 MG Road, Bengaluru",
        beneficiary_acc_no=account,
        bank_name="SBI",
        ifsc="SBIN0060589",
    )


async def test_a_paid_payin_is_delivered_confirmed_and_handled(world: World) -> None:
    await create_link(world, "PI-1")
    world.sandbox.confirm_payin("PI-1")  # the customer presses "Confirm Payment"
    await world.sandbox.tick()  # deliver what is queued
    assert world.deliveries() == [
        ("payin.initiated", "PI-1", 200, True),
        ("payin.succeeded", "PI-1", 200, True),
    ]
    # Both confirmed; by the time payin.initiated arrived, the payin was already Approved.
    assert world.handler.seen() == [
        ("payin.initiated", "PI-1", "Approved"),
        ("payin.succeeded", "PI-1", "Approved"),
    ]
    assert world.handler.calls[1][1].amount == Decimal("499.50")


async def test_a_failed_payin_is_delivered_confirmed_and_handled(world: World) -> None:
    await create_link(world, "PI-2")
    world.sandbox.fail_payin("PI-2")
    await world.sandbox.tick()
    assert world.handler.seen() == [
        ("payin.initiated", "PI-2", "Rejected"),
        ("payin.failed", "PI-2", "Rejected"),
    ]


async def test_settled_payouts_are_delivered_confirmed_and_handled(world: World) -> None:
    await create_payout(world, "PO-1")
    await create_payout(world, "PO-2", account=REJECTED_ACCOUNT_NUMBER)
    await world.sandbox.tick()  # settles both (no delay), then delivers
    assert world.handler.seen() == [
        ("payout.succeeded", "PO-1", "Approved"),
        ("payout.failed", "PO-2", "Rejected"),
    ]
    assert all(delivered for *_, delivered in world.deliveries())


async def test_a_receiver_that_cannot_confirm_yet_gets_the_event_again(world: World) -> None:
    await create_payout(world, "PO-3")
    world.sandbox.faults.add("payout.status", "status", status_code=503)  # once
    await world.sandbox.tick()
    [delivery] = world.sandbox.webhooks.log
    assert (delivery.attempts, delivery.status_code, delivery.delivered) == (2, 200, True)
    assert world.handler.seen() == [("payout.succeeded", "PO-3", "Approved")]


async def test_a_delivered_event_is_genuine_and_its_forgeries_are_not(world: World) -> None:
    await create_payout(world, "PO-4")
    await world.sandbox.tick()
    genuine = world.sent_body(0)

    assert (await world.client.webhooks.confirm(parse_event(genuine))).order_id == "PO-4"
    for forged, reason in [
        (altered(genuine, amount="15000.00"), "amount disagrees"),
        (altered(genuine, order_id="PO-NEVER"), "unknown order"),
        (altered(genuine, "payout.failed", status="Rejected"), "status disagrees"),
    ]:
        with pytest.raises(WebhookVerificationError, match=reason):
            await world.client.webhooks.confirm(parse_event(forged))


async def test_the_receiver_refuses_forgeries_and_acknowledges_a_redelivery(world: World) -> None:
    await create_payout(world, "PO-5")
    world.sandbox.settle_payouts()  # queues payout.succeeded, not delivered yet
    genuine = world.sent_body(0)

    forged_amount = await world.receiver.post(RECEIVER_URL, content=altered(genuine, amount=9))
    forged_order = await world.receiver.post(RECEIVER_URL, content=altered(genuine, order_id="X"))
    assert (forged_amount.status_code, forged_amount.json()) == (400, {"outcome": "rejected"})
    assert (forged_order.status_code, forged_order.json()) == (400, {"outcome": "rejected"})
    assert world.handler.calls == []

    await world.sandbox.tick()  # the genuine delivery: refused forgeries did not use up its key
    redelivery = await world.receiver.post(RECEIVER_URL, content=genuine)
    assert world.deliveries() == [("payout.succeeded", "PO-5", 200, True)]
    assert (redelivery.status_code, redelivery.json()) == (200, {"outcome": "duplicate"})
    assert world.handler.seen() == [("payout.succeeded", "PO-5", "Approved")]
