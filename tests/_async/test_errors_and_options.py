"""Errors that answer the next question, the raw answer behind a result, and per-call options."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from decimal import Decimal

import httpx
import pytest
import respx

from alliance_pay import (
    AllianceValidationError,
    APIConnectionError,
    APIResponse,
    APIResponseValidationError,
    AsyncAllianceClient,
    AuthenticationError,
    Balance,
    Payout,
    UnprocessableEntityError,
)
from tests.helpers import (
    ACCESS_KEY,
    BASE_URL,
    PAYOUT_ARGS,
    PAYOUT_STATUS,
    SECRET_KEY,
    envelope,
)

BALANCE_URL = f"{BASE_URL}/api/v1/balance"


async def test_a_422_shows_every_field_the_server_named(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{BASE_URL}/api/v1/payout/initiate").respond(
        422,
        json={
            "message": "The given data was invalid.",
            "errors": {
                "ifsc": ["The ifsc field format is invalid."],
                "amount": ["The amount field must be at least 1.", "Too small."],
            },
            "success": False,
        },
    )
    with pytest.raises(UnprocessableEntityError) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    text = str(info.value)
    assert text.startswith(
        "422 on POST /gateway/api/v1/payout/initiate: The given data was invalid."
    )
    assert "\n  ifsc: The ifsc field format is invalid." in text
    assert "\n  amount: The amount field must be at least 1. Too small." in text


async def test_errors_name_the_real_path_with_the_base_url_prefix(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(f"{BASE_URL}/api/v1/payout/ORD%2F1/status").respond(
        200, text="<html>oops</html>"
    )
    with pytest.raises(APIResponseValidationError) as info:
        await client.payouts.retrieve("ORD/1")
    assert info.value.path == "/gateway/api/v1/payout/ORD%2F1/status"
    assert "GET /gateway/api/v1/payout/ORD%2F1/status returned 200" in str(info.value)


async def test_a_connection_error_names_the_real_path(respx_mock: respx.MockRouter) -> None:
    respx_mock.get(BALANCE_URL).mock(side_effect=httpx.ConnectError("refused"))
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, max_retries=0
    ) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.balance.retrieve()
    assert info.value.path == "/gateway/api/v1/balance"
    assert str(info.value).startswith("GET /gateway/api/v1/balance failed")


@pytest.mark.parametrize("header", ["X-Request-Id", "CF-Ray", "Request-Id"])
async def test_errors_carry_the_servers_request_id(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, header: str
) -> None:
    respx_mock.get(BALANCE_URL).respond(
        503, headers={header: "req-8c1d2e"}, json={"message": "Down for maintenance."}
    )
    with pytest.raises(Exception) as info:  # noqa: PT011 (the type is tested elsewhere)
        await client.balance.retrieve()
    assert getattr(info.value, "request_id", None) == "req-8c1d2e"
    assert "(request id: req-8c1d2e)" in str(info.value)


async def test_no_request_id_header_means_none_shown(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(BALANCE_URL).respond(500, json={"message": "Boom."})
    with pytest.raises(Exception) as info:  # noqa: PT011
        await client.balance.retrieve()
    assert getattr(info.value, "request_id", "missing") is None
    assert "request id" not in str(info.value)


async def test_a_401_on_a_get_lists_what_to_check_in_order(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    server_time = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)
    respx_mock.get(BALANCE_URL).respond(
        401,
        headers={"Date": email.utils.format_datetime(server_time, usegmt=True)},
        json={"message": "Unauthorized."},
    )
    with pytest.raises(AuthenticationError) as info:
        await client.balance.retrieve()
    text = str(info.value)
    sent = info.value.response.request.headers["Timestamp"]
    assert text.startswith("401 on GET /gateway/api/v1/balance: Unauthorized.")
    keys = text.index("1. the access key ('ak_t…') and the secret key")
    clock = text.index(f"2. the clock: Timestamp sent {sent}")
    get_body = text.index("3. the GET body line")
    ip = text.index("4. the IP address")
    assert keys < clock < get_body < ip
    assert "passed to the client" in text
    assert "local UTC time now" in text
    assert "the server's Date header says" in text
    # The Date header has whole seconds: ten minutes, give or take one.
    assert re.search(r"your clock is (599|600|601) s ahead of the server.s", text)
    assert "get_body='{}'" in text
    assert SECRET_KEY not in text


async def test_a_401_on_a_post_leaves_out_the_get_body_line(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{BASE_URL}/api/v1/payin/transactions").respond(401, json={})
    with pytest.raises(AuthenticationError) as info:
        await client.payins.retrieve("PI-1")
    assert "GET body line" not in str(info.value)
    assert "3. the IP address" in str(info.value)
    assert "the server sent no Date header" in str(info.value)


async def test_a_401_names_the_environment_variables_the_keys_came_from(
    respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLIANCE_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("ALLIANCE_SECRET_KEY", SECRET_KEY)
    respx_mock.get(BALANCE_URL).respond(401, json={"message": "Invalid signature."})
    async with AsyncAllianceClient(base_url=BASE_URL, max_retries=0) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.balance.retrieve()
    assert "(ALLIANCE_ACCESS_KEY and ALLIANCE_SECRET_KEY)" in str(info.value)
    assert SECRET_KEY not in str(info.value)


@pytest.mark.parametrize(
    ("value", "what"),
    [(SECRET_KEY + "\n", "ends with a newline"), (SECRET_KEY + " ", "ends with whitespace")],
)
def test_a_secret_from_the_environment_with_stray_whitespace_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, what: str
) -> None:
    monkeypatch.setenv("ALLIANCE_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("ALLIANCE_SECRET_KEY", value)
    with pytest.raises(AllianceValidationError) as info:
        AsyncAllianceClient(base_url=BASE_URL)
    assert f"ALLIANCE_SECRET_KEY {what}" in str(info.value)
    assert SECRET_KEY not in str(info.value)


async def test_with_raw_response_gives_status_headers_message_and_the_model(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(BALANCE_URL).respond(
        200,
        headers={"X-Request-Id": "r-1"},
        json=envelope({"balance": "1111.11"}, "Merchant wallet balance fetched."),
    )
    raw = await client.balance.with_raw_response.retrieve()
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 200
    assert raw.message == "Merchant wallet balance fetched."
    assert raw.headers["X-Request-Id"] == "r-1"
    assert raw.request_id == "r-1"
    assert raw.path == "/gateway/api/v1/balance"
    assert raw.parse() == Balance(balance=Decimal("1111.11"))


async def test_with_raw_response_on_every_resource(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(f"{BASE_URL}/api/v1/payout/A-1/status").respond(
        200, json=envelope({**PAYOUT_STATUS, "order_id": "A-1"}, "Payout status fetched.")
    )
    raw = await client.payouts.with_raw_response.retrieve("A-1")
    assert raw.message == "Payout status fetched."
    assert isinstance(raw.parse(), Payout)
    # The record's own message is a different thing, and stays on the model.
    assert raw.parse().message == "Payout has been completed."
    assert client.payins.with_raw_response.retrieve is not None
    assert client.payins.with_raw_response.create_link is not None
    assert client.payouts.with_raw_response.create is not None


async def test_per_call_extra_headers_timeout_and_max_retries(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(BALANCE_URL).mock(
        side_effect=[
            httpx.Response(503, json={}),
            httpx.Response(503, json={}),
            httpx.Response(200, json=envelope({"balance": "1"})),
        ]
    )
    balance = await client.balance.retrieve(
        extra_headers={"X-Trace": "t-1"}, timeout=7.5, max_retries=2
    )
    assert balance.balance == Decimal("1")
    assert route.call_count == 3  # the client's own budget is 0
    request = route.calls.last.request
    assert request.headers["X-Trace"] == "t-1"
    assert request.extensions["timeout"]["read"] == 7.5
    # The client itself is unchanged.
    assert client.max_retries == 0
    respx_mock.get(BALANCE_URL).respond(200, json=envelope({"balance": "2"}))
    await client.balance.retrieve()
    assert "X-Trace" not in respx_mock.calls.last.request.headers


async def test_extra_headers_may_not_replace_a_signed_header(
    client: AsyncAllianceClient,
) -> None:
    with pytest.raises(AllianceValidationError, match="extra_headers: must not set Signature"):
        await client.balance.retrieve(extra_headers={"Signature": "x"})
