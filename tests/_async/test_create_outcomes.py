"""Which failed creates may have moved money: the rule that keeps a payout from being made twice.

Every answer a create can get falls in one of three kinds, and each kind is pinned here over
every HTTP status class and every httpx transport failure:

- *ambiguous*: the request may have been processed (no answer read, a 5xx, a 2xx the SDK could
  not read). The order is looked up before anything else; found means created.
- *not processed*: the request certainly did nothing (the connection was never made, 408, 429).
  It is sent again as is, with no look-up.
- *refused*: any other status. It is raised as it is: no look-up, no second request.
"""

from __future__ import annotations

import inspect

import httpx
import pytest
import respx

from alliance_pay import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    AsyncAllianceClient,
    ClientClosedError,
    ClientUsageError,
    DuplicateOrderIdError,
    OrderIdConflictError,
    OutcomeUnknownError,
    PayinLinkUnavailableError,
    PayoutStatus,
)
from alliance_pay._converter import converter
from tests._async.conftest import FakeSleeper
from tests.helpers import (
    BASE_URL,
    PAYIN,
    PAYOUT_ARGS,
    PAYOUT_CREATED,
    envelope,
)

CREATE = f"{BASE_URL}/api/v1/payout/initiate"
STATUS = f"{BASE_URL}/api/v1/payout/qweq-2d2fss-2234sd-44533/status"
FOUND = httpx.Response(200, json=envelope({**PAYOUT_CREATED, "status": "Approved"}))
NOT_FOUND = httpx.Response(404, json=envelope(None, "Transaction not found.", success=False))
CREATED = httpx.Response(201, json=envelope(PAYOUT_CREATED))
LINK_CREATE = f"{BASE_URL}/api/v1/payin/generate/link"
PAYIN_STATUS = f"{BASE_URL}/api/v1/payin/transactions"

#: The transport failures that prove nothing reached the server: no connection was made.
NEVER_SENT = frozenset({httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout})
#: Every exception httpx raises for a request that got no (readable) response.
TRANSPORT_FAILURES = sorted(
    (
        cls
        for cls in vars(httpx).values()
        if inspect.isclass(cls) and issubclass(cls, httpx.RequestError)
    ),
    key=lambda cls: cls.__name__,
)
#: A 2xx the SDK cannot read: the server did something, the SDK cannot tell what.
UNREADABLE_2XX = {
    "not-json": httpx.Response(200, text="<html>OK</html>"),
    "empty-204": httpx.Response(204),
    "json-array": httpx.Response(201, json=[PAYOUT_CREATED]),
    "success-false": httpx.Response(200, json=envelope(PAYOUT_CREATED, "hmm", success=False)),
    "no-data": httpx.Response(201, json={"success": True, "message": "Created"}),
    "data-null": httpx.Response(201, json=envelope(None)),
    "data-not-a-payout": httpx.Response(201, json=envelope({"order_id": 7})),
    "truncated-json": httpx.Response(201, text='{"success": true, "data": {"order_'),
}
SERVER_ERRORS = (500, 501, 502, 503, 504, 505, 507, 508, 511, 520, 599)
NOT_PROCESSED_STATUSES = (408, 429)
REFUSED_STATUSES = (
    100,
    103,
    301,
    302,
    304,
    307,
    308,
    400,
    401,
    402,
    403,
    404,
    405,
    406,
    409,
    410,
    411,
    412,
    413,
    415,
    418,
    422,
    425,
    428,
    431,
    451,
    499,
)


@pytest.fixture
def client(retrying: AsyncAllianceClient) -> AsyncAllianceClient:
    return retrying


def test_every_httpx_transport_failure_is_classified() -> None:
    # A new httpx exception lands in the parametrized tests below on its own; this keeps the
    # list from silently shrinking to nothing.
    names = {cls.__name__ for cls in TRANSPORT_FAILURES}
    assert {"ReadTimeout", "WriteError", "RemoteProtocolError", "ConnectError"} <= names
    assert set(TRANSPORT_FAILURES) >= NEVER_SENT


@pytest.mark.parametrize(
    "failure", [c for c in TRANSPORT_FAILURES if c not in NEVER_SENT], ids=lambda c: c.__name__
)
async def test_a_create_whose_request_may_have_been_sent_is_looked_up_not_resent(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    failure: type[httpx.RequestError],
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=failure("lost"))
    status = respx_mock.get(STATUS).mock(return_value=FOUND)
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.APPROVED  # the looked-up record, not a fresh create
    assert create.call_count == 1
    assert status.call_count == 1


@pytest.mark.parametrize("failure", sorted(NEVER_SENT, key=str), ids=lambda c: c.__name__)
async def test_a_create_that_never_reached_the_server_is_sent_again_without_a_look_up(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    failure: type[httpx.RequestError],
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=[failure("refused"), CREATED])
    status = respx_mock.get(STATUS).mock(return_value=FOUND)
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.PENDING
    assert create.call_count == 2
    assert not status.called


@pytest.mark.parametrize("failure", sorted(NEVER_SENT, key=str), ids=lambda c: c.__name__)
async def test_a_create_that_never_reached_the_server_fails_plainly_once_retries_run_out(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    failure: type[httpx.RequestError],
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=failure("refused"))
    status = respx_mock.get(STATUS).mock(return_value=FOUND)
    with pytest.raises(APIConnectionError):
        await client.payouts.create(**PAYOUT_ARGS)
    assert create.call_count == 3  # the first attempt and max_retries=2 more
    assert not status.called


@pytest.mark.parametrize("answer", list(UNREADABLE_2XX.values()), ids=list(UNREADABLE_2XX))
async def test_a_create_answered_with_an_unreadable_2xx_is_looked_up_not_failed(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    answer: httpx.Response,
) -> None:
    create = respx_mock.post(CREATE).mock(return_value=answer)
    status = respx_mock.get(STATUS).mock(return_value=FOUND)
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.APPROVED
    assert create.call_count == 1
    assert status.call_count == 1


async def test_an_unreadable_2xx_for_an_order_the_api_cannot_find_is_never_a_plain_failure(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    # Every answer unreadable, every look-up "not found": the truth is unknown, and says so.
    create = respx_mock.post(CREATE).mock(return_value=UNREADABLE_2XX["not-json"])
    respx_mock.get(STATUS).mock(return_value=NOT_FOUND)
    with pytest.raises(OutcomeUnknownError) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    assert not isinstance(info.value, APIResponseValidationError)
    assert info.value.order_id == PAYOUT_ARGS["order_id"]
    assert create.call_count == 3


@pytest.mark.parametrize("code", SERVER_ERRORS, ids=str)
async def test_a_create_answered_with_any_5xx_is_looked_up_not_resent(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper, code: int
) -> None:
    create = respx_mock.post(CREATE).mock(
        return_value=httpx.Response(code, json=envelope(None, "server trouble", success=False))
    )
    status = respx_mock.get(STATUS).mock(return_value=FOUND)
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.APPROVED
    assert create.call_count == 1
    assert status.call_count == 1


@pytest.mark.parametrize("code", SERVER_ERRORS, ids=str)
async def test_a_5xx_create_not_found_on_look_up_is_sent_again_and_its_answer_returned(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper, code: int
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=[httpx.Response(code), CREATED])
    status = respx_mock.get(STATUS).mock(return_value=NOT_FOUND)
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.PENDING
    assert create.call_count == 2
    assert status.call_count == 1
    first, second = (call.request.content for call in create.calls)
    assert first == second  # the same payout, under the same order id


@pytest.mark.parametrize("code", NOT_PROCESSED_STATUSES, ids=str)
async def test_a_create_the_server_did_not_process_is_sent_again_without_a_look_up(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper, code: int
) -> None:
    create = respx_mock.post(CREATE).mock(side_effect=[httpx.Response(code), CREATED])
    status = respx_mock.get(STATUS).mock(return_value=FOUND)
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.PENDING
    assert create.call_count == 2
    assert not status.called


@pytest.mark.parametrize("code", REFUSED_STATUSES, ids=str)
async def test_a_create_the_server_refused_is_raised_as_is_without_a_look_up_or_resend(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper, code: int
) -> None:
    body = envelope(None, "refused for a reason", success=False)
    headers = {"Location": "https://elsewhere.example/"} if 300 <= code < 400 else {}
    create = respx_mock.post(CREATE).mock(
        return_value=httpx.Response(code, json=body, headers=headers)
    )
    status = respx_mock.get(STATUS).mock(return_value=FOUND)
    with pytest.raises(APIStatusError) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    assert info.value.status_code == code
    assert create.call_count == 1
    assert not status.called
    assert sleeps.waits == []


async def test_a_conflict_is_not_a_reason_to_send_the_payout_again(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    # 409 says the server holds a conflicting state; re-sending could only pay twice.
    create = respx_mock.post(CREATE).mock(
        side_effect=[httpx.Response(409, json=envelope(None, "busy", success=False)), CREATED]
    )
    with pytest.raises(APIStatusError) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    assert info.value.status_code == 409
    assert create.call_count == 1


async def test_a_duplicate_order_after_a_5xx_is_resolved_by_the_look_up(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    duplicate = httpx.Response(
        422, json={"message": "invalid", "errors": {"order_id": ["has already been taken"]}}
    )
    create = respx_mock.post(CREATE).mock(side_effect=[httpx.Response(500), duplicate])
    respx_mock.get(STATUS).mock(side_effect=[NOT_FOUND, FOUND])
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.APPROVED
    assert create.call_count == 2


async def test_a_duplicate_order_the_api_cannot_find_is_an_unknown_outcome(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    duplicate = httpx.Response(
        422, json={"message": "invalid", "errors": {"order_id": ["has already been taken"]}}
    )
    respx_mock.post(CREATE).mock(side_effect=[httpx.ReadTimeout("slow"), duplicate])
    respx_mock.get(STATUS).mock(return_value=NOT_FOUND)
    with pytest.raises(OutcomeUnknownError) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    assert not isinstance(info.value, DuplicateOrderIdError)
    # The reason says what the API claimed, not just that a resend was refused.
    assert info.value.reason.startswith("the API says the order id is taken")


@pytest.mark.parametrize(
    ("field", "theirs"),
    [
        ("amount", 100.01),
        ("amount", 1000),
        ("beneficiary_acc_no", "99999999998"),
        ("ifsc", "HDFC0000001"),
        ("user_id", "someone-else"),
    ],
    ids=repr,
)
async def test_a_looked_up_order_that_differs_in_what_moves_money_is_a_conflict_not_a_success(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    field: str,
    theirs: object,
) -> None:
    respx_mock.post(CREATE).mock(return_value=httpx.Response(502))
    respx_mock.get(STATUS).respond(200, json=envelope({**PAYOUT_CREATED, field: theirs}))
    with pytest.raises(OrderIdConflictError) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    [(name, (asked, found))] = info.value.differences.items()
    assert name == field
    assert str(asked) == str(PAYOUT_ARGS[field])  # what was asked, then what the API holds
    assert str(found) == str(theirs)
    assert info.value.order_id == PAYOUT_ARGS["order_id"]


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "100.00"},  # the same money, written differently
        {"amount": 100.0},
        {"beneficiary_name": "Someone Else", "bank_name": "HDFC", "remarks": "x"},
        {"user_id": None, "ifsc": None},  # a field the record does not show is no disagreement
        {"beneficiary_acc_no": None},
    ],
    ids=repr,
)
async def test_a_looked_up_order_that_agrees_on_what_moves_money_is_the_created_payout(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    changes: dict[str, object],
) -> None:
    create = respx_mock.post(CREATE).mock(return_value=httpx.Response(502))
    respx_mock.get(STATUS).respond(200, json=envelope({**PAYOUT_CREATED, **changes}))
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.order_id == PAYOUT_ARGS["order_id"]
    assert create.call_count == 1


@pytest.mark.parametrize(
    "refusal",
    [httpx.Response(429), httpx.Response(408), httpx.ConnectError("refused")],
    ids=repr,
)
async def test_a_resend_refused_as_not_processed_after_a_lost_answer_is_sent_again_not_given_up(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, sleeps: FakeSleeper, refusal: object
) -> None:
    # The first answer was lost and the order not found; the resend met a "not processed":
    # that proves nothing new, so it is sent once more, without another look-up.
    create = respx_mock.post(CREATE).mock(side_effect=[httpx.ReadTimeout("slow"), refusal, CREATED])
    status = respx_mock.get(STATUS).mock(return_value=NOT_FOUND)
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.PENDING
    assert create.call_count == 3
    assert status.call_count == 1


async def test_a_create_on_a_closed_client_is_refused_without_sending_anything(
    respx_mock: respx.MockRouter, sleeps: FakeSleeper
) -> None:
    client = AsyncAllianceClient(access_key="ak", secret_key="sk", base_url=BASE_URL)
    await client.aclose()
    with pytest.raises(ClientUsageError):
        await client.payouts.create(**PAYOUT_ARGS)
    assert not respx_mock.calls


@pytest.mark.parametrize("closed_during", ["the create", "the look-up"])
async def test_a_client_closed_while_a_create_is_in_doubt_ends_in_an_unknown_outcome(
    sleeps: FakeSleeper, closed_during: str
) -> None:
    # Another task closes the client (a shutdown) after the create's request may have been
    # written. The refusal that follows is true of the *next* request only: the first one may
    # still create the payout, so a "nothing was sent" error would invite a second payout.
    sent: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        if request.method == "POST":
            if closed_during == "the create":
                await client.aclose()
            raise httpx.ReadTimeout("lost", request=request)
        if closed_during == "the look-up":
            await client.aclose()
        return httpx.Response(404, json=envelope(None, "Transaction not found.", success=False))

    client = AsyncAllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url=BASE_URL,
        max_retries=2,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
    )
    with pytest.raises(OutcomeUnknownError) as info:
        await client.payouts.create(**PAYOUT_ARGS)
    assert info.value.order_id == PAYOUT_ARGS["order_id"]
    assert isinstance(info.value.__cause__, ClientClosedError)
    # Nothing more was sent once the client was closed.
    assert sent == (["POST"] if closed_during == "the create" else ["POST", "GET"])


PAY_URL = "https://pay.alliance.test/p/1"


@pytest.mark.parametrize(
    ("named", "trusted"),
    [
        (None, True),  # an answer that names no order is about the one asked for
        (PAYIN["order_id"], True),
        ("adsd-ewerz-23sdsd-ad235", False),  # another order's record
        (PAYIN["order_id"].upper(), False),  # order ids are compared exactly
        (PAYIN["order_id"] + " ", False),
    ],
    ids=repr,
)
async def test_a_create_answer_is_trusted_unless_it_names_another_order(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    named: str | None,
    trusted: bool,
) -> None:
    data = {"pay_url": PAY_URL} if named is None else {"pay_url": PAY_URL, "order_id": named}
    create = respx_mock.post(LINK_CREATE).respond(201, json=envelope(data))
    status = respx_mock.post(PAYIN_STATUS).respond(200, json=envelope(PAYIN))
    link_args = {"user_id": PAYIN["user_id"], "amount": "100", "redirect_url": PAY_URL}
    if trusted:
        link = await client.payins.create_link(order_id=PAYIN["order_id"], **link_args)
        assert link.pay_url == PAY_URL
        assert not status.called
    else:
        # Not this order's answer: what happened to this order is learned by looking it up.
        with pytest.raises(PayinLinkUnavailableError) as info:
            await client.payins.create_link(order_id=PAYIN["order_id"], **link_args)
        assert info.value.order_id == PAYIN["order_id"]
        assert status.call_count == 1
    assert create.call_count == 1


class _ReaderFailingOnce:
    """Stands in for the SDK's record reader: the first read fails as nobody foresaw (a bug, a
    broken dependency), the next ones read as usual."""

    def __init__(self, error: BaseException) -> None:
        self.error: BaseException | None = error

    def structure(self, obj: object, cl: type) -> object:
        error, self.error = self.error, None
        if error is not None:
            raise error
        return converter.structure(obj, cl)


@pytest.mark.parametrize(
    "error",
    [RuntimeError("boom"), AttributeError("'NoneType' object has no attribute 'strip'")],
    ids=lambda error: type(error).__name__,
)
async def test_a_create_whose_answer_fails_to_read_for_an_unforeseen_reason_is_looked_up(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    sleeps: FakeSleeper,
    monkeypatch: pytest.MonkeyPatch,
    error: BaseException,
) -> None:
    # The server answered; the SDK could not read what. The payout may exist: look it up.
    monkeypatch.setattr("alliance_pay._reading.converter", _ReaderFailingOnce(error))
    create = respx_mock.post(CREATE).mock(return_value=CREATED)
    status = respx_mock.get(STATUS).mock(return_value=FOUND)
    payout = await client.payouts.create(**PAYOUT_ARGS)
    assert payout.status is PayoutStatus.APPROVED  # the looked-up record
    assert create.call_count == 1
    assert status.call_count == 1
