"""``parse_event`` on the documentation's bodies and on malformed ones, the idempotency keys, the
in-memory store, and the ASGI receiver driven in-process (``httpx.ASGITransport``), with respx
standing in for the API's status calls."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import anyio
import httpx
import pytest
import respx

from alliance_pay import (
    AllianceError,
    AsyncAllianceClient,
    Payin,
    PayinStatus,
    Payout,
    PayoutStatus,
    WebhookParseError,
)
from alliance_pay.webhooks import (
    Claim,
    EventType,
    InMemoryEventStore,
    KnownEvent,
    PayinEvent,
    PayoutEvent,
    UnknownEvent,
    parse_event,
    webhook_app,
)
from tests.helpers import ACCESS_KEY, BASE_URL, PAYIN, PAYOUT_STATUS, SECRET_KEY, envelope
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

# Parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind", "event_type", "status"),
    [
        (PAYIN_INITIATED, PayinEvent, EventType.PAYIN_INITIATED, PayinStatus.INITIATED),
        (PAYIN_SUCCEEDED, PayinEvent, EventType.PAYIN_SUCCEEDED, PayinStatus.APPROVED),
        (PAYIN_FAILED, PayinEvent, EventType.PAYIN_FAILED, PayinStatus.REJECTED),
        (PAYOUT_SUCCEEDED, PayoutEvent, EventType.PAYOUT_SUCCEEDED, PayoutStatus.APPROVED),
        (PAYOUT_FAILED, PayoutEvent, EventType.PAYOUT_FAILED, PayoutStatus.REJECTED),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_the_documented_bodies_parse_into_typed_events(
    body: bytes, kind: type[KnownEvent], event_type: EventType, status: object
) -> None:
    event = parse_event(body)
    assert type(event) is kind
    assert event.type is event_type
    assert event.type == json.loads(body)["event"]  # .type is the event's name
    assert event.data.status is status
    assert isinstance(event.data.amount, Decimal)
    assert event.data.amount == Decimal("100")


def test_the_documented_payin_body_reads_like_the_status_call() -> None:
    event = parse_event(PAYIN_SUCCEEDED)
    assert isinstance(event, PayinEvent)
    assert event.data == Payin(
        order_id=PAYIN_ORDER,
        status=PayinStatus.APPROVED,
        user_id="a42332-2fs-q341-d36d34",
        transaction_id="98675644343",
        amount=Decimal("100"),
        request_amount=Decimal("100"),
        method="UPI",
        comments="Auto Approved",
        time_of_processing=event.data.time_of_processing,
        created_at=event.data.created_at,
        updated_at=event.data.updated_at,
        bank_upi="gfdfgdfgdfgddg@yesbankltd",
        bank_name="SHRI NEELKANTH ENTERPRISE BHARATPE",
    )
    assert event.data.time_of_processing is not None
    assert event.data.time_of_processing.isoformat() == "2025-08-04T16:58:30+05:30"


def test_money_in_a_payout_event_is_exact() -> None:
    event = parse_event(PAYOUT_SUCCEEDED)
    assert isinstance(event, PayoutEvent)
    assert event.data.charge == Decimal("5.9")
    assert (
        str(event.data.charge) == "5.9"
    )  # not 5.9000000000000003552713678800500929355621337890625
    assert event.data.beneficiary_mobile_no == "7878787878"
    assert "99999999999" not in repr(event)  # the account number stays masked in logs


def test_amounts_keep_the_digits_they_were_sent_with() -> None:
    event = parse_event(altered(PAYIN_SUCCEEDED, amount="499.50", request_amount=0.1))
    assert event.data.amount == Decimal("499.50")
    assert isinstance(event, PayinEvent)
    assert str(event.data.request_amount) == "0.1"


def test_str_and_bytes_parse_alike() -> None:
    assert parse_event(PAYOUT_SUCCEEDED.decode()) == parse_event(PAYOUT_SUCCEEDED)


def test_an_unknown_event_type_parses_with_its_data_as_received() -> None:
    event = parse_event(
        b'{"event": "refund.created", "data": {"order_id": "R-1", "amount": 10.50}}'
    )
    assert isinstance(event, UnknownEvent)
    assert event.type == "refund.created"
    assert event.data == {"order_id": "R-1", "amount": Decimal("10.50")}
    assert str(event.data["amount"]) == "10.50"


def test_an_unknown_status_in_a_known_event_does_not_break_parsing() -> None:
    event = parse_event(altered(PAYOUT_SUCCEEDED, status="OnHold"))
    assert event.data.status.name == "UNKNOWN"
    assert event.data.status == "OnHold"


def test_extra_fields_are_ignored() -> None:
    body = json.loads(PAYIN_SUCCEEDED)
    body["signature"] = "whatever"
    body["data"]["new_field"] = {"nested": [1, 2]}
    assert parse_event(json.dumps(body)) == parse_event(PAYIN_SUCCEEDED)


MALFORMED = [
    (b"\xff\xfe{}", "not UTF-8"),
    (b"", "not valid JSON"),
    (b"{not json", "not valid JSON"),
    (b'{"event": "payin.succeeded", "data": {}', "not valid JSON"),
    (b'{"event": "payout.failed", "data": {"order_id": "P", "status": "Rejected", "amount": NaN}}',
     "not valid JSON"),
    (b'{"event": "payin.succeeded", "event": "payout.succeeded", "data": {}}', "duplicate key"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'["payin.succeeded"]', "must be a JSON object, not an array"),
    (b'"payin.succeeded"', "must be a JSON object, not a string"),
    (b"null", "must be a JSON object, not null"),
    (b'{"data": {}}', "no 'event'"),
    (b'{"event": 7, "data": {}}', "'event' must be a string, not a number"),
    (b'{"event": null, "data": {}}', "'event' must be a string, not null"),
    (b'{"event": " ", "data": {}}', "'event' is empty"),
    (b'{"event": "payin.succeeded"}', "no 'data'"),
    (b'{"event": "payin.succeeded", "data": []}', "'data' must be a JSON object, not an array"),
    (b'{"event": "payin.succeeded", "data": "x"}', "'data' must be a JSON object, not a string"),
    (b'{"event": "refund.created", "data": null}', "'data' must be a JSON object, not null"),
    (b'{"event": "payin.succeeded", "data": {"status": "Approved"}}',
     "required field missing @ data.order_id"),
    (b'{"event": "payout.succeeded", "data": {"order_id": "P-1"}}',
     "required field missing @ data.status"),
    (b'{"event": "payout.succeeded", "data": {"order_id": "P-1", "status": 1}}', "data.status"),
    (b'{"event": "payin.failed", "data": {"order_id": "A", "status": "Rejected", "amount": "ten"}}',
     "data.amount"),
    (b'{"event": "payin.failed", "data": {"order_id": "A", "status": "Rejected", "amount": true}}',
     "data.amount"),
    (b'{"event": "payin.failed", "data": {"order_id": ["A"], "status": "Rejected"}}',
     "data.order_id"),
    (b'{"event": "payin.failed", "data": {"order_id": "", "status": "Rejected"}}',
     "data.order_id is empty"),
    (b'{"event": "payin.failed", "data": {"order_id": null, "status": "Rejected"}}',
     "data.order_id must be a string, not null"),
    (b'{"event": "payout.failed", "data": {"order_id": {"id": 1}, "status": "Rejected"}}',
     "data.order_id must be a string, not an object"),
    (b'{"event": "payout.failed", "data": {"order_id": "P", "status": "Rejected", '
     b'"created_at": "yesterday"}}', "data.created_at"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "reason"), MALFORMED)
def test_a_malformed_body_raises_webhook_parse_error_with_a_reason(
    body: bytes, reason: str
) -> None:
    with pytest.raises(WebhookParseError) as caught:
        parse_event(body)
    assert reason in str(caught.value)
    assert isinstance(caught.value, AllianceError)
    # The message is the SDK's own: no chained JSONDecodeError or cattrs error behind it.
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None or caught.value.__suppress_context__


def test_parsed_json_instead_of_the_raw_body_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="raw body"):
        parse_event(json.loads(PAYIN_SUCCEEDED))  # type: ignore[arg-type]


# Keys ---------------------------------------------------------------------------------------


def test_a_known_event_key_is_its_type_and_order_id() -> None:
    assert parse_event(PAYIN_INITIATED).key == f"payin.initiated:{PAYIN_ORDER}"
    assert parse_event(PAYIN_SUCCEEDED).key == f"payin.succeeded:{PAYIN_ORDER}"
    assert parse_event(PAYOUT_FAILED).key == f"payout.failed:{PAYOUT_ORDER}"


def test_a_redelivery_has_the_same_key_however_it_is_formatted() -> None:
    compact = json.dumps(json.loads(PAYOUT_SUCCEEDED), separators=(",", ":"))
    assert parse_event(compact).key == parse_event(PAYOUT_SUCCEEDED).key


def test_each_event_of_one_order_has_its_own_key() -> None:
    keys = {parse_event(body).key for body in (PAYIN_INITIATED, PAYIN_SUCCEEDED, PAYIN_FAILED)}
    assert len(keys) == 3


def test_an_unknown_event_key_is_a_digest_of_the_canonical_body() -> None:
    one = parse_event(b'{"event": "refund.created", "data": {"order_id": "R-1", "amount": 10.5}}')
    same = parse_event(b'{"data":{"amount":10.50,"order_id":"R-1"},"event":"refund.created"}')
    other = parse_event(b'{"event": "refund.created", "data": {"order_id": "R-2", "amount": 10.5}}')
    assert one.key == same.key
    assert one.key != other.key
    assert one.key.startswith("refund.created:sha256:")
    assert len(one.key.rsplit(":", 1)[1]) == 64


# The store ----------------------------------------------------------------------------------


def test_the_store_claims_a_key_once_until_it_is_released() -> None:
    store = InMemoryEventStore()
    assert store.claim("k") is Claim.NEW
    assert store.claim("k") is Claim.IN_PROGRESS
    store.release("k")
    assert store.claim("k") is Claim.NEW
    store.complete("k")
    assert store.claim("k") is Claim.HANDLED


def test_the_store_forgets_the_oldest_handled_keys_beyond_its_size() -> None:
    store = InMemoryEventStore(max_size=2)
    for key in ("a", "b", "c"):
        assert store.claim(key) is Claim.NEW
        store.complete(key)
    assert store.claim("b") is Claim.HANDLED
    assert store.claim("c") is Claim.HANDLED
    assert store.claim("a") is Claim.NEW


@pytest.mark.parametrize("size", [0, -1, True])
def test_the_store_refuses_a_size_that_is_not_positive(size: int) -> None:
    with pytest.raises(ValueError, match="max_size"):
        InMemoryEventStore(max_size=size)


# The ASGI receiver --------------------------------------------------------------------------


class Recorder:
    """A handler that records what it was called with, and can be told to fail or to wait."""

    def __init__(self) -> None:
        self.calls: list[tuple[KnownEvent, Payin | Payout]] = []
        self.failures = 0
        self.gate: anyio.Event | None = None
        self.entered = anyio.Event()

    async def __call__(self, event: KnownEvent, record: Payin | Payout) -> None:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the merchant's database is down")
        self.calls.append((event, record))


@pytest.fixture
async def client() -> AsyncIterator[AsyncAllianceClient]:
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, max_retries=0
    ) as client:
        yield client


@pytest.fixture
def handler() -> Recorder:
    return Recorder()


@pytest.fixture
async def merchant(
    client: AsyncAllianceClient, handler: Recorder
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client that talks to the receiver in-process, as the provider would."""
    transport = httpx.ASGITransport(webhook_app(client, handler))
    async with httpx.AsyncClient(transport=transport, base_url="http://merchant.test") as http:
        yield http


async def deliver(merchant: httpx.AsyncClient, body: bytes) -> httpx.Response:
    return await merchant.post("/webhooks/alliance", content=body)


def outcome(response: httpx.Response) -> Any:
    return response.json()["outcome"]


async def test_a_genuine_event_is_confirmed_handled_and_acknowledged(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    response = await deliver(merchant, PAYIN_SUCCEEDED)
    assert (response.status_code, outcome(response)) == (200, "handled")
    assert route.call_count == 1
    [(event, record)] = handler.calls
    assert event.key == f"payin.succeeded:{PAYIN_ORDER}"
    assert isinstance(record, Payin)
    assert record.status is PayinStatus.APPROVED
    assert record.bank_upi == PAYIN["bank_upi"]  # the API's record, not the event's data


async def test_a_redelivery_is_acknowledged_without_handling_it_again(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(PAYOUT_STATUS))
    first = await deliver(merchant, PAYOUT_SUCCEEDED)
    again = await deliver(merchant, PAYOUT_SUCCEEDED)
    assert (first.status_code, outcome(first)) == (200, "handled")
    assert (again.status_code, outcome(again)) == (200, "duplicate")
    assert len(handler.calls) == 1
    assert route.call_count == 1


async def test_a_forged_amount_is_refused_without_telling_the_forger_the_real_one(
    merchant: httpx.AsyncClient,
    handler: Recorder,
    respx_mock: respx.MockRouter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    with caplog.at_level(logging.WARNING, logger="alliance_pay"):
        response = await deliver(merchant, altered(PAYIN_SUCCEEDED, amount=1))
    assert response.status_code == 400
    assert response.json() == {"outcome": "rejected"}
    assert handler.calls == []
    assert "amount disagrees: the event says 1, the API says 100" in caplog.text


async def test_an_event_for_an_unknown_order_is_refused(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(url__regex=rf"{BASE_URL}/api/v1/payout/.+/status").respond(
        404, json={"error": "Transaction not found.", "data": None, "success": False}
    )
    response = await deliver(merchant, altered(PAYOUT_SUCCEEDED, order_id="FORGED-1"))
    assert (response.status_code, outcome(response)) == (400, "rejected")
    assert handler.calls == []


async def test_a_failed_status_call_asks_for_a_redelivery_which_is_then_handled(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(PAYOUT_STATUS_URL).mock(
        side_effect=[
            httpx.Response(503, text="down"),
            httpx.Response(200, json=envelope(PAYOUT_STATUS)),
        ]
    )
    first = await deliver(merchant, PAYOUT_SUCCEEDED)
    assert (first.status_code, outcome(first)) == (503, "retry")
    assert handler.calls == []
    again = await deliver(merchant, PAYOUT_SUCCEEDED)
    assert (again.status_code, outcome(again)) == (200, "handled")
    assert len(handler.calls) == 1


async def test_a_final_status_the_api_does_not_show_yet_asks_for_a_redelivery(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    pending = {**PAYOUT_STATUS, "status": "Pending", "transaction_id": None}
    respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(pending))
    response = await deliver(merchant, PAYOUT_SUCCEEDED)
    assert (response.status_code, outcome(response)) == (503, "retry")
    assert handler.calls == []


async def test_a_final_status_the_api_contradicts_is_refused(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    rejected = {**PAYOUT_STATUS, "status": "Rejected"}
    respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(rejected))
    response = await deliver(merchant, PAYOUT_SUCCEEDED)
    assert (response.status_code, outcome(response)) == (400, "rejected")
    assert handler.calls == []


async def test_a_handler_that_raises_gets_a_500_and_the_redelivery_is_handled(
    merchant: httpx.AsyncClient,
    handler: Recorder,
    respx_mock: respx.MockRouter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    handler.failures = 1
    with caplog.at_level(logging.ERROR, logger="alliance_pay"):
        first = await deliver(merchant, PAYIN_SUCCEEDED)
    assert (first.status_code, outcome(first)) == (500, "error")
    assert "the merchant's database is down" in caplog.text
    again = await deliver(merchant, PAYIN_SUCCEEDED)
    assert (again.status_code, outcome(again)) == (200, "handled")
    assert len(handler.calls) == 1


async def test_a_concurrent_delivery_of_an_event_being_handled_is_not_acknowledged(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    handler.gate = anyio.Event()
    responses: list[httpx.Response] = []

    async def first_delivery() -> None:
        responses.append(await deliver(merchant, PAYIN_SUCCEEDED))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(first_delivery)
            await handler.entered.wait()
            second = await deliver(merchant, PAYIN_SUCCEEDED)
            handler.gate.set()
    assert (second.status_code, outcome(second)) == (503, "in_progress")
    assert [(r.status_code, outcome(r)) for r in responses] == [(200, "handled")]
    assert len(handler.calls) == 1


async def test_a_malformed_body_is_refused_without_a_status_call(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    response = await deliver(
        merchant, b'{"event": "payin.succeeded", "data": {"status": "Approved"}}'
    )
    assert (response.status_code, outcome(response)) == (400, "invalid")
    assert handler.calls == []
    assert not respx_mock.calls


async def test_an_unknown_event_type_is_acknowledged_but_not_handled(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    response = await deliver(merchant, b'{"event": "refund.created", "data": {"order_id": "R-1"}}')
    assert (response.status_code, outcome(response)) == (200, "ignored")
    assert handler.calls == []
    assert not respx_mock.calls


async def test_only_post_is_answered(merchant: httpx.AsyncClient) -> None:
    response = await merchant.get("/webhooks/alliance")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_an_oversized_body_is_refused(
    merchant: httpx.AsyncClient, handler: Recorder, respx_mock: respx.MockRouter
) -> None:
    response = await deliver(merchant, b" " * (64 * 1024 + 1))
    assert response.status_code == 413
    assert not respx_mock.calls


async def test_the_receiver_answers_the_lifespan_protocol(client: AsyncAllianceClient) -> None:
    app = webhook_app(client, Recorder())
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
