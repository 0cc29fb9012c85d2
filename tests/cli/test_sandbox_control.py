"""``alliance-pay sandbox ...`` drives a running sandbox: settle, faults, ledger."""

from __future__ import annotations

import pytest

from tests.cli.support import run_cli
from tests.cli.test_resources import PAYOUT_FLAGS

pytestmark = pytest.mark.slow


def _payout(env: dict[str, str], order_id: str) -> None:
    run = run_cli("payouts", "create", "--order-id", order_id, *PAYOUT_FLAGS, env=env)
    assert run.code == 0, run.stderr


def test_settle_approves_or_rejects_one_payout(env: dict[str, str]) -> None:
    _payout(env, "PO-A")
    _payout(env, "PO-R")
    approved = run_cli("sandbox", "settle", "PO-A", "--approve", "--json", env=env)
    assert approved.code == 0, approved.stderr
    assert approved.json()["record"]["status"] == "Approved"
    assert run_cli("sandbox", "settle", "PO-R", "--reject", env=env).code == 0
    status = run_cli("payouts", "status", "PO-R", "--json", env=env)
    assert status.json()["status"] == "Rejected"
    again = run_cli("sandbox", "settle", "PO-R", "--approve", env=env)
    assert again.code == 1
    assert "Rejected" in again.stderr


def test_settle_pays_a_payin(env: dict[str, str]) -> None:
    link = run_cli(
        "payins", "create-link", "--order-id", "PI-S", "--user-id", "c", "--amount", "50",
        "--redirect-url", "https://shop.example.in/done", env=env,
    )  # fmt: skip
    assert link.code == 0, link.stderr
    assert run_cli("sandbox", "settle", "PI-S", "--approve", env=env).code == 0
    assert run_cli("payins", "status", "PI-S", "--json", env=env).json()["status"] == "Approved"
    ledger = run_cli("sandbox", "ledger", "--json", env=env).json()
    assert ledger["balance"] == "100050.00"
    assert [(e["kind"], e["order_id"]) for e in ledger["entries"]] == [("payin", "PI-S")]


def test_a_fault_hits_the_next_n_requests_only(env: dict[str, str]) -> None:
    _payout(env, "PO-F")
    fault = run_cli(
        "sandbox", "fault", "payout.status", "--times", "1", "--status-code", "404", "--json",
        env=env,
    )  # fmt: skip
    assert fault.code == 0, fault.stderr
    assert (fault.json()["times"], fault.json()["status_code"]) == (1, 404)
    assert run_cli("payouts", "status", "PO-F", env=env).code == 1  # the faulted one
    assert run_cli("payouts", "status", "PO-F", env=env).code == 0  # the next is normal
    assert run_cli("sandbox", "faults", "--json", env=env).json() == []


def test_the_control_commands_explain_a_missing_sandbox() -> None:
    run = run_cli("sandbox", "ledger", "--base-url", "http://127.0.0.1:9")
    assert run.code == 4
    assert "alliance-pay sandbox" in run.stderr


@pytest.mark.parametrize(
    ("base_url", "sent_to"),
    [
        ("http://127.0.0.1:9", "http://127.0.0.1:9/_sandbox/state"),
        ("http://127.0.0.1:9/", "http://127.0.0.1:9/_sandbox/state"),
        ("http://127.0.0.1:9/alliance", "http://127.0.0.1:9/alliance/_sandbox/state"),
        ("http://127.0.0.1:9/alliance/", "http://127.0.0.1:9/alliance/_sandbox/state"),
    ],
)
def test_a_sandbox_behind_a_path_prefix_is_reached_under_it(base_url: str, sent_to: str) -> None:
    import httpx

    from alliance_pay.cli._control import SandboxControl

    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"ok": True})

    with SandboxControl(base_url) as control:
        control._http._transport = httpx.MockTransport(answer)
        assert control.get("state") == {"ok": True}
    assert seen == [sent_to]
