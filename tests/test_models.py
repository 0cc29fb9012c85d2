"""The converter reads the documentation's sample responses into exact, typed models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import cattrs
import pytest

from alliance_pay import Balance, Payin, PayinLink, PayinStatus, Payout, PayoutStatus
from alliance_pay._converter import IST, converter, make_converter
from tests.helpers import PAYIN, PAYOUT_CREATED, PAYOUT_STATUS

UTC = dt.timezone.utc


def test_balance_string_becomes_exact_decimal() -> None:
    assert converter.structure({"balance": "1111.11"}, Balance).balance == Decimal("1111.11")


def test_documented_payin_status_parses() -> None:
    payin = converter.structure(PAYIN, Payin)
    assert payin.status is PayinStatus.APPROVED
    assert payin.amount == Decimal("100")
    assert payin.request_amount == Decimal("100")
    assert payin.bank_name is None
    assert payin.time_of_processing == dt.datetime(2025, 8, 4, 16, 58, 30, tzinfo=IST)
    assert payin.time_of_processing.astimezone(UTC) == dt.datetime(
        2025, 8, 4, 11, 28, 30, tzinfo=UTC
    )
    assert payin.created_at == dt.datetime(2025, 8, 4, 6, 16, 3, tzinfo=UTC)


def test_documented_payout_records_parse_with_decimal_charge_and_string_mobile() -> None:
    created = converter.structure(PAYOUT_CREATED, Payout)
    assert created.status is PayoutStatus.PENDING
    assert created.beneficiary_mobile_no == "7878787878"  # sent as a JSON number
    assert created.charge == Decimal("2")
    fetched = converter.structure(PAYOUT_STATUS, Payout)
    assert fetched.status is PayoutStatus.APPROVED
    assert fetched.charge == Decimal("5.9")
    assert str(fetched.charge) == "5.9"  # not 5.9000000000000003552713678800500929355621337890625
    assert fetched.transaction_id == "2517319122"


@pytest.mark.parametrize("amount", [5.9, "5.9", 0.1, 1234.56, "99999999.99", 100])
def test_money_is_never_a_binary_float(amount: object) -> None:
    payout = converter.structure({"order_id": "A", "status": "Pending", "amount": amount}, Payout)
    assert isinstance(payout.amount, Decimal)
    assert payout.amount == Decimal(str(amount))


def test_unknown_status_does_not_crash_and_keeps_its_value() -> None:
    payout = converter.structure({"order_id": "A", "status": "On Hold"}, Payout)
    assert payout.status.name == "UNKNOWN"
    assert payout.status.value == "On Hold"
    assert payout.status == "On Hold"
    assert payout.status not in {PayoutStatus.APPROVED, PayoutStatus.REJECTED, PayoutStatus.PENDING}


def test_unknown_fields_are_ignored_and_documented_ones_may_be_null() -> None:
    record: dict[str, Any] = dict.fromkeys(PAYOUT_STATUS)
    record.update(order_id="A", status="Pending", brand_new_field={"x": 1})
    payout = converter.structure(record, Payout)
    assert payout.amount is None
    assert payout.created_at is None


def test_payin_link_reads_pay_url() -> None:
    link = converter.structure(
        {"pay_url": "https://pay.example/x", "order_id": "A", "amount": "10.50"}, PayinLink
    )
    assert link.pay_url == "https://pay.example/x"
    assert link.amount == Decimal("10.50")


@pytest.mark.parametrize(
    ("record", "where"),
    [
        ({"order_id": "A", "status": "Pending", "amount": "ten"}, "$.amount"),
        ({"order_id": "A", "status": "Pending", "amount": True}, "$.amount"),
        ({"order_id": "A", "status": "Pending", "amount": "NaN"}, "$.amount"),
        ({"order_id": "A", "status": 3}, "$.status"),
        ({"order_id": "A", "status": "Pending", "created_at": "yesterday"}, "$.created_at"),
        ({"status": "Pending"}, "$.order_id"),
        ({"order_id": None, "status": "Pending"}, "$.order_id"),
        ({"order_id": ["A"], "status": "Pending"}, "$.order_id"),
        ({"order_id": "A", "status": "Pending", "ifsc": {"x": 1}}, "$.ifsc"),
    ],
)
def test_malformed_records_raise_a_validation_error_naming_the_field(
    record: dict[str, Any], where: str
) -> None:
    with pytest.raises(cattrs.BaseValidationError) as info:
        converter.structure(record, Payout)
    assert any(where in line for line in cattrs.transform_error(info.value))


def test_models_are_frozen_and_mask_account_numbers_in_repr() -> None:
    payout = converter.structure(PAYOUT_STATUS, Payout)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        payout.amount = Decimal("1")  # type: ignore[misc]
    assert "99999999999" not in repr(payout)
    assert "'*******9999'" in repr(payout)
    assert payout.beneficiary_acc_no == "99999999999"


def test_make_converter_builds_an_independent_converter() -> None:
    assert make_converter() is not converter
    assert make_converter().structure({"balance": 5.9}, Balance).balance == Decimal("5.9")
