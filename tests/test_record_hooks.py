"""The hot path's structure functions read every record exactly as the detailed converter does,
and every record it refuses is refused by the detailed one too, which names the bad field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from alliance_pay import Balance, Payin, PayinLink, Payout
from alliance_pay._converter import converter, make_converter

FAST = make_converter(detailed_validation=False)
DETAILED = make_converter()

RECORDS: list[tuple[type, dict[str, Any]]] = [
    (Balance, {"balance": "1111.11"}),
    (Balance, {"balance": 5.9, "unknown": [1, 2]}),
    (PayinLink, {"pay_url": "https://pay.test/x"}),
    (
        PayinLink,
        {
            "pay_url": "https://pay.test/x",
            "order_id": 123,
            "user_id": None,
            "amount": "100.00",
            "method": "UPI",
            "created_at": "2025-07-29T16:23:48.000000Z",
        },
    ),
    (
        Payin,
        {
            "order_id": "P-1",
            "status": "Approved",
            "amount": 100,
            "request_amount": "100.50",
            "method": "CARRIER-PIGEON",
            "time_of_processing": "2025-08-04 16:58:30",
            "updated_at": "2025-08-04T11:28:30Z",
        },
    ),
    (Payin, {"order_id": "P-2", "status": "SomethingNew", "time_of_processing": None}),
    (
        Payout,
        {
            "order_id": "O-1",
            "status": "Pending",
            "beneficiary_mobile_no": 9876543210,
            "transaction_id": 2517319122,
            "charge": 0,
            "payment_method": None,
            "vpa": None,
        },
    ),
]


@pytest.mark.parametrize(("cls", "data"), RECORDS)
def test_the_fast_reading_of_a_record_is_the_detailed_one(cls: type, data: dict[str, Any]) -> None:
    fast = FAST.structure(data, cls)
    assert fast == DETAILED.structure(data, cls)
    assert fast == converter.structure(data, cls)


BAD: list[tuple[type, dict[str, Any], str]] = [
    (Payout, {"status": "Pending"}, "order_id"),
    (Payout, {"order_id": "O-1", "status": "Pending", "amount": "-1.00"}, "$.amount"),
    (Payout, {"order_id": "O-1", "status": "Pending", "amount": "1e999999"}, "$.amount"),
    (Payout, {"order_id": "O-1", "status": "Pending", "ifsc": 1.5}, "ifsc"),
    (Payout, {"order_id": None, "status": "Pending"}, "order_id"),
    (Payout, {"order_id": "O-1", "status": 7}, "status"),
    (Payin, {"order_id": "P-1", "status": "Approved", "created_at": "yesterday"}, "created_at"),
    (Balance, {}, "balance"),
]


@pytest.mark.parametrize(("cls", "data", "named"), BAD)
def test_a_bad_record_is_refused_by_both_and_the_error_names_it(
    cls: type, data: dict[str, Any], named: str
) -> None:
    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal: the detailed one names it
        FAST.structure(data, cls)
    with pytest.raises(Exception) as detailed:  # noqa: PT011
        converter.structure(data, cls)
    from alliance_pay._converter import structure_problems

    assert named in (structure_problems(detailed.value) or "")


def test_money_stays_exact_through_the_fast_reading() -> None:
    payout = FAST.structure({"order_id": "O-1", "status": "Approved", "amount": 5.9}, Payout)
    assert payout.amount == Decimal("5.9")


@pytest.mark.parametrize(
    ("wire", "read"),
    [
        ("0", "0"),
        ("100", "100"),
        ("1111.11", "1111.11"),
        ("5.90", "5.90"),
        ("0.5", "0.5"),
        ("999999999999.99", "999999999999.99"),
        ("1.000", "1.000"),  # whole paise, written with one zero more: the slow path's answer
        (" 5 ", "5"),
        (100, "100"),
        (999999999999, "999999999999"),
        (5.9, "5.9"),
        (0.1, "0.1"),
        (1e3, "1000.0"),
    ],
)
def test_a_response_amount_is_read_exactly(wire: object, read: str) -> None:
    payout = converter.structure({"order_id": "O-1", "status": "Approved", "amount": wire}, Payout)
    assert payout.amount == Decimal(read)
    assert str(payout.amount) == read


@pytest.mark.parametrize(
    "wire",
    [
        "1000000000000",
        10**12,
        "-0.01",
        -1,
        -0.5,
        "0.001",
        0.001,
        1e-05,
        "1e999999",
        "NaN",
        float("inf"),
        "1" * 65,
        True,
        "12.345",
        "01.5.5",
    ],
)
def test_a_response_amount_that_is_not_whole_paise_in_range_is_refused(wire: object) -> None:
    with pytest.raises(Exception) as refused:  # noqa: PT011 - the detailed error names the field
        converter.structure({"order_id": "O-1", "status": "Approved", "amount": wire}, Payout)
    from alliance_pay._converter import structure_problems

    assert "$.amount" in (structure_problems(refused.value) or "")


@pytest.mark.parametrize(
    ("wire", "utc"),
    [
        ("2025-07-29T16:23:48.000000Z", "2025-07-29T16:23:48+00:00"),
        ("2025-07-29T16:23:48Z", "2025-07-29T16:23:48+00:00"),
        ("2025-07-29T16:23:48.500z", "2025-07-29T16:23:48.500000+00:00"),
        (" 2025-07-29T16:23:48Z ", "2025-07-29T16:23:48+00:00"),
        ("2025-07-29T21:53:48+05:30", "2025-07-29T16:23:48+00:00"),
        ("2025-07-29T16:23:48", "2025-07-29T16:23:48+00:00"),
    ],
)
def test_a_timestamp_is_read_as_the_same_instant_in_utc(wire: str, utc: str) -> None:
    payout = converter.structure(
        {"order_id": "O-1", "status": "Approved", "created_at": wire}, Payout
    )
    assert payout.created_at is not None
    assert payout.created_at.utcoffset() is not None
    assert payout.created_at == datetime.fromisoformat(utc)
