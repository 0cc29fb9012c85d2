"""`alliance-pay demo`: the main job, as a newcomer runs it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from alliance_pay import _demo

pytestmark = pytest.mark.slow


def test_the_demo_walks_the_whole_product_and_exits_0() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alliance_pay.cli", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for expected in (
        "balance: ₹25,000.00",
        "Approved",
        "Rejected",
        "payin.initiated",
        "payin.succeeded",
        "payout.succeeded",
        "payout.failed",
        "Everything worked.",
    ):
        assert expected in out, expected
    assert "Traceback" not in done.stderr


def test_the_demo_exits_1_when_a_step_goes_wrong(monkeypatch: pytest.MonkeyPatch) -> None:
    # Webhooks that never arrive must fail the demo, not pass it silently.
    monkeypatch.setattr(_demo, "_EXPECTED_EVENTS", (*_demo._EXPECTED_EVENTS, "payout.teleported"))
    monkeypatch.setattr(_demo, "_WEBHOOK_WAIT", 1.0)
    lines: list[str] = []
    assert _demo.run_demo(lines.append) == 1
    assert any("payout.teleported" in line for line in lines)
