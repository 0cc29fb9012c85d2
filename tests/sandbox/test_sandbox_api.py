"""The five endpoints answer as the documentation shows, with Laravel-style refusals."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from alliance_pay.sandbox import Sandbox, create_app
from tests.sandbox.support import (
    PAYIN_KEYS,
    PAYOUT_INITIATE_KEYS,
    PAYOUT_STATUS_KEYS,
    Signer,
    link_body,
    make_config,
    payout_body,
)

UTC_MICROS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
IST_NAIVE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def exact(response: httpx.Response) -> dict[str, object]:
    """The JSON body with its fractions as Decimal, as an exact client reads it."""
    parsed: dict[str, object] = json.loads(response.content, parse_float=Decimal)
    return parsed


async def test_balance_is_a_two_decimal_string_in_the_envelope(api: Signer) -> None:
    response = await api.balance()
    assert response.status_code == 200
    assert response.json() == {
        "error": "",
        "data": {"balance": "100000.00"},
        "message": "Merchant wallet balance fetched.",
        "success": True,
    }


async def test_create_link_answers_201_with_a_pay_url_on_the_sandbox(api: Signer) -> None:
    response = await api.create_link(link_body("PI-9", amount=Decimal("250.50")))
    assert response.status_code == 201
    body = exact(response)
    assert body["message"] == "Payin link generated successfully."
    data = body["data"]
    assert isinstance(data, dict)
    assert data["pay_url"] == "http://sandbox.test/pay/PI-9"
    assert data["amount"] == Decimal("250.5")
    assert data["order_id"] == "PI-9"
    # Exactly the older export's "Payin Link" answer: no status.
    assert set(data) == {
        "user_id",
        "order_id",
        "amount",
        "method",
        "redirect_url",
        "updated_at",
        "created_at",
        "pay_url",
    }
    assert data["user_id"] == "a42332-2fs-q341-d36d34"
    assert UTC_MICROS.fullmatch(str(data["created_at"]))


async def test_payin_status_has_exactly_the_documented_fields(api: Signer) -> None:
    await api.create_link(link_body("PI-2"))
    response = await api.payin_status("PI-2")
    assert response.status_code == 200
    body = exact(response)
    assert body["message"] == "Payin transaction fetched successfully."
    data = body["data"]
    assert isinstance(data, dict)
    assert set(data) == PAYIN_KEYS
    assert data["status"] == "Pending"
    assert data["amount"] == data["request_amount"] == 100
    assert data["method"] == "UPI"
    assert IST_NAIVE.fullmatch(str(data["time_of_processing"]))
    assert UTC_MICROS.fullmatch(str(data["updated_at"]))


async def test_payout_initiate_answers_201_pending_with_the_charge(api: Signer) -> None:
    response = await api.create_payout(payout_body("PO-7", amount=Decimal("100.25")))
    assert response.status_code == 201
    body = exact(response)
    assert body["message"] == "Payout initiated."
    data = body["data"]
    assert isinstance(data, dict)
    assert set(data) == PAYOUT_INITIATE_KEYS
    assert data["status"] == "Pending"
    assert data["message"] == "Payout has been processing."
    assert data["transaction_id"] is None
    assert data["amount"] == Decimal("100.25")
    # The charge is written like the documentation's 5.9: a JSON number, not "5.90".
    assert b'"charge":5.9,' in response.content


async def test_payout_initiate_echoes_a_numeric_mobile_number_as_a_number(api: Signer) -> None:
    response = await api.create_payout(payout_body("PO-8", beneficiary_mobile_no=7878787878))
    assert response.json()["data"]["beneficiary_mobile_no"] == 7878787878
    status = await api.payout_status("PO-8")
    assert status.json()["data"]["beneficiary_mobile_no"] == "7878787878"


async def test_payout_status_has_exactly_the_documented_fields(api: Signer) -> None:
    await api.create_payout(payout_body("PO-3"))
    response = await api.payout_status("PO-3")
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Payout status fetched."
    assert set(body["data"]) == PAYOUT_STATUS_KEYS
    assert body["data"]["order_id"] == "PO-3"


async def test_an_order_id_with_a_slash_travels_encoded_in_the_status_path(
    api: Signer, http: httpx.AsyncClient
) -> None:
    await api.create_payout(payout_body("ORD/2026/11"))
    response = await api.payout_status("ORD/2026/11")
    assert response.status_code == 200
    assert response.json()["data"]["order_id"] == "ORD/2026/11"
    # Sent unencoded, the slashes make it another path, which names no payout.
    unencoded = await api.send("GET", "api/v1/payout/ORD/2026/11/status")
    assert unencoded.status_code == 404


async def test_an_unknown_order_is_404_for_both_status_calls(api: Signer) -> None:
    payin = await api.payin_status("nope")
    payout = await api.payout_status("nope")
    assert (payin.status_code, payout.status_code) == (404, 404)
    assert payin.json()["success"] is False
    assert payout.json()["message"] == "Transaction not found."


async def test_a_missing_field_is_422_with_per_field_messages(api: Signer) -> None:
    body = payout_body("PO-4")
    del body["amount"]
    body["ifsc"] = "   "
    response = await api.create_payout(body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["message"] == "The given data was invalid."
    assert payload["success"] is False
    assert payload["data"] is None
    assert payload["errors"] == {
        "amount": ["The amount field is required."],
        "ifsc": ["The ifsc field is required."],
    }


async def test_a_missing_link_field_is_422(api: Signer) -> None:
    response = await api.create_link(link_body("PI-4", method="CARD", redirect_url=None))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "method": ["The method field must be 'UPI', not 'CARD'."],
        "redirect_url": ["The redirect url field is required."],
    }


async def test_a_duplicate_order_id_is_422_and_changes_nothing(
    api: Signer, sandbox: Sandbox
) -> None:
    assert (await api.create_payout(payout_body("PO-5"))).status_code == 201
    balance = sandbox.balance
    again = await api.create_payout(payout_body("PO-5", amount=7))
    assert again.status_code == 422
    assert again.json()["errors"] == {"order_id": ["The order id has already been taken."]}
    assert sandbox.balance == balance
    assert sandbox.payout("PO-5").amount == Decimal("100.00")


async def test_a_duplicate_payin_order_id_is_422(api: Signer) -> None:
    assert (await api.create_link(link_body("PI-5"))).status_code == 201
    again = await api.create_link(link_body("PI-5"))
    assert again.status_code == 422
    assert again.json()["errors"] == {"order_id": ["The order id has already been taken."]}


async def test_amounts_need_at_most_two_decimals_and_to_be_positive(api: Signer) -> None:
    cases = {
        Decimal("1.005"): "The amount field must have at most two decimal places (whole "
        "paise), not 1.005.",
        0: "The amount field must be greater than 0, not 0.",
        "ten": "The amount field must be a number (an int, a Decimal or a decimal string), "
        "not 'ten'.",
        True: "The amount field must be a number (an int, a Decimal or a decimal string), "
        "not True.",
    }
    for index, (amount, message) in enumerate(cases.items()):
        response = await api.create_payout(payout_body(f"PO-A{index}", amount=amount))
        assert response.status_code == 422, amount
        assert response.json()["errors"] == {"amount": [message]}


async def test_a_string_amount_is_read_exactly(api: Signer, sandbox: Sandbox) -> None:
    response = await api.create_payout(payout_body("PO-S", amount="10.10"))
    assert response.status_code == 201
    assert sandbox.payout("PO-S").amount == Decimal("10.10")


async def test_formats_the_docs_do_not_give_are_not_enforced(api: Signer) -> None:
    # The docs give no format for mobile, email, account or IFSC, and no list of payment
    # methods: the sandbox, like the SDK, leaves those to the real API.
    body = payout_body(
        "PO-6",
        beneficiary_mobile_no="12345",
        beneficiary_email="nope",
        beneficiary_acc_no="12a",
        ifsc="sbin",
        payment_method="UPI",
    )
    assert (await api.create_payout(body)).status_code == 201


async def test_wrong_types_are_422(api: Signer) -> None:
    body = payout_body("PO-7", beneficiary_mobile_no=7.5, beneficiary_acc_no=123456789)
    errors = (await api.create_payout(body)).json()["errors"]
    assert errors == {
        "beneficiary_mobile_no": [
            "The beneficiary mobile no field must be a string or an integer, not Decimal."
        ],
        "beneficiary_acc_no": ["The beneficiary acc no field must be a string, not int."],
    }


async def test_a_body_that_is_not_json_is_400(api: Signer) -> None:
    response = await api.create_payout(b"order_id=PO-1")
    assert response.status_code == 400
    assert response.json()["success"] is False


async def test_the_app_works_under_a_path_prefix(sandbox: Sandbox) -> None:
    outer = Starlette(routes=[Mount("/gateway", app=create_app(sandbox=sandbox))])
    transport = httpx.ASGITransport(outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://merchant.test") as client:
        api = Signer(client, prefix="/gateway")
        created = await api.create_link(link_body("PI/P"))
        assert created.status_code == 201, created.text
        pay_url = created.json()["data"]["pay_url"]
        assert pay_url == "http://merchant.test/gateway/pay/PI%2FP"
        assert "Confirm Payment" in (await client.get(pay_url)).text
        # The prefix is signed: a signature over the bare path is refused.
        bare = Signer(client)
        response = await client.get(
            "/gateway/api/v1/balance", headers=bare.headers("GET", "api/v1/balance", b"")
        )
        assert response.status_code == 401


async def test_unknown_api_routes_answer_a_json_404(api: Signer) -> None:
    response = await api.send("GET", "api/v1/nothing")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_create_app_exposes_its_sandbox() -> None:
    app = create_app(make_config())
    assert isinstance(app.state.sandbox, Sandbox)
