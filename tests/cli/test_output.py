"""One place prints: JSON in the models' shape, tables with personal data masked."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from decimal import Decimal

import pytest

from alliance_pay import Payout, PayoutStatus
from alliance_pay.cli import _output

PAYOUT = Payout(
    order_id="PO-1",
    status=PayoutStatus.APPROVED,
    amount=Decimal("1500.50"),
    beneficiary_name="Asha Verma",
    beneficiary_acc_no="123456789012",
    beneficiary_mobile_no="9876543210",
    remarks="[bold]not markup[/bold]",
    created_at=dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.timezone.utc),
)


def test_json_is_the_models_shape(capsys: pytest.CaptureFixture[str]) -> None:
    _output.show_record(argparse.Namespace(json=True), PAYOUT)
    data = json.loads(capsys.readouterr().out)
    assert data["amount"] == "1500.50"
    assert data["status"] == "Approved"
    assert data["created_at"].startswith("2026-11-29T10:00:00")
    assert data["beneficiary_acc_no"] == "123456789012"  # data for scripts: not masked


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "pipe"])
def test_tables_mask_personal_data_and_print_values_literally(
    terminal: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if terminal:
        pytest.importorskip("rich")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: terminal)
    _output.show_record(argparse.Namespace(json=False), PAYOUT, title="payout PO-1")
    out = capsys.readouterr().out
    assert "[bold]not markup[/bold]" in out
    assert "********9012" in out
    for personal in ("123456789012", "9876543210", "Asha Verma"):
        assert personal not in out
    assert ("┃" in out) is terminal  # rich only on a terminal
