"""The sync client's attempt deadline, enforced while the body streams in (no wall-clock
assertion: a body that takes ten times the deadline must end as a timeout, not as data)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from alliance_pay import AllianceClient, APIConnectionError, APITimeoutError


def _dripping_body() -> Iterator[bytes]:
    yield b'{"success": true, "data": {"balance": "1'
    for _ in range(20):
        time.sleep(0.05)
        yield b"1"
    yield b'"}, "message": "ok", "error": ""}'


def _client(handler: httpx.MockTransport) -> AllianceClient:
    return AllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url="https://alliance.test",
        http_client=httpx.Client(transport=handler),
        max_retries=0,
        timeout=0.2,
    )


def test_a_body_still_arriving_at_the_deadline_is_a_timeout_naming_the_deadline() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=_dripping_body()))
    with _client(transport) as client, pytest.raises(APITimeoutError) as caught:
        client.balance.retrieve()
    assert "took longer than its 0.2 s deadline" in str(caught.value)


def test_a_pool_failure_that_is_no_transport_error_is_still_a_typed_connection_error() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("Event loop is closed")

    transport = httpx.MockTransport(broken)
    with _client(transport) as client, pytest.raises(APIConnectionError) as caught:
        client.balance.retrieve()
    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value.__cause__, RuntimeError)
