"""Injected faults behave as documented, from Python and over the control endpoints."""

from __future__ import annotations

import json
import time
from decimal import Decimal

import httpx
import pytest

from alliance_pay.sandbox import Sandbox, SandboxConnectionDropped, create_app
from alliance_pay.sandbox._faults import MalformedStyle
from tests.sandbox.support import Signer, make_config, payout_body


async def test_a_status_fault_answers_json_and_then_stops(api: Signer, sandbox: Sandbox) -> None:
    sandbox.faults.add("balance", "status", status_code=503, headers={"Retry-After": "2"})
    failed = await api.balance()
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "2"
    assert failed.json()["success"] is False
    assert (await api.balance()).status_code == 200


async def test_a_status_fault_can_send_an_nginx_html_page(api: Signer, sandbox: Sandbox) -> None:
    sandbox.faults.add("payin.status", "status", status_code=502, body="html")
    response = await api.payin_status("PI-1")
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<center><h1>502 Bad Gateway</h1></center>" in response.text
    assert "nginx" in response.text


async def test_a_status_fault_can_send_an_empty_body(api: Signer, sandbox: Sandbox) -> None:
    sandbox.faults.add("balance", "status", status_code=504, body="empty")
    response = await api.balance()
    assert (response.status_code, response.content) == (504, b"")


async def test_a_status_fault_leaves_the_request_unprocessed(api: Signer, sandbox: Sandbox) -> None:
    sandbox.faults.add("payout.create", "status", status_code=500)
    assert (await api.create_payout(payout_body("PO-1"))).status_code == 500
    assert sandbox.ledger.payouts == {}
    assert sandbox.balance == make_config().balance


async def test_times_counts_the_requests_a_fault_fires_on(api: Signer, sandbox: Sandbox) -> None:
    fault = sandbox.faults.add("balance", "status", status_code=429, times=2)
    codes = [(await api.balance()).status_code for _ in range(3)]
    assert codes == [429, 429, 200]
    assert fault.fired == 2
    assert len(sandbox.faults) == 0


async def test_a_fault_on_one_endpoint_spares_the_others(api: Signer, sandbox: Sandbox) -> None:
    sandbox.faults.add("payout.status", "status", status_code=503, times=None)
    assert (await api.balance()).status_code == 200
    assert (await api.payout_status("x")).status_code == 503
    assert (await api.payout_status("x")).status_code == 503
    assert sandbox.faults.clear() == 1
    assert (await api.payout_status("x")).status_code == 404


async def test_the_wildcard_endpoint_hits_every_endpoint(api: Signer, sandbox: Sandbox) -> None:
    sandbox.faults.add("*", "status", status_code=503, times=2)
    assert (await api.balance()).status_code == 503
    assert (await api.payin_status("x")).status_code == 503
    assert (await api.balance()).status_code == 200


def outcomes(seed: int) -> list[bool]:
    sandbox = Sandbox(make_config(seed=seed))
    sandbox.faults.add("balance", "status", probability=0.5, times=None)
    return [sandbox.faults.take("balance") is not None for _ in range(40)]


def test_a_probability_is_rolled_with_the_seeded_random() -> None:
    first = outcomes(seed=7)
    assert first == outcomes(seed=7)
    assert 5 < sum(first) < 35
    assert first != outcomes(seed=8)


async def test_a_latency_fault_delays_then_answers_normally(api: Signer, sandbox: Sandbox) -> None:
    sandbox.faults.add("balance", "latency", latency=0.2)
    started = time.monotonic()
    response = await api.balance()
    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("style", "content_type"),
    [("truncated", "application/json"), ("html", "text/html"), ("empty", "application/json")],
)
async def test_a_malformed_body_comes_with_a_200(
    api: Signer, sandbox: Sandbox, style: MalformedStyle, content_type: str
) -> None:
    sandbox.faults.add("payout.create", "malformed", style=style)
    response = await api.create_payout(payout_body("PO-M"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert sandbox.ledger.payouts == {}


async def test_commit_then_502_records_the_payout_the_client_never_saw(
    api: Signer, sandbox: Sandbox
) -> None:
    sandbox.faults.add("payout.create", "commit_then_drop", mode="502")
    response = await api.create_payout(payout_body("PO-C", amount=Decimal("10.00")))
    assert response.status_code == 502
    assert sandbox.payout("PO-C").status == "Pending"
    assert sandbox.balance == make_config().balance - Decimal("15.90")
    # The client's retry with the same order id learns it already exists.
    retry = await api.create_payout(payout_body("PO-C", amount=Decimal("10.00")))
    assert retry.status_code == 422


async def test_commit_then_drop_in_process_raises_and_keeps_the_payout(
    api: Signer, sandbox: Sandbox
) -> None:
    sandbox.faults.add("payout.create", "commit_then_drop", mode="drop")
    with pytest.raises(SandboxConnectionDropped):
        await api.create_payout(payout_body("PO-D"))
    assert sandbox.payout("PO-D").amount == Decimal("100.00")
    assert (await api.payout_status("PO-D")).status_code == 200


async def test_commit_then_drop_over_a_socket_closes_the_connection_mid_body(
    socket_api: Signer,
) -> None:
    http = socket_api.client
    spec = {"endpoint": "payout.create", "kind": "commit_then_drop", "mode": "drop"}
    assert (await http.post("/_sandbox/faults", json=spec)).status_code == 201
    with pytest.raises(httpx.RemoteProtocolError):
        await socket_api.create_payout(payout_body("PO-NET"))
    state = (await http.get("/_sandbox/state")).json()
    assert [p["order_id"] for p in state["payouts"]] == ["PO-NET"]
    assert state["balance"] == "99894.10"


async def test_faults_are_settable_over_http(http: httpx.AsyncClient, api: Signer) -> None:
    spec = {"endpoint": "balance", "kind": "status", "status_code": 429, "times": None}
    added = await http.post("/_sandbox/faults", json=spec)
    assert added.status_code == 201
    assert added.json()["status_code"] == 429
    listed = (await http.get("/_sandbox/faults")).json()["faults"]
    assert [(f["endpoint"], f["kind"]) for f in listed] == [("balance", "status")]
    assert (await api.balance()).status_code == 429
    assert (await http.request("DELETE", "/_sandbox/faults", json={})).json() == {"cleared": 1}
    assert (await api.balance()).status_code == 200


@pytest.mark.parametrize(
    "spec",
    [
        {"endpoint": "refunds", "kind": "status"},
        {"endpoint": "balance", "kind": "explode"},
        {"endpoint": "balance", "kind": "status", "times": 0},
        {"endpoint": "balance", "kind": "status", "colour": "red"},
        {"kind": "status"},
    ],
)
async def test_a_bad_fault_spec_is_refused_with_a_reason(
    http: httpx.AsyncClient, spec: dict[str, object]
) -> None:
    response = await http.post("/_sandbox/faults", json=spec)
    assert response.status_code == 422
    assert response.json()["error"]


def test_faults_refuse_unknown_endpoints_in_python() -> None:
    sandbox = Sandbox()
    with pytest.raises(ValueError, match="endpoint must be one of"):
        sandbox.faults.add("payouts", "status")


async def test_the_control_endpoints_settle_and_reset(http: httpx.AsyncClient) -> None:
    app = create_app(make_config(payout_delay=60))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sb") as client:
        api = Signer(client)
        await api.create_payout(payout_body("PO-1"))
        assert (await client.get("/_sandbox/state")).json()["payouts"][0]["status"] == "Pending"
        assert (await client.post("/_sandbox/settle", json={})).json() == {"settled": ["PO-1"]}
        state = (await client.get("/_sandbox/state")).json()
        assert state["payouts"][0]["status"] == "Approved"
        assert [e["kind"] for e in state["entries"]] == ["payout"]
        reset = (await client.post("/_sandbox/reset", json={})).json()
        assert (reset["balance"], reset["payouts"]) == ("100000.00", [])
