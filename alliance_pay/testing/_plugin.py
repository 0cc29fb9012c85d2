"""The pytest plugin behind ``alliance_pay.testing``, loaded through the ``pytest11`` entry point.

It imports nothing of the sandbox until a fixture is used, so installing ``alliance-pay``
without the ``sandbox`` extra never breaks a test run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from alliance_pay import AllianceClient, AsyncAllianceClient
    from alliance_pay.testing import LocalSandbox

__all__ = ["alliance_client", "alliance_sandbox", "async_alliance_client"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "alliance_sandbox(**settings): SandboxConfig settings for the alliance_sandbox fixture",
    )


@pytest.fixture
def alliance_sandbox(request: pytest.FixtureRequest) -> LocalSandbox:
    """A fresh in-process Alliance sandbox for one test.

    Configure it with ``@pytest.mark.alliance_sandbox(balance="500.00", payout_delay=0)``.
    """
    try:
        from alliance_pay.sandbox import SandboxConfig
        from alliance_pay.testing import LocalSandbox
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        pytest.skip(f"the sandbox needs `pip install 'alliance-pay[sandbox]'` ({exc})")
    settings: dict[str, Any] = {"payout_delay": 3600}
    marker = request.node.get_closest_marker("alliance_sandbox")
    if marker is not None:
        settings.update(marker.kwargs)
    return LocalSandbox(SandboxConfig(**settings))


@pytest.fixture
def alliance_client(alliance_sandbox: LocalSandbox) -> Iterator[AllianceClient]:
    """An ``AllianceClient`` bound to ``alliance_sandbox``."""
    with alliance_sandbox.client() as client:
        yield client


@pytest.fixture
def async_alliance_client(alliance_sandbox: LocalSandbox) -> AsyncAllianceClient:
    """An ``AsyncAllianceClient`` bound to ``alliance_sandbox``.

    In-process it holds no sockets or threads, so it needs no closing.
    """
    return alliance_sandbox.async_client()
