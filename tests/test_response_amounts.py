"""Amounts in a response are read exactly, and only when they can be real money: finite, not
negative, whole paise, under a trillion rupees, and short enough to parse without cost.

Each rule is pinned at its boundary, from both sides, through what a caller reads back: the
``Decimal`` in the model, or an ``APIResponseValidationError`` that names the field.
"""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance_pay import AllianceClient, APIResponseValidationError
from alliance_pay._converter import to_money
from tests.helpers import PAYOUT_STATUS, envelope

BASE = "https://alliance.test"


def _read(field: str, value: object) -> object:
    """What a caller gets back for ``field`` sent as ``value``: the amount, or the error."""
    if field == "balance":
        data: dict[str, object] = {"balance": value}
    else:
        data = {**PAYOUT_STATUS, field: value}
    # json.dumps, not httpx's json=: it writes NaN and Infinity as JSON's constants, as a
    # non-conforming server might.
    answer = httpx.Response(
        200, content=json.dumps(envelope(data)), headers={"Content-Type": "application/json"}
    )
    with AllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url=BASE,
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(lambda request: answer)),
    ) as client:
        try:
            if field == "balance":
                return client.balance.retrieve().balance
            return getattr(client.payouts.retrieve(PAYOUT_STATUS["order_id"]), field)
        except APIResponseValidationError as error:
            return error


ACCEPTED: list[tuple[object, Decimal]] = [
    ("0", Decimal("0")),  # an empty balance is a real balance
    (0, Decimal("0")),
    ("0.00", Decimal("0.00")),
    ("-0", Decimal("-0")),  # zero, written with a sign
    ("0.01", Decimal("0.01")),  # one paisa
    ("100.10", Decimal("100.10")),
    ("100.000", Decimal("100.000")),  # trailing zeros are still whole paise
    (5.9, Decimal("5.9")),  # a JSON float, read through its shortest repr
    (7, Decimal("7")),
    (999_999_999_999, Decimal("999999999999")),  # the largest whole amount, as a JSON int
    (999_999_999_999.99, Decimal("999999999999.99")),
    (0.5, Decimal("0.5")),
    (1e2, Decimal("100.0")),
    ("999999999999", Decimal("999999999999")),
    ("1.", Decimal("1")),  # not how the API writes it, but a whole number of rupees all the same
    (" 12.5 ", Decimal("12.5")),
    ("999999999999.99", Decimal("999999999999.99")),  # the largest amount there can be
    ("9.99e11", Decimal("9.99e11")),
    ("1." + "0" * 29, Decimal("1." + "0" * 29)),  # 30 digits: the most an amount may have
    ("0" * 58 + "100.00", Decimal("100.00")),  # 64 characters: the longest text read
]
REFUSED: list[object] = [
    "-0.01",  # the smallest negative amount
    -0.01,  # as a JSON number, which the SDK's decoder reads as a Decimal
    "-100",
    -1,
    "0.001",  # a tenth of a paisa
    "100.001",
    "0." + "0" * 27 + "1",
    0.001,
    1e-3,
    "1000000000000",  # a trillion rupees
    1_000_000_000_000,
    1e12,
    "01000000000000",
    "1e12",
    "1." + "0" * 30,  # 31 digits
    "0" * 59 + "100.00",  # 65 characters
    "1e999999",
    "NaN",
    "-Infinity",
    "Infinity",
    "one hundred",
    "",
    True,  # JSON true is not a number
    [1],
    {"amount": 1},
]


@pytest.mark.parametrize("field", ["balance", "amount", "charge"])
@pytest.mark.parametrize(("sent", "read"), ACCEPTED, ids=repr)
def test_a_response_amount_that_can_be_real_money_is_read_exactly(
    field: str, sent: object, read: Decimal
) -> None:
    got = _read(field, sent)
    assert isinstance(got, Decimal), got
    assert got == read
    assert str(got) == str(read)  # exact, digit for digit: never through a float


@pytest.mark.parametrize("field", ["balance", "amount", "charge"])
@pytest.mark.parametrize("sent", REFUSED, ids=repr)
def test_a_response_amount_that_cannot_be_real_money_is_refused_naming_the_field(
    field: str, sent: object
) -> None:
    got = _read(field, sent)
    assert isinstance(got, APIResponseValidationError), got
    assert field in str(got)


WHY: list[tuple[object, str]] = [
    ("-0.01", "amount: must not be negative: '-0.01'"),
    ("0.001", "amount: is not a whole number of paise: '0.001'"),
    ("1e999999", "amount: is too large for an amount in rupees (or has too many digits)"),
    ("NaN", "amount: must be a finite number, not 'NaN'"),
    ("Infinity", "amount: must be a finite number, not 'Infinity'"),
    (float("nan"), "amount: must be a finite number, not nan"),  # JSON's NaN constant
    (float("-inf"), "amount: must be a finite number, not -inf"),
    ("one hundred", "amount: is not a number: 'one hundred'"),
    (True, "amount: must be a number, not a bool"),
    ([1], "amount: must be a Decimal, int or decimal string, not list"),
    ("0" * 59 + "100.00", "amount: is too large for an amount in rupees"),
]


@pytest.mark.parametrize(("sent", "why"), WHY, ids=repr)
def test_a_refused_response_amount_says_why(sent: object, why: str) -> None:
    # The reason, not only "invalid value": a bad amount in an answer is a question for the
    # provider, and the message is what gets pasted into the ticket.
    got = _read("amount", sent)
    assert isinstance(got, APIResponseValidationError), got
    field, reason = why.split(": ", 1)
    assert f"{reason}" in str(got), str(got)
    assert f"$.{field}" in str(got)


PLAIN: list[tuple[object, str]] = [
    (0, "0"),
    (7, "7"),
    (999_999_999_999, "999999999999"),
    ("7", "7"),
    ("12.5", "12.5"),
    ("100.10", "100.10"),
    ("999999999999.99", "999999999999.99"),
    (5.9, "5.9"),
    (0.5, "0.5"),
    # A JSON number with a fraction, as the SDK's decoder reads it.
    (Decimal("5.9"), "5.9"),
    (Decimal("100.10"), "100.10"),
    (Decimal("0"), "0"),
    (Decimal("999999999999.99"), "999999999999.99"),
]


@pytest.mark.parametrize(("sent", "read"), PLAIN, ids=repr)
def test_an_amount_written_plainly_is_read_without_the_general_parser(
    monkeypatch: pytest.MonkeyPatch, sent: object, read: str
) -> None:
    # Most amounts are plain digits with at most two decimals: nothing to bound or round, so
    # the general parser (and its cost) is kept for the rest.
    def general(value: object, _: object = None) -> Decimal:
        raise AssertionError(f"{value!r} went to the general parser")

    monkeypatch.setattr("alliance_pay._converter.to_decimal", general)
    assert str(to_money(sent)) == read


def _outcome(value: object) -> str:
    try:
        return f"read {to_money(value)}"
    except (TypeError, ValueError):
        return "refused"


@given(
    st.decimals(allow_nan=True, allow_infinity=True)
    | st.decimals(min_value=-1, max_value=10**12 + 1, places=2)
    | st.decimals(min_value=-1, max_value=10**12 + 1, places=3)
    | st.sampled_from(["1E+5", "1E+11", "1E+12", "-0.00", "-0.01", "5.90E0", "1.5E-1"]).map(Decimal)
)
def test_a_decimal_amount_is_read_as_its_text_is(value: Decimal) -> None:
    # The decoder hands amounts with a fraction over as Decimal, which has a quick path of its
    # own: it accepts and refuses exactly what the general reading of the same digits does.
    assert _outcome(value) == _outcome(str(value))
