from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from alliance_pay import AsyncAllianceClient
from tests.helpers import ACCESS_KEY, BASE_URL, SECRET_KEY


@pytest.fixture
async def client() -> AsyncIterator[AsyncAllianceClient]:
    # max_retries=0 keeps the plain endpoint tests to one request each; retries have their own.
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, max_retries=0
    ) as client:
        yield client
