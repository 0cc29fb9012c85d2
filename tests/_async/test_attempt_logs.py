"""Every HTTP attempt leaves the one INFO line docs/logging.md promises: method, API path, the
status or the failure, and the attempt's number within its call (a read and its retries, a
create and its resends, each look-up of an in-doubt create on its own count)."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
import respx

from alliance_pay import APIResponseValidationError, AsyncAllianceClient
from tests._async.conftest import FakeSleeper
from tests.helpers import ACCESS_KEY, BASE_URL, PAYOUT_ARGS, PAYOUT_CREATED, SECRET_KEY, envelope

BALANCE = f"{BASE_URL}/api/v1/balance"
CREATE = f"{BASE_URL}/api/v1/payout/initiate"
STATUS = f"{BASE_URL}/api/v1/payout/{PAYOUT_ARGS['order_id']}/status"
NOT_FOUND = envelope(None, "Transaction not found.", success=False)


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The INFO lines of the ``alliance_pay`` logger, with the times (which vary) blotted."""
    return [
        re.sub(r"\d+ ms", "N ms", record.getMessage())
        for record in caplog.records
        if record.name == "alliance_pay" and record.levelno == logging.INFO
    ]


@pytest.fixture(autouse=True)
def _info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="alliance_pay")


async def test_a_read_logs_each_attempt_with_its_status_or_failure_and_its_number(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    caplog: pytest.LogCaptureFixture,
) -> None:
    respx_mock.get(BALANCE).mock(
        side_effect=[
            httpx.Response(503),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json=envelope({"balance": "7.00"})),
        ]
    )
    await retrying.balance.retrieve()
    assert _lines(caplog) == [
        "GET /api/v1/balance -> 503 in N ms (attempt 1)",
        "GET /api/v1/balance failed after N ms (attempt 2): ReadTimeout",
        "GET /api/v1/balance -> 200 in N ms (attempt 3)",
    ]


async def test_a_create_in_doubt_logs_its_attempts_and_its_look_ups_each_on_their_own_count(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    caplog: pytest.LogCaptureFixture,
) -> None:
    respx_mock.post(CREATE).mock(
        side_effect=[
            httpx.ReadTimeout("lost"),
            httpx.Response(201, json=envelope(PAYOUT_CREATED)),
        ]
    )
    respx_mock.get(STATUS).mock(
        side_effect=[httpx.Response(503), httpx.Response(404, json=NOT_FOUND)]
    )
    await retrying.payouts.create(**PAYOUT_ARGS)
    status = f"/api/v1/payout/{PAYOUT_ARGS['order_id']}/status"
    assert _lines(caplog) == [
        "POST /api/v1/payout/initiate failed after N ms (attempt 1): ReadTimeout",
        f"GET {status} -> 503 in N ms (attempt 1)",
        f"GET {status} -> 404 in N ms (attempt 2)",
        "POST /api/v1/payout/initiate -> 201 in N ms (attempt 2)",
    ]


async def test_an_answer_refused_while_it_was_read_is_logged_as_a_failed_attempt(
    respx_mock: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    respx_mock.get(BALANCE).respond(200, json=envelope({"balance": "7" * 2000}))
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE_URL,
        max_retries=0,
        max_response_bytes=1024,
    ) as client:
        with pytest.raises(APIResponseValidationError, match="max_response_bytes"):
            await client.balance.retrieve()
    assert _lines(caplog) == [
        "GET /api/v1/balance failed after N ms (attempt 1): APIResponseValidationError"
    ]
