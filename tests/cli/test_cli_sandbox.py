"""A user's shell: `alliance-pay sandbox --json` in one process, the resource commands in
others, each one's `--json` parsed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.cli.support import REPO, run_cli
from tests.cli.test_resources import PAYOUT_FLAGS

pytestmark = pytest.mark.slow


@pytest.fixture
def started() -> Iterator[dict[str, str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "alliance_pay.cli", "sandbox", "--port", "0", "--json",
         "--payout-delay", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert process.stdout is not None
    try:
        keys = json.loads(process.stdout.readline())
        yield {
            "ALLIANCE_BASE_URL": keys["base_url"],
            "ALLIANCE_ACCESS_KEY": keys["access_key"],
            "ALLIANCE_SECRET_KEY": keys["secret_key"],
        }
    finally:
        process.terminate()
        assert process.wait(timeout=20) == 0
        process.stdout.close()


def test_a_script_drives_a_sandbox_the_cli_started(started: dict[str, str]) -> None:
    env = started
    assert run_cli("balance", "--json", env=env).json() == {"balance": "100000.00"}
    created = run_cli("payouts", "create", "--order-id", "PO-SH", *PAYOUT_FLAGS, "--json", env=env)
    assert created.code == 0, created.stderr
    final = run_cli("payouts", "wait", "PO-SH", "--timeout", "20", "--json", env=env)
    assert final.json()["status"] == "Approved"
    link = run_cli(
        "payins", "create-link", "--order-id", "PI-SH", "--user-id", "c", "--amount", "10.50",
        "--redirect-url", "https://shop.example.in/done", "--json", env=env,
    )  # fmt: skip
    assert link.json()["pay_url"].endswith("/pay/PI-SH")
    assert run_cli("payins", "status", "PI-SH", "--json", env=env).json()["status"] == "Pending"
