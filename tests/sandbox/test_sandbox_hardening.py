"""The sandbox refuses cheaply and exactly: unsigned bodies are never read, big bodies are cut
off, a future timestamp can never be replayed and is called what it is, and no web page can
drive the control endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from alliance_pay.sandbox import create_app
from tests.sandbox.support import FakeClock, Signer, make_config

MB = 1024 * 1024


class CountingBody(httpx.AsyncByteStream):
    """A 300 MB request body that counts how much of it the server pulled."""

    def __init__(self, chunks: int = 300, chunk: bytes = b"0" * MB) -> None:
        self.chunks = chunks
        self.chunk = chunk
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield self.chunk


async def test_an_unsigned_huge_post_is_refused_before_its_body_is_read(
    http: httpx.AsyncClient,
) -> None:
    body = CountingBody()
    response = await http.post("/api/v1/payout/initiate", content=body)
    assert response.status_code == 401
    assert response.json()["message"] == "Missing Access-Key header."
    assert body.pulled <= 1


async def test_a_stale_huge_post_is_refused_before_its_body_is_read(
    http: httpx.AsyncClient, api: Signer
) -> None:
    headers = api.headers("POST", "api/v1/payout/initiate", b"{}")
    headers["Timestamp"] = str(int(headers["Timestamp"]) - 3_600_000)
    body = CountingBody()
    response = await http.post("/api/v1/payout/initiate", content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["message"].startswith("Stale timestamp")
    assert body.pulled <= 1


async def test_a_signed_looking_huge_post_is_cut_off_at_the_cap(
    http: httpx.AsyncClient, api: Signer
) -> None:
    headers = api.headers("POST", "api/v1/payout/initiate", b"{}")
    body = CountingBody()
    response = await http.post("/api/v1/payout/initiate", content=body, headers=headers)
    assert response.status_code == 413
    assert body.pulled <= 2  # the 64 KiB cap is passed within the first 1 MB chunk


async def test_a_declared_length_over_the_cap_is_refused_unread(
    http: httpx.AsyncClient, api: Signer
) -> None:
    payload = b"{" + b" " * (70 * 1024) + b"}"
    headers = api.headers("POST", "api/v1/payout/initiate", payload)
    response = await http.post("/api/v1/payout/initiate", content=payload, headers=headers)
    assert response.status_code == 413


async def test_a_future_timestamp_is_called_in_the_future_not_stale(api: Signer) -> None:
    clock = FakeClock()
    clock.advance(400)
    api.clock = clock
    response = await api.balance()
    assert response.status_code == 401
    text = response.json()["message"]
    assert text.startswith("Timestamp in the future: 400 s ahead")
    assert "stale" not in text.lower()


async def test_a_request_signed_in_the_future_cannot_be_replayed_after_the_window() -> None:
    # The seen defect: remembered for 300 s from arrival, a signature with a timestamp 300 s
    # ahead was accepted again between 300 s and 600 s later, while still inside tolerance.
    clock = FakeClock()
    app = create_app(make_config(clock=clock))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sb") as http:
        signer_clock = FakeClock()
        signer_clock.now = clock.now + 299
        api = Signer(http, clock=signer_clock)
        headers = api.headers("GET", "api/v1/balance", b"")
        assert (await http.get("/api/v1/balance", headers=headers)).status_code == 200
        for later in (200, 150, 200):  # 200 s, 350 s, 550 s after the first use
            clock.advance(later)
            replay = await http.get("/api/v1/balance", headers=headers)
            assert replay.status_code == 401
            assert replay.json()["message"].startswith(("Replayed", "Stale timestamp"))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/_sandbox/reset"),
        ("POST", "/_sandbox/settle"),
        ("POST", "/_sandbox/tick"),
        ("POST", "/_sandbox/faults"),
        ("DELETE", "/_sandbox/faults"),
    ],
)
@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
async def test_control_calls_without_json_are_refused(
    http: httpx.AsyncClient, method: str, path: str, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    body = b'{"endpoint": "payout.create", "kind": "status", "status_code": 500}'
    response = await http.request(method, path, content=body, headers=headers)
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]
    faults = (await http.get("/_sandbox/faults")).json()["faults"]
    assert faults == []


async def test_control_calls_with_json_work(http: httpx.AsyncClient) -> None:
    assert (await http.post("/_sandbox/reset", json={})).status_code == 200
    spec = {"endpoint": "payout.create", "kind": "status", "status_code": 500}
    assert (await http.post("/_sandbox/faults", json=spec)).status_code == 201
    cleared = await http.request("DELETE", "/_sandbox/faults", json={})
    assert cleared.json() == {"cleared": 1}
