"""Bad input is refused with an error naming the field and the reason, before any request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from alliance_pay import AllianceClient, AllianceError, AllianceValidationError
from alliance_pay._validation import check_amount
from tests.helpers import ACCESS_KEY, PAYOUT_ARGS, SECRET_KEY


def _client_that_must_not_send() -> AllianceClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"nothing may be sent, but {request.method} {request.url} was")

    return AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url="https://alliance.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("100.50"), Decimal("100.50")),
        (100, Decimal("100")),
        ("0.01", Decimal("0.01")),
        (0.1, Decimal("0.1")),
        (1234.56, Decimal("1234.56")),
        (Decimal("5.900"), Decimal("5.900")),
    ],
)
def test_good_amounts_become_exact_decimals(value: object, expected: Decimal) -> None:
    amount = check_amount(value)
    assert amount == expected
    assert isinstance(amount, Decimal)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0, "greater than zero"),
        (-5, "greater than zero"),
        (Decimal("0.001"), "two decimal places"),
        (0.005, "two decimal places"),
        (0.1 + 0.2, "two decimal places"),  # 0.30000000000000004 is not exact to the paisa
        (float("nan"), "finite"),
        (float("inf"), "finite"),
        ("1e400000", "too large"),
        ("ten", "not a number"),
        ("1e11", "too large"),
        (True, "bool"),
        (None, "Decimal, int or decimal string"),
    ],
)
def test_bad_amounts_are_refused_with_the_reason(value: object, reason: str) -> None:
    with pytest.raises(AllianceValidationError, match=reason) as info:
        check_amount(value)
    assert info.value.field == "amount"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("amount", "0", "greater than zero"),
        ("ifsc", "sbin0060589", "IFSC|capital letters"),
        ("ifsc", "SBIN1060589", "capital letters"),
        ("beneficiary_mobile_no", "12345", "10-digit"),
        ("beneficiary_mobile_no", "+919876543210", "10-digit"),
        ("beneficiary_email", "not-an-email", "email"),
        ("beneficiary_name", "  ", "empty"),
        ("beneficiary_address", "", "empty"),
        ("bank_name", None, "str"),
        ("beneficiary_acc_no", "1234 5678 90", "no spaces"),
        ("order_id", "..", "path segment"),
        ("order_id", "a/../b", "path segment"),
        ("order_id", "A\r\nB", "control"),
        ("user_id", "", "empty"),
        ("payment_method", "", "empty"),
        ("remarks", "bad\x00", "control"),
    ],
)
def test_payout_arguments_are_checked_before_any_money_moves(
    field: str, value: object, reason: str
) -> None:
    args: dict[str, Any] = {**PAYOUT_ARGS, field: value}
    with _client_that_must_not_send() as client, pytest.raises(AllianceValidationError) as info:
        client.payouts.create(**args)
    assert info.value.field == field
    assert info.value.reason
    assert __import__("re").search(reason, info.value.reason)
    assert isinstance(info.value, AllianceError)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("redirect_url", "shop.example.in/thanks"),
        ("redirect_url", "ftp://shop.example.in/"),
        ("redirect_url", "javascript:alert(1)"),
        ("amount", "1.234"),
        ("order_id", ""),
        ("user_id", "\t"),
        ("method", ""),
    ],
)
def test_payin_link_arguments_are_checked_before_any_request(field: str, value: object) -> None:
    args: dict[str, Any] = {
        "user_id": "cust-1",
        "order_id": "PI-1",
        "amount": "10",
        "redirect_url": "https://shop.example.in/thanks",
        field: value,
    }
    with _client_that_must_not_send() as client, pytest.raises(AllianceValidationError) as info:
        client.payins.create_link(**args)
    assert info.value.field == field


def test_a_ten_digit_mobile_may_be_an_int() -> None:
    from alliance_pay._validation import payout_request

    body = payout_request(
        **{**PAYOUT_ARGS, "beneficiary_mobile_no": 7878787878},
        payment_method="IMPS",
        remarks=None,
    )
    assert body.beneficiary_mobile_no == "7878787878"
