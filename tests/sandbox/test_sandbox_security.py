"""Every API call is checked: access key, timestamp window, signature, replays."""

from __future__ import annotations

import httpx
import pytest

from alliance_pay._signing import compute_signature
from alliance_pay.sandbox import create_app
from tests.sandbox.support import FakeClock, Signer, make_config, payout_body


def message(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["success"] is False
    text: str = body["message"]
    return text


async def test_a_wrong_access_key_is_refused(api: Signer) -> None:
    api.access_key = "someone-else"
    assert message(await api.balance()) == "Invalid access key."


async def test_a_wrong_secret_is_an_invalid_signature(api: Signer) -> None:
    api.secret_key = "not-the-secret"
    text = message(await api.create_payout(payout_body()))
    assert text.startswith("Invalid signature")
    # The refusal says what the sandbox signed, to help debug a client.
    assert "PATH='api/v1/payout/initiate'" in text


async def test_a_body_changed_after_signing_is_refused(
    http: httpx.AsyncClient, api: Signer
) -> None:
    signed = b'{"order_id":"PI-1"}'
    headers = api.headers("POST", "api/v1/payin/transactions", signed)
    response = await http.post(
        "/api/v1/payin/transactions", content=b'{"order_id": "PI-1"}', headers=headers
    )
    assert message(response).startswith("Invalid signature")


async def test_the_raw_encoded_path_is_what_is_signed(http: httpx.AsyncClient, api: Signer) -> None:
    # Signing the decoded path (ORD/1) instead of the one sent (ORD%2F1) must fail.
    headers = api.headers("GET", "api/v1/payout/ORD/1/status", b"")
    response = await http.get("/api/v1/payout/ORD%2F1/status", headers=headers)
    assert message(response).startswith("Invalid signature")


async def test_a_stale_timestamp_is_refused(api: Signer) -> None:
    clock = FakeClock()
    clock.advance(-301)
    api.clock = clock
    text = message(await api.balance())
    assert text.startswith("Stale timestamp")
    assert "tolerance 300 s" in text


async def test_a_timestamp_within_the_window_passes(api: Signer) -> None:
    clock = FakeClock()
    clock.advance(-290)
    api.clock = clock
    assert (await api.balance()).status_code == 200


async def test_a_timestamp_in_seconds_is_stale_with_a_hint(
    http: httpx.AsyncClient, api: Signer
) -> None:
    timestamp = str(int(FakeClock().now))
    signature = compute_signature(api.secret_key, "GET", "api/v1/balance", b"", timestamp)
    headers = {"Access-Key": api.access_key, "Timestamp": timestamp, "Signature": signature}
    text = message(await http.get("/api/v1/balance", headers=headers))
    assert text.startswith("Stale timestamp")
    assert "send milliseconds" in text


async def test_a_timestamp_that_is_not_a_number_is_invalid(
    http: httpx.AsyncClient, api: Signer
) -> None:
    headers = api.headers("GET", "api/v1/balance", b"")
    headers["Timestamp"] = "yesterday"
    assert message(await http.get("/api/v1/balance", headers=headers)).startswith(
        "Invalid timestamp"
    )


async def test_a_replayed_request_is_refused(http: httpx.AsyncClient, api: Signer) -> None:
    headers = api.headers("GET", "api/v1/balance", b"")
    first = await http.get("/api/v1/balance", headers=headers)
    assert first.status_code == 200
    assert message(await http.get("/api/v1/balance", headers=headers)).startswith("Replayed")


async def test_a_signature_is_forgotten_after_the_window() -> None:
    clock = FakeClock()
    app = create_app(make_config(clock=clock, timestamp_tolerance=10))
    sandbox = app.state.sandbox
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sb") as http:
        api = Signer(http, clock=clock)
        assert (await api.balance()).status_code == 200
        clock.advance(11)
        assert (await api.balance()).status_code == 200
    assert len(sandbox.guard._seen) == 1


@pytest.mark.parametrize("header", ["Access-Key", "Timestamp", "Signature"])
async def test_a_missing_header_is_named(http: httpx.AsyncClient, api: Signer, header: str) -> None:
    headers = api.headers("GET", "api/v1/balance", b"")
    del headers[header]
    assert message(await http.get("/api/v1/balance", headers=headers)) == (
        f"Missing {header} header."
    )


async def test_a_refused_request_changes_nothing(api: Signer) -> None:
    api.secret_key = "wrong"
    await api.create_payout(payout_body("PO-X"))
    api.secret_key = make_config().secret_key
    assert (await api.payout_status("PO-X")).status_code == 404
