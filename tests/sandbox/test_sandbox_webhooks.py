"""Webhooks reach the merchant's receiver, shaped like the documented samples, with retries."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alliance_pay.sandbox import REJECTED_ACCOUNT_NUMBER, Sandbox, create_app, serve_in_thread
from tests.sandbox.support import (
    PAYIN_KEYS,
    PAYOUT_STATUS_KEYS,
    Signer,
    eventually,
    link_body,
    make_config,
    payout_body,
)

HOOK = "http://merchant.test/hooks/alliance"


class Receiver:
    """A merchant's webhook endpoint that fails its first ``failures`` calls."""

    def __init__(self, failures: int = 0, status_code: int = 500) -> None:
        self.failures = failures
        self.status_code = status_code
        self.calls = 0
        self.events: list[dict[str, Any]] = []
        self.app = Starlette(routes=[Route("/hooks/alliance", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> Response:
        self.calls += 1
        if self.calls <= self.failures:
            return Response("down", status_code=self.status_code)
        self.events.append(json.loads(await request.body(), parse_float=Decimal))
        return Response("ok")

    def seen(self) -> list[tuple[str, str]]:
        return [(event["event"], event["data"]["order_id"]) for event in self.events]


async def sandbox_for(receiver: Receiver, **options: Any) -> tuple[Sandbox, Starlette]:
    transport = httpx.ASGITransport(receiver.app)
    app = create_app(make_config(webhook_url=HOOK, webhook_transport=transport, **options))
    return app.state.sandbox, app


@pytest.fixture
async def hooked() -> AsyncIterator[tuple[Signer, Sandbox, Receiver, httpx.AsyncClient]]:
    receiver = Receiver()
    sandbox, app = await sandbox_for(receiver)
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        yield Signer(http), sandbox, receiver, http


async def run_every_event(api: Signer, http: httpx.AsyncClient) -> None:
    """Cause one of each of the five events."""
    ok = (await api.create_link(link_body("PI-OK"))).json()["data"]["pay_url"]
    no = (await api.create_link(link_body("PI-NO"))).json()["data"]["pay_url"]
    await http.post(ok, data={"action": "confirm"})
    await http.post(no, data={"action": "fail"})
    await api.create_payout(payout_body("PO-OK"))
    await api.create_payout(payout_body("PO-NO", beneficiary_acc_no=REJECTED_ACCOUNT_NUMBER))
    await api.balance()  # the next request settles the zero-delay payouts


async def test_all_five_events_arrive_with_the_documented_data(
    hooked: tuple[Signer, Sandbox, Receiver, httpx.AsyncClient],
) -> None:
    api, sandbox, receiver, http = hooked
    await run_every_event(api, http)
    assert receiver.events == []  # nothing is sent until something delivers
    await sandbox.tick()
    assert receiver.seen() == [
        ("payin.initiated", "PI-OK"),
        ("payin.succeeded", "PI-OK"),
        ("payin.initiated", "PI-NO"),
        ("payin.failed", "PI-NO"),
        ("payout.succeeded", "PO-OK"),
        ("payout.failed", "PO-NO"),
    ]
    by_event = {(e["event"], e["data"]["order_id"]): e["data"] for e in receiver.events}
    for (event, _), data in by_event.items():
        assert set(data) == (PAYIN_KEYS if event.startswith("payin") else PAYOUT_STATUS_KEYS)
    assert by_event["payin.initiated", "PI-OK"]["status"] == "Initiated"
    assert by_event["payin.initiated", "PI-OK"]["transaction_id"] is None
    assert by_event["payin.succeeded", "PI-OK"]["status"] == "Approved"
    assert by_event["payin.failed", "PI-NO"]["status"] == "Rejected"
    assert by_event["payout.succeeded", "PO-OK"]["status"] == "Approved"
    assert by_event["payout.succeeded", "PO-OK"]["charge"] == Decimal("5.9")
    assert by_event["payout.failed", "PO-NO"]["status"] == "Rejected"
    assert all(d.delivered and d.attempts == 1 for d in sandbox.webhooks.log)


async def test_a_failing_receiver_is_retried_until_it_answers() -> None:
    receiver = Receiver(failures=2, status_code=503)
    sandbox, _ = await sandbox_for(receiver, payout_delay=0)
    sandbox.ledger.create_payin(
        user_id="u", order_id="PI-1", amount=Decimal("1.00"), redirect_url="http://x.test"
    )
    sandbox.confirm_payin("PI-1")
    await sandbox.tick()
    assert receiver.seen() == [("payin.initiated", "PI-1"), ("payin.succeeded", "PI-1")]
    first, second = sandbox.webhooks.log
    assert (first.attempts, first.delivered, first.status_code) == (3, True, 200)
    assert (second.attempts, second.delivered) == (1, True)


async def test_retries_stop_after_the_last_attempt() -> None:
    receiver = Receiver(failures=100, status_code=500)
    sandbox, _ = await sandbox_for(receiver, webhook_max_attempts=3)
    sandbox.ledger.create_payin(
        user_id="u", order_id="PI-1", amount=Decimal("1.00"), redirect_url="http://x.test"
    )
    sandbox.fail_payin("PI-1")
    await sandbox.tick()
    assert receiver.calls == 6
    assert all(
        (d.attempts, d.delivered, d.status_code, d.error, d.finished)
        == (3, False, 500, "HTTP 500", True)
        for d in sandbox.webhooks.log
    )


async def test_backoff_doubles_between_attempts() -> None:
    receiver = Receiver(failures=3)
    sandbox, _ = await sandbox_for(receiver, webhook_backoff=0.02)
    sandbox.webhooks.enqueue("payout.succeeded", "PO-1", {"order_id": "PO-1"})
    started = time.monotonic()
    await sandbox.tick()
    # Three failures wait 0.02 + 0.04 + 0.08 s before the fourth attempt succeeds.
    assert time.monotonic() - started >= 0.14
    assert sandbox.webhooks.log[0].attempts == 4


async def test_an_unreachable_receiver_is_logged_as_an_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    app = create_app(
        make_config(
            webhook_url=HOOK, webhook_transport=httpx.MockTransport(refuse), webhook_max_attempts=2
        )
    )
    sandbox: Sandbox = app.state.sandbox
    sandbox.webhooks.enqueue("payout.failed", "PO-1", {"order_id": "PO-1"})
    await sandbox.tick()
    delivery = sandbox.webhooks.log[0]
    assert (delivery.attempts, delivery.delivered, delivery.status_code) == (2, False, None)
    assert delivery.error == "ConnectError: connection refused"


async def test_the_background_worker_delivers_in_order_while_running() -> None:
    receiver = Receiver(failures=1)
    sandbox, app = await sandbox_for(receiver)
    transport = httpx.ASGITransport(app)
    async with (
        sandbox.running(),
        httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http,
    ):
        api = Signer(http)
        await run_every_event(api, http)
        # While running, tick() only waits for the background worker; it sends nothing itself.
        with anyio.fail_after(5):
            await sandbox.tick()
    assert len(receiver.events) == 6
    # Events of one order keep their order even when the first was retried.
    seen = receiver.seen()
    assert seen.index(("payin.initiated", "PI-OK")) < seen.index(("payin.succeeded", "PI-OK"))
    assert seen.index(("payin.initiated", "PI-NO")) < seen.index(("payin.failed", "PI-NO"))


async def test_payouts_settle_in_the_background_while_running() -> None:
    receiver = Receiver()
    sandbox, _ = await sandbox_for(receiver, payout_delay=0.05, tick_interval=0.01)
    async with sandbox.running():
        sandbox.ledger.create_payout(
            {**payout_body("PO-BG", amount=Decimal("1.00")), "raw_mobile": "7878787878"}
        )
        await eventually(lambda: bool(receiver.events))
    assert receiver.seen() == [("payout.succeeded", "PO-BG")]


async def test_no_webhook_url_sends_nothing(api: Signer, sandbox: Sandbox) -> None:
    await api.create_payout(payout_body("PO-1"))
    sandbox.settle_payouts()
    await sandbox.tick()
    assert sandbox.webhooks.log == []


async def test_the_delivery_log_is_in_the_control_state(
    hooked: tuple[Signer, Sandbox, Receiver, httpx.AsyncClient],
) -> None:
    api, _, _, http = hooked
    await api.create_payout(payout_body("PO-L"))
    await http.post("/_sandbox/tick", json={})
    state = (await http.get("/_sandbox/state")).json()
    assert state["webhooks"] == [
        {
            "event": "payout.succeeded",
            "order_id": "PO-L",
            "url": HOOK,
            "attempts": 1,
            "status_code": 200,
            "error": None,
            "delivered": True,
            "finished": True,
        }
    ]


async def test_webhooks_cross_real_sockets_to_a_receiver_served_by_uvicorn() -> None:
    receiver = Receiver(failures=1)
    with serve_in_thread(receiver.app) as receiver_url:
        config = make_config(webhook_url=f"{receiver_url}/hooks/alliance", tick_interval=0.01)
        with serve_in_thread(create_app(config)) as sandbox_url:
            async with httpx.AsyncClient(base_url=sandbox_url) as http:
                api = Signer(http)
                assert (await api.create_payout(payout_body("PO-NET"))).status_code == 201
                await eventually(lambda: bool(receiver.events))
                state = (await http.post("/_sandbox/tick", json={})).json()
    assert receiver.seen() == [("payout.succeeded", "PO-NET")]
    assert state["webhooks"][0]["attempts"] == 2
    assert state["webhooks"][0]["delivered"] is True
