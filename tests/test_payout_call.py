"""``payouts.create``'s call: arguments that pass their checks are written straight into the
body, and the bytes are those of the model ``payout_request`` builds, whatever the arguments."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from alliance_pay import AllianceValidationError, PaymentMethod, _body
from alliance_pay._body import checked_body, request_body
from alliance_pay._models import PayinLinkRequest, PayinStatusRequest, PayoutRequest
from alliance_pay._validation import (
    Arguments,
    payin_link_request,
    payout_call,
    payout_request,
)

GOOD: dict[str, object] = {
    "order_id": "P-1",
    "user_id": "u-1",
    "amount": Decimal("10.50"),
    "beneficiary_name": "Asha Rao",
    "beneficiary_email": "asha@example.in",
    "beneficiary_mobile_no": "9876543210",
    "beneficiary_address": "12 MG Road",
    "beneficiary_acc_no": "123456789012",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
    "payment_method": "IMPS",
    "remarks": None,
}


class Rail(str, enum.Enum):
    NEFT = "NEFT"


TEXT = st.text(st.sampled_from('aZ09 -./é\n\t\x00\u2028\u00a0"\\%'), max_size=6)
VALUES: dict[str, Any] = {
    "amount": st.one_of(
        st.decimals(allow_nan=True, places=3, max_value=10**12),
        st.integers(min_value=-5, max_value=10**12),
        st.floats(allow_nan=True),
        st.sampled_from(["10.50", " 7 ", "1e3", "abc", True, None]),
    ),
    "beneficiary_mobile_no": st.one_of(TEXT, st.integers(), st.none()),
    "payment_method": st.one_of(TEXT, st.sampled_from([PaymentMethod.IMPS, Rail.NEFT])),
    "remarks": st.one_of(st.none(), TEXT, st.integers()),
}


@st.composite
def arguments(draw: st.DrawFn) -> dict[str, object]:
    """The good arguments, with a few of them replaced by anything."""
    chosen = draw(st.sets(st.sampled_from(sorted(GOOD)), max_size=3))
    return {
        name: draw(VALUES.get(name, st.one_of(TEXT, st.integers(), st.none())))
        if name in chosen
        else value
        for name, value in GOOD.items()
    }


def _outcome(build: Any) -> tuple[str, object]:
    try:
        return "ok", build()
    except AllianceValidationError as error:
        return "refused", (str(error), error.errors)


@given(arguments())
@example(GOOD)
@example({**GOOD, "payment_method": PaymentMethod.IMPS, "amount": 7})
@example({**GOOD, "beneficiary_mobile_no": 9876543210, "amount": "10.50"})
@example({**GOOD, "remarks": "first payout", "payment_method": Rail.NEFT})
def test_the_call_carries_the_bytes_of_the_model_or_the_same_refusal(
    given_arguments: dict[str, object],
) -> None:
    fast = _outcome(lambda: payout_call(given_arguments))
    model = _outcome(lambda: payout_request(**given_arguments))  # type: ignore[arg-type]
    assert fast[0] == model[0]
    if fast[0] == "refused":
        assert fast[1] == model[1]
        return
    call, request = fast[1], model[1]
    assert call.body == request_body(request)
    assert call.order_id == request.order_id
    assert (call.method, call.path, call.idempotent) == ("POST", "api/v1/payout/initiate", False)


def test_good_arguments_are_checked_once_and_written_without_building_the_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*arguments: object) -> None:
        raise AssertionError("checked again, or the model built")

    monkeypatch.setattr("alliance_pay._validation._payout_model", refuse)
    monkeypatch.setattr("alliance_pay._validation._refuse", refuse)
    for extra in ({}, {"payment_method": PaymentMethod.NEFT}, {"amount": 7}, {"remarks": "x"}):
        assert payout_call({**GOOD, **extra}).body is not None


class Shouting(str):
    """A str subclass whose str() is not its characters."""

    def __str__(self) -> str:
        return self.upper() + "\n"


@pytest.mark.parametrize("mobile", ["9876543210", 9876543210], ids=["written", "via the model"])
def test_a_str_subclass_is_sent_as_the_characters_its_checks_read(mobile: object) -> None:
    # A caller's own (str, Enum) member str()s to its qualified name ("Rail.NEFT"), and any
    # subclass may say anything there; the rules checked the characters, so they are sent.
    given_arguments = {
        **GOOD,
        "payment_method": Rail.NEFT,
        "bank_name": Shouting("sbi"),
        "beneficiary_mobile_no": mobile,
    }
    body = payout_call(given_arguments).body
    assert body is not None
    assert b'"payment_method":"NEFT"' in body
    assert b'"bank_name":"sbi"' in body
    request = payout_request(**given_arguments)  # type: ignore[arg-type]
    assert (request.payment_method, request.bank_name) == ("NEFT", "sbi")
    assert type(request.payment_method) is str


def test_a_payin_links_str_subclass_is_sent_as_its_characters() -> None:
    class Method(str, enum.Enum):
        UPI = "UPI"

    request = payin_link_request(
        user_id=Shouting("u-1"),
        order_id="L-1",
        amount=5,
        method=Method.UPI,
        redirect_url="https://shop.in/done",
    )
    assert (request.user_id, request.method) == ("u-1", "UPI")


@pytest.mark.parametrize(
    ("rules", "cls", "values"),
    [
        ("payouts.create", PayoutRequest, GOOD),
        ("payouts.create", PayoutRequest, {**GOOD, "remarks": 'ünï "quoted" \\ %s'}),
        ("payouts.create", PayoutRequest, {**GOOD, "amount": Decimal("99999999999.99")}),
        ("payouts.create", PayoutRequest, {**GOOD, "amount": Decimal("1E+2")}),
        ("payouts.create", PayoutRequest, {**GOOD, "amount": 7}),
        ("payins.retrieve", PayinStatusRequest, {"order_id": "L-1"}),
    ],
)
def test_good_values_are_written_as_the_model_built_from_them(
    rules: str, cls: type, values: dict[str, object]
) -> None:
    model = cls(**{name: Decimal(v) if isinstance(v, int) else v for name, v in values.items()})
    assert checked_body(rules, cls, values) == request_body(model)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal(0)},
        {"amount": Decimal("1.001")},
        {"amount": Decimal("1e11")},
        {"amount": -5},
        {"amount": Decimal("NaN")},
        {"beneficiary_name": " "},
        {"order_id": "P\n1"},
        {"order_id": ".."},
        {"ifsc": None},
        {"remarks": 5},
    ],
)
def test_a_value_that_breaks_a_rule_is_not_written(change: dict[str, object]) -> None:
    assert checked_body("payouts.create", PayoutRequest, {**GOOD, **change}) is None


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 1.5},  # a float: the model reads it through its repr
        {"amount": "10.50"},
        {"amount": True},
        {"beneficiary_mobile_no": 9876543210},
    ],
)
def test_a_value_not_in_the_bodys_form_is_left_to_the_model(change: dict[str, object]) -> None:
    assert checked_body("payouts.create", PayoutRequest, {**GOOD, **change}) is None


def test_a_missing_value_is_left_to_the_model() -> None:
    for name in ("ifsc", "remarks"):
        values = {k: v for k, v in GOOD.items() if k != name}
        assert checked_body("payouts.create", PayoutRequest, values) is None


def test_a_class_the_rules_do_not_cover_field_by_field_is_left_to_the_model() -> None:
    @attrs.frozen
    class Nested:
        items: list[str]

    assert checked_body("payouts.create", Nested, {"items": ["a"]}) is None
    # A payin link's method has a rule ("exactly 'UPI'") without a quick test.
    link = {"user_id": "u", "order_id": "L", "amount": 5, "method": "UPI", "redirect_url": "x"}
    assert checked_body("payins.create_link", PayinLinkRequest, link) is None
    # A model with a field the rules do not test is not written unchecked.
    assert checked_body("payins.retrieve", PayoutRequest, GOOD) is None


def test_a_writer_is_generated_once_for_each_rules_and_class(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @attrs.frozen
    class Status:
        order_id: str

    made: list[tuple[str, type]] = []
    generate = _body._mapping_writer

    def counted(rules: str, cls: type) -> object:
        made.append((rules, cls))
        return generate(rules, cls)

    monkeypatch.setattr(_body, "_WRITERS", {})
    monkeypatch.setattr(_body, "_mapping_writer", counted)
    for _ in range(3):
        assert checked_body("payins.retrieve", Status, {"order_id": "P-1"}) == b'{"order_id":"P-1"}'
        assert checked_body("payouts.retrieve", Status, {"order_id": "P\n1"}) is None
    assert made == [("payins.retrieve", Status), ("payouts.retrieve", Status)]


def test_money_other_than_an_int_or_a_decimal_is_never_written() -> None:
    # The amount's quick test lets only those two through; this holds if a rule ever changes.
    for value in (1.5, True, "7"):
        with pytest.raises(_body._NotWritten):
            _body._other_money(value)


def test_the_arguments_a_create_holds_show_their_names_not_their_values() -> None:
    # A traceback with locals shows them (Sentry, rich): never an account number or a mobile.
    shown = repr(Arguments(GOOD))
    assert shown.startswith("Arguments(order_id=..., user_id=..., amount=...")
    for value in GOOD.values():
        if value is not None:
            assert str(value) not in shown
