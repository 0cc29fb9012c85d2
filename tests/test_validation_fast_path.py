"""The rules table's fast path refuses exactly what each rule refuses on its own.

Each field's rules read its amount once (the last value read is kept), a body's checks are
planned once per endpoint, and the path-segment rule skips ids without a dot: none of that may
let a bad value through or refuse a good one.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alliance_pay import AllianceValidationError
from alliance_pay._models import PaymentMethod, PayoutStatus
from alliance_pay._rules import (
    _BY_FIELD,
    _PLAN,
    _QUICK,
    RULES,
    check_fields,
    check_value,
    quick_test,
)
from alliance_pay._rules._checks import _TEXT_CHECKS, MISSING, fast_accept, required
from alliance_pay._rules._quick import quick_pass, quick_terms
from alliance_pay._validation import payout_request

AMOUNTS: list[tuple[object, str | None]] = [
    (Decimal("1.001"), "must have at most two decimal places (whole paise), not 1.001"),
    (Decimal("1.00"), None),
    ("-5", "must be greater than 0, not -5"),
    (0.1, None),
    (0.125, "must have at most two decimal places (whole paise), not 0.125"),
    ("abc", "must be a number (an int, a Decimal or a decimal string), not 'abc'"),
    (True, "must be a number (an int, a Decimal or a decimal string), not True"),
    (Decimal("1e11"), "must be less than 100000000000 (at most 99999999999.99)"),
    (None, "is required"),
    (100, None),
]


def _one_rule_at_a_time(endpoint: str, field: str, value: object) -> str | None:
    for rule in RULES:
        if rule.endpoint == endpoint and rule.field == field:
            reason = rule.check(value)
            if reason is not None:
                return reason
    return None


def test_each_amount_is_judged_on_its_own_whatever_was_read_before() -> None:
    # Every order of reading, the same object twice in a row among them.
    sequence = [*AMOUNTS, *reversed(AMOUNTS), *[pair for pair in AMOUNTS for _ in (1, 2)]]
    for value, expected in sequence:
        assert check_value("payouts.create", "amount", value) == expected, value
        assert _one_rule_at_a_time("payouts.create", "amount", value) == expected, value


GOOD_BODY: dict[str, object] = {
    "beneficiary_name": "Asha Rao",
    "beneficiary_email": "asha@example.in",
    "beneficiary_mobile_no": "9876543210",
    "beneficiary_address": "12 MG Road",
    "payment_method": "IMPS",
    "beneficiary_acc_no": "123456789012",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
    "amount": Decimal("10.50"),
    "order_id": "P-1",
    "user_id": "u-1",
    "remarks": None,
}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", Decimal("0.001")),
        ("amount", "0"),
        ("order_id", "a/../b"),
        ("order_id", "x\ny"),
        ("beneficiary_name", " "),
        ("remarks", 5),
        ("beneficiary_mobile_no", 1.5),
    ],
)
def test_the_planned_body_check_reports_what_the_rules_report_one_by_one(
    field: str, value: object
) -> None:
    body = {**GOOD_BODY, field: value}
    expected = _one_rule_at_a_time("payouts.create", field, value)
    assert expected is not None
    assert check_fields("payouts.create", body) == {field: expected}
    assert check_fields("payouts.create", GOOD_BODY) == {}


@pytest.mark.parametrize("order_id", ["..", ".", "./x", "a/../b", "a\\..\\b", " .. /x"])
def test_dot_segments_are_refused(order_id: str) -> None:
    assert check_value("payouts.retrieve", "order_id", order_id) is not None


@pytest.mark.parametrize("order_id", ["a.b", "...", "ORD/2026/11", "v1.2/x", "no-dot"])
def test_ids_with_dots_that_are_not_dot_segments_pass(order_id: str) -> None:
    assert check_value("payouts.retrieve", "order_id", order_id) is None


def test_a_created_body_carries_the_exact_amount_that_was_checked() -> None:
    args = {name: value for name, value in GOOD_BODY.items() if name != "amount"}
    for amount, expected in [("100.10", Decimal("100.10")), (0.1, Decimal("0.1")), (7, 7)]:
        assert payout_request(**args, amount=amount).amount == expected  # type: ignore[arg-type]
    with pytest.raises(AllianceValidationError, match="amount"):
        payout_request(**args, amount=Decimal("0.015"))  # type: ignore[arg-type]


@given(
    st.one_of(
        st.text(alphabet=st.sampled_from("ab. /\\\t\n\x00\x7f9"), max_size=8),
        st.integers(),
        st.none(),
        st.booleans(),
        st.decimals(allow_nan=False),
    )
)
def test_a_value_the_quick_test_accepts_passes_every_rule_of_its_field(value: object) -> None:
    for (endpoint, field), rules in _BY_FIELD.items():
        checks = tuple(rule.check for rule in rules)
        accept = fast_accept(checks)
        if accept is not None and accept(value):
            assert all(check(value) is None for check in checks), (endpoint, field, value)
        # The one the SDK's order-id checks take: a field without one proves nothing either.
        if quick_test(endpoint, field)(value):
            assert all(check(value) is None for check in checks), (endpoint, field, value)


def test_the_order_id_quick_tests_pass_an_ordinary_id() -> None:
    for endpoint in ("payins.retrieve", "payouts.retrieve"):
        assert quick_test(endpoint, "order_id")("ORD-2026-11") is True


def test_every_required_text_field_has_a_quick_term_whatever_its_other_text_rules() -> None:
    others = sorted(_TEXT_CHECKS - {required}, key=lambda check: check.__name__)
    for size in range(len(others) + 1):
        for chosen in itertools.combinations(others, size):
            assert quick_terms([("f", (required, *chosen))]) is not None, chosen


def test_an_empty_plan_is_passed_by_its_quick_pass() -> None:
    quick = quick_pass([])
    assert quick is not None
    assert quick({}) is True


def test_the_common_text_fields_have_a_quick_test() -> None:
    planned = {name: accept for name, accept, _ in _PLAN["payouts.create"]}
    for name in ("beneficiary_name", "ifsc", "order_id", "user_id", "beneficiary_mobile_no"):
        assert planned[name] is not None, name


ORDINARY: dict[str, object] = {
    **GOOD_BODY,
    "beneficiary_name": "A. Rao",
    "beneficiary_address": "12 M.G. Road\nBengaluru",
    "order_id": "ORD-2026-0001",
}


def test_ordinary_values_take_the_quick_path_dots_and_newlines_included() -> None:
    # The quick path is only worth its code if the values it is for take it: a dot in an email
    # or a name, a newline in an address, are no reason to run every rule of those fields.
    assert check_fields("payouts.create", ORDINARY) == {}
    quick = [(name, accept) for name, accept, _ in _PLAN["payouts.create"] if accept is not None]
    assert len(quick) >= 5
    for name, accept in quick:
        assert accept(ORDINARY[name]) is True, name


def test_a_value_the_quick_test_accepts_is_not_checked_again_rule_by_rule(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def checked_again(value: object) -> str | None:
        raise AssertionError(f"{value!r} passed the quick test and was checked again")

    plan = {
        endpoint: tuple(
            (name, accept, checks if accept is None else (checked_again,))
            for name, accept, checks in entries
        )
        for endpoint, entries in _PLAN.items()
    }
    monkeypatch.setattr("alliance_pay._rules._PLAN", plan)
    assert check_fields("payouts.create", ORDINARY) == {}


VALUES = st.one_of(
    st.text(alphabet=st.sampled_from("ab. /\\\t\n\x00\x7f9"), max_size=8),
    st.integers(),
    st.none(),
    st.booleans(),
    st.decimals(allow_nan=True),
    st.floats(),
    st.just(MISSING),
    st.sampled_from([Decimal("1.500"), Decimal("0.01"), Decimal("99999999999.99"), 10**11 - 1]),
    st.sampled_from([*PaymentMethod, *PayoutStatus]),
)


@given(st.data())
def test_a_body_the_quick_pass_accepts_breaks_no_rule(data: st.DataObject) -> None:
    for endpoint, quick in _QUICK.items():
        if quick is None:
            continue
        fields = [name for name, _, _ in _PLAN[endpoint]]
        # Mostly good values, with any field replaced by anything at all.
        body = {
            name: data.draw(VALUES) if data.draw(st.booleans()) else ORDINARY.get(name, "P-1")
            for name in fields
        }
        body = {name: value for name, value in body.items() if value is not MISSING}
        if quick(body):
            broken = {
                name: _one_rule_at_a_time(endpoint, name, body.get(name, MISSING))
                for name in fields
            }
            assert not any(broken.values()), (endpoint, body, broken)


def test_an_ordinary_body_is_confirmed_by_the_quick_pass_alone() -> None:
    quick = _QUICK["payouts.create"]
    assert quick is not None
    assert quick(ORDINARY) is True
    for amount in (Decimal("1500.00"), 7, Decimal("0.01")):
        assert quick({**ORDINARY, "amount": amount}) is True, amount
    # The default rail is an enum member: a str, so the quick pass is for it too.
    assert quick({**ORDINARY, "payment_method": PaymentMethod.IMPS}) is True
    for field, value in [("amount", Decimal("1.001")), ("order_id", "a/../b"), ("ifsc", "")]:
        assert quick({**ORDINARY, field: value}) is False, field


@given(st.text(alphabet=st.sampled_from("aZ09-_~./%?# \n\x00é"), min_size=0, max_size=6))
def test_an_order_id_path_segment_is_what_the_rules_and_quoting_make_it(order_id: str) -> None:
    from alliance_pay._signing import encode_path_segment
    from alliance_pay._validation import order_id_path_segment

    reason = _one_rule_at_a_time("payouts.retrieve", "order_id", order_id)
    if reason is not None:
        with pytest.raises(AllianceValidationError, match="order_id"):
            order_id_path_segment(order_id)
    else:
        assert order_id_path_segment(order_id) == encode_path_segment(order_id)


_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**13), max_value=10**13),
    st.decimals(allow_nan=True, places=3),
    st.floats(allow_nan=True),
    st.text(alphabet=st.sampled_from("aZ09-_~./%?# \n\t\x00\x7fé@+"), max_size=8),
)


@given(st.sampled_from(sorted(_BY_FIELD)), _VALUES)
def test_one_value_is_judged_as_its_rules_judge_it_one_by_one(
    endpoint_field: tuple[str, str], value: object
) -> None:
    endpoint, field = endpoint_field
    assert check_value(endpoint, field, value) == _one_rule_at_a_time(endpoint, field, value)


# Every ASCII character, and letters and digits that are not ASCII (which quote() encodes).
_SEGMENT_TEXT = st.text(st.sampled_from([chr(code) for code in range(128)] + list("é٣Ａ")))


@given(st.one_of(_SEGMENT_TEXT, st.text()))
def test_a_path_segment_is_what_quote_makes_of_it(value: str) -> None:
    from urllib.parse import quote

    from alliance_pay._signing import encode_path_segment

    assert encode_path_segment(value) == quote(value, safe="")


def test_each_character_is_encoded_as_quote_encodes_it() -> None:
    from urllib.parse import quote

    from alliance_pay._signing import encode_path_segment

    for code in range(0x800):
        for value in (chr(code), f"ORD-{chr(code)}-1"):
            assert encode_path_segment(value) == quote(value, safe=""), repr(value)
