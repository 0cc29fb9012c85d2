"""The SDK client signs each request itself, before sending it: what a server and the http
client's event hooks see is the same signed request, and an ``auth`` set on your own http client
is never applied on top."""

from __future__ import annotations

import httpx

from alliance_pay import AllianceClient, compute_signature
from alliance_pay._signing import signing_path
from tests.helpers import ACCESS_KEY, SECRET_KEY

RECORD = {"order_id": "ORD-1", "status": "Pending", "amount": "10.00"}


def test_a_client_auth_is_not_applied_and_hooks_see_the_signed_request() -> None:
    sent: list[httpx.Request] = []
    hooked: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"success": True, "data": RECORD})

    http_client = httpx.Client(
        transport=httpx.MockTransport(answer),
        auth=httpx.BasicAuth("someone", "else"),
        event_hooks={"request": [hooked.append]},
    )
    with AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url="https://alliance.example/gateway",
        http_client=http_client,
    ) as client:
        assert client.payouts.retrieve("ORD-1").order_id == "ORD-1"
        client.payouts.retrieve("ORD-1")
    for request in sent:
        assert "Authorization" not in request.headers
        assert request.headers["Access-Key"] == ACCESS_KEY
        expected = compute_signature(
            SECRET_KEY,
            "GET",
            signing_path(request.url.raw_path),
            b"",
            request.headers["Timestamp"],
        )
        assert request.headers["Signature"] == expected
    assert [r.headers["Signature"] for r in hooked] == [r.headers["Signature"] for r in sent]
    assert sent[0].headers["Timestamp"] != sent[1].headers["Timestamp"]  # signed afresh
