"""Whether the client waits between attempts, and for how long.

The sleep is replaced by a recorder (the ``sleeps`` fixture), so these tests spend no wall
time and see every wait exactly. Jitter is pinned by fixing ``random.random``.
"""

from __future__ import annotations

import email.utils
import threading
import time

import anyio
import httpx
import pytest
import respx

from alliance_pay import (
    APIConnectionError,
    AsyncAllianceClient,
    InternalServerError,
    OutcomeUnknownError,
    PayoutStatus,
    RateLimitError,
    _retries,
)
from tests._async.conftest import FakeSleeper
from tests.helpers import BASE_URL, PAYOUT_ARGS, PAYOUT_CREATED, envelope

BALANCE = f"{BASE_URL}/api/v1/balance"
CREATE = f"{BASE_URL}/api/v1/payout/initiate"
STATUS = f"{BASE_URL}/api/v1/payout/qweq-2d2fss-2234sd-44533/status"
OK = httpx.Response(200, json=envelope({"balance": "7"}))
NOT_FOUND = httpx.Response(404, json=envelope(None, "Transaction not found.", success=False))


def jitter(monkeypatch: pytest.MonkeyPatch, value: float) -> None:
    """Fix the random draw behind the jitter (0 is no jitter, just under 1 the most)."""
    monkeypatch.setattr("random.random", lambda: value)


def unavailable(**headers: str) -> httpx.Response:
    return httpx.Response(503, headers=headers)


async def test_retries_wait_a_doubling_delay_capped_at_eight_seconds(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jitter(monkeypatch, 0.0)
    route = respx_mock.get(BALANCE).mock(side_effect=[unavailable()] * 7 + [OK])
    await retrying.with_options(max_retries=7).balance.retrieve()
    assert route.call_count == 8
    assert sleeps.waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


async def test_jitter_only_ever_shortens_a_wait_and_by_at_most_a_quarter(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jitter(monkeypatch, 0.999)
    respx_mock.get(BALANCE).mock(side_effect=[unavailable()] * 6 + [OK])
    await retrying.with_options(max_retries=6).balance.retrieve()
    full = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert len(sleeps.waits) == len(full)
    for waited, most in zip(sleeps.waits, full, strict=True):
        assert 0.75 * most < waited < most
        assert waited == pytest.approx(most * (1 - 0.25 * 0.999))


async def test_there_is_one_wait_between_attempts_and_none_after_the_last(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    route = respx_mock.get(BALANCE).mock(return_value=unavailable())
    with pytest.raises(InternalServerError):
        await retrying.balance.retrieve()
    assert route.call_count == 3
    assert len(sleeps.waits) == 2
    assert all(wait > 0 for wait in sleeps.waits)


async def test_no_retries_means_no_wait(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    respx_mock.get(BALANCE).mock(return_value=unavailable())
    with pytest.raises(InternalServerError):
        await retrying.with_options(max_retries=0).balance.retrieve()
    assert sleeps.waits == []


async def test_a_success_after_a_failure_waits_once(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    respx_mock.get(BALANCE).mock(side_effect=[httpx.ConnectError("refused"), OK])
    await retrying.balance.retrieve()
    assert len(sleeps.waits) == 1
    assert 0.375 < sleeps.waits[0] <= 0.5


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"Retry-After": "60"}, 60.0),  # the longest wait honoured
        ({"Retry-After-Ms": "1500"}, 1.5),
        ({"Retry-After-Ms": "250", "Retry-After": "9"}, 0.25),  # the finer one wins
        ({"Retry-After-Ms": "soon", "Retry-After": "3"}, 3.0),  # unreadable: the next one
    ],
    ids=repr,
)
async def test_the_servers_retry_after_sets_the_wait(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    headers: dict[str, str],
    wait: float,
) -> None:
    respx_mock.get(BALANCE).mock(side_effect=[httpx.Response(429, headers=headers), OK])
    await retrying.balance.retrieve()
    assert sleeps.waits == [wait]


@pytest.mark.parametrize(
    "headers",
    [{"Retry-After": "61"}, {"Retry-After": "3600"}, {"Retry-After-Ms": "60001"}],
    ids=repr,
)
async def test_a_retry_after_past_sixty_seconds_is_not_waited_for(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    headers: dict[str, str],
) -> None:
    route = respx_mock.get(BALANCE).mock(side_effect=[httpx.Response(429, headers=headers), OK])
    with pytest.raises(RateLimitError):
        await retrying.balance.retrieve()
    assert route.call_count == 1
    assert sleeps.waits == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Retry-After": "-5"},
        {"Retry-After": "-0.001"},
        {"Retry-After-Ms": "-2000"},
        {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},  # a date in the past
    ],
    ids=repr,
)
async def test_a_negative_retry_after_is_a_wait_of_zero_never_below(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    headers: dict[str, str],
) -> None:
    # time.sleep raises ValueError on a negative length: the sync client must never pass one.
    respx_mock.get(BALANCE).mock(side_effect=[httpx.Response(503, headers=headers), OK])
    await retrying.balance.retrieve()
    assert sleeps.waits == [0.0]


async def test_a_retry_after_date_is_waited_until(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    respx_mock.get(BALANCE).mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": when}), OK]
    )
    await retrying.balance.retrieve()
    [waited] = sleeps.waits
    assert 28 < waited <= 30  # the header has whole seconds; a little time passes


@pytest.mark.parametrize("value", ["soon", "", "Someday, 99 Foo 2015"], ids=repr)
async def test_an_unreadable_retry_after_falls_back_to_backoff(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
) -> None:
    jitter(monkeypatch, 0.0)
    respx_mock.get(BALANCE).mock(side_effect=[unavailable(**{"Retry-After": value}), OK])
    await retrying.balance.retrieve()
    assert sleeps.waits == [0.5]


async def test_a_create_resent_after_a_429_waits_as_the_server_asks(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    create = respx_mock.post(CREATE).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "4"}),
            httpx.Response(201, json=envelope(PAYOUT_CREATED)),
        ]
    )
    await retrying.payouts.create(**PAYOUT_ARGS)
    assert create.call_count == 2
    assert sleeps.waits == [4.0]


async def test_a_create_resent_after_a_negative_retry_after_does_not_wait_below_zero(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    respx_mock.post(CREATE).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "-30"}),
            httpx.Response(201, json=envelope(PAYOUT_CREATED)),
        ]
    )
    await retrying.payouts.create(**PAYOUT_ARGS)
    assert sleeps.waits == [0.0]


async def test_a_create_is_resent_after_a_backoff_wait_and_gives_up_after_its_budget(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jitter(monkeypatch, 0.0)
    create = respx_mock.post(CREATE).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError):
        await retrying.payouts.create(**PAYOUT_ARGS)
    assert create.call_count == 3
    assert sleeps.waits == [0.5, 1.0]


async def test_a_create_not_found_after_a_lost_answer_waits_before_it_is_sent_again(
    retrying: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    jitter(monkeypatch, 0.0)
    create = respx_mock.post(CREATE).mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(201, json=envelope(PAYOUT_CREATED))]
    )
    respx_mock.get(STATUS).mock(return_value=NOT_FOUND)
    payout = await retrying.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.PENDING
    assert create.call_count == 2
    assert sleeps.waits == [0.5]


def advancing_clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A fake monotonic clock for the look-up budget, moved on by each (recorded) wait."""
    now = [0.0]
    waits: list[float] = []
    real, mine = anyio.sleep, threading.get_ident()

    async def sleep(seconds: float) -> None:
        if threading.get_ident() != mine:  # a sandbox served in another thread: not the client
            await real(seconds)
            return
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(_retries, "_now", lambda: now[0])
    monkeypatch.setattr("anyio.sleep", sleep)
    return waits


async def test_a_look_up_keeps_trying_with_backoff_for_its_time_budget(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    jitter(monkeypatch, 0.0)
    waits = advancing_clock(monkeypatch)
    create = respx_mock.post(CREATE).mock(side_effect=httpx.ReadTimeout("slow"))
    status = respx_mock.get(STATUS).mock(return_value=unavailable())
    with pytest.raises(OutcomeUnknownError):
        await retrying.with_options(max_retries=0).payouts.create(**PAYOUT_ARGS)
    assert create.call_count == 1
    # The default 30 s budget, not a count: the next 8 s wait would end past it.
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert status.call_count == 7


async def test_a_look_up_of_quick_503s_waits_at_least_the_jittered_floor(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    jitter(monkeypatch, 0.5)
    waits = advancing_clock(monkeypatch)
    respx_mock.post(CREATE).mock(side_effect=httpx.ReadTimeout("slow"))
    respx_mock.get(STATUS).mock(return_value=unavailable(**{"Retry-After": "0"}))
    with pytest.raises(OutcomeUnknownError):
        await retrying.with_options(max_retries=0, resolve_timeout=3).payouts.create(**PAYOUT_ARGS)
    floor = _retries.RESOLVE_MIN_DELAY * 1.5
    assert waits == [floor] * len(waits)
    assert 18 <= len(waits) <= 20  # 3 s of waits of 0.15 s (float sums)


async def test_wait_polls_at_a_growing_interval(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    pending = httpx.Response(200, json=envelope({**PAYOUT_CREATED, "status": "Pending"}))
    approved = httpx.Response(200, json=envelope({**PAYOUT_CREATED, "status": "Approved"}))
    respx_mock.get(STATUS).mock(side_effect=[pending] * 8 + [approved])
    final = await retrying.payouts.wait(PAYOUT_ARGS["order_id"], poll_interval=2.0)
    assert final.status is PayoutStatus.APPROVED
    assert sleeps.waits == [2.0, 3.0, 4.5, 6.75, 10.125, 15.0, 15.0, 15.0]
