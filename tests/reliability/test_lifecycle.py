"""Using a client where it cannot work is a typed error before anything is sent: `with` on the
async client, a closed client, a second event loop; in a forked child the client opens its own
connections and never reads the parent's answers."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
from decimal import Decimal

import httpx
import pytest

from alliance_pay import (
    AllianceClient,
    AsyncAllianceClient,
    ClientClosedError,
    ClientUsageError,
)
from tests.helpers import ACCESS_KEY, PAYOUT_ARGS, PAYOUT_CREATED, SECRET_KEY, envelope

BASE = "https://alliance.test"


def _counting_transport(seen: list[str]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/initiate"):
            return httpx.Response(201, json=envelope(PAYOUT_CREATED))
        return httpx.Response(200, json=envelope({"balance": "10.00"}))

    return httpx.MockTransport(answer)


def test_with_on_the_async_client_says_to_use_async_with() -> None:
    client = AsyncAllianceClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE)
    with pytest.raises(TypeError, match="use `async with`"), client:
        pass


async def test_async_with_on_the_sync_client_says_to_use_with() -> None:
    with (
        AllianceClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE) as client,
        pytest.raises(TypeError, match="use `with`"),
    ):
        async with client:
            pass


async def test_a_closed_async_client_refuses_calls_before_sending() -> None:
    seen: list[str] = []
    client = AsyncAllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=_counting_transport(seen)),
    )
    clone = client.with_options(max_retries=0)
    async with client:
        await client.balance.retrieve()
    for closed in (client, clone):
        with pytest.raises(ClientClosedError, match="closed"):
            await closed.payouts.create(**PAYOUT_ARGS)
    assert seen == ["GET /api/v1/balance"]


def test_a_closed_sync_client_refuses_calls_before_sending() -> None:
    client = AllianceClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE)
    client.close()
    with pytest.raises(ClientClosedError, match="is closed: create a new client"):
        client.balance.retrieve()
    with pytest.raises(ClientClosedError):
        client.__enter__()


def test_an_async_client_used_from_a_second_event_loop_refuses_before_sending() -> None:
    # The seen defect: a second asyncio.run sent the POST, then failed in httpx's pool with a
    # plain RuntimeError ("Event loop is closed") while the payout existed.
    seen: list[str] = []
    client = AsyncAllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=_counting_transport(seen)),
    )

    async def create() -> object:
        return await client.payouts.create(**PAYOUT_ARGS)

    asyncio.run(create())
    with pytest.raises(ClientUsageError, match=r"another event loop.*nothing was sent"):
        asyncio.run(create())
    assert seen == ["POST /api/v1/payout/initiate"]


@pytest.mark.slow
# The first loop's connection is left behind, unclosable: the misuse this test demonstrates.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_seen_two_loop_create_over_real_sockets_ends_typed(sandbox_url: str) -> None:
    clients = [
        AsyncAllianceClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=sandbox_url)
    ]

    async def create(order_id: str) -> object:
        return await clients[0].payouts.create(**{**PAYOUT_ARGS, "order_id": order_id})

    asyncio.run(create("LOOP-1"))
    with pytest.raises(ClientUsageError):
        asyncio.run(create("LOOP-2"))
    state = httpx.get(f"{sandbox_url}/_sandbox/state").json()
    assert [payout["order_id"] for payout in state["payouts"]] == ["LOOP-1"]
    clients.clear()
    gc.collect()  # the abandoned connection's warning belongs to this test, not the next


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_after_fork_parent_and_child_each_read_only_their_own_payouts(sandbox_url: str) -> None:
    # The seen defect: a client used before fork shared its pool with the child, and 53 of 600
    # retrieves returned the other process's payout (one got a 401 for a replayed signature).
    client = AllianceClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=sandbox_url)
    for who in ("P", "C"):
        client.payouts.create(**{**PAYOUT_ARGS, "order_id": f"FORK-{who}", "amount": "1.00"})
    assert client.balance.retrieve().balance > Decimal(0)  # the pool now holds a connection

    def reads(who: str) -> dict[str, int]:
        counts = {"ok": 0, "wrong": 0, "error": 0}
        for _ in range(300):
            try:
                payout = client.payouts.retrieve(f"FORK-{who}")
            except Exception:  # counted: any error is a failure of this test
                counts["error"] += 1
            else:
                counts["ok" if payout.order_id == f"FORK-{who}" else "wrong"] += 1
        return counts

    pool_before_fork = client._http_client
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report and leave without running pytest's teardown
        os.close(read_end)
        try:
            counts = reads("C")
            counts["own pool"] = int(client._http_client is not pool_before_fork)
            with os.fdopen(write_end, "w") as out:
                out.write(json.dumps(counts))
        finally:
            os._exit(0)
    os.close(write_end)
    parent = reads("P")
    with os.fdopen(read_end) as report:
        child = json.loads(report.read() or "{}")
    os.waitpid(pid, 0)
    client.close()
    assert parent == {"ok": 300, "wrong": 0, "error": 0}
    assert child == {"ok": 300, "wrong": 0, "error": 0, "own pool": 1}
    assert client._http_client is pool_before_fork  # the parent keeps its connections


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_refuses_a_client_built_on_your_own_http_client() -> None:
    client = AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE,
        http_client=httpx.Client(transport=_counting_transport([])),
    )
    client.balance.retrieve()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            try:
                client.balance.retrieve()
                outcome = "sent"
            except ClientUsageError as error:
                outcome = str(error)
            with os.fdopen(write_end, "w") as out:
                out.write(outcome)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as report:
        outcome = report.read()
    os.waitpid(pid, 0)
    assert "before os.fork()" in outcome
    assert "nothing was sent" in outcome
    client.balance.retrieve()  # the parent goes on as before


def test_the_lifecycle_errors_are_alliance_errors_and_runtime_errors() -> None:
    from alliance_pay import AllianceError

    assert issubclass(ClientClosedError, ClientUsageError)
    assert issubclass(ClientUsageError, AllianceError)
    assert issubclass(ClientUsageError, RuntimeError)
    assert sys.modules["alliance_pay"].ClientClosedError is ClientClosedError
