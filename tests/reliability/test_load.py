"""One client shared by hundreds of concurrent tasks, thousands of calls over real sockets:
no errors, no leaked connections or file descriptors, no unclosed-resource warnings."""

from __future__ import annotations

import os
import sys
from decimal import Decimal

import anyio
import httpx
import pytest

from alliance_pay import AllianceClient, AsyncAllianceClient, PayoutStatus
from tests.helpers import ACCESS_KEY, PAYOUT_ARGS, SECRET_KEY
from tests.reliability.conftest import open_fds, settled_fds

CALLS = 2000
CONCURRENCY = 200
# These tests prove "no errors, no leaks", not a speed: on a machine busy with other work a
# connection may wait seconds to be accepted, and that must not count as an error.
PATIENT = httpx.Timeout(120.0)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts fds in /proc"),
]


async def test_thousands_of_concurrent_calls_through_one_async_client(sandbox_url: str) -> None:
    fds_before = open_fds()
    failures: list[BaseException] = []
    done = 0
    limiter = anyio.Semaphore(CONCURRENCY)

    async def one(client: AsyncAllianceClient, index: int) -> None:
        nonlocal done
        async with limiter:
            try:
                kind = index % 4
                if kind == 0:
                    assert (await client.balance.retrieve()).balance > 0
                elif kind == 1:
                    payout = await client.payouts.create(
                        **{**PAYOUT_ARGS, "order_id": f"LOAD-{index}", "amount": Decimal("1.01")}
                    )
                    assert payout.status is PayoutStatus.PENDING
                    assert payout.amount == Decimal("1.01")
                elif kind == 2:
                    assert (await client.payouts.retrieve(f"LOAD-{index - 1}")).order_id == (
                        f"LOAD-{index - 1}"
                    )
                else:
                    link = await client.payins.create_link(
                        user_id="u", order_id=f"LINK-{index}", amount="10", redirect_url=sandbox_url
                    )
                    assert link.pay_url.startswith(sandbox_url)
                done += 1
            except Exception as exc:  # collected and reported below
                failures.append(exc)

    async with AsyncAllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=sandbox_url,
        max_retries=0,
        timeout=PATIENT,
    ) as client:
        # Creates come before the reads of the same order: run them in two waves.
        async with anyio.create_task_group() as group:
            for index in range(CALLS):
                if index % 4 != 2:
                    group.start_soon(one, client, index)
        async with anyio.create_task_group() as group:
            for index in range(2, CALLS, 4):
                group.start_soon(one, client, index)

    assert failures == []
    assert done == CALLS
    assert settled_fds(fds_before + 2) <= fds_before + 2  # connections closed with the client

    async with httpx.AsyncClient() as control:
        state = (await control.get(f"{sandbox_url}/_sandbox/state")).json()
    assert len(state["payouts"]) == CALLS // 4
    expected = Decimal("1000000000.00") - (CALLS // 4) * (Decimal("1.01") + Decimal("5.90"))
    assert Decimal(state["balance"]) == expected


def test_one_sync_client_shared_by_many_threads(sandbox_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    fds_before = open_fds()
    with AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=sandbox_url,
        max_retries=0,
        timeout=PATIENT,
    ) as client:

        def one(index: int) -> Decimal:
            return client.balance.retrieve().balance

        with ThreadPoolExecutor(32) as pool:
            balances = list(pool.map(one, range(500)))
    assert len(balances) == 500
    assert all(balance > 0 for balance in balances)
    assert settled_fds(fds_before + 2) <= fds_before + 2


def test_fd_counting_works() -> None:
    # The leak assertions above rely on this: opening a file is seen.
    before = open_fds()
    with open(os.devnull) as handle:
        assert open_fds() == before + 1
        assert handle
