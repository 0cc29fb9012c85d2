"""The checks a caller can reuse report the field name it gives them."""

from __future__ import annotations

import pytest

from alliance_pay import AllianceValidationError, _validation


@pytest.mark.parametrize(
    ("check", "value"),
    [
        ("check_amount", "0"),
        ("check_order_id", "a\x7fb"),
        ("order_id_path_segment", ".."),
    ],
)
def test_a_check_names_the_field_its_caller_gives(check: str, value: object) -> None:
    with pytest.raises(AllianceValidationError) as info:
        getattr(_validation, check)(value, field="refund_reference")
    assert info.value.field == "refund_reference"
    assert set(info.value.errors) == {"refund_reference"}
