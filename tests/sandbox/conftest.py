"""Fixtures for the sandbox tests: an app in-process (``httpx.ASGITransport``) and one served
by uvicorn on a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.applications import Starlette

from alliance_pay.sandbox import Sandbox, create_app, serve_in_thread
from tests.sandbox.support import FakeClock, Signer, make_config


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app() -> Starlette:
    return create_app(make_config())


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    sandbox: Sandbox = app.state.sandbox
    return sandbox


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient) -> Signer:
    return Signer(http)


@pytest.fixture
def served() -> Iterator[str]:
    """A sandbox served by uvicorn on 127.0.0.1 with an OS-chosen port; yields its base URL."""
    with serve_in_thread(create_app(make_config())) as base_url:
        yield base_url


@pytest.fixture
async def socket_api(served: str) -> AsyncIterator[Signer]:
    async with httpx.AsyncClient(base_url=served) as client:
        yield Signer(client)
