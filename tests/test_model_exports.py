"""Models people can use: ``to_dict``/``to_json`` on every model, masked reprs, every documented
field, and payment rails typed as an open enum."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs
import pytest

import alliance_pay._models as models_module
from alliance_pay import Balance, Payin, PayinLink, PaymentMethod, Payout, PayoutStatus
from alliance_pay._converter import IST, converter
from alliance_pay._model_base import Model
from alliance_pay._models import PayinLinkRequest, PayinStatusRequest, PayoutRequest
from tests.helpers import PAYIN, PAYOUT_CREATED, PAYOUT_STATUS

# The older export's "Payin Link" answer, as documented.
PAYIN_LINK = {
    "user_id": "a42332-2fs-q341-d36d34",
    "order_id": "adsd-ewerz-23sdsd-ad234",
    "amount": 100,
    "method": "UPI",
    "redirect_url": "http://test.com",
    "updated_at": "2025-07-29T16:23:48.000000Z",
    "created_at": "2025-07-29T16:23:48.000000Z",
    "pay_url": "https://pay.example/abc",
}

MODELS: list[tuple[type[Model], dict[str, Any]]] = [
    (Balance, {"balance": "1111.11"}),
    (PayinLink, PAYIN_LINK),
    (Payin, PAYIN),
    (Payout, PAYOUT_CREATED),
    (Payout, PAYOUT_STATUS),
]


def test_every_api_model_has_to_dict_and_to_json() -> None:
    api_models = [
        value for name in models_module.__all__ if attrs.has(value := getattr(models_module, name))
    ]
    assert {Balance, Payin, PayinLink, Payout, PayoutRequest} <= set(api_models)
    for model in api_models:
        assert issubclass(model, Model), model


@pytest.mark.parametrize(("cls", "record"), MODELS)
def test_to_json_round_trips_through_json_loads_with_exact_decimals(
    cls: type[Model], record: dict[str, Any]
) -> None:
    model = converter.structure(record, cls)
    loaded = json.loads(model.to_json())
    for name in ("amount", "charge", "request_amount", "balance"):
        if name in loaded and loaded[name] is not None:
            assert isinstance(loaded[name], str)
            assert Decimal(loaded[name]) == getattr(model, name)
    # And the SDK reads its own JSON back into an equal model.
    assert converter.structure(loaded, cls) == model


def test_payout_to_json_writes_money_as_exact_strings_and_datetimes_as_iso() -> None:
    payout = converter.structure(PAYOUT_STATUS, Payout)
    loaded = json.loads(payout.to_json())
    assert loaded["charge"] == "5.9"
    assert loaded["amount"] == "100"
    assert loaded["created_at"] == "2024-11-14T08:09:54+00:00"
    assert loaded["status"] == "Approved"
    assert loaded["payment_method"] == "IMPS"
    # Not masked: to_json is for storing, and the full value is the point.
    assert loaded["beneficiary_acc_no"] == "99999999999"


def test_money_in_json_mode_never_uses_an_exponent() -> None:
    assert Balance(balance=Decimal("1E+2")).to_dict(mode="json") == {"balance": "100"}
    assert Balance(balance=Decimal("0.10")).to_dict(mode="json") == {"balance": "0.10"}


def test_python_mode_keeps_decimals_datetimes_and_enums() -> None:
    payin = converter.structure(PAYIN, Payin)
    data = payin.to_dict()
    assert data["amount"] == Decimal("100")
    assert data["time_of_processing"] == dt.datetime(2025, 8, 4, 16, 58, 30, tzinfo=IST)
    assert data["method"] is PaymentMethod.UPI
    assert payin.to_dict(mode="json")["time_of_processing"] == "2025-08-04T16:58:30+05:30"


def test_exclude_none_leaves_out_null_fields() -> None:
    payout = converter.structure({"order_id": "A", "status": "Pending"}, Payout)
    assert payout.to_dict(exclude_none=True) == {"order_id": "A", "status": PayoutStatus.PENDING}
    assert json.loads(payout.to_json(exclude_none=True, indent=None)) == {
        "order_id": "A",
        "status": "Pending",
    }


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        Balance(balance=Decimal(1)).to_dict(mode="yaml")  # type: ignore[arg-type]


def test_payout_repr_holds_no_full_account_number_mobile_email_or_name() -> None:
    payout = converter.structure(PAYOUT_STATUS, Payout)
    shown = repr(payout)
    for secret in ("9999999999", "7878787878", "test.test@gmail.com", "Test Name", "NOIDA"):
        assert secret not in shown
    assert "beneficiary_acc_no='*******9999'" in shown
    assert "beneficiary_mobile_no='******7878'" in shown
    assert "beneficiary_email='t***@gmail.com'" in shown
    assert "beneficiary_name='T.'" in shown
    # The attributes keep the full values.
    assert payout.beneficiary_acc_no == "99999999999"
    assert payout.beneficiary_email == "test.test@gmail.com"


def test_request_reprs_mask_the_same_fields() -> None:
    request = PayoutRequest(
        beneficiary_name="Asha Verma",
        beneficiary_email="asha@example.in",
        beneficiary_mobile_no="9876543210",
        beneficiary_address="12 MG Road",
        payment_method="IMPS",
        beneficiary_acc_no="123456789012",
        bank_name="SBI",
        ifsc="SBIN0060589",
        amount=Decimal("1"),
        order_id="O-1",
        user_id="u",
    )
    shown = repr(request)
    for secret in ("Asha", "asha@example.in", "9876543210", "123456789012", "MG Road"):
        assert secret not in shown


def test_payin_repr_redacts_the_upi_id() -> None:
    payin = converter.structure(PAYIN, Payin)
    assert "bharatpe907m7b2z0p2i00183" not in repr(payin)
    assert payin.bank_upi == "bharatpe907m7b2z0p2i00183@yesbankltd"


def test_repr_masks_exactly_as_the_debug_log_does() -> None:
    from alliance_pay._logging import mask_body

    payout = converter.structure(PAYOUT_STATUS, Payout)
    logged = json.loads(mask_body(json.dumps(PAYOUT_STATUS).encode()))
    for name in ("beneficiary_acc_no", "beneficiary_mobile_no", "beneficiary_email"):
        assert f"{name}={logged[name]!r}" in repr(payout)
    assert f"beneficiary_name={logged['beneficiary_name']!r}" in repr(payout)


def test_payin_link_exposes_every_documented_field_and_no_status() -> None:
    link = converter.structure(PAYIN_LINK, PayinLink)
    assert link.pay_url == "https://pay.example/abc"
    assert link.method is PaymentMethod.UPI
    assert link.redirect_url == "http://test.com"
    assert link.user_id == "a42332-2fs-q341-d36d34"
    assert link.amount == Decimal("100")
    assert link.created_at == dt.datetime(2025, 7, 29, 16, 23, 48, tzinfo=dt.timezone.utc)
    assert link.updated_at == link.created_at
    assert "status" not in attrs.fields_dict(PayinLink)
    documented = set(PAYIN_LINK)
    assert documented == set(attrs.fields_dict(PayinLink))


@pytest.mark.parametrize(("cls", "record"), MODELS)
def test_every_documented_response_field_reaches_the_model(
    cls: type[Model], record: dict[str, Any]
) -> None:
    assert set(record) <= set(attrs.fields_dict(cls))  # type: ignore[arg-type]


def test_payment_method_is_an_open_enum() -> None:
    payout = converter.structure(
        {"order_id": "A", "status": "Pending", "payment_method": "NEFT"}, Payout
    )
    assert payout.payment_method is PaymentMethod.NEFT
    newer = converter.structure(
        {"order_id": "A", "status": "Pending", "payment_method": "IMPS2"}, Payout
    )
    assert newer.payment_method == "IMPS2"
    assert newer.payment_method is not None
    assert newer.payment_method.name == "UNKNOWN"
    assert {m.value for m in PaymentMethod} == {"IMPS", "NEFT", "RTGS", "UPI"}


def test_request_bodies_are_models_too() -> None:
    assert PayinStatusRequest(order_id="A").to_dict() == {"order_id": "A"}
    body = PayinLinkRequest(
        user_id="u", order_id="o", amount=Decimal("1.50"), method="UPI", redirect_url="https://x.in"
    )
    assert body.to_dict(mode="json")["amount"] == "1.50"


def test_webhook_events_serialise_too() -> None:
    from alliance_pay.webhooks import parse_event

    event = parse_event(
        '{"event": "payout.succeeded", "data": {"order_id": "P-1", "status": "Approved", '
        '"charge": 5.9, "beneficiary_acc_no": "123456789012"}}'
    )
    loaded = json.loads(event.to_json())
    assert loaded["type"] == "payout.succeeded"
    assert loaded["data"]["charge"] == "5.9"
    assert loaded["data"]["beneficiary_acc_no"] == "123456789012"
    assert "123456789012" not in repr(event)
