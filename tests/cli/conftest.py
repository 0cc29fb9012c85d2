"""A sandbox served on a real socket for the CLI to talk to, as a user's shell would."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from alliance_pay.sandbox import SandboxConfig, create_app, serve_in_thread
from tests.cli.support import ACCESS_KEY, SECRET_KEY, sandbox_env


@pytest.fixture(scope="module")
def served_url() -> Iterator[str]:
    config = SandboxConfig(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        payout_delay=3600,
        webhook_backoff=0.05,
        webhook_max_attempts=2,
    )
    with serve_in_thread(create_app(config)) as base_url:
        yield base_url


@pytest.fixture
def served(served_url: str) -> str:
    """The sandbox's base URL, reset to a fresh sandbox for this test."""
    httpx.post(f"{served_url}/_sandbox/reset", json={}).raise_for_status()
    return served_url


@pytest.fixture
def env(served: str) -> dict[str, str]:
    """ALLIANCE_* for the served sandbox."""
    return sandbox_env(served)
