"""The control endpoints that drive one order and follow webhook deliveries."""

from __future__ import annotations

from decimal import Decimal

import httpx

from alliance_pay.sandbox import Sandbox
from tests.sandbox.support import Signer, link_body, payout_body
from tests.sandbox.test_sandbox_webhooks import Receiver, sandbox_for


async def _settle(http: httpx.AsyncClient, **spec: object) -> httpx.Response:
    return await http.post("/_sandbox/orders/settle", json=spec)


async def test_a_payout_is_settled_now_with_the_outcome_asked(
    api: Signer, http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    sandbox.ledger.payout_delay = 3600
    await api.create_payout(payout_body("PO-YES"))
    await api.create_payout(payout_body("PO-NO"))
    approved = await _settle(http, order_id="PO-YES", outcome="approve")
    assert (approved.status_code, approved.json()["record"]["status"]) == (200, "Approved")
    rejected = await _settle(http, order_id="PO-NO", outcome="reject")
    assert rejected.json()["record"]["status"] == "Rejected"
    # The rejected one is refunded: only PO-YES's 100 + 5.90 left the wallet.
    assert sandbox.balance == Decimal("100000.00") - Decimal("105.90")
    again = await _settle(http, order_id="PO-YES", outcome="reject")
    assert again.status_code == 409
    assert "Approved" in again.json()["error"]


async def test_a_payin_is_initiated_then_approved(
    api: Signer, http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await api.create_link(link_body("PI-1"))
    initiated = await _settle(http, order_id="PI-1", outcome="initiate")
    assert initiated.json() == {"kind": "payin", "record": initiated.json()["record"]}
    assert sandbox.payin("PI-1").status == "Initiated"
    approved = await _settle(http, order_id="PI-1", outcome="approve")
    assert approved.json()["record"]["status"] == "Approved"
    assert sandbox.balance == Decimal("100100.00")


async def test_bad_settle_requests_say_what_is_wrong(http: httpx.AsyncClient) -> None:
    unknown = await _settle(http, order_id="NOPE", outcome="approve")
    assert unknown.status_code == 404
    bad = await _settle(http, order_id="X", outcome="maybe")
    assert bad.status_code == 400
    assert "outcome" in bad.json()["error"]


async def test_the_ledger_lists_every_movement(api: Signer, http: httpx.AsyncClient) -> None:
    await api.create_payout(payout_body("PO-1"))
    ledger = (await http.get("/_sandbox/ledger")).json()
    assert ledger["balance"] == "99894.10"
    assert [(e["kind"], e["order_id"], e["amount"]) for e in ledger["entries"]] == [
        ("payout", "PO-1", "-105.90")
    ]


async def test_the_webhook_target_is_set_and_the_feed_numbers_attempts() -> None:
    receiver = Receiver(failures=1, status_code=503)
    sandbox, app = await sandbox_for(receiver, payout_delay=0)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://sandbox.test"
    ) as http:
        target = await http.post("/_sandbox/webhooks", json={"url": "http://elsewhere.test/h"})
        previous = target.json()["previous"]
        await http.post("/_sandbox/webhooks", json={"url": previous})
        sandbox.ledger.create_payin(
            user_id="u", order_id="PI-1", amount=Decimal("1.00"), redirect_url="http://x.test"
        )
        sandbox.confirm_payin("PI-1")
        await sandbox.tick()
        feed = (await http.get("/_sandbox/webhooks")).json()
        assert feed["url"] == previous
        seen = [(a["seq"], a["event"], a["status"], a["status_code"]) for a in feed["attempts"]]
        assert seen == [
            (1, "payin.initiated", "Initiated", 503),
            (2, "payin.initiated", "Initiated", 200),
            (3, "payin.succeeded", "Approved", 200),
        ]
        assert all(a["latency_ms"] >= 0 for a in feed["attempts"])
        later = (await http.get("/_sandbox/webhooks", params={"after": 2})).json()
        assert [a["seq"] for a in later["attempts"]] == [3]
        refused = await http.post("/_sandbox/webhooks", json={"url": "ftp://x"})
        assert refused.status_code == 400


async def test_a_cross_site_text_plain_post_cannot_redirect_webhooks_or_settle(
    api: Signer, http: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await api.create_link(link_body("PI-X"))
    simple = {"Content-Type": "text/plain"}  # what a web page may POST without a preflight
    target = await http.post(
        "/_sandbox/webhooks", content=b'{"url":"http://evil.test/"}', headers=simple
    )
    settle = await http.post(
        "/_sandbox/orders/settle",
        content=b'{"order_id":"PI-X","outcome":"approve"}',
        headers=simple,
    )
    assert (target.status_code, settle.status_code) == (415, 415)
    assert sandbox.webhooks.url is None
    assert sandbox.payin("PI-X").status == "Pending"
