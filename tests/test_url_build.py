"""The request URL is the base URL's text plus the percent-encoded path, built once per call."""

from __future__ import annotations

import httpx
import pytest

from alliance_pay import AllianceClient, NotFoundError, compute_signature
from alliance_pay._signing import signing_path


@pytest.mark.parametrize(
    ("base_url", "sent"),
    [
        ("https://alliance.example", "https://alliance.example/api/v1/payout/ORD%2F1%20X/status"),
        ("https://alliance.example/", "https://alliance.example/api/v1/payout/ORD%2F1%20X/status"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000/api/v1/payout/ORD%2F1%20X/status"),
        (
            "https://alliance.example/gateway",
            "https://alliance.example/gateway/api/v1/payout/ORD%2F1%20X/status",
        ),
        (
            "https://alliance.example/a%2Fb/",
            "https://alliance.example/a%2Fb/api/v1/payout/ORD%2F1%20X/status",
        ),
    ],
)
def test_every_base_url_form_joins_the_path_exactly_as_signed(base_url: str, sent: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"message": "no such payout"})

    with (
        AllianceClient(
            access_key="url-access-key",
            secret_key="url-secret-key",
            base_url=base_url,
            http_client=httpx.Client(transport=httpx.MockTransport(handler)),
            max_retries=0,
        ) as client,
        pytest.raises(NotFoundError, match="no such payout"),
    ):
        client.payouts.retrieve("ORD/1 X")
    request = seen[0]
    assert str(request.url) == sent
    path = signing_path(request.url.raw_path)
    timestamp = request.headers["Timestamp"]
    expected = compute_signature("url-secret-key", "GET", path, b"", timestamp)
    assert request.headers["Signature"] == expected
