"""The event stores under test, made alike: one fixture, every backend, the real servers included.

``make_store(**options)`` builds a store of the parametrized kind; for the durable kinds, two
calls share one database (two processes' or two replicas' view of it). ``kind`` says which.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from alliance_pay import AllianceClient, AsyncAllianceClient
from alliance_pay.webhooks import (
    EventStore,
    InMemoryEventStore,
    PostgresEventStore,
    SQLiteEventStore,
)
from tests.helpers import ACCESS_KEY, BASE_URL, SECRET_KEY

KINDS = ("memory", "sqlite", "postgres")
DURABLE_KINDS = ("sqlite", "postgres")

StoreFactory = Callable[..., Any]


def _location(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "postgres":
        dsn: str = request.getfixturevalue("postgres_dsn")
        return dsn
    return str(tmp_path / "webhooks.sqlite3")


def _factory(kind: str, location: str) -> Callable[..., EventStore]:
    made: list[Any] = []

    def make(**options: Any) -> EventStore:
        store: EventStore
        if kind == "memory":
            if made:  # one process's memory: "another view" of it is the same object
                return made[0]  # type: ignore[no-any-return]
            store = InMemoryEventStore(**options)
        elif kind == "sqlite":
            store = SQLiteEventStore(location, **options)
        else:
            store = PostgresEventStore(location, **options)
        made.append(store)
        return store

    make.made = made  # type: ignore[attr-defined]
    return make


@pytest.fixture(params=KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def store_location(store_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _location(store_kind, request, tmp_path)


@pytest.fixture
def make_store(store_kind: str, store_location: str) -> Iterator[Callable[..., EventStore]]:
    make = _factory(store_kind, store_location)
    yield make
    for store in make.made:  # type: ignore[attr-defined]
        close = getattr(store, "close", None)
        if close is not None:
            close()


@pytest.fixture(params=DURABLE_KINDS)
def durable_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def durable_location(durable_kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _location(durable_kind, request, tmp_path)


@pytest.fixture
def make_durable_store(
    durable_kind: str, durable_location: str
) -> Iterator[Callable[..., EventStore]]:
    make = _factory(durable_kind, durable_location)
    yield make
    for store in make.made:  # type: ignore[attr-defined]
        store.close()


@pytest.fixture
async def client() -> AsyncIterator[AsyncAllianceClient]:
    """An async client for the receivers' status calls (respx answers them), no retries."""
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, max_retries=0
    ) as client:
        yield client


@pytest.fixture
def sync_client() -> Iterator[AllianceClient]:
    """The sync twin of ``client``."""
    with AllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, max_retries=0
    ) as client:
        yield client
