"""Retries for reads, and creates that happen at most once and say truthfully whether they did."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from alliance_pay import (
    AsyncAllianceClient,
    AuthenticationError,
    BadRequestError,
    DuplicateOrderIdError,
    InternalServerError,
    NotFoundError,
    OrderIdConflictError,
    OutcomeUnknownError,
    PayinLinkUnavailableError,
    PayoutStatus,
    RateLimitError,
    UnprocessableEntityError,
    WaitTimeoutError,
    _retries,
)
from tests.helpers import (
    ACCESS_KEY,
    BASE_URL,
    PAYIN,
    PAYOUT_ARGS,
    PAYOUT_CREATED,
    SECRET_KEY,
    assert_signed,
    envelope,
)

CREATE = f"{BASE_URL}/api/v1/payout/initiate"
STATUS = f"{BASE_URL}/api/v1/payout/qweq-2d2fss-2234sd-44533/status"
NOT_FOUND = httpx.Response(404, json=envelope(None, "Transaction not found.", success=False))
DUPLICATE = httpx.Response(
    422,
    json={
        "message": "The given data was invalid.",
        "errors": {"order_id": ["The order id has already been taken."]},
        "success": False,
    },
)
BAD_GATEWAY = httpx.Response(502, text="<html><body><h1>502 Bad Gateway</h1></body></html>")


def created(**changes: object) -> httpx.Response:
    return httpx.Response(201, json=envelope({**PAYOUT_CREATED, **changes}))


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # Real backoff is tested on retry_delay itself; here a few milliseconds keep timestamps apart.
    monkeypatch.setattr(_retries, "INITIAL_RETRY_DELAY", 0.003)
    monkeypatch.setattr(_retries, "RESOLVE_MIN_DELAY", 0.003)


@pytest.fixture
async def retrying() -> AsyncIterator[AsyncAllianceClient]:
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, max_retries=2
    ) as client:
        yield client


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(503),
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.Response(504),
        httpx.Response(500, json=envelope(None, "oops", success=False)),
        httpx.Response(429),
        httpx.Response(408),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
    ids=repr,
)
async def test_reads_are_retried_on_transient_failures_and_signed_afresh(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, failure: object
) -> None:
    route = respx_mock.get(f"{BASE_URL}/api/v1/balance").mock(
        side_effect=[failure, failure, httpx.Response(200, json=envelope({"balance": "7"}))]
    )
    balance = await retrying.balance.retrieve()
    assert str(balance.balance) == "7"
    assert route.call_count == 3
    timestamps = [int(call.request.headers["Timestamp"]) for call in route.calls]
    assert timestamps == sorted(set(timestamps))  # every attempt has its own timestamp
    for call in route.calls:
        assert_signed(call.request)


async def test_retries_stop_after_max_retries(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(f"{BASE_URL}/api/v1/balance").respond(503)
    with pytest.raises(InternalServerError):
        await retrying.balance.retrieve()
    assert route.call_count == 3
    route.reset()
    with pytest.raises(InternalServerError):
        await retrying.with_options(max_retries=0).balance.retrieve()
    assert route.call_count == 1


async def test_client_errors_are_not_retried(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(f"{BASE_URL}/api/v1/balance").respond(400, json=envelope(None, "bad"))
    with pytest.raises(BadRequestError):
        await retrying.balance.retrieve()
    assert route.call_count == 1


async def test_a_retry_after_beyond_the_cap_is_not_waited_for(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(f"{BASE_URL}/api/v1/balance").respond(
        429, headers={"Retry-After": "3600"}
    )
    with pytest.raises(RateLimitError):
        await retrying.balance.retrieve()
    assert route.call_count == 1


async def test_create_whose_answer_was_lost_after_commit_returns_the_record_without_resending(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=[BAD_GATEWAY])
    status = respx_mock.get(STATUS).respond(200, json=envelope(PAYOUT_CREATED))
    payout = await retrying.payouts.create(**PAYOUT_ARGS)
    assert payout.order_id == PAYOUT_ARGS["order_id"]
    assert payout.status is PayoutStatus.PENDING
    assert create.call_count == 1
    assert status.call_count == 1


@pytest.mark.parametrize(
    "lost", [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"), BAD_GATEWAY], ids=repr
)
async def test_create_not_found_after_an_ambiguous_failure_is_sent_again(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, lost: object
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=[lost, created()])
    respx_mock.get(STATUS).mock(return_value=NOT_FOUND)
    payout = await retrying.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.PENDING
    assert create.call_count == 2
    # The resend is the same payout, signed afresh.
    first, second = (call.request for call in create.calls)
    assert first.content == second.content
    assert first.headers["Timestamp"] != second.headers["Timestamp"]


async def test_duplicate_order_on_a_resend_returns_the_existing_record(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    # The first request committed late: not found when looked up, then a duplicate on resend.
    create = respx_mock.post(CREATE).mock(side_effect=[httpx.ReadTimeout("slow"), DUPLICATE])
    respx_mock.get(STATUS).mock(
        side_effect=[NOT_FOUND, httpx.Response(200, json=envelope(PAYOUT_CREATED))]
    )
    payout = await retrying.payouts.create(**PAYOUT_ARGS)
    assert payout.order_id == PAYOUT_ARGS["order_id"]
    assert create.call_count == 2


async def test_a_duplicate_on_the_first_attempt_is_the_callers_error(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(CREATE).mock(return_value=DUPLICATE)
    status = respx_mock.get(STATUS).respond(200, json=envelope(PAYOUT_CREATED))
    with pytest.raises(DuplicateOrderIdError) as info:
        await retrying.payouts.create(**PAYOUT_ARGS)
    assert isinstance(info.value, UnprocessableEntityError)
    assert info.value.errors == {"order_id": ["The order id has already been taken."]}
    assert not status.called


async def test_other_422s_are_not_duplicates(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(CREATE).respond(
        422, json={"message": "invalid", "errors": {"ifsc": ["The ifsc has already expired."]}}
    )
    with pytest.raises(UnprocessableEntityError) as info:
        await retrying.payouts.create(**PAYOUT_ARGS)
    assert type(info.value) is UnprocessableEntityError


async def test_an_order_id_holding_a_different_payout_is_a_conflict(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(CREATE).mock(side_effect=[BAD_GATEWAY])
    respx_mock.get(STATUS).respond(200, json=envelope({**PAYOUT_CREATED, "amount": 999}))
    with pytest.raises(OrderIdConflictError) as info:
        await retrying.payouts.create(**PAYOUT_ARGS)
    assert set(info.value.differences) == {"amount"}
    assert info.value.order_id == PAYOUT_ARGS["order_id"]


async def test_outcome_unknown_when_every_answer_is_lost(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=httpx.ReadTimeout("slow"))
    respx_mock.get(STATUS).mock(return_value=NOT_FOUND)
    with pytest.raises(OutcomeUnknownError) as info:
        await retrying.payouts.create(**PAYOUT_ARGS)
    assert info.value.order_id == PAYOUT_ARGS["order_id"]
    assert "retrieve" in str(info.value)
    assert create.call_count == 3


async def test_outcome_unknown_when_the_lookup_fails_for_its_whole_time_budget(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=[BAD_GATEWAY])
    status = respx_mock.get(STATUS).respond(503, headers={"Retry-After": "0"})
    with pytest.raises(OutcomeUnknownError) as info:
        await retrying.with_options(resolve_timeout=0.3).payouts.create(**PAYOUT_ARGS)
    assert create.call_count == 1
    # Looked up again and again for the budget, not given up after a fixed few attempts.
    assert status.call_count > 5
    assert "looking the order up failed too" in str(info.value)


async def test_lookup_outlasts_a_run_of_quick_503s_within_its_time_budget(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    busy = httpx.Response(503, headers={"Retry-After": "0"})
    respx_mock.post(CREATE).mock(side_effect=[BAD_GATEWAY])
    status = respx_mock.get(STATUS).mock(
        side_effect=[busy] * 8 + [httpx.Response(200, json=envelope(PAYOUT_CREATED))]
    )
    payout = await retrying.payouts.create(**PAYOUT_ARGS)
    assert payout.order_id == PAYOUT_ARGS["order_id"]
    assert status.call_count == 9


@pytest.mark.parametrize(
    "refused", [httpx.ConnectError("refused"), httpx.Response(429), httpx.Response(408)], ids=repr
)
async def test_create_certainly_not_processed_is_resent_without_a_lookup(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, refused: object
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=[refused, created()])
    status = respx_mock.get(STATUS).respond(200, json=envelope(PAYOUT_CREATED))
    await retrying.payouts.create(**PAYOUT_ARGS)
    assert create.call_count == 2
    assert not status.called


@pytest.mark.parametrize("refusal", [400, 401, 403], ids=str)
async def test_a_refused_resend_after_an_unanswered_attempt_is_never_a_plain_failure(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter, refusal: int
) -> None:
    respx_mock.post(CREATE).mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(refusal, json=envelope(None, "no"))]
    )
    respx_mock.get(STATUS).mock(return_value=NOT_FOUND)
    with pytest.raises(OutcomeUnknownError) as info:
        await retrying.payouts.create(**PAYOUT_ARGS)
    assert info.value.order_id == PAYOUT_ARGS["order_id"]
    assert "refused" in str(info.value)


async def test_a_refused_resend_returns_the_payout_the_first_attempt_made(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(CREATE).mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(401, json=envelope(None, "stale"))]
    )
    respx_mock.get(STATUS).mock(
        side_effect=[NOT_FOUND, httpx.Response(200, json=envelope(PAYOUT_CREATED))]
    )
    payout = await retrying.payouts.create(**PAYOUT_ARGS)
    assert payout.order_id == PAYOUT_ARGS["order_id"]


async def test_create_rejected_by_the_server_is_raised_as_is(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    create = respx_mock.post(CREATE).respond(400, json=envelope(None, "Bad bank"))
    status = respx_mock.get(STATUS).respond(200, json=envelope(PAYOUT_CREATED))
    with pytest.raises(BadRequestError, match="Bad bank"):
        await retrying.payouts.create(**PAYOUT_ARGS)
    assert create.call_count == 1
    assert not status.called


async def test_a_payin_link_created_but_lost_says_so(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{BASE_URL}/api/v1/payin/generate/link").mock(side_effect=[BAD_GATEWAY])
    respx_mock.post(f"{BASE_URL}/api/v1/payin/transactions").respond(
        200, json=envelope({**PAYIN, "status": "Pending"})
    )
    with pytest.raises(PayinLinkUnavailableError) as info:
        await retrying.payins.create_link(
            user_id=PAYIN["user_id"],
            order_id=PAYIN["order_id"],
            amount=100,
            redirect_url="https://shop.example.in/",
        )
    assert info.value.order_id == PAYIN["order_id"]


async def test_wait_polls_until_final(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(STATUS).mock(
        side_effect=[
            httpx.Response(200, json=envelope(PAYOUT_CREATED)),
            httpx.Response(503),
            httpx.Response(200, json=envelope({**PAYOUT_CREATED, "status": "Approved"})),
        ]
    )
    payout = await retrying.payouts.wait(PAYOUT_ARGS["order_id"], timeout=5, poll_interval=0.01)
    assert payout.status is PayoutStatus.APPROVED
    assert route.call_count == 3


async def test_wait_times_out_with_the_last_record(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(STATUS).respond(200, json=envelope(PAYOUT_CREATED))
    with pytest.raises(WaitTimeoutError) as info:
        await retrying.payouts.wait(PAYOUT_ARGS["order_id"], timeout=0.05, poll_interval=0.01)
    assert info.value.last is not None


async def test_wait_stops_at_once_on_an_error_polling_cannot_fix(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(STATUS).respond(401, json=envelope(None, "Invalid signature"))
    with pytest.raises(AuthenticationError):
        await retrying.payouts.wait(PAYOUT_ARGS["order_id"], timeout=30, poll_interval=0.01)
    assert route.call_count == 1


async def test_wait_on_an_unknown_payout_fails_at_once(
    retrying: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(STATUS).mock(return_value=NOT_FOUND)
    with pytest.raises(NotFoundError):
        await retrying.payouts.wait(PAYOUT_ARGS["order_id"], timeout=5)
