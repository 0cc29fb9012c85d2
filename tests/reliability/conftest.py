from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest

from alliance_pay.sandbox import SandboxConfig, create_app, serve_in_thread
from tests.helpers import ACCESS_KEY, SECRET_KEY


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def settled_fds(limit: int, timeout: float = 5.0) -> int:
    """The open fd count once it is at most ``limit``, or after ``timeout`` seconds.

    The server, in a thread of this process, closes its side of each connection when it reads
    the client's FIN: shortly after the client closes, not at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        gc.collect()
        count = open_fds()
        if count <= limit or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    """A sandbox over a real socket, with a deep wallet and payouts that stay Pending."""
    config = SandboxConfig(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        balance=Decimal("1000000000.00"),
        payout_delay=3600,
        seed=20261122,
    )
    with serve_in_thread(create_app(config)) as url:
        yield url
