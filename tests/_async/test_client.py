"""Every documented call through the client, against respx: wire format, signing, typed results."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
import respx

from alliance_pay import (
    AllianceValidationError,
    APIResponseValidationError,
    APIStatusError,
    AsyncAllianceClient,
    AuthenticationError,
    BadRequestError,
    Balance,
    InternalServerError,
    NotFoundError,
    PayinStatus,
    PayoutStatus,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    __version__,
)
from tests.helpers import (
    ACCESS_KEY,
    BASE_URL,
    PAYIN,
    PAYOUT_ARGS,
    PAYOUT_CREATED,
    PAYOUT_STATUS,
    SECRET_KEY,
    assert_signed,
    envelope,
    sent_json,
)


async def test_balance_retrieve(client: AsyncAllianceClient, respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get(f"{BASE_URL}/api/v1/balance").respond(
        200, json=envelope({"balance": "1111.11"})
    )
    balance = await client.balance.retrieve()
    assert balance == Balance(balance=Decimal("1111.11"))
    request = route.calls.last.request
    assert request.content == b""
    assert_signed(request)
    assert request.headers["User-Agent"].startswith(f"alliance-pay-python/{__version__}")


async def test_payin_create_link_sends_the_documented_body(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{BASE_URL}/api/v1/payin/generate/link").respond(
        201, json=envelope({"pay_url": "https://pay.alliance.test/p/1", "order_id": "PI-1"})
    )
    link = await client.payins.create_link(
        user_id="cust-1",
        order_id="PI-1",
        amount=Decimal("499.50"),
        redirect_url="https://shop.example.in/thanks",
    )
    assert link.pay_url == "https://pay.alliance.test/p/1"
    request = route.calls.last.request
    assert request.content == (
        b'{"user_id":"cust-1","order_id":"PI-1","amount":499.5,"method":"UPI",'
        b'"redirect_url":"https://shop.example.in/thanks"}'
    )
    assert request.headers["Content-Type"] == "application/json"
    assert_signed(request)


async def test_payin_retrieve_posts_the_order_id_as_json(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{BASE_URL}/api/v1/payin/transactions").respond(
        200, json=envelope(PAYIN)
    )
    payin = await client.payins.retrieve("adsd-ewerz-23sdsd-ad234")
    assert payin.status is PayinStatus.APPROVED
    assert payin.amount == Decimal("100")
    assert sent_json(route.calls.last.request) == {"order_id": "adsd-ewerz-23sdsd-ad234"}
    assert_signed(route.calls.last.request)


async def test_payout_create_sends_exact_money_and_returns_a_typed_payout(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{BASE_URL}/api/v1/payout/initiate").respond(
        201, json=envelope(PAYOUT_CREATED, "Payout initiated.")
    )
    payout = await client.payouts.create(**{**PAYOUT_ARGS, "amount": Decimal("100.10")})
    assert payout.status is PayoutStatus.PENDING
    assert payout.charge == Decimal("2")
    request = route.calls.last.request
    body = request.content.decode()
    assert '"amount":100.1,' in body
    assert list(json.loads(body)) == [
        "beneficiary_name",
        "beneficiary_email",
        "beneficiary_mobile_no",
        "beneficiary_address",
        "payment_method",
        "beneficiary_acc_no",
        "bank_name",
        "ifsc",
        "amount",
        "order_id",
        "user_id",
        "remarks",
    ]
    assert json.loads(body)["payment_method"] == "IMPS"
    assert json.loads(body)["remarks"] is None
    assert_signed(request)


async def test_payout_retrieve_percent_encodes_the_order_id_in_the_signed_path(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(url__regex=r"/api/v1/payout/ORD%2F2026%2F11/status$").respond(
        200, json=envelope({**PAYOUT_STATUS, "order_id": "ORD/2026/11"})
    )
    payout = await client.payouts.retrieve("ORD/2026/11")
    assert payout.order_id == "ORD/2026/11"
    assert payout.charge == Decimal("5.9")
    request = route.calls.last.request
    assert request.url.raw_path == b"/gateway/api/v1/payout/ORD%2F2026%2F11/status"
    assert_signed(request)


@pytest.mark.parametrize("order_id", ["", " ", ".", "..", "../balance", "a/../b", "x\ny", "a\x00"])
async def test_hostile_order_ids_are_refused_before_any_request(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, order_id: str
) -> None:
    with pytest.raises(AllianceValidationError) as info:
        await client.payouts.retrieve(order_id)
    assert info.value.field == "order_id"
    assert not respx_mock.calls


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
    ],
)
async def test_statuses_map_to_typed_errors_carrying_the_server_message(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, status: int, error: type[Exception]
) -> None:
    respx_mock.get(f"{BASE_URL}/api/v1/balance").respond(
        status, json=envelope(None, "Invalid signature.", success=False)
    )
    with pytest.raises(error) as info:
        await client.balance.retrieve()
    assert type(info.value) is error
    assert isinstance(info.value, APIStatusError)
    assert info.value.status_code == status
    assert info.value.message == "Invalid signature."
    assert info.value.method == "GET"
    # The path as it went on the wire: the base URL's /gateway prefix included.
    assert info.value.path == "/gateway/api/v1/balance"
    assert f"{status} on GET /gateway/api/v1/balance: Invalid signature." in str(info.value)
    assert SECRET_KEY not in str(info.value) + repr(info.value)


async def test_422_exposes_the_field_errors(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{BASE_URL}/api/v1/payout/initiate").respond(
        422,
        json={
            "error": "validation",
            "message": "The given data was invalid.",
            "errors": {"ifsc": ["The ifsc field is invalid."]},
            "success": False,
        },
    )
    with pytest.raises(UnprocessableEntityError) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    assert info.value.errors == {"ifsc": ["The ifsc field is invalid."]}


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(200, text="<html>maintenance</html>"), "not JSON"),
        (httpx.Response(200, content=b""), "not JSON"),
        (httpx.Response(200, content=b'{"data": {"bal'), "not JSON"),
        (httpx.Response(200, json=[1, 2]), "not a JSON object"),
        (httpx.Response(200, json={"success": True, "data": None}), "no 'data' object"),
        (httpx.Response(200, json=envelope({"balance": "lots"})), "not a valid Balance"),
        (
            httpx.Response(200, json=envelope({"balance": "1"}, "Low", success=False)),
            "success=false",
        ),
    ],
)
async def test_unreadable_success_responses_raise_a_typed_error(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    response: httpx.Response,
    reason: str,
) -> None:
    respx_mock.get(f"{BASE_URL}/api/v1/balance").mock(return_value=response)
    with pytest.raises(APIResponseValidationError, match=reason):
        await client.balance.retrieve()


async def test_a_redirect_is_not_followed_and_carries_no_signature_away(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(f"{BASE_URL}/api/v1/balance").respond(
        302, headers={"Location": "https://evil.test/steal"}
    )
    elsewhere = respx_mock.get("https://evil.test/steal").respond(200)
    with pytest.raises(APIStatusError, match="not followed"):
        await client.balance.retrieve()
    assert not elsewhere.called


async def test_settings_fall_back_to_environment_variables(
    monkeypatch: pytest.MonkeyPatch, respx_mock: respx.MockRouter
) -> None:
    monkeypatch.setenv("ALLIANCE_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("ALLIANCE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("ALLIANCE_BASE_URL", "https://env.alliance.test/v")
    route = respx_mock.get("https://env.alliance.test/v/api/v1/balance").respond(
        200, json=envelope({"balance": "1"})
    )
    async with AsyncAllianceClient() as client:
        await client.balance.retrieve()
    assert_signed(route.calls.last.request)


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ("ALLIANCE_ACCESS_KEY", "access_key"),
        ("ALLIANCE_SECRET_KEY", "secret_key"),
        ("ALLIANCE_BASE_URL", "base_url"),
    ],
)
def test_a_missing_setting_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, missing: str, field: str
) -> None:
    monkeypatch.setenv("ALLIANCE_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("ALLIANCE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("ALLIANCE_BASE_URL", BASE_URL)
    monkeypatch.delenv(missing)
    with pytest.raises(AllianceValidationError, match=missing) as info:
        AsyncAllianceClient()
    assert info.value.field == field


@pytest.mark.parametrize(
    "base_url", ["alliance.test", "ftp://alliance.test", "https://a.test/?x=1"]
)
def test_a_malformed_base_url_is_refused(base_url: str) -> None:
    with pytest.raises(AllianceValidationError) as info:
        AsyncAllianceClient(access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=base_url)
    assert info.value.field == "base_url"


async def test_a_users_http_client_is_used_and_not_closed(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get(f"{BASE_URL}/api/v1/balance").respond(
        200, json=envelope({"balance": "1"})
    )
    async with httpx.AsyncClient(headers={"X-Mine": "1"}) as mine:
        async with AsyncAllianceClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, http_client=mine
        ) as client:
            await client.balance.retrieve()
        assert not mine.is_closed
        assert route.calls.last.request.headers["X-Mine"] == "1"
        assert_signed(route.calls.last.request)


async def test_default_headers_are_sent_but_cannot_override_signing(
    respx_mock: respx.MockRouter,
) -> None:
    route = respx_mock.get(f"{BASE_URL}/api/v1/balance").respond(
        200, json=envelope({"balance": "1"})
    )
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE_URL,
        default_headers={"X-Request-Source": "billing"},
    ) as client:
        await client.balance.retrieve()
    assert route.calls.last.request.headers["X-Request-Source"] == "billing"
    with pytest.raises(AllianceValidationError, match="Signature"):
        AsyncAllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url=BASE_URL,
            default_headers={"Signature": "x"},
        )


async def test_timeout_defaults_and_refuses_none() -> None:
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL
    ) as client:
        assert client.timeout.read == 30.0
        assert client.timeout.connect == 5.0
        assert client.max_retries == 2
        assert client.with_options(timeout=5).timeout.read == 5.0
    with pytest.raises(AllianceValidationError, match="timeout"):
        AsyncAllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url=BASE_URL,
            timeout=None,  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("timeout", [httpx.Timeout(None), httpx.Timeout(5.0, read=None)])
def test_a_timeout_that_never_fires_is_refused(timeout: httpx.Timeout) -> None:
    with pytest.raises(AllianceValidationError, match="forever"):
        AsyncAllianceClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, timeout=timeout
        )


async def test_a_users_client_keeps_its_own_timeout_but_not_httpx_default() -> None:
    async with httpx.AsyncClient(timeout=12.0) as mine, httpx.AsyncClient() as plain:
        kept = AsyncAllianceClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, http_client=mine
        )
        assert kept.timeout.read == 12.0
        defaulted = AsyncAllianceClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, http_client=plain
        )
        assert defaulted.timeout.read == 30.0


async def test_client_repr_never_shows_the_secret(client: AsyncAllianceClient) -> None:
    assert SECRET_KEY not in repr(client)
    assert "alliance.test" in repr(client)
