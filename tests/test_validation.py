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
        (0, "greater than 0"),
        (-5, "greater than 0"),
        (Decimal("0.001"), "two decimal places"),
        (0.005, "two decimal places"),
        (0.1 + 0.2, "two decimal places"),  # 0.30000000000000004 is not exact to the paisa
        (float("nan"), "must be a number"),
        (float("inf"), "must be a number"),
        ("1e400000", "less than 100000000000"),
        ("ten", "must be a number"),
        ("1e11", "less than 100000000000"),
        (True, "must be a number"),
        (None, "required"),
    ],
)
def test_bad_amounts_are_refused_with_the_reason(value: object, reason: str) -> None:
    with pytest.raises(AllianceValidationError, match=reason) as info:
        check_amount(value)
    assert info.value.field == "amount"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("amount", "0", "greater than 0"),
        ("beneficiary_mobile_no", 7.5, "string or an integer"),
        ("beneficiary_mobile_no", True, "string or an integer"),
        ("beneficiary_name", "  ", "required"),
        ("beneficiary_address", "", "required"),
        ("bank_name", None, "required"),
        ("beneficiary_acc_no", 12345678, "must be a string"),
        ("ifsc", "", "required"),
        ("order_id", "..", "path segment"),
        ("order_id", "a/../b", "path segment"),
        ("order_id", "A\r\nB", "control"),
        ("user_id", "", "required"),
        ("payment_method", "", "required"),
        ("remarks", 5, "must be a string"),
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


@pytest.mark.parametrize(
    ("field", "value"),
    [
        # The docs give no format for these, so the SDK sends them and lets the API judge.
        ("ifsc", "sbin0060589"),
        ("beneficiary_mobile_no", "+919876543210"),
        ("beneficiary_email", "not-an-email"),
        ("beneficiary_acc_no", "1234 5678 90"),
        ("payment_method", "UPI"),
        ("payment_method", "A-RAIL-FROM-TOMORROW"),
        ("remarks", "line one\nline two"),
        ("amount", Decimal("99999999999.99")),
    ],
)
def test_what_the_docs_do_not_forbid_is_sent(field: str, value: object) -> None:
    from alliance_pay._validation import payout_request

    args: dict[str, Any] = {**PAYOUT_ARGS, "payment_method": "IMPS", "remarks": None}
    body = payout_request(**{**args, field: value})
    assert getattr(body, field) == value


def test_every_refused_field_is_named_in_one_error() -> None:
    args: dict[str, Any] = {**PAYOUT_ARGS, "amount": "0.001", "ifsc": " ", "order_id": ".."}
    with _client_that_must_not_send() as client, pytest.raises(AllianceValidationError) as info:
        client.payouts.create(**args)
    message = str(info.value)
    assert message.startswith(
        "payouts.create refused 3 arguments before sending anything "
        "(nothing was sent to POST /api/v1/payout/initiate):\n"
    )
    assert "  ifsc: is required" in message
    assert "  amount: must have at most two decimal places" in message
    assert "  order_id: must not be or contain a '.' or '..' path segment" in message
    assert set(info.value.errors) == {"ifsc", "amount", "order_id"}
    assert info.value.field == "ifsc"  # the first, in the documented order


def test_a_refusal_names_the_request_not_sent_with_the_base_url_prefix() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    with AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url="https://alliance.test/gateway",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    ) as client:
        with pytest.raises(AllianceValidationError) as info:
            client.payouts.retrieve("..")
        assert str(info.value) == (
            "order_id: must not be or contain a '.' or '..' path segment (payouts.retrieve: "
            "nothing was sent to GET /gateway/api/v1/payout/{order_id}/status)"
        )
        assert (info.value.method, info.value.path) == (
            "GET",
            "/gateway/api/v1/payout/{order_id}/status",
        )


def test_a_ten_digit_mobile_may_be_an_int() -> None:
    from alliance_pay._validation import payout_request

    body = payout_request(
        **{**PAYOUT_ARGS, "beneficiary_mobile_no": 7878787878},
        payment_method="IMPS",
        remarks=None,
    )
    assert body.beneficiary_mobile_no == "7878787878"
