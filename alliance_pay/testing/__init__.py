"""Test your own code against an in-process Alliance sandbox: no sockets, no credentials.

Installing ``alliance-pay[sandbox]`` gives pytest three fixtures (see ``docs/testing.md``):
``alliance_sandbox`` (a [`LocalSandbox`][alliance_pay.testing.LocalSandbox]),
``alliance_client`` (an ``AllianceClient`` bound to it) and ``async_alliance_client`` (an
``AsyncAllianceClient`` bound to it). Outside pytest, build a
[`LocalSandbox`][alliance_pay.testing.LocalSandbox] yourself.

Examples:
    >>> from alliance_pay.testing import LocalSandbox
    >>> local = LocalSandbox()
    >>> with local.client() as client:
    ...     client.balance.retrieve().balance
    Decimal('100000.00')
"""

from alliance_pay.testing._local import LocalSandbox
from alliance_pay.testing._transports import AsyncSandboxTransport, SandboxTransport

__all__ = ["AsyncSandboxTransport", "LocalSandbox", "SandboxTransport"]
