"""The rules table's contract for a body with fields left out, as the sandbox meets it.

The SDK always passes every argument, so only the sandbox (which runs the same table on the
JSON it receives) sees a field that is absent rather than null.
"""

from __future__ import annotations

import pytest

from alliance_pay._rules import ENDPOINTS, check_fields

OPTIONAL = {("payouts.create", "remarks")}


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_a_field_left_out_of_the_body_is_required_unless_it_is_optional(endpoint: str) -> None:
    errors = check_fields(endpoint, {})
    assert errors
    assert all(reason == "is required" for reason in errors.values())
    for field in errors:
        assert (endpoint, field) not in OPTIONAL


def test_optional_remarks_may_be_left_out_or_null_but_not_another_type() -> None:
    assert "remarks" not in check_fields("payouts.create", {})
    assert "remarks" not in check_fields("payouts.create", {"remarks": None})
    assert "remarks" in check_fields("payouts.create", {"remarks": 5})


def test_an_endpoint_without_rules_is_an_error_that_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"no rules for 'refunds\.create'; known: payins"):
        check_fields("refunds.create", {})
