"""The async client runs under trio too: it sleeps through anyio, never asyncio."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import httpx
import trio

from alliance_pay import AsyncAllianceClient, _retries
from tests.helpers import ACCESS_KEY, SECRET_KEY, assert_signed, envelope


def test_retries_and_backoff_work_under_trio() -> None:
    answers = [httpx.Response(503), httpx.Response(200, json=envelope({"balance": "12.34"}))]
    seen: list[httpx.Request] = []

    async def responder(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[len(seen) - 1]

    async def main() -> Decimal:
        async with AsyncAllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url="https://alliance.test",
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(responder)),
        ) as client:
            return (await client.balance.retrieve()).balance

    with mock.patch.object(_retries, "INITIAL_RETRY_DELAY", 0.01):
        assert trio.run(main) == Decimal("12.34")
    assert len(seen) == 2
    for request in seen:
        assert_signed(request)
