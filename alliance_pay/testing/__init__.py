"""Test your own code against an in-process Alliance sandbox: no sockets, no credentials.

Installing ``alliance-pay[sandbox]`` gives pytest three fixtures (see ``docs/testing.md``):
``alliance_sandbox`` (a [`LocalSandbox`][alliance_pay.testing.LocalSandbox]),
``alliance_client`` (an ``AllianceClient`` bound to it) and ``async_alliance_client`` (an
``AsyncAllianceClient`` bound to it). Outside pytest, build a
[`LocalSandbox`][alliance_pay.testing.LocalSandbox] yourself.

The names here are imported when first used, so that the pytest plugin (registered for every
pytest run where ``alliance-pay`` is installed) imports nothing of the sandbox; without the
``sandbox`` extra, using one is a [`MissingExtraError`][alliance_pay.MissingExtraError] that
names ``pip install 'alliance-pay[sandbox]'``.

Examples:
    >>> from alliance_pay.testing import LocalSandbox
    >>> local = LocalSandbox()
    >>> with local.client() as client:
    ...     client.balance.retrieve().balance
    Decimal('100000.00')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from alliance_pay._optional import extra_imports

if TYPE_CHECKING:
    from alliance_pay.testing._local import LocalSandbox
    from alliance_pay.testing._transports import AsyncSandboxTransport, SandboxTransport

__all__ = ["AsyncSandboxTransport", "LocalSandbox", "SandboxTransport"]

_HOMES = {
    "AsyncSandboxTransport": "alliance_pay.testing._transports",
    "LocalSandbox": "alliance_pay.testing._local",
    "SandboxTransport": "alliance_pay.testing._transports",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with extra_imports("sandbox", feature=f"alliance_pay.testing.{name}"):
        value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # once imported, a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
