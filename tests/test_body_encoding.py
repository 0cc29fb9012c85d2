"""``dumps_body``, the request body encoder: json.dumps's compact bytes, and exact Decimal money."""

from __future__ import annotations

import enum
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance_pay._signing import dumps_body

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _compact(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("ascii")


@given(st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=6))
def test_without_decimals_the_bytes_are_json_dumps_compact(body: dict[str, Any]) -> None:
    assert dumps_body(body) == _compact(body)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_a_decimal_is_written_as_its_exact_value_in_plain_digits(amount: Decimal) -> None:
    text = dumps_body({"amount": amount}).decode("ascii")
    number = text.removeprefix('{"amount":').removesuffix("}")
    assert "e" not in number.lower()  # plain digits, as the documentation's samples send
    assert Decimal(number) == amount


def test_a_decimal_with_more_digits_than_a_float_or_the_context_holds_is_not_rounded() -> None:
    body = dumps_body(
        {
            "amount": Decimal("12345678901234567.89"),
            "b": Decimal("0.1000"),
            "c": Decimal("0.044483112236186464288287305819"),  # 29 digits: past the context's 28
            "d": Decimal("-0.00"),
        }
    )
    assert body == (
        b'{"amount":12345678901234567.89,"b":0.1,"c":0.044483112236186464288287305819,"d":0}'
    )


def test_nested_bodies_keep_key_order_and_escape_non_ascii() -> None:
    body = {"z": [Decimal("1.50"), {"ü": None, "a": True}], "a": "₹ 100"}
    assert dumps_body(body) == b'{"z":[1.5,{"\\u00fc":null,"a":true}],"a":"\\u20b9 100"}'


class _Method(str, enum.Enum):
    IMPS = "IMPS"


class _Count(enum.IntEnum):
    ONE = 1


def test_str_and_int_subclasses_are_written_as_json_dumps_writes_them() -> None:
    body: dict[str, object] = {_Method.IMPS: _Method.IMPS, "flag": True, "n": _Count.ONE}
    assert dumps_body(body) == _compact(body)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({1: "x"}, TypeError),
        ({"amount": float("nan")}, ValueError),
        ({"amount": Decimal("Infinity")}, ValueError),
        ({"amount": Decimal("sNaN")}, ValueError),
        ({"when": object()}, TypeError),
    ],
)
def test_what_json_cannot_say_exactly_is_refused(body: dict[Any, Any], error: type) -> None:
    with pytest.raises(error):
        dumps_body(body)


def test_request_models_are_written_as_the_converter_reads_them() -> None:
    from alliance_pay._body import request_body
    from alliance_pay._converter import converter
    from alliance_pay._models import (
        PayinLinkRequest,
        PayinStatusRequest,
        Payout,
        PayoutRequest,
        PayoutStatus,
    )

    models: list[object] = [
        PayoutRequest(
            beneficiary_name="Asha",
            beneficiary_email="a@example.in",
            beneficiary_mobile_no="9876543210",
            beneficiary_address="MG Road",
            payment_method="IMPS",
            beneficiary_acc_no="123456789012",
            bank_name="SBI",
            ifsc="SBIN0060589",
            amount=Decimal("10.50"),
            order_id="P-1",
            user_id="u-1",
        ),
        PayinLinkRequest(
            user_id="u",
            order_id="L-1",
            amount=Decimal("1"),
            method="UPI",
            redirect_url="http://a.in",
        ),
        PayinStatusRequest(order_id="S-1"),
        Payout(order_id="P-2", status=PayoutStatus.PENDING, amount=Decimal("5")),  # not plain
    ]
    for model in models:
        # The same keys, in the same order, with the same values: the same bytes.
        assert request_body(model) == dumps_body(converter.unstructure(model))


TEXT = st.text() | st.sampled_from(["", "ünï", '"quoted"', "back\\slash", "\u2028", "\x00"])
MONEY = st.decimals(allow_nan=False, allow_infinity=False, places=2) | st.sampled_from(
    [Decimal("100.50"), Decimal("-0"), Decimal("1E+3"), Decimal("0.10")]
)


class _Text(str):
    """A str subclass: written as its text, like json.dumps writes it."""


@given(
    name=TEXT,
    mobile=TEXT,
    amount=MONEY,
    remarks=st.none() | TEXT | TEXT.map(_Text),
    order_id=TEXT.map(_Text) | TEXT,
)
def test_a_request_model_is_sent_as_the_bytes_dumps_body_writes_for_it(
    name: str, mobile: str, amount: Decimal, remarks: str | None, order_id: str
) -> None:
    from alliance_pay._body import request_body
    from alliance_pay._converter import converter
    from alliance_pay._models import PayinLinkRequest, PayinStatusRequest, PayoutRequest

    models: list[object] = [
        PayoutRequest(
            beneficiary_name=name,
            beneficiary_email="a@example.in",
            beneficiary_mobile_no=mobile,
            beneficiary_address=name,
            payment_method="IMPS",
            beneficiary_acc_no="123456789012",
            bank_name="SBI",
            ifsc="SBIN0060589",
            amount=amount,
            order_id=order_id,
            user_id="u-1",
            remarks=remarks,
        ),
        PayinLinkRequest(
            user_id=name, order_id=order_id, amount=amount, method="UPI", redirect_url=mobile
        ),
        PayinStatusRequest(order_id=order_id),
    ]
    for model in models:
        assert request_body(model) == dumps_body(converter.unstructure(model))
