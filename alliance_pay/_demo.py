"""``alliance-pay demo``: the whole product against a local sandbox, narrated, offline.

It serves the sandbox and a webhook receiver on free loopback ports, then walks a merchant's
day with the async client: the balance, a payin link paid by a simulated customer, a payout
that succeeds and one that bounces, and the webhooks, each confirmed with a signed status call.
It exits 0 only if every step ends as the documentation says it should.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from typing import Any

import httpx

from alliance_pay import (
    AllianceError,
    AsyncAllianceClient,
    Payin,
    PayinStatus,
    Payout,
    PayoutStatus,
)

__all__ = ["run_demo"]

#: How long the demo waits for the webhooks, in seconds.
_WEBHOOK_WAIT = 15.0
_EXPECTED_EVENTS = ("payin.initiated", "payin.succeeded", "payout.succeeded", "payout.failed")


def _inr(amount: Decimal | int | None) -> str:
    return "₹-" if amount is None else f"₹{Decimal(amount):,.2f}"


class _Narrator:
    def __init__(self, write: Callable[[str], None]) -> None:
        self._write = write
        self._step = 0

    def step(self, title: str) -> None:
        self._step += 1
        self._write(f"\n[{self._step}] {title}")

    def say(self, text: str) -> None:
        self._write(f"    {text}")


class _Inbox:
    """What the webhook receiver confirmed, shared between its thread and the demo's."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.confirmed: list[tuple[str, str, str]] = []

    def add(self, event_type: str, order_id: str, status: str) -> None:
        with self._lock:
            self.confirmed.append((event_type, order_id, status))

    def types(self) -> set[str]:
        with self._lock:
            return {event_type for event_type, _, _ in self.confirmed}


@contextmanager
def _servers(inbox: _Inbox, access_key: str, secret_key: str) -> Iterator[tuple[str, str]]:
    """The sandbox and the webhook receiver, each on a free loopback port."""
    from alliance_pay.sandbox import SandboxConfig, create_app, serve_in_thread
    from alliance_pay.webhooks import webhook_app

    app = create_app(
        SandboxConfig(
            access_key=access_key,
            secret_key=secret_key,
            balance=Decimal("25000.00"),
            payout_delay=1.0,
            webhook_backoff=0.1,
        )
    )
    with ExitStack() as stack:
        sandbox_url = stack.enter_context(serve_in_thread(app))

        async def on_event(event: object, record: Payin | Payout) -> None:
            inbox.add(str(getattr(event, "type", "?")), record.order_id, str(record.status))

        # The receiver confirms each event with its own client, used only on its own loop; no
        # kept-alive connections, so nothing is left open when its server stops.
        receiver_client = AsyncAllianceClient(
            access_key=access_key,
            secret_key=secret_key,
            base_url=sandbox_url,
            timeout=5,
            max_retries=1,
            http_client=httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=0)),
        )
        receiver_url = stack.enter_context(serve_in_thread(webhook_app(receiver_client, on_event)))
        # The sandbox's loop reads this attribute when it next queues an event.
        app.state.sandbox.webhooks.url = f"{receiver_url}/webhooks/alliance"
        yield sandbox_url, receiver_url


def _beneficiary(order_id: str, account: str, amount: Decimal) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "user_id": "seller-42",
        "amount": amount,
        "beneficiary_name": "Asha Verma",
        "beneficiary_email": "asha@example.in",
        "beneficiary_mobile_no": "9876543210",
        "beneficiary_address": "12 MG Road, Bengaluru",
        "beneficiary_acc_no": account,
        "bank_name": "SBI",
        "ifsc": "SBIN0060589",
    }


async def _walk(client: AsyncAllianceClient, inbox: _Inbox, say: _Narrator) -> list[str]:
    """The merchant's day; returns what went differently from the documentation."""
    problems: list[str] = []
    run = uuid.uuid4().hex[:6].upper()

    say.step("Check the wallet balance  (GET api/v1/balance)")
    start = (await client.balance.retrieve()).balance
    say.say(f"balance: {_inr(start)}  (a {type(start).__name__}, exact to the paisa)")

    say.step("Create a UPI payin link for a customer  (POST api/v1/payin/generate/link)")
    payin_id = f"DEMO-IN-{run}"
    link = await client.payins.create_link(
        user_id="customer-7",
        order_id=payin_id,
        amount=Decimal("499.00"),
        redirect_url="https://shop.example.in/thanks",
    )
    say.say(f"pay_url: {link.pay_url}")

    say.step("The customer opens the link and presses 'Confirm Payment'")
    async with httpx.AsyncClient() as browser:
        page = await browser.get(link.pay_url)
        if "Confirm Payment" not in page.text:
            problems.append("the payment page has no 'Confirm Payment' button")
        form_action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        target = httpx.URL(link.pay_url).join(form_action.group(1)) if form_action else link.pay_url
        done = await browser.post(target, data={"action": "confirm"})
        say.say(f"payment page: HTTP {page.status_code}; after confirming: HTTP {done.status_code}")

    say.step("Look the payin up  (POST api/v1/payin/transactions)")
    payin = await client.payins.retrieve(payin_id)
    say.say(f"{payin.order_id}: {payin.status}, {_inr(payin.amount)}, UTR {payin.transaction_id}")
    if payin.status is not PayinStatus.APPROVED:
        problems.append(f"the paid payin is {payin.status}, not Approved")

    say.step("Send a payout to a seller's bank account  (POST api/v1/payout/initiate)")
    paid_id = f"DEMO-OUT-{run}"
    payout = await client.payouts.create(
        **_beneficiary(paid_id, "123456789012", Decimal("1500.50"))
    )
    say.say(
        f"{payout.order_id}: {payout.status}, {_inr(payout.amount)}, charge {_inr(payout.charge)}"
    )

    say.step("Wait for it to be final  (GET api/v1/payout/{order_id}/status, polled)")
    final = await client.payouts.wait(paid_id, timeout=30, poll_interval=0.25)
    say.say(f"{final.order_id}: {final.status}, UTR {final.transaction_id}")
    if final.status is not PayoutStatus.APPROVED:
        problems.append(f"the payout is {final.status}, not Approved")

    say.step("A payout to the sandbox's bouncing account 000000000000")
    bounced_id = f"DEMO-BOUNCE-{run}"
    await client.payouts.create(**_beneficiary(bounced_id, "000000000000", Decimal("200.00")))
    bounced = await client.payouts.wait(bounced_id, timeout=30, poll_interval=0.25)
    say.say(f"{bounced.order_id}: {bounced.status} ({bounced.message}); amount and charge refunded")
    if bounced.status is not PayoutStatus.REJECTED:
        problems.append(f"the bouncing payout is {bounced.status}, not Rejected")

    say.step("The wallet after all that")
    end = (await client.balance.retrieve()).balance
    received, sent, charge = payin.amount or 0, payout.amount or 0, payout.charge or 0
    expected = start + received - sent - charge
    say.say(
        f"balance: {_inr(end)} = {_inr(start)} + {_inr(received)} in"
        f" - {_inr(sent)} out - {_inr(charge)} charge"
    )
    if end != expected:
        problems.append(f"the balance is {end}, expected {expected}")

    say.step("Webhooks received, each confirmed with a signed status call")
    deadline = time.monotonic() + _WEBHOOK_WAIT
    # Polled, not awaited on an event: the inbox is filled from the receiver's thread.
    while not set(_EXPECTED_EVENTS) <= inbox.types() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    for event_type, order_id, status in inbox.confirmed:
        say.say(f"{event_type:<17} {order_id:<22} confirmed: {status}")
    missing = set(_EXPECTED_EVENTS) - inbox.types()
    if missing:
        problems.append(f"webhooks not received: {', '.join(sorted(missing))}")
    return problems


def run_demo(write: Callable[[str], None] = print) -> int:
    """Run the narrated demo; return 0 when every step ends as documented, else 1.

    Example:
        ```python
        from alliance_pay._demo import run_demo

        assert run_demo() == 0
        ```
    """
    say = _Narrator(write)
    access_key, secret_key = f"demo-{secrets.token_hex(4)}", secrets.token_hex(16)
    inbox = _Inbox()
    write("alliance-pay demo: the whole product against a local sandbox (no network, no keys)")
    try:
        with _servers(inbox, access_key, secret_key) as (sandbox_url, receiver_url):
            write(f"sandbox:          {sandbox_url}")
            write(f"webhook receiver: {receiver_url}/webhooks/alliance")

            async def main() -> list[str]:
                async with AsyncAllianceClient(
                    access_key=access_key, secret_key=secret_key, base_url=sandbox_url
                ) as client:
                    return await _walk(client, inbox, say)

            problems = asyncio.run(main())
    except AllianceError as error:
        write(f"\nThe demo failed: {type(error).__name__}: {error}")
        return 1
    if problems:
        write("\nThe demo did not go as documented:")
        for problem in problems:
            write(f"  - {problem}")
        return 1
    write("\nEverything worked. Next: `alliance-pay sandbox` to keep a sandbox running, and docs/.")
    return 0
