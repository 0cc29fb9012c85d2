"""Loading the documentation's example apps as fresh modules, and waiting on a served sandbox."""

from __future__ import annotations

import importlib.util
import itertools
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from alliance_pay import Payin, Payout
from alliance_pay.webhooks import KnownEvent
from tests.helpers import ACCESS_KEY, SECRET_KEY

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
_fresh = itertools.count()


@contextmanager
def example_module(name: str, monkeypatch: pytest.MonkeyPatch, base_url: str) -> Iterator[Any]:
    """Import ``docs/examples/<name>.py`` afresh, its client configured as a reader's shell
    would (``ALLIANCE_*`` variables, the event store in a fresh directory), and forget it
    afterwards."""
    monkeypatch.setenv("ALLIANCE_BASE_URL", base_url)
    monkeypatch.setenv("ALLIANCE_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("ALLIANCE_SECRET_KEY", SECRET_KEY)
    module_name = f"_docs_example_{name}_{next(_fresh)}"
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    with tempfile.TemporaryDirectory() as directory:
        monkeypatch.setenv("ALLIANCE_WEBHOOK_STORE", str(Path(directory) / "webhooks.sqlite3"))
        module: ModuleType = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, module_name, module)
        spec.loader.exec_module(module)
        try:
            yield module
        finally:
            store = getattr(module, "store", None)
            if store is not None:
                store.close()


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``predicate`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s")
        time.sleep(0.02)


def webhook_log(sandbox_url: str) -> list[dict[str, Any]]:
    """The served sandbox's webhook deliveries, through its control endpoint."""
    deliveries: list[dict[str, Any]] = httpx.get(f"{sandbox_url}/_sandbox/state").json()["webhooks"]
    return deliveries


class Effects:
    """A handler that records each effect (the order id), and can be told to fail first."""

    def __init__(self) -> None:
        self.orders: list[str] = []
        self.failures = 0

    def __call__(self, event: KnownEvent, record: Payin | Payout) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("the merchant's database is down")
        self.orders.append(record.order_id)
