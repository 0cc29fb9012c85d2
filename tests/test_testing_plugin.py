"""alliance_pay.testing: the fixtures our users get, with the SDK against an in-process sandbox."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from alliance_pay import AllianceClient, AsyncAllianceClient, PayinStatus, PayoutStatus
from alliance_pay.testing import LocalSandbox, SandboxTransport
from tests.helpers import PAYOUT_ARGS


def test_sync_client_full_payout_lifecycle(
    alliance_client: AllianceClient, alliance_sandbox: LocalSandbox
) -> None:
    start = alliance_client.balance.retrieve().balance
    payout = alliance_client.payouts.create(**{**PAYOUT_ARGS, "amount": Decimal("250.00")})
    assert payout.status is PayoutStatus.PENDING
    alliance_client.payouts.create(
        **{**PAYOUT_ARGS, "order_id": "R-1", "beneficiary_acc_no": "000000000000"}
    )
    charge = alliance_sandbox.config.payout_charge
    assert alliance_client.balance.retrieve().balance == start - 250 - 100 - 2 * charge
    settled = alliance_sandbox.settle_payouts()
    assert {p.order_id for p in settled} == {payout.order_id, "R-1"}
    assert alliance_client.payouts.retrieve(payout.order_id).status is PayoutStatus.APPROVED
    assert alliance_client.payouts.retrieve("R-1").status is PayoutStatus.REJECTED
    # The rejected payout is refunded, charge included.
    assert alliance_client.balance.retrieve().balance == start - 250 - charge


async def test_async_client_payin_confirmed_by_the_customer(
    async_alliance_client: AsyncAllianceClient, alliance_sandbox: LocalSandbox
) -> None:
    link = await async_alliance_client.payins.create_link(
        user_id="cust-1", order_id="PI-9", amount="499.00", redirect_url="https://shop.example.in/"
    )
    assert "PI-9" in link.pay_url
    assert (await async_alliance_client.payins.retrieve("PI-9")).status is PayinStatus.PENDING
    alliance_sandbox.sandbox.confirm_payin("PI-9")
    payin = await async_alliance_client.payins.retrieve("PI-9")
    assert payin.status is PayinStatus.APPROVED
    assert payin.amount == Decimal("499.00")


@pytest.mark.alliance_sandbox(balance="50.00")
def test_the_marker_configures_the_sandbox(alliance_client: AllianceClient) -> None:
    assert alliance_client.balance.retrieve().balance == Decimal("50.00")


@pytest.mark.parametrize("mode", ["drop", "502"])
def test_a_dropped_create_is_resolved_in_process(
    alliance_client: AllianceClient, alliance_sandbox: LocalSandbox, mode: str
) -> None:
    alliance_sandbox.fault("payout.create", "commit_then_drop", mode=mode)
    payout = alliance_client.payouts.create(**PAYOUT_ARGS)
    assert payout.order_id == PAYOUT_ARGS["order_id"]
    assert len(alliance_sandbox.sandbox.ledger.payouts) == 1


async def test_a_dropped_connection_is_a_remote_protocol_error_in_async_too(
    alliance_sandbox: LocalSandbox,
) -> None:
    alliance_sandbox.fault("balance", "commit_then_drop", mode="drop")
    async with alliance_sandbox.async_client(max_retries=1) as client:
        assert (await client.balance.retrieve()).balance > 0  # retried after the drop


def test_sandbox_transport_closes_its_worker_thread() -> None:
    import threading

    # The threads themselves, not a count: threads of earlier tests may end meanwhile.
    before = set(threading.enumerate())
    local = LocalSandbox()
    with httpx.Client(transport=SandboxTransport(local.app)) as client:
        assert client.get("http://sandbox/_sandbox/state").status_code == 200
        started = set(threading.enumerate()) - before
        assert len(started) == 1
    assert not any(thread.is_alive() for thread in started)


def test_the_documented_merchant_example_passes_as_a_user_runs_it() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "docs/examples/test_merchant_payouts.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


@pytest.mark.slow
def test_the_documented_async_example_needs_only_anyios_plugin(tmp_path: Path) -> None:
    # Run where no pyproject applies, with pytest-asyncio switched off: anyio's plugin, which
    # comes with the SDK's own dependencies, is all the fixtures need.
    root = Path(__file__).resolve().parent.parent
    shutil.copy(root / "docs/examples/test_async_payins.py", tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "test_async_payins.py",
            "-v",
            "-p",
            "no:asyncio",
            "-p",
            "no:cacheprovider",
            "-W",
            "error",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "test_a_confirmed_payin_is_approved[asyncio] PASSED" in done.stdout
