"""The attempt deadline, enforced while the body streams in: by the sync client's reader, and
by the async client's cancel scope (no wall-clock assertion: a body that takes ten times the
deadline, or never ends, must end as a timeout naming the deadline, not as data)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from alliance_pay import (
    AllianceClient,
    APIConnectionError,
    APITimeoutError,
    AsyncAllianceClient,
    Payout,
)
from tests.helpers import PAYOUT_ARGS, PAYOUT_CREATED, envelope


def _dripping_body() -> Iterator[bytes]:
    yield b'{"success": true, "data": {"balance": "1'
    for _ in range(20):
        time.sleep(0.05)
        yield b"1"
    yield b'"}, "message": "ok", "error": ""}'


def _client(handler: httpx.MockTransport) -> AllianceClient:
    return AllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url="https://alliance.test",
        http_client=httpx.Client(transport=handler),
        max_retries=0,
        timeout=0.2,
    )


def test_a_body_still_arriving_at_the_deadline_is_a_timeout_naming_the_deadline() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=_dripping_body()))
    with _client(transport) as client, pytest.raises(APITimeoutError) as caught:
        client.balance.retrieve()
    assert "took longer than its 0.2 s deadline" in str(caught.value)


def test_a_pool_failure_that_is_no_transport_error_is_still_a_typed_connection_error() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("Event loop is closed")

    transport = httpx.MockTransport(broken)
    with _client(transport) as client, pytest.raises(APIConnectionError) as caught:
        client.balance.retrieve()
    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value.__cause__, RuntimeError)


async def _stalled_body() -> AsyncIterator[bytes]:
    yield b'{"success": true, "data": {"balance": "1'
    await asyncio.Event().wait()  # the rest never comes
    yield b'"}}'


def _async_client(handler: httpx.MockTransport) -> AsyncAllianceClient:
    return AsyncAllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url="https://alliance.test",
        http_client=httpx.AsyncClient(transport=handler),
        max_retries=0,
        timeout=0.2,
    )


async def test_an_async_body_stalled_at_the_deadline_is_a_timeout_naming_the_deadline() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=_stalled_body()))
    async with _async_client(transport) as client:
        with pytest.raises(APITimeoutError) as caught:
            await client.balance.retrieve()
    assert "took longer than its 0.2 s deadline" in str(caught.value)
    assert isinstance(caught.value.__cause__, TimeoutError)


async def test_an_async_create_whose_answer_stalls_past_the_deadline_is_looked_up() -> None:
    # The payout was made; only its answer is stuck. A plain failure here invites a second one.
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, content=_stalled_body())
        return httpx.Response(200, json=envelope({**PAYOUT_CREATED, "status": "Approved"}))

    async with _async_client(httpx.MockTransport(answer)) as client:
        payout = await client.payouts.create(**PAYOUT_ARGS)
    assert isinstance(payout, Payout)
    assert payout.status == "Approved"
