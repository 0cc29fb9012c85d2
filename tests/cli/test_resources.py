"""Resources from the shell: balance, payins and payouts, parsed from ``--json``."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from tests.cli.support import run_cli

pytestmark = pytest.mark.slow

PAYOUT_FLAGS = (
    "--user-id", "seller-7", "--amount", "1500.50", "--beneficiary-name", "Asha Verma",
    "--beneficiary-email", "asha@example.in", "--beneficiary-mobile-no", "9876543210",
    "--beneficiary-address", "12 MG Road, Bengaluru", "--beneficiary-acc-no", "123456789012",
    "--bank-name", "SBI", "--ifsc", "SBIN0060589",
)  # fmt: skip


def test_balance_json_is_the_exact_decimal_string(env: dict[str, str]) -> None:
    run = run_cli("balance", "--json", env=env)
    assert run.code == 0, run.stderr
    assert run.json() == {"balance": "100000.00"}
    assert run.stderr == ""


def test_balance_human_output_is_one_line_of_rupees(env: dict[str, str]) -> None:
    run = run_cli("balance", env=env)
    assert (run.code, run.stdout) == (0, "₹100,000.00\n")


def test_a_payin_link_is_created_and_its_status_read(env: dict[str, str]) -> None:
    created = run_cli(
        "payins", "create-link", "--order-id", "PI-CLI-1", "--user-id", "cust-1",
        "--amount", "499.00", "--redirect-url", "https://shop.example.in/thanks", env=env,
    )  # fmt: skip
    assert created.code == 0, created.stderr
    assert created.stdout.strip().endswith("/pay/PI-CLI-1")
    status = run_cli("payins", "status", "PI-CLI-1", "--json", env=env)
    assert status.code == 0, status.stderr
    assert status.json()["status"] == "Pending"
    assert Decimal(status.json()["amount"]) == Decimal("499.00")


def test_a_payout_is_created_from_flags_and_its_status_read(env: dict[str, str]) -> None:
    created = run_cli(
        "payouts", "create", "--order-id", "PO-CLI-1", *PAYOUT_FLAGS, "--json", env=env
    )
    assert created.code == 0, created.stderr
    payout = created.json()
    assert (payout["order_id"], payout["status"]) == ("PO-CLI-1", "Pending")
    assert Decimal(payout["amount"]) == Decimal("1500.50")  # an exact string, never a float
    assert payout["beneficiary_acc_no"] == "123456789012"  # --json is data: unmasked
    status = run_cli("payouts", "status", "PO-CLI-1", "--json", env=env)
    assert status.json()["status"] == "Pending"
    assert run_cli("balance", "--json", env=env).json() == {
        "balance": "98493.60"
    }  # 100000.00 - 1500.50 - 5.90


def test_a_payout_from_a_data_file_and_stdin(env: dict[str, str], tmp_path: object) -> None:
    fields = dict(zip(PAYOUT_FLAGS[::2], PAYOUT_FLAGS[1::2], strict=True))
    body = {flag[2:].replace("-", "_"): value for flag, value in fields.items()}
    path = tmp_path / "payout.json"  # type: ignore[operator]
    path.write_text(json.dumps({**body, "order_id": "PO-FILE"}))
    from_file = run_cli("payouts", "create", "--data", f"@{path}", "--json", env=env)
    assert from_file.code == 0, from_file.stderr
    assert from_file.json()["order_id"] == "PO-FILE"
    stdin = json.dumps({**body, "order_id": "PO-STDIN", "amount": 10.25})
    from_stdin = run_cli("payouts", "create", "--data", "-", "--json", env=env, stdin=stdin)
    assert from_stdin.code == 0, from_stdin.stderr
    assert Decimal(from_stdin.json()["amount"]) == Decimal("10.25")


def test_human_output_masks_personal_data(env: dict[str, str]) -> None:
    run = run_cli("payouts", "create", "--order-id", "PO-MASK", *PAYOUT_FLAGS, env=env)
    assert run.code == 0, run.stderr
    assert "********9012" in run.stdout
    for secret in ("123456789012", "9876543210", "asha@example.in", "Asha Verma", "MG Road"):
        assert secret not in run.stdout


def test_payouts_wait_returns_the_final_record(env: dict[str, str], served: str) -> None:
    assert run_cli("payouts", "create", "--order-id", "PO-WAIT", *PAYOUT_FLAGS, env=env).code == 0
    httpx.post(f"{served}/_sandbox/settle", json={}).raise_for_status()
    run = run_cli("payouts", "wait", "PO-WAIT", "--timeout", "10", "--json", env=env)
    assert run.code == 0, run.stderr
    assert run.json()["status"] == "Approved"


def test_payouts_wait_that_times_out_exits_4(env: dict[str, str]) -> None:
    assert run_cli("payouts", "create", "--order-id", "PO-SLOW", *PAYOUT_FLAGS, env=env).code == 0
    run = run_cli(
        "payouts", "wait", "PO-SLOW", "--timeout", "0.3", "--poll-interval", "0.1", env=env
    )
    assert run.code == 4
    assert "not final" in run.stderr
    assert "Pending" in run.stderr
