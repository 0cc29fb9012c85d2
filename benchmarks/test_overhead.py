"""What the SDK costs on top of httpx, measured as ratios within one run (machines are noisy).

Run: ``nox -s bench`` (or ``pytest benchmarks --benchmark-only``). Compare each group's rows:
the SDK call against the same request made with plain httpx and ``AllianceAuth``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from alliance_pay import AllianceAuth, AllianceClient, compute_signature
from alliance_pay._converter import converter
from alliance_pay._models import Payout

ACCESS, SECRET = "bench-access-key", "bench-secret-key-0123456789"
RECORD: dict[str, Any] = {
    "order_id": "BENCH-1",
    "user_id": "seller-42",
    "transaction_id": "2517319122",
    "amount": 100,
    "charge": 5.9,
    "beneficiary_name": "Test Name",
    "beneficiary_address": "NOIDA",
    "beneficiary_email": "test.test@gmail.com",
    "beneficiary_mobile_no": "7878787878",
    "payment_method": "IMPS",
    "beneficiary_acc_no": "99999999999",
    "ifsc": "SBIN0060589",
    "bank_name": "SBI",
    "vpa": None,
    "remarks": None,
    "status": "Approved",
    "created_at": "2024-11-14T08:09:54.000000Z",
    "updated_at": "2024-11-14T14:55:36.000000Z",
    "message": "Payout has been completed.",
}
BODY = json.dumps({"error": "", "data": RECORD, "message": "ok", "success": True}).encode()
PAYOUT_ARGS: dict[str, Any] = {
    "order_id": "BENCH-1",
    "user_id": "seller-42",
    "amount": Decimal("100.00"),
    "beneficiary_name": "Test Name",
    "beneficiary_email": "test.test@gmail.com",
    "beneficiary_mobile_no": "7878787878",
    "beneficiary_address": "NOIDA",
    "beneficiary_acc_no": "99999999999",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
}


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=BODY, headers={"Content-Type": "application/json"})


@pytest.fixture
def transport() -> httpx.MockTransport:
    return httpx.MockTransport(_answer)


@pytest.mark.benchmark(group="payout status: one call")
def test_plain_httpx_with_alliance_auth(benchmark: Any, transport: httpx.MockTransport) -> None:
    with httpx.Client(transport=transport, auth=AllianceAuth(ACCESS, SECRET)) as client:
        benchmark(lambda: client.get("https://alliance.test/api/v1/payout/BENCH-1/status").json())


@pytest.mark.benchmark(group="payout status: one call")
def test_sdk_retrieve(benchmark: Any, transport: httpx.MockTransport) -> None:
    with AllianceClient(
        access_key=ACCESS,
        secret_key=SECRET,
        base_url="https://alliance.test",
        http_client=httpx.Client(transport=transport),
    ) as client:
        result = benchmark(client.payouts.retrieve, "BENCH-1")
    assert result.charge == Decimal("5.9")


@pytest.mark.benchmark(group="payout create: one call")
def test_plain_httpx_create(benchmark: Any, transport: httpx.MockTransport) -> None:
    body = {**PAYOUT_ARGS, "amount": 100, "payment_method": "IMPS", "remarks": None}
    with httpx.Client(transport=transport, auth=AllianceAuth(ACCESS, SECRET)) as client:
        benchmark(
            lambda: client.post("https://alliance.test/api/v1/payout/initiate", json=body).json()
        )


@pytest.mark.benchmark(group="payout create: one call")
def test_sdk_create(benchmark: Any, transport: httpx.MockTransport) -> None:
    with AllianceClient(
        access_key=ACCESS,
        secret_key=SECRET,
        base_url="https://alliance.test",
        http_client=httpx.Client(transport=transport),
    ) as client:
        benchmark(lambda: client.payouts.create(**PAYOUT_ARGS))


@pytest.mark.benchmark(group="pieces")
def test_signature(benchmark: Any) -> None:
    benchmark(compute_signature, SECRET, "POST", "api/v1/payout/initiate", BODY, 1_700_000_000_000)


@pytest.mark.benchmark(group="pieces")
def test_decode_payout_record(benchmark: Any) -> None:
    payout = benchmark(converter.structure, RECORD, Payout)
    assert payout.amount == Decimal("100")
