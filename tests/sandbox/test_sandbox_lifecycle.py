"""Payouts settle after their delay, the wallet moves exactly, payins are paid on the pay page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal

import anyio
import httpx
import pytest

from alliance_pay.sandbox import REJECTED_ACCOUNT_NUMBER, Sandbox, create_app
from tests.sandbox.support import FakeClock, Signer, link_body, make_config, payout_body

START = Decimal("1000.00")
CHARGE = Decimal("5.90")


@pytest.fixture
async def timed(clock: FakeClock) -> AsyncIterator[tuple[Signer, Sandbox]]:
    """A sandbox with a 2 s payout delay on a clock the test moves."""
    app = create_app(make_config(clock=clock, payout_delay=2, balance=START))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as http:
        yield Signer(http, clock=clock), app.state.sandbox


async def status_of(api: Signer, order_id: str) -> str:
    response = await api.payout_status(order_id)
    status: str = response.json()["data"]["status"]
    return status


async def test_a_payout_is_approved_once_its_delay_has_passed(
    timed: tuple[Signer, Sandbox], clock: FakeClock
) -> None:
    api, sandbox = timed
    await api.create_payout(payout_body("PO-1", amount=Decimal("100.50")))
    assert sandbox.balance == START - Decimal("100.50") - CHARGE
    clock.advance(1.9)
    assert await status_of(api, "PO-1") == "Pending"
    clock.advance(0.2)
    response = await api.payout_status("PO-1")
    data = response.json()["data"]
    assert data["status"] == "Approved"
    assert data["message"] == "Payout has been approved."
    assert re.fullmatch(r"\d{12}", data["transaction_id"])
    assert sandbox.balance == START - Decimal("100.50") - CHARGE


async def test_a_payout_to_the_test_account_is_rejected_and_refunded(
    timed: tuple[Signer, Sandbox], clock: FakeClock
) -> None:
    api, sandbox = timed
    body = payout_body("PO-R", amount=Decimal("40.00"), beneficiary_acc_no=REJECTED_ACCOUNT_NUMBER)
    assert (await api.create_payout(body)).status_code == 201
    assert sandbox.balance == Decimal("954.10")
    clock.advance(2)
    data = (await api.payout_status("PO-R")).json()["data"]
    assert data["status"] == "Rejected"
    assert data["transaction_id"] is None
    assert sandbox.balance == START
    kinds = [(entry.kind, entry.amount) for entry in sandbox.ledger.entries]
    assert kinds == [("payout", Decimal("-45.90")), ("refund", Decimal("45.90"))]


async def test_settle_payouts_settles_everything_at_once(timed: tuple[Signer, Sandbox]) -> None:
    api, sandbox = timed
    await api.create_payout(payout_body("PO-A"))
    await api.create_payout(payout_body("PO-B", beneficiary_acc_no=REJECTED_ACCOUNT_NUMBER))
    settled = sandbox.settle_payouts()
    assert [p.order_id for p in settled] == ["PO-A", "PO-B"]
    assert await status_of(api, "PO-A") == "Approved"
    assert await status_of(api, "PO-B") == "Rejected"
    assert sandbox.balance == START - Decimal("100.00") - CHARGE


async def test_payouts_settle_in_due_order_each_exactly_once(
    timed: tuple[Signer, Sandbox], clock: FakeClock
) -> None:
    api, sandbox = timed
    for order_id in ("PO-1", "PO-2", "PO-3"):
        await api.create_payout(payout_body(order_id))
        clock.advance(0.5)
    # Created at t=0, 0.5 and 1 with a 2 s delay; at t=2.6 PO-1 and PO-2 are due, PO-3 is not.
    clock.advance(1.1)
    assert [p.order_id for p in sandbox.settle_due()] == ["PO-1", "PO-2"]
    assert sandbox.settle_due() == []
    assert await status_of(api, "PO-3") == "Pending"
    assert [p.order_id for p in sandbox.settle_payouts()] == ["PO-3"]
    assert sandbox.settle_payouts() == []
    assert [entry.kind for entry in sandbox.ledger.entries] == ["payout"] * 3


async def test_a_zero_delay_payout_settles_at_the_next_request(api: Signer) -> None:
    created = await api.create_payout(payout_body("PO-0"))
    assert created.json()["data"]["status"] == "Pending"
    assert await status_of(api, "PO-0") == "Approved"


async def test_tick_settles_due_payouts_without_a_request(
    timed: tuple[Signer, Sandbox], clock: FakeClock
) -> None:
    api, sandbox = timed
    await api.create_payout(payout_body("PO-T"))
    clock.advance(5)
    await sandbox.tick()
    assert sandbox.payout("PO-T").status == "Approved"


async def test_a_payout_beyond_the_balance_is_422_and_records_nothing(
    timed: tuple[Signer, Sandbox],
) -> None:
    api, sandbox = timed
    # 994.10 + 5.90 is exactly the balance: allowed. One paisa more is not.
    too_much = await api.create_payout(payout_body("PO-BIG", amount=Decimal("994.11")))
    assert too_much.status_code == 422
    assert list(too_much.json()["errors"]) == ["amount"]
    assert "Insufficient balance" in too_much.json()["errors"]["amount"][0]
    assert sandbox.balance == START
    assert (await api.payout_status("PO-BIG")).status_code == 404
    exact = await api.create_payout(payout_body("PO-ALL", amount=Decimal("994.10")))
    assert exact.status_code == 201
    assert sandbox.balance == Decimal("0.00")


async def test_the_pay_page_has_plain_forms_for_both_outcomes(
    api: Signer, http: httpx.AsyncClient
) -> None:
    pay_url = (await api.create_link(link_body("PI/1"))).json()["data"]["pay_url"]
    page = await http.get(pay_url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "<script" not in html
    assert re.search(r'<form method="post" action="/pay/PI%2F1">', html)
    assert ">Confirm Payment</button>" in html
    assert ">Fail Payment</button>" in html
    assert 'name="action" value="confirm"' in html
    assert 'name="action" value="fail"' in html


async def test_confirming_on_the_pay_page_approves_and_credits(
    api: Signer, http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    pay_url = (await api.create_link(link_body("PI-OK", amount=250))).json()["data"]["pay_url"]
    start = sandbox.balance
    # Exactly what a browser sends for the "Confirm Payment" form.
    result = await http.post(pay_url, data={"action": "confirm"})
    assert result.status_code == 200
    assert "Payment successful" in result.text
    assert 'href="http://merchant.test/done"' in result.text
    data = (await api.payin_status("PI-OK")).json()["data"]
    assert data["status"] == "Approved"
    assert data["comments"] == "Auto Approved"
    assert re.fullmatch(r"\d{12}", data["transaction_id"])
    assert data["bank_upi"]
    assert sandbox.balance == start + 250
    # The link, opened again, shows the outcome instead of the payment form.
    revisit = await http.get(pay_url)
    assert "Payment successful" in revisit.text
    assert "Confirm Payment" not in revisit.text


async def test_failing_on_the_pay_page_rejects_without_credit(
    api: Signer, http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    pay_url = (await api.create_link(link_body("PI-NO"))).json()["data"]["pay_url"]
    start = sandbox.balance
    result = await http.post(pay_url, data={"action": "fail"})
    assert "Payment failed" in result.text
    assert (await api.payin_status("PI-NO")).json()["data"]["status"] == "Rejected"
    assert sandbox.balance == start
    # Paying a settled link again changes nothing.
    again = await http.post(pay_url, data={"action": "confirm"})
    assert again.status_code == 409
    assert sandbox.payin("PI-NO").status == "Rejected"


async def test_an_unknown_pay_page_is_an_html_404(http: httpx.AsyncClient) -> None:
    page = await http.get("/pay/nobody")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert (await http.post("/pay/nobody", data={"action": "confirm"})).status_code == 404


async def test_reset_restores_the_starting_balance_and_forgets_orders(
    api: Signer, sandbox: Sandbox
) -> None:
    await api.create_payout(payout_body("PO-Z"))
    sandbox.reset()
    assert sandbox.balance == make_config().balance
    assert (await api.payout_status("PO-Z")).status_code == 404


async def test_concurrent_requests_keep_the_books_exact(api: Signer, sandbox: Sandbox) -> None:
    start = sandbox.balance
    results: list[int] = []

    async def create(order_id: str) -> None:
        results.append((await api.create_payout(payout_body(order_id, amount=1))).status_code)

    async with anyio.create_task_group() as group:
        for index in range(200):
            group.start_soon(create, f"PO-{index}")
        # Fifty racing requests for one order id: exactly one may win.
        for _ in range(50):
            group.start_soon(create, "PO-RACE")
    assert results.count(201) == 201
    assert results.count(422) == 49
    assert sandbox.balance == start - 201 * (Decimal("1.00") + CHARGE)
