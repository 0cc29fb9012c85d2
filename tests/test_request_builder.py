"""Each attempt's request is exactly the one ``http_client.build_request`` would build: the
client's own headers, cookies and query parameters included, and a change to the client's
headers between calls seen on the next call."""

from __future__ import annotations

import httpx
import pytest

from alliance_pay import AllianceClient
from alliance_pay._request_builder import RequestBuilder

DEFAULTS = {"User-Agent": "alliance-pay/test", "Accept": "application/json"}
SIGNED = {"Access-Key": "ak", "Timestamp": "1700000000000", "Signature": "ab" * 32}
TIMEOUT = httpx.Timeout(7.0, connect=2.0)
URL = "https://alliance.test/api/v1/payout/ORD%2F1/status"


def _reference(http_client: httpx.Client, body: bytes | None) -> httpx.Request:
    return http_client.build_request(
        "POST", URL, content=body, headers={**DEFAULTS, **SIGNED}, timeout=TIMEOUT
    )


def _same(built: httpx.Request, reference: httpx.Request) -> None:
    assert built.method == reference.method
    assert str(built.url) == str(reference.url)
    assert built.url.raw_path == reference.url.raw_path
    assert built.headers.multi_items() == reference.headers.multi_items()
    assert built.read() == reference.read()
    assert built.extensions == reference.extensions


@pytest.mark.parametrize(
    "client_headers",
    [
        {},
        {"X-Team": "payouts"},
        {"user-agent": "theirs/1.0", "X-Trace": "on"},  # the SDK's own replaces theirs
        {"Signature": "stale"},  # a signed header always wins
    ],
)
@pytest.mark.parametrize("body", [None, b'{"amount":100}'])
def test_the_request_is_what_build_request_makes(
    client_headers: dict[str, str], body: bytes | None
) -> None:
    with httpx.Client(headers=client_headers) as http_client:
        built = RequestBuilder(DEFAULTS).build(
            http_client, "POST", URL, body, dict(SIGNED), TIMEOUT.as_dict()
        )
        assert built is not None
        _same(built, _reference(http_client, body))


def test_a_header_the_caller_sets_on_their_client_later_is_sent_on_the_next_call() -> None:
    builder = RequestBuilder(DEFAULTS)
    with httpx.Client(headers={"X-Team": "payouts"}) as http_client:
        builder.build(http_client, "GET", URL, None, dict(SIGNED), TIMEOUT.as_dict())
        http_client.headers["X-Team"] = "treasury"
        http_client.headers["X-New"] = "1"
        built = builder.build(http_client, "GET", URL, None, dict(SIGNED), TIMEOUT.as_dict())
        assert built is not None
        assert built.headers["x-team"] == "treasury"
        assert built.headers["x-new"] == "1"


@pytest.mark.parametrize(
    "client_options",
    [{"cookies": {"session": "s1"}}, {"params": {"tenant": "t1"}}],
    ids=["cookies", "params"],
)
def test_a_client_with_cookies_or_params_builds_its_own_request(
    client_options: dict[str, dict[str, str]],
) -> None:
    with httpx.Client(**client_options) as http_client:  # type: ignore[arg-type]
        assert (
            RequestBuilder(DEFAULTS).build(
                http_client, "GET", URL, None, dict(SIGNED), TIMEOUT.as_dict()
            )
            is None
        )


def test_a_subclass_of_the_client_builds_its_own_request() -> None:
    class Custom(httpx.Client):
        pass

    with Custom() as http_client:
        assert (
            RequestBuilder(DEFAULTS).build(
                http_client, "GET", URL, None, dict(SIGNED), TIMEOUT.as_dict()
            )
            is None
        )


@pytest.mark.parametrize(
    "client_options",
    [
        {"headers": {"X-Team": "payouts"}},
        {"cookies": {"session": "s1"}},
        {"params": {"tenant": "t1"}},
    ],
    ids=["headers", "cookies", "params"],
)
def test_the_server_receives_the_clients_headers_cookies_and_params_with_the_sdks(
    client_options: dict[str, dict[str, str]],
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"success": True, "data": {"balance": "1.00"}})

    http_client = httpx.Client(transport=httpx.MockTransport(answer), **client_options)  # type: ignore[arg-type]
    with AllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url="https://alliance.test",
        http_client=http_client,
        default_headers={"X-Merchant": "m-1"},
    ) as client:
        client.balance.retrieve()
        client.balance.retrieve(extra_headers={"X-Call": "c-1"})
    first, second = seen
    for request in seen:
        assert request.headers["user-agent"].startswith("alliance-pay-python/")
        assert request.headers["accept"] == "application/json"
        assert request.headers["x-merchant"] == "m-1"
        assert request.headers["access-key"] == "ak"
        assert len(request.headers["signature"]) == 64
    assert "x-call" not in first.headers
    assert second.headers["x-call"] == "c-1"
    if "headers" in client_options:
        assert first.headers["x-team"] == "payouts"
    if "cookies" in client_options:
        assert first.headers["cookie"] == "session=s1"
    if "params" in client_options:
        assert first.url.params["tenant"] == "t1"


def test_the_defaults_are_shown_read_only() -> None:
    builder = RequestBuilder(DEFAULTS)
    assert dict(builder.defaults) == DEFAULTS
    with pytest.raises(TypeError):
        builder.defaults["Accept"] = "*/*"  # type: ignore[index]
    with pytest.raises(AttributeError):
        builder.defaults = {}  # type: ignore[misc]


def test_with_headers_puts_a_calls_headers_on_top_and_leaves_the_builder_as_it_was() -> None:
    builder = RequestBuilder(DEFAULTS)
    with httpx.Client() as http_client:
        builder.build(http_client, "GET", URL, None, dict(SIGNED), TIMEOUT.as_dict())  # cached
        extra = builder.with_headers({"Accept": "text/plain", "X-Call": "c-1"})
        built = extra.build(http_client, "GET", URL, None, dict(SIGNED), TIMEOUT.as_dict())
        again = builder.build(http_client, "GET", URL, None, dict(SIGNED), TIMEOUT.as_dict())
    assert built is not None
    assert again is not None
    assert built.headers["accept"] == "text/plain"
    assert built.headers["x-call"] == "c-1"
    assert built.headers["user-agent"] == "alliance-pay/test"
    assert dict(builder.defaults) == DEFAULTS
    assert again.headers["accept"] == "application/json"
    assert "x-call" not in again.headers
