"""Which error each HTTP status raises, and what counts as a readable answer.

The error's type is what a caller's ``except`` clause and the create rule both act on, so the
mapping is pinned for every status a caller can meet; the envelope rules say when a 2xx is an
answer and when it is a response the SDK cannot trust.
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import respx

from alliance_pay import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncAllianceClient,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from tests.helpers import BASE_URL, envelope

BALANCE = f"{BASE_URL}/api/v1/balance"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (402, APIStatusError),
        (405, APIStatusError),
        (409, APIStatusError),
        (410, APIStatusError),
        (418, APIStatusError),
        (499, APIStatusError),
        (301, APIStatusError),
        (100, APIStatusError),
        (500, InternalServerError),
        (501, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (599, InternalServerError),
    ],
    ids=str,
)
async def test_each_status_raises_its_own_error_type(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, code: int, kind: type
) -> None:
    respx_mock.get(BALANCE).respond(code, json=envelope(None, "said the server", success=False))
    with pytest.raises(APIStatusError) as info:
        await client.balance.retrieve()
    assert type(info.value) is kind
    assert info.value.status_code == code


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"message": "Invalid signature.", "error": "other"}, "Invalid signature."),
        ({"message": "  ", "error": "IP not whitelisted"}, "IP not whitelisted"),
        ({"message": "", "error": "Timestamp expired."}, "Timestamp expired."),
        ({"message": None, "error": "  padded  "}, "padded"),
        ({"message": 5, "error": ["not", "text"]}, "Unauthorized"),  # the reason phrase
        ({}, "Unauthorized"),
    ],
    ids=repr,
)
async def test_an_error_carries_the_servers_message_or_else_the_reason_phrase(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, body: object, message: str
) -> None:
    respx_mock.get(BALANCE).respond(401, json=body)
    with pytest.raises(AuthenticationError) as info:
        await client.balance.retrieve()
    assert info.value.message == message
    assert info.value.body == body


async def test_an_error_body_that_is_not_json_is_kept_as_text(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(BALANCE).respond(503, text="<html>Service Unavailable</html>")
    with pytest.raises(InternalServerError) as info:
        await client.balance.retrieve()
    assert info.value.body == "<html>Service Unavailable</html>"
    assert info.value.message == "Service Unavailable"


async def test_a_redirect_is_not_followed_and_says_where_it_pointed(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(BALANCE).respond(302, headers={"Location": "https://evil.example/x"})
    with pytest.raises(APIStatusError) as info:
        await client.balance.retrieve()
    assert route.call_count == 1
    assert "https://evil.example/x" in info.value.message
    assert "not followed" in info.value.message


@pytest.mark.parametrize(
    ("response", "message"),
    [
        # The server's own words come first, on a redirect too.
        (httpx.Response(302, json={"message": "Moved for maintenance"}), "Moved for maintenance"),
        (
            httpx.Response(301, headers={"Location": "https://evil.example/x"}),
            "redirect to https://evil.example/x not followed: signed calls never follow redirects",
        ),
        (
            httpx.Response(307),  # a redirect that does not say where
            "redirect to ? not followed: signed calls never follow redirects",
        ),
        (httpx.Response(300, json={"error": "pick one"}), "pick one"),
        # No message and no redirect: the reason phrase, and when the status has none, a word.
        (httpx.Response(404, json={"message": "  "}), "Not Found"),
        (httpx.Response(503, text="<html>down</html>"), "Service Unavailable"),
        (httpx.Response(520), "HTTP error"),
        (httpx.Response(499, json={}), "HTTP error"),
        (httpx.Response(599, text=""), "HTTP error"),
    ],
    ids=repr,
)
async def test_an_error_message_is_the_servers_else_the_redirect_else_the_reason_phrase(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    response: httpx.Response,
    message: str,
) -> None:
    respx_mock.get(BALANCE).mock(return_value=response)
    with pytest.raises(APIStatusError) as info:
        await client.balance.retrieve()
    assert info.value.message == message
    assert info.value.status_code == response.status_code


@pytest.mark.parametrize(
    "body",
    [
        {"success": True, "data": {"balance": "7"}},
    ],
    ids=repr,
)
async def test_a_2xx_with_a_data_object_is_an_answer_when_success_is_true(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, body: object
) -> None:
    respx_mock.get(BALANCE).respond(200, json=body)
    balance = await client.balance.retrieve()
    assert balance.balance == Decimal("7")


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"balance": "7"}},  # no "success" at all
        {"success": "false", "data": {"balance": "7"}},  # a string, not the JSON false
        {"success": "true", "data": {"balance": "7"}},
        {"success": 0, "data": {"balance": "7"}},
        {"success": 1, "data": {"balance": "7"}},
    ],
    ids=repr,
)
async def test_a_2xx_is_an_answer_only_when_success_is_the_boolean_true(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, body: object
) -> None:
    respx_mock.get(BALANCE).respond(200, json=body)
    with pytest.raises(APIResponseValidationError, match="not the boolean true"):
        await client.balance.retrieve()


@pytest.mark.parametrize(
    ("response", "why"),
    [
        (httpx.Response(200, json=envelope({"balance": "7"}, "nope", success=False)), "nope"),
        (httpx.Response(200, json={"success": False, "error": "from error"}), "from error"),
        (httpx.Response(200, json={"success": True}), "no 'data' object"),
        (httpx.Response(200, json=envelope(None)), "no 'data' object"),
        (httpx.Response(200, json=envelope([{"balance": "7"}])), "no 'data' object"),
        (httpx.Response(200, json=envelope("7")), "no 'data' object"),
        (httpx.Response(200, json=[envelope({"balance": "7"})]), "not a JSON object"),
        (httpx.Response(200, json="7"), "not a JSON object"),
        (httpx.Response(200, text="<html>OK</html>"), "not JSON"),
        (httpx.Response(200, content=b"\xff\xfe{"), "not JSON"),
        (httpx.Response(204), "not JSON"),
        (httpx.Response(200, content=b"[" * 100_000), "not JSON"),  # nested past recursion
        (httpx.Response(200, json=envelope({"balance": "lots"})), "not a valid Balance"),
        (httpx.Response(200, json=envelope({})), "not a valid Balance"),
        (httpx.Response(200, json=envelope({"balance": None})), "not a valid Balance"),
    ],
    ids=repr,
)
async def test_a_2xx_the_sdk_cannot_read_is_a_response_validation_error_that_says_why(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, response: httpx.Response, why: str
) -> None:
    respx_mock.get(BALANCE).mock(return_value=response)
    with pytest.raises(APIResponseValidationError) as info:
        await client.balance.retrieve()
    assert why in str(info.value)
    assert info.value.response is not None
    assert info.value.response.status_code == response.status_code


class _FailingReader:
    """Stands in for the SDK's record reader, failing as nobody foresaw (a bug, a broken
    dependency): not one of the errors that name a bad value."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def structure(self, obj: object, cl: type) -> object:
        raise self.error


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("boom"),
        RecursionError("maximum recursion depth exceeded"),
        AttributeError("'NoneType' object has no attribute 'strip'"),
        LookupError("x" * 2_000),  # a long message is cut, not copied whole
    ],
    ids=lambda error: type(error).__name__,
)
async def test_an_answer_that_fails_to_read_for_an_unforeseen_reason_is_a_typed_error_naming_it(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
) -> None:
    monkeypatch.setattr("alliance_pay._reading.converter", _FailingReader(error))
    respx_mock.get(BALANCE).respond(200, json=envelope({"balance": "7"}))
    with pytest.raises(APIResponseValidationError) as info:
        await client.balance.retrieve()
    assert info.value.__cause__ is error
    why = f"reading it failed: {type(error).__name__}: {error}"
    assert str(info.value).split(", but ", 1)[1] == why[:500]
    assert info.value.response is not None
    assert info.value.response.status_code == 200


async def test_a_json_number_is_read_as_an_exact_decimal_never_a_float(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(BALANCE).respond(200, content=b'{"success": true, "data": {"balance": 1111.11}}')
    balance = await client.balance.retrieve()
    assert balance.balance == Decimal("1111.11")
    assert str(balance.balance) == "1111.11"


@pytest.mark.parametrize(
    ("failure", "kind", "says"),
    [
        (httpx.ConnectError("refused"), APIConnectionError, "failed"),
        (httpx.RemoteProtocolError("dropped"), APIConnectionError, "failed"),
        (httpx.ReadTimeout("slow"), APITimeoutError, "timed out"),
        (httpx.ConnectTimeout("slow"), APITimeoutError, "timed out"),
    ],
    ids=repr,
)
async def test_a_transport_failure_is_a_connection_error_that_says_whether_it_timed_out(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    failure: Exception,
    kind: type,
    says: str,
) -> None:
    respx_mock.get(BALANCE).mock(side_effect=failure)
    with pytest.raises(APIConnectionError) as info:
        await client.balance.retrieve()
    assert type(info.value) is kind
    assert f"{says}: {type(failure).__name__}" in str(info.value)
    assert info.value.__cause__ is not None  # the httpx error is kept for the create rule


async def test_a_401_and_only_a_401_carries_the_checklist_of_what_to_check(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(BALANCE).mock(
        side_effect=[
            httpx.Response(401, json={"message": "Invalid signature."}),
            httpx.Response(403, json={"message": "Forbidden."}),
        ]
    )
    with pytest.raises(AuthenticationError) as auth:
        await client.balance.retrieve()
    assert any("clock" in hint for hint in auth.value.hints)
    assert any("IP address" in hint for hint in auth.value.hints)
    with pytest.raises(PermissionDeniedError) as forbidden:
        await client.balance.retrieve()
    assert getattr(forbidden.value, "hints", ()) == ()


async def test_a_raw_response_call_sees_the_answer_its_model_was_read_from(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(BALANCE).respond(
        200, json=envelope({"balance": "7"}, "Balance fetched."), headers={"X-Request-Id": "r-1"}
    )
    raw = await client.balance.with_raw_response.retrieve()
    assert raw.status_code == 200
    assert raw.message == "Balance fetched."
    assert raw.parse().balance == Decimal("7")
