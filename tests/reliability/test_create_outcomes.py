"""Whatever is raised after a create's request may have been written, the create ends in the
record (found by its order id) or in OutcomeUnknownError; cancelled, it says so and goes on
being cancelled."""

from __future__ import annotations

import asyncio
import logging
import sys

import anyio
import httpx
import pytest

from alliance_pay import (
    AllianceClient,
    AsyncAllianceClient,
    OutcomeUnknownError,
    Payout,
    _retries,
)
from tests.helpers import ACCESS_KEY, PAYOUT_ARGS, PAYOUT_CREATED, SECRET_KEY, envelope

BASE = "https://alliance.test"
ORDER = PAYOUT_ARGS["order_id"]

# What a transport, a pool or a loop has been seen to raise, or could.
RAISED: list[BaseException] = [
    RuntimeError("Event loop is closed"),
    RuntimeError("Cannot send a request, as the client has been closed."),
    OSError(9, "Bad file descriptor"),
    ValueError("I/O operation on closed file"),
    KeyError("connection"),
    AttributeError("'NoneType' object has no attribute 'send'"),
    anyio.BrokenResourceError(),
    anyio.ClosedResourceError(),
    MemoryError(),
    httpx.ReadError("reset"),
    httpx.RemoteProtocolError("peer closed connection"),
    httpx.ReadTimeout("slow"),
    httpx.WriteError("broken pipe"),
    httpx.DecodingError("bad gzip"),
    httpx.StreamClosed(),
    TimeoutError(),
]


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retries, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(_retries, "RESOLVE_MIN_DELAY", 0.001)


def _server(raise_on_create: BaseException, *, exists: bool, lookup: BaseException | None):
    """The create is recorded (if ``exists``), then ``raise_on_create`` is raised in place of
    its answer; look-ups find the order, or raise ``lookup``."""
    made: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/initiate"):
            if exists:
                made.append(ORDER)
            raise raise_on_create
        if lookup is not None:
            raise lookup
        if made:
            return httpx.Response(200, json=envelope(PAYOUT_CREATED))
        return httpx.Response(404, json=envelope(None, "Transaction not found.", success=False))

    return answer, made


@pytest.mark.parametrize("raised", RAISED, ids=lambda e: type(e).__name__ + ":" + str(e)[:20])
@pytest.mark.parametrize("exists", [True, False], ids=["made", "not-made"])
async def test_any_exception_after_sending_resolves_by_lookup(
    raised: BaseException, exists: bool
) -> None:
    answer, made = _server(raised, exists=exists, lookup=None)
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE,
        max_retries=1,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(answer)),
    ) as client:
        try:
            outcome: object = await client.payouts.create(**PAYOUT_ARGS)
        except OutcomeUnknownError as error:
            outcome = error
    if exists:
        assert isinstance(outcome, Payout), outcome
        assert outcome.order_id == ORDER
    else:
        # Never made: re-sent once (again failing), never reported made. Unknown is the truth.
        assert isinstance(outcome, OutcomeUnknownError), outcome
        assert made == []


@pytest.mark.parametrize("raised", RAISED, ids=lambda e: type(e).__name__ + ":" + str(e)[:20])
def test_any_exception_in_create_and_lookup_is_outcome_unknown_in_sync(
    raised: BaseException,
) -> None:
    answer, _ = _server(raised, exists=True, lookup=raised)
    with (
        AllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url=BASE,
            max_retries=0,
            resolve_timeout=0.05,
            http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        ) as client,
        pytest.raises(OutcomeUnknownError) as info,
    ):
        client.payouts.create(**PAYOUT_ARGS)
    assert info.value.order_id == ORDER


async def _slow_create(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/initiate"):
        await anyio.sleep(10)  # received; the answer never comes in time
    return httpx.Response(200, json=envelope(PAYOUT_CREATED))


def _cancellable_client() -> AsyncAllianceClient:
    return AsyncAllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(_slow_create)),
    )


async def test_a_cancelled_create_propagates_with_a_warning_and_a_note(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="alliance_pay")
    async with _cancellable_client() as client:
        task = asyncio.ensure_future(client.payouts.create(**PAYOUT_ARGS))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as info:
            await task
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    text = warnings[0].getMessage()
    assert ORDER in text
    assert "outcome is unknown" in text
    assert f"retrieve({ORDER!r})" in text
    if sys.version_info >= (3, 11):  # add_note is 3.11+; the WARNING above covers 3.10
        assert any(ORDER in note for note in getattr(info.value, "__notes__", []))


async def test_a_create_in_a_cancel_scope_that_expires_is_logged_as_unknown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="alliance_pay")
    async with _cancellable_client() as client:
        with anyio.move_on_after(0.05) as scope:
            await client.payouts.create(**PAYOUT_ARGS)
    assert scope.cancelled_caught
    assert any(
        ORDER in r.getMessage() and "outcome is unknown" in r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING
    )


async def test_a_create_refused_before_sending_logs_no_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="alliance_pay")
    async with _cancellable_client() as client:
        with pytest.raises(ValueError, match="amount"):
            await client.payouts.create(**{**PAYOUT_ARGS, "amount": "-1"})
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def test_a_create_without_its_order_id_is_refused_before_sending() -> None:
    # A create's look-up, notes and warnings name the order id its call was written with; a
    # call without one is a programming error, refused before any request.
    from alliance_pay._api_call import ApiCall

    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(500))
    client = AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE,
        http_client=httpx.Client(transport=transport),
    )
    call = ApiCall("POST", "api/v1/payout/initiate", b"{}", idempotent=False)
    with pytest.raises(TypeError, match=r"payouts\.create: a create's call carries its order id"):
        client._create(
            call,
            Payout,
            operation="payouts.create",
            lookup=lambda order_id: call,
            lookup_type=Payout,
            found=lambda payout: payout,
            differences=lambda payout: {},
        )
    assert sent == []
