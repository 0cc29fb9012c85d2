"""A response refused while its body streams in is closed at once, so its connection goes back to
the pool: a client meeting oversized or undecodable answers must not run out of connections.
Async and sync clients alike (each side closes its own stream)."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from alliance_pay import AllianceClient, APIError, AsyncAllianceClient

BASE = "https://alliance.test"
OVERSIZED = [b'{"success": true, "data": {"balance": "', b"7" * 4096, b'"}}']
BAD_GZIP = [b"this is not gzip"]
BOMB = [gzip.compress(b"0" * 1_000_000)]


class _Body(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A streamed body that records whether it was closed."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks

    async def aclose(self) -> None:
        self.closed = True

    def close(self) -> None:
        self.closed = True


def _answer(body: _Body, encoded: bool) -> httpx.MockTransport:
    headers = {"Content-Encoding": "gzip"} if encoded else {}
    return httpx.MockTransport(lambda request: httpx.Response(200, headers=headers, stream=body))


CASES = [(OVERSIZED, False), (BAD_GZIP, True), (BOMB, True)]
IDS = ["over the cap", "undecodable", "gzip bomb"]


@pytest.mark.parametrize(("chunks", "encoded"), CASES, ids=IDS)
async def test_an_async_response_refused_mid_body_is_closed(
    chunks: list[bytes], encoded: bool
) -> None:
    body = _Body(chunks)
    async with AsyncAllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url=BASE,
        max_retries=0,
        max_response_bytes=1024,
        http_client=httpx.AsyncClient(transport=_answer(body, encoded)),
    ) as client:
        with pytest.raises(APIError):
            await client.balance.retrieve()
        assert body.closed


@pytest.mark.parametrize(("chunks", "encoded"), CASES, ids=IDS)
def test_a_sync_response_refused_mid_body_is_closed(chunks: list[bytes], encoded: bool) -> None:
    body = _Body(chunks)
    with AllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url=BASE,
        max_retries=0,
        max_response_bytes=1024,
        http_client=httpx.Client(transport=_answer(body, encoded)),
    ) as client:
        with pytest.raises(APIError):
            client.balance.retrieve()
        assert body.closed
