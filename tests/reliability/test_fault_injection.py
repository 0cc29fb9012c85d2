"""Many payouts through random faults: the sandbox's ledger and the SDK's answers agree for
every order id. Zero duplicates, zero payouts reported failed that exist, zero lost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest

from alliance_pay import (
    AllianceError,
    AsyncAllianceClient,
    NotFoundError,
    OutcomeUnknownError,
    Payout,
    _retries,
)
from tests.helpers import ACCESS_KEY, PAYOUT_ARGS, SECRET_KEY

pytestmark = pytest.mark.slow

PAYOUTS = 150

# Each create meets at most one of these (the first that fires, in order).
CREATE_FAULTS: list[dict[str, Any]] = [
    {"kind": "commit_then_drop", "mode": "drop", "probability": 0.2},
    {"kind": "commit_then_drop", "mode": "502", "probability": 0.15},
    {"kind": "commit_then_drop", "mode": "502", "status_code": 504, "probability": 0.1},
    {"kind": "status", "status_code": 503, "body": "html", "probability": 0.1},
    {"kind": "malformed", "style": "html", "probability": 0.05},
    {"kind": "latency", "latency": 0.6, "probability": 0.08},  # longer than the client waits
    {"kind": "latency", "latency": 0.05, "probability": 0.2},
]
READ_FAULTS: list[dict[str, Any]] = [
    {"kind": "status", "status_code": 503, "probability": 0.3},
    {"kind": "status", "status_code": 502, "body": "html", "probability": 0.1},
]


def _add_faults(control: httpx.Client, base: str) -> None:
    for spec in CREATE_FAULTS:
        control.post(
            f"{base}/_sandbox/faults", json={"endpoint": "payout.create", "times": None, **spec}
        ).raise_for_status()
    for spec in READ_FAULTS:
        control.post(
            f"{base}/_sandbox/faults", json={"endpoint": "payout.status", "times": None, **spec}
        ).raise_for_status()


async def test_sdk_answers_agree_with_the_ledger_under_random_faults(
    sandbox_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_retries, "INITIAL_RETRY_DELAY", 0.02)
    with httpx.Client() as control:
        _add_faults(control, sandbox_url)
    outcomes: dict[str, Payout | BaseException] = {}
    asked: dict[str, Decimal] = {}

    async def one(client: AsyncAllianceClient, index: int, limiter: anyio.Semaphore) -> None:
        order_id = f"FAULT/{index}"  # a '/' in every id: the status path must encode it
        asked[order_id] = Decimal(index) + Decimal("0.25")
        async with limiter:
            try:
                outcomes[order_id] = await client.payouts.create(
                    **{**PAYOUT_ARGS, "order_id": order_id, "amount": asked[order_id]}
                )
            except AllianceError as error:
                outcomes[order_id] = error

    async with AsyncAllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=sandbox_url,
        timeout=httpx.Timeout(0.4, connect=2.0, pool=30.0),
    ) as client:
        limiter = anyio.Semaphore(20)
        async with anyio.create_task_group() as group:
            for index in range(PAYOUTS):
                group.start_soon(one, client, index, limiter)

    async with httpx.AsyncClient() as control:
        fired = {
            (
                fault["endpoint"],
                fault["kind"],
                fault["mode"],
                fault["status_code"],
                fault["latency"],
            ): (fault["fired"])
            for fault in (await control.get(f"{sandbox_url}/_sandbox/faults")).json()["faults"]
        }
        (
            await control.request("DELETE", f"{sandbox_url}/_sandbox/faults", json={})
        ).raise_for_status()
        await anyio.sleep(0.7)  # let any request that outlived its client's timeout commit
        ledger = (await control.get(f"{sandbox_url}/_sandbox/state")).json()["payouts"]

    in_ledger: dict[str, Decimal] = {}
    for payout in ledger:
        assert payout["order_id"] not in in_ledger, f"duplicate payout {payout['order_id']}"
        in_ledger[payout["order_id"]] = Decimal(str(payout["amount"]))

    reported_ok = unknown = refused = 0
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=sandbox_url
    ) as client:
        for order_id, outcome in outcomes.items():
            if isinstance(outcome, Payout):
                reported_ok += 1
                assert order_id in in_ledger, f"{order_id}: reported made, but lost"
                assert outcome.amount == asked[order_id] == in_ledger[order_id]
            elif isinstance(outcome, OutcomeUnknownError):
                unknown += 1
                assert outcome.order_id == order_id
                # The promised way to resolve it gives the ledger's truth.
                try:
                    found = await client.payouts.retrieve(order_id)
                except NotFoundError:
                    assert order_id not in in_ledger
                else:
                    assert found.amount == in_ledger[order_id]
            else:
                refused += 1
                assert order_id not in in_ledger, (
                    f"{order_id}: reported failed ({outcome!r}) but made"
                )

    print(f"faults fired: {fired}; ok={reported_ok} unknown={unknown} refused={refused}")
    assert reported_ok + unknown + refused == PAYOUTS
    # Every kind of fault fired, so the agreement above was tested against each of them.
    assert all(count > 0 for count in fired.values()), fired
    # The faults really fired, and the SDK still got the truth for nearly every order.
    assert reported_ok >= PAYOUTS * 0.9, (reported_ok, unknown, refused)
    assert len(in_ledger) >= reported_ok
