"""``client.webhooks.confirm`` and ``client.webhooks.handle`` against respx: a genuine event is
confirmed by a signed status call; a forged or altered one is refused."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
import respx

from alliance_pay import (
    APIResponseValidationError,
    AsyncAllianceClient,
    InternalServerError,
    Payin,
    PayinStatus,
    Payout,
    PayoutStatus,
    WebhookVerificationError,
)
from alliance_pay.webhooks import (
    InMemoryEventStore,
    KnownEvent,
    PayinEvent,
    PayoutEvent,
    WebhookOutcome,
    parse_event,
)
from tests.helpers import BASE_URL, PAYIN, PAYOUT_STATUS, assert_signed, envelope, sent_json
from tests.webhooks.samples import (
    PAYIN_FAILED,
    PAYIN_INITIATED,
    PAYIN_ORDER,
    PAYIN_SUCCEEDED,
    PAYOUT_FAILED,
    PAYOUT_ORDER,
    PAYOUT_SUCCEEDED,
    altered,
)

PAYIN_STATUS_URL = f"{BASE_URL}/api/v1/payin/transactions"
PAYOUT_STATUS_URL = f"{BASE_URL}/api/v1/payout/{PAYOUT_ORDER}/status"
NOT_FOUND = {"error": "Transaction not found.", "data": None, "message": "", "success": False}


def payin_event(body: bytes) -> PayinEvent:
    event = parse_event(body)
    assert isinstance(event, PayinEvent)
    return event


def payout_event(body: bytes) -> PayoutEvent:
    event = parse_event(body)
    assert isinstance(event, PayoutEvent)
    return event


# confirm: what is confirmed --------------------------------------------------------------------


async def test_a_genuine_payin_event_is_confirmed_by_a_signed_status_call(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    payin = await client.webhooks.confirm(payin_event(PAYIN_SUCCEEDED))
    assert isinstance(payin, Payin)
    assert payin.status is PayinStatus.APPROVED
    assert payin.amount == Decimal("100")
    assert payin.bank_upi == PAYIN["bank_upi"]  # the API's record, not the event's data
    request = route.calls.last.request
    assert sent_json(request) == {"order_id": PAYIN_ORDER}
    assert_signed(request)


async def test_a_genuine_payout_event_is_confirmed_by_a_signed_status_call(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(PAYOUT_STATUS))
    payout = await client.webhooks.confirm(payout_event(PAYOUT_SUCCEEDED))
    assert isinstance(payout, Payout)
    assert payout.status is PayoutStatus.APPROVED
    assert payout.charge == Decimal("5.9")
    assert_signed(route.calls.last.request)


async def test_failed_events_are_confirmed_when_the_api_rejected_the_order(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    rejected_payin = {**PAYIN, "status": "Rejected", "transaction_id": None}
    rejected_payout = {**PAYOUT_STATUS, "status": "Rejected", "transaction_id": None}
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(rejected_payin))
    respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(rejected_payout))
    payin = await client.webhooks.confirm(parse_event(PAYIN_FAILED))
    payout = await client.webhooks.confirm(parse_event(PAYOUT_FAILED))
    assert payin.status == "Rejected"
    assert payout.status == "Rejected"


async def test_amounts_compare_as_money_not_as_text(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(PAYOUT_STATUS))  # amount 100
    event = payout_event(altered(PAYOUT_SUCCEEDED, amount="100.00"))
    assert (await client.webhooks.confirm(event)).amount == Decimal("100")


async def test_payin_initiated_is_confirmed_when_the_payin_has_since_been_approved(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))  # Approved
    payin = await client.webhooks.confirm(payin_event(PAYIN_INITIATED))
    assert payin.status is PayinStatus.APPROVED  # act on this, not on "Initiated"


async def test_payin_initiated_is_confirmed_while_the_payin_is_still_pending(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    pending = {**PAYIN, "status": "Pending", "transaction_id": None}
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(pending))
    payin = await client.webhooks.confirm(payin_event(PAYIN_INITIATED))
    assert payin.status is PayinStatus.PENDING


# confirm: what is refused ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (altered(PAYIN_SUCCEEDED, amount=1000), "amount disagrees"),
        (altered(PAYIN_SUCCEEDED, amount="99.99"), "amount disagrees"),
        (altered(PAYIN_SUCCEEDED, request_amount=1000), "request_amount disagrees"),
        (altered(PAYIN_SUCCEEDED, transaction_id="11111111111"), "transaction_id disagrees"),
        (altered(PAYIN_INITIATED, amount=1), "amount disagrees"),
    ],
    ids=["amount", "amount-cents", "request-amount", "transaction-id", "initiated-amount"],
)
async def test_an_altered_payin_event_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, body: bytes, reason: str
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    event = parse_event(body)
    with pytest.raises(WebhookVerificationError, match=reason) as caught:
        await client.webhooks.confirm(event)
    assert caught.value.event is event


async def test_an_altered_payout_amount_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(PAYOUT_STATUS))
    with pytest.raises(WebhookVerificationError) as caught:
        await client.webhooks.confirm(parse_event(altered(PAYOUT_SUCCEEDED, amount=100000)))
    assert caught.value.reason == "amount disagrees: the event says 100000, the API says 100"


async def test_an_event_for_an_unknown_order_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(f"{BASE_URL}/api/v1/payout/FORGED-1/status").respond(404, json=NOT_FOUND)
    respx_mock.post(PAYIN_STATUS_URL).respond(404, json=NOT_FOUND)
    with pytest.raises(WebhookVerificationError, match="unknown order: the API has no payout"):
        await client.webhooks.confirm(parse_event(altered(PAYOUT_SUCCEEDED, order_id="FORGED-1")))
    with pytest.raises(WebhookVerificationError, match="unknown order: the API has no payin"):
        await client.webhooks.confirm(parse_event(altered(PAYIN_SUCCEEDED, order_id="FORGED-2")))


async def test_a_record_for_another_order_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    # A server (or a proxy's cache) that answers with some other order's record: a bad answer
    # (the status read refuses it), so the event is neither confirmed nor refused for good.
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope({**PAYIN, "order_id": "OTHER"}))
    with pytest.raises(APIResponseValidationError, match="order_id 'OTHER', not of"):
        await client.webhooks.confirm(parse_event(PAYIN_SUCCEEDED))


async def test_an_order_id_that_cannot_be_looked_up_is_refused_without_a_call(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    with pytest.raises(WebhookVerificationError, match="cannot be looked up"):
        await client.webhooks.confirm(parse_event(altered(PAYOUT_SUCCEEDED, order_id="..")))
    assert not respx_mock.calls


async def test_a_success_the_api_reports_as_rejected_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope({**PAYIN, "status": "Rejected"}))
    with pytest.raises(WebhookVerificationError, match="the event says 'Approved', the API says"):
        await client.webhooks.confirm(parse_event(PAYIN_SUCCEEDED))


async def test_a_forged_final_status_on_a_pending_payout_is_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    pending = {**PAYOUT_STATUS, "status": "Pending", "transaction_id": None}
    respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(pending))
    with pytest.raises(WebhookVerificationError, match="the API says 'Pending'"):
        await client.webhooks.confirm(parse_event(PAYOUT_SUCCEEDED))


@pytest.mark.parametrize(
    "body",
    [
        altered(PAYOUT_SUCCEEDED, status="Rejected"),
        altered(PAYOUT_FAILED, status="Approved"),
        altered(PAYIN_INITIATED, status="Approved"),
        altered(PAYIN_SUCCEEDED, status="Pending"),
        altered(PAYIN_FAILED, status="Refunded"),
    ],
    ids=["succeeded-rejected", "failed-approved", "initiated-approved", "succeeded-pending", "new"],
)
async def test_an_event_whose_status_contradicts_its_type_is_refused_without_a_call(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, body: bytes
) -> None:
    with pytest.raises(WebhookVerificationError, match="cannot carry the status"):
        await client.webhooks.confirm(parse_event(body))
    assert not respx_mock.calls


async def test_an_unknown_event_type_cannot_be_confirmed(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    event = parse_event(b'{"event": "refund.created", "data": {"order_id": "R-1"}}')
    with pytest.raises(WebhookVerificationError, match=r"'refund\.created' cannot be confirmed"):
        await client.webhooks.confirm(event)
    assert not respx_mock.calls


async def test_a_failing_status_call_is_not_mistaken_for_a_forgery(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(PAYOUT_STATUS_URL).respond(500, json={"message": "Server error."})
    with pytest.raises(InternalServerError):
        await client.webhooks.confirm(parse_event(PAYOUT_SUCCEEDED))


# handle -------------------------------------------------------------------------------------


class Recorder:
    def __init__(self, failures: int = 0) -> None:
        self.calls: list[tuple[KnownEvent, Payin | Payout]] = []
        self.failures = failures

    async def __call__(self, event: KnownEvent, record: Payin | Payout) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the merchant's database is down")
        self.calls.append((event, record))


async def test_handle_calls_the_handler_once_per_confirmed_event(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    handler = Recorder()
    first = await client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    again = await client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    initiated = await client.webhooks.handle(PAYIN_INITIATED, handler)
    assert (first.outcome, first.status_code) == (WebhookOutcome.HANDLED, 200)
    assert (again.outcome, again.status_code) == (WebhookOutcome.DUPLICATE, 200)
    assert (initiated.outcome, initiated.status_code) == (WebhookOutcome.HANDLED, 200)
    assert [event.type for event, _ in handler.calls] == ["payin.succeeded", "payin.initiated"]
    assert [record.status for _, record in handler.calls] == ["Approved", "Approved"]
    assert first.record == handler.calls[0][1]
    assert route.call_count == 2


async def test_handle_refuses_what_the_api_does_not_confirm(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    handler = Recorder()
    result = await client.webhooks.handle(altered(PAYIN_SUCCEEDED, amount=1), handler)
    assert (result.outcome, result.status_code) == (WebhookOutcome.REJECTED, 400)
    assert "amount disagrees" in result.detail
    assert handler.calls == []
    # A forged event does not use up its key: the genuine one is still handled.
    genuine = await client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    assert genuine.outcome is WebhookOutcome.HANDLED


async def test_handle_refuses_an_unknown_order(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(url__regex=r".*/api/v1/payout/.*").respond(404, json=NOT_FOUND)
    handler = Recorder()
    unknown = await client.webhooks.handle(altered(PAYOUT_SUCCEEDED, order_id="X-1"), handler)
    assert (unknown.outcome, unknown.status_code) == (WebhookOutcome.REJECTED, 400)
    assert "unknown order" in unknown.detail
    assert handler.calls == []


async def test_handle_refuses_a_self_contradicting_event_without_a_call(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    handler = Recorder()
    result = await client.webhooks.handle(altered(PAYOUT_SUCCEEDED, status="Rejected"), handler)
    assert (result.outcome, result.status_code) == (WebhookOutcome.REJECTED, 400)
    assert handler.calls == []
    assert not respx_mock.calls


async def test_handle_asks_for_a_redelivery_when_it_cannot_confirm_yet(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    pending = {**PAYOUT_STATUS, "status": "Pending", "transaction_id": None}
    respx_mock.get(PAYOUT_STATUS_URL).mock(
        side_effect=[
            httpx.Response(502, text="<html>Bad Gateway</html>"),
            httpx.Response(200, json=envelope(pending)),
            httpx.Response(200, json=envelope(PAYOUT_STATUS)),
        ]
    )
    handler = Recorder()
    down = await client.webhooks.handle(PAYOUT_SUCCEEDED, handler)
    early = await client.webhooks.handle(PAYOUT_SUCCEEDED, handler)
    settled = await client.webhooks.handle(PAYOUT_SUCCEEDED, handler)
    assert (down.outcome, down.status_code) == (WebhookOutcome.RETRY, 503)
    assert (early.outcome, early.status_code) == (WebhookOutcome.RETRY, 503)
    assert (settled.outcome, settled.status_code) == (WebhookOutcome.HANDLED, 200)
    assert len(handler.calls) == 1


async def test_handle_lets_a_handler_error_through_and_handles_the_redelivery(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    handler = Recorder(failures=1)
    with pytest.raises(RuntimeError, match="database is down"):
        await client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    result = await client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    assert result.outcome is WebhookOutcome.HANDLED
    assert len(handler.calls) == 1


async def test_handle_answers_bad_bodies_and_unknown_types_without_a_call(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    handler = Recorder()
    invalid = await client.webhooks.handle(b"<html>", handler)
    ignored = await client.webhooks.handle(b'{"event": "x.y", "data": {}}', handler)
    assert (invalid.outcome, invalid.status_code, invalid.event) == (
        WebhookOutcome.INVALID,
        400,
        None,
    )
    assert "not valid JSON" in invalid.detail
    assert (ignored.outcome, ignored.status_code) == (WebhookOutcome.IGNORED, 200)
    assert handler.calls == []
    assert not respx_mock.calls


async def test_handle_uses_the_store_it_is_given(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    store = InMemoryEventStore()
    store.claim(f"payin.succeeded:{PAYIN_ORDER}")
    store.complete(f"payin.succeeded:{PAYIN_ORDER}")
    handler = Recorder()
    with_store = await client.webhooks.handle(PAYIN_SUCCEEDED, handler, store=store)
    without = await client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    assert with_store.outcome is WebhookOutcome.DUPLICATE
    assert without.outcome is WebhookOutcome.HANDLED
