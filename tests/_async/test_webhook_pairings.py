"""Webhook confirmation over every pairing of the event's status and the API's status.

The rule, as a receiver sees it through ``client.webhooks.handle``:

- the API says what the event says: handled;
- the event is not final (``payin.initiated``): handled whatever the API says now, because
  the order may have moved on (the handler gets the API's record, not the event's);
- the event is final and the API still says ``Pending`` or ``Initiated``: answered 503, so the
  provider sends it again; the webhook may have outrun the status API;
- the event is final and the API says anything else: rejected (400), the handler never runs.

``client.webhooks.confirm`` returns the record exactly when ``handle`` would handle it.
"""

from __future__ import annotations

from typing import Any

import pytest
import respx

from alliance_pay import AsyncAllianceClient, Payin, Payout, WebhookVerificationError
from alliance_pay.webhooks import KnownEvent, WebhookOutcome, parse_event
from tests.helpers import BASE_URL, PAYIN, PAYOUT_STATUS, envelope
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
HANDLED, RETRY, REJECTED = WebhookOutcome.HANDLED, WebhookOutcome.RETRY, WebhookOutcome.REJECTED

EVENTS = {
    "payin.initiated/Initiated": PAYIN_INITIATED,
    "payin.initiated/Pending": altered(PAYIN_INITIATED, status="Pending"),
    "payin.succeeded/Approved": PAYIN_SUCCEEDED,
    "payin.failed/Rejected": PAYIN_FAILED,
    "payout.succeeded/Approved": PAYOUT_SUCCEEDED,
    "payout.failed/Rejected": PAYOUT_FAILED,
}
API_STATUSES = ("Pending", "Initiated", "Approved", "Rejected", "Refunded")
#: What ``handle`` does, for each event and each status the API may answer with. "Refunded"
#: stands for a status this SDK does not know yet.
EXPECTED: dict[str, dict[str, WebhookOutcome]] = {
    "payin.initiated/Initiated": dict.fromkeys(API_STATUSES, HANDLED),
    "payin.initiated/Pending": dict.fromkeys(API_STATUSES, HANDLED),
    "payin.succeeded/Approved": {
        "Pending": RETRY,
        "Initiated": RETRY,
        "Approved": HANDLED,
        "Rejected": REJECTED,
        "Refunded": REJECTED,
    },
    "payin.failed/Rejected": {
        "Pending": RETRY,
        "Initiated": RETRY,
        "Approved": REJECTED,
        "Rejected": HANDLED,
        "Refunded": REJECTED,
    },
    "payout.succeeded/Approved": {
        "Pending": RETRY,
        "Initiated": RETRY,
        "Approved": HANDLED,
        "Rejected": REJECTED,
        "Refunded": REJECTED,
    },
    "payout.failed/Rejected": {
        "Pending": RETRY,
        "Initiated": RETRY,
        "Approved": REJECTED,
        "Rejected": HANDLED,
        "Refunded": REJECTED,
    },
}
PAIRINGS = [(event, api) for event in EVENTS for api in API_STATUSES]
#: Statuses an event type cannot carry: refused from the event alone, without a status call.
CONTRADICTIONS = [
    ("payin.initiated", PAYIN_INITIATED, status) for status in ("Approved", "Rejected", "Refunded")
] + [
    (kind, body, status)
    for kind, body, own in (
        ("payin.succeeded", PAYIN_SUCCEEDED, "Approved"),
        ("payin.failed", PAYIN_FAILED, "Rejected"),
        ("payout.succeeded", PAYOUT_SUCCEEDED, "Approved"),
        ("payout.failed", PAYOUT_FAILED, "Rejected"),
    )
    for status in ("Pending", "Initiated", "Approved", "Rejected", "Refunded")
    if status != own
]


class Recorder:
    def __init__(self) -> None:
        self.records: list[Payin | Payout] = []

    async def __call__(self, event: KnownEvent, record: Payin | Payout) -> None:
        self.records.append(record)


def api_answers(respx_mock: respx.MockRouter, event: str, status: str, **changes: Any) -> None:
    if event.startswith("payin"):
        record = {**PAYIN, "order_id": PAYIN_ORDER, "status": status, **changes}
        respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(record))
    else:
        record = {**PAYOUT_STATUS, "order_id": PAYOUT_ORDER, "status": status, **changes}
        respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(record))


def ids(pairing: tuple[str, str]) -> str:
    return f"{pairing[0]}+api:{pairing[1]}"


@pytest.mark.parametrize("pairing", PAIRINGS, ids=ids)
async def test_handle_over_every_pairing_of_event_status_and_api_status(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, pairing: tuple[str, str]
) -> None:
    event, api_status = pairing
    # The ids and amounts agree; only the status is under test. A final event carries the
    # transaction id; the API's record may not have one yet.
    api_answers(respx_mock, event, api_status, transaction_id=None)
    handler = Recorder()
    result = await client.webhooks.handle(EVENTS[event], handler)
    expected = EXPECTED[event][api_status]
    assert result.outcome is expected
    assert result.status_code == {HANDLED: 200, RETRY: 503, REJECTED: 400}[expected]
    if expected is HANDLED:
        [record] = handler.records
        assert record.status.value == api_status  # the API's record, never the event's data
    else:
        assert handler.records == []


@pytest.mark.parametrize("pairing", PAIRINGS, ids=ids)
async def test_confirm_returns_the_record_exactly_when_handle_would_handle_the_event(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, pairing: tuple[str, str]
) -> None:
    event, api_status = pairing
    api_answers(respx_mock, event, api_status, transaction_id=None)
    parsed = parse_event(EVENTS[event])
    if EXPECTED[event][api_status] is HANDLED:
        record = await client.webhooks.confirm(parsed)
        assert record.status.value == api_status
    else:
        with pytest.raises(WebhookVerificationError, match="status disagrees"):
            await client.webhooks.confirm(parsed)


async def test_a_final_event_while_the_api_still_says_initiated_is_asked_again_not_refused(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter
) -> None:
    api_answers(respx_mock, "payout", "Initiated", transaction_id=None)
    handler = Recorder()
    early = await client.webhooks.handle(PAYOUT_SUCCEEDED, handler)
    assert (early.outcome, early.status_code) == (RETRY, 503)
    # The redelivery, once the API has caught up, is handled: the first answer held no claim.
    respx_mock.reset()
    api_answers(respx_mock, "payout", "Approved")
    later = await client.webhooks.handle(PAYOUT_SUCCEEDED, handler)
    assert (later.outcome, later.status_code) == (HANDLED, 200)
    assert len(handler.records) == 1


@pytest.mark.parametrize(
    ("kind", "body", "status"), CONTRADICTIONS, ids=[f"{k}/{s}" for k, _, s in CONTRADICTIONS]
)
async def test_an_event_carrying_a_status_its_type_cannot_have_is_rejected_without_a_call(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, kind: str, body: bytes, status: str
) -> None:
    handler = Recorder()
    result = await client.webhooks.handle(altered(body, status=status), handler)
    assert (result.outcome, result.status_code) == (REJECTED, 400)
    with pytest.raises(WebhookVerificationError, match="cannot carry"):
        await client.webhooks.confirm(parse_event(altered(body, status=status)))
    assert handler.records == []
    assert not respx_mock.calls


@pytest.mark.parametrize(
    ("event", "field", "value"),
    [
        ("payin.succeeded/Approved", "amount", 100.01),
        ("payin.succeeded/Approved", "request_amount", 99),
        ("payin.succeeded/Approved", "transaction_id", "OTHER-UTR"),
        ("payout.succeeded/Approved", "amount", 1000),
        ("payout.succeeded/Approved", "transaction_id", "OTHER-UTR"),
        ("payin.initiated/Initiated", "amount", 1),  # even a non-final event must agree
    ],
    ids=repr,
)
async def test_an_event_the_api_disagrees_with_on_money_or_identity_is_rejected(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    event: str,
    field: str,
    value: object,
) -> None:
    own_status = event.split("/")[1]
    api_answers(respx_mock, event, own_status, **{field: value})
    handler = Recorder()
    result = await client.webhooks.handle(EVENTS[event], handler)
    assert (result.outcome, result.status_code) == (REJECTED, 400)
    assert handler.records == []


@pytest.mark.parametrize("event", ["payin.succeeded/Approved", "payout.succeeded/Approved"])
async def test_a_status_read_for_another_order_is_retried_not_handled(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, event: str
) -> None:
    # The status read itself refuses a record of another order (a confused proxy or a shared
    # pool): a bad answer, so the provider is asked to redeliver, and nothing is handled.
    api_answers(respx_mock, event, event.split("/")[1], order_id="another-order")
    handler = Recorder()
    result = await client.webhooks.handle(EVENTS[event], handler)
    assert result.outcome == RETRY
    assert result.status_code >= 500
    assert handler.records == []


@pytest.mark.parametrize(
    ("event", "changes"),
    [
        ("payin.succeeded/Approved", {"amount": "100.00", "request_amount": 100.0}),
        ("payout.succeeded/Approved", {"amount": "100.0"}),
        ("payin.succeeded/Approved", {"transaction_id": None}),  # the API has none yet
    ],
    ids=repr,
)
async def test_an_event_the_api_agrees_with_is_handled_however_the_numbers_are_written(
    client: AsyncAllianceClient,
    respx_mock: respx.MockRouter,
    event: str,
    changes: dict[str, object],
) -> None:
    api_answers(respx_mock, event, event.split("/")[1], **changes)
    handler = Recorder()
    result = await client.webhooks.handle(EVENTS[event], handler)
    assert result.outcome is HANDLED


@pytest.mark.parametrize("missing", ["amount", "request_amount", "transaction_id"])
async def test_a_field_the_event_leaves_out_is_not_compared(
    client: AsyncAllianceClient, respx_mock: respx.MockRouter, missing: str
) -> None:
    api_answers(respx_mock, "payin", "Approved")
    body = altered(PAYIN_SUCCEEDED, **{missing: None})
    result = await client.webhooks.handle(body, Recorder())
    assert result.outcome is HANDLED


def test_the_comparison_itself_refuses_a_self_contradicting_event_whoever_calls_it() -> None:
    # Both receivers check contradiction_in first; the comparison must not rely on that.
    from alliance_pay._converter import converter
    from alliance_pay.webhooks._confirmation import disagreement

    event = parse_event(altered(PAYOUT_SUCCEEDED, status="Rejected"))
    assert isinstance(event, KnownEvent)
    record = converter.structure({**PAYOUT_STATUS, "status": "Rejected"}, Payout)
    mismatch = disagreement(event, record)
    assert mismatch is not None
    assert "cannot carry" in mismatch.reason
