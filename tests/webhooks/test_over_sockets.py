"""End to end over real sockets: a sandbox served by uvicorn delivers webhooks to the
documentation's receivers, served for real (the Starlette one by uvicorn, the Flask one by
werkzeug), which confirm each event with signed status calls back to the sandbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from alliance_pay import AllianceClient
from alliance_pay.sandbox import REJECTED_ACCOUNT_NUMBER, SandboxConfig, create_app, serve_in_thread
from tests.helpers import ACCESS_KEY, SECRET_KEY
from tests.webhooks.support import example_module, wait_until, webhook_log

PATH = "/webhooks/alliance"


@pytest.fixture
def sandbox() -> Iterator[tuple[Any, str]]:
    """A sandbox on a real socket: its app (to point its webhooks somewhere) and its URL."""
    config = SandboxConfig(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, payout_delay=0, webhook_backoff=0.01
    )
    app = create_app(config)
    with serve_in_thread(app) as base_url:
        yield app, base_url


def send_webhooks_to(app: Any, url: str) -> None:
    # Set once, before any order exists: no event is queued yet, so the sandbox's thread only
    # reads the new address after this write (there is no control endpoint for it).
    app.state.sandbox.webhooks.url = url


def make_orders(base_url: str) -> None:
    """What a merchant and its customer do: a paid payin, a paid payout and a bounced one."""
    with AllianceClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=base_url) as client:
        link = client.payins.create_link(
            user_id="cust-1",
            order_id="PI-1",
            amount=Decimal("499.50"),
            redirect_url="https://shop.example.in/thanks",
        )
        # The customer presses "Confirm Payment" on the hosted page.
        httpx.post(link.pay_url, data={"action": "confirm"}).raise_for_status()
        for order_id, account in (("PO-1", "123456789012"), ("PO-2", REJECTED_ACCOUNT_NUMBER)):
            client.payouts.create(
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


EXPECTED_DELIVERIES = [
    ("payin.initiated", "PI-1", 200, True),
    ("payin.succeeded", "PI-1", 200, True),
    ("payout.succeeded", "PO-1", 200, True),
    ("payout.failed", "PO-2", 200, True),
]
EXPECTED_ORDERS = {"PI-1": "Approved", "PO-1": "Approved", "PO-2": "Rejected"}


def deliveries_when_finished(base_url: str) -> list[tuple[str, str, int | None, bool]]:
    wait_until(
        lambda: (
            len(log := webhook_log(base_url)) == len(EXPECTED_DELIVERIES)
            and all(d["finished"] for d in log)
        )
    )
    return [
        (d["event"], d["order_id"], d["status_code"], d["delivered"]) for d in webhook_log(base_url)
    ]


def test_the_starlette_receiver_confirms_real_webhooks(
    sandbox: tuple[Any, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, base_url = sandbox
    with (
        example_module("webhooks_starlette", monkeypatch, base_url) as example,
        serve_in_thread(example.app) as receiver_url,
    ):
        send_webhooks_to(app, f"{receiver_url}{PATH}")
        make_orders(base_url)
        assert deliveries_when_finished(base_url) == EXPECTED_DELIVERIES
        assert example.orders == EXPECTED_ORDERS
        # PO-2 bounced; a forger says it was paid.
        paid = b'{"event": "payout.succeeded", "data": {"order_id": "PO-2", "status": "Approved"}}'
        forged = httpx.post(f"{receiver_url}{PATH}", content=paid)
        assert (forged.status_code, forged.json()) == (400, {"outcome": "rejected"})
    assert example.orders == EXPECTED_ORDERS


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        pass  # werkzeug would print one line per request


@pytest.fixture
def flask_receiver(sandbox: tuple[Any, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The Flask example served by werkzeug on a real socket; yields the module and its URL."""
    _, base_url = sandbox
    with example_module("webhooks_flask", monkeypatch, base_url) as example:
        server = make_server(
            "127.0.0.1", 0, example.app, threaded=True, request_handler=_QuietHandler
        )
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},  # how soon shutdown() is noticed
            name="flask-receiver",
            daemon=True,
        )
        thread.start()
        try:
            yield example, f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(5)
            server.server_close()
            example.client.close()


def test_the_flask_receiver_confirms_real_webhooks(
    sandbox: tuple[Any, str], flask_receiver: tuple[Any, str]
) -> None:
    app, base_url = sandbox
    example, receiver_url = flask_receiver
    send_webhooks_to(app, f"{receiver_url}{PATH}")
    make_orders(base_url)
    assert deliveries_when_finished(base_url) == EXPECTED_DELIVERIES
    assert example.orders == EXPECTED_ORDERS
    never_made = b'{"event": "payin.succeeded", "data": {"order_id": "PI-9", "status": "Approved"}}'
    forged = httpx.post(f"{receiver_url}{PATH}", content=never_made)
    assert (forged.status_code, forged.json()) == (400, {"outcome": "rejected"})
