"""The pytest plugin behind ``alliance_pay.testing``, loaded through the ``pytest11`` entry point.

pytest loads it in every run of every project where ``alliance-pay`` is installed, so it must
cost nothing there: it imports no sandbox, Starlette or uvicorn until a fixture is used, adds
no command-line option and emits no warning. It registers one marker, ``alliance_sandbox``,
so that ``--strict-markers`` accepts it. A fixture used without the ``sandbox`` extra fails
its test with one line naming ``pip install 'alliance-pay[sandbox]'``.
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
    from alliance_pay._optional import MissingExtraError, extra_imports

    missing: MissingExtraError | None = None
    try:
        with extra_imports("sandbox", feature="the alliance_sandbox fixture"):
            from alliance_pay.sandbox import SandboxConfig
            from alliance_pay.testing._local import LocalSandbox
    except MissingExtraError as exc:
        missing = exc
    if missing is not None:  # failed outside the except block: the hint is all pytest shows
        pytest.fail(str(missing), pytrace=False)
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
