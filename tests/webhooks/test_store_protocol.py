"""A store written for alliance-pay 0.1.0 (``claim``, ``complete``, ``release``) is refused with
a TypeError naming what it lacks, when a receiver is made and before ``handle`` stores anything;
never an AttributeError halfway through a delivery."""

from __future__ import annotations

import pytest

from alliance_pay import AllianceClient, AsyncAllianceClient
from alliance_pay.webhooks import (
    Claim,
    InMemoryEventStore,
    SQLiteEventStore,
    webhook_app,
    webhook_wsgi_app,
)
from tests.webhooks.samples import PAYIN_SUCCEEDED

NEW_IN_THE_PROTOCOL = (
    "record_delivery, note_delivery, mark_confirmed, fail, forge, rearm, events, history, "
    "deliveries, prune, close, the lease attribute"
)


class StoreOf010:
    """The store docs/webhooks.md taught in 0.1.0: claims only."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def claim(self, key: str) -> Claim:
        self.calls.append("claim")
        return Claim.NEW

    def complete(self, key: str) -> None:
        self.calls.append("complete")

    def release(self, key: str) -> None:
        self.calls.append("release")


def test_a_receiver_refuses_a_store_of_0_1_0_when_it_is_made(
    client: AsyncAllianceClient, sync_client: AllianceClient
) -> None:
    for make in (
        lambda store: webhook_app(client, lambda event, record: None, store=store),
        lambda store: webhook_wsgi_app(sync_client, lambda event, record: None, store=store),
    ):
        with pytest.raises(TypeError) as refused:
            make(StoreOf010())
        assert str(refused.value).startswith(
            f"StoreOf010 is not an EventStore: it lacks {NEW_IN_THE_PROTOCOL}."
        )
        assert "SQLiteEventStore or PostgresEventStore" in str(refused.value)


async def test_handle_refuses_a_store_of_0_1_0_before_touching_it(
    client: AsyncAllianceClient, sync_client: AllianceClient
) -> None:
    store = StoreOf010()

    with pytest.raises(TypeError, match="StoreOf010 is not an EventStore: it lacks record_"):
        await client.webhooks.handle(PAYIN_SUCCEEDED, lambda event, record: None, store=store)
    with pytest.raises(TypeError, match="StoreOf010 is not an EventStore: it lacks record_"):
        sync_client.webhooks.handle(PAYIN_SUCCEEDED, lambda event, record: None, store=store)

    assert store.calls == []


def test_the_stores_of_the_sdk_have_every_method_of_the_protocol(tmp_path: object) -> None:
    from alliance_pay.webhooks._store import EVENT_STORE_METHODS, check_event_store

    assert len(EVENT_STORE_METHODS) == 14
    check_event_store(InMemoryEventStore())
    with SQLiteEventStore(f"{tmp_path}/w.sqlite3") as store:
        check_event_store(store)
