"""Bulk files for tests, and the exactly-once check of a results file against a ledger."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from alliance_pay.bulk import PAYOUT_COLUMNS

GOOD = {
    "user_id": "merchant-user-7",
    "amount": "10.50",
    "beneficiary_name": "Asha Verma",
    "beneficiary_email": "asha@example.in",
    "beneficiary_mobile_no": "9876543210",
    "beneficiary_address": "12 MG Road, Bengaluru",
    "beneficiary_acc_no": "123456789012",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
}
#: The sandbox rejects payouts to this account when it settles them (refunded).
REJECTED_ACCOUNT = "000000000000"


def rows(count: int, prefix: str = "BULK", **overrides: Mapping[str, str]) -> list[dict[str, str]]:
    """``count`` valid rows with order ids ``{prefix}-1``...; ``overrides`` maps a row number
    (as a string) to the fields to change in it."""
    made = []
    for number in range(1, count + 1):
        row = {"order_id": f"{prefix}-{number}", **GOOD}
        row["amount"] = f"{10 + number % 7}.{number % 100:02d}"
        row.update(overrides.get(str(number), {}))
        made.append(row)
    return made


def write_csv(path: Path, records: Sequence[Mapping[str, str]]) -> Path:
    columns = [c for c in PAYOUT_COLUMNS if any(c in r for r in records)] or list(GOOD)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(records)
    return path


def write_jsonl(path: Path, records: Iterable[Mapping[str, object]]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record) + "\n")
    return path


def read_results(path: Path) -> list[dict[str, str]]:
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def check_exactly_once(
    results: Sequence[Mapping[str, str]],
    paid: Mapping[str, Decimal],
    payout_debits: Sequence[str],
    valid: Mapping[str, Decimal],
) -> None:
    """The issue's check, row by row.

    ``paid``: order id -> amount of every payout the ledger holds; ``payout_debits``: the order
    id of each wallet debit for a payout (twice means paid twice); ``valid``: order id -> amount
    of every valid row of the file.
    """
    twice = [oid for oid, n in Counter(payout_debits).items() if n > 1]
    assert twice == [], f"paid twice: {twice}"
    by_order = {r["order_id"]: r for r in results if r["state"] != "invalid"}
    lost = sorted(set(valid) - set(paid))
    assert lost == [], f"valid rows never paid: {lost[:10]}"
    extra = sorted(set(paid) - set(valid))
    assert extra == [], f"paid but not a valid row: {extra[:10]}"
    for order_id, amount in valid.items():
        assert paid[order_id] == amount, order_id
        row = by_order.get(order_id)
        assert row is not None, f"{order_id} is paid but missing from the results"
        assert row["state"] in ("created", "approved", "rejected"), (order_id, row)
    refused_but_paid = [
        r["order_id"] for r in results if r["state"] == "refused" and r["order_id"] in paid
    ]
    assert refused_but_paid == [], f"reported refused, yet paid: {refused_but_paid}"
    assert len({r["row"] for r in results}) == len(results), "a row is reported twice"
