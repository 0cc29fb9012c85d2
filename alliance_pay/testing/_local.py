"""A sandbox and clients bound to it, in one object."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette

from alliance_pay import AllianceClient, AsyncAllianceClient
from alliance_pay.sandbox import Fault, Sandbox, SandboxConfig, create_app
from alliance_pay.sandbox._faults import FaultKind
from alliance_pay.sandbox._state import Payout
from alliance_pay.testing._transports import AsyncSandboxTransport, SandboxTransport

__all__ = ["LocalSandbox"]

#: The base URL the bound clients use. Nothing resolves it: requests never leave the process.
BASE_URL = "http://sandbox.alliance.invalid"


class LocalSandbox:
    """An in-process sandbox, with SDK clients bound to it and helpers for tests.

    Args:
        config: the sandbox's settings; by default a 100000.00 wallet, a 5.90 charge per
            payout and payouts that stay ``Pending`` until
            [`settle_payouts`][alliance_pay.testing.LocalSandbox.settle_payouts] (or their
            ``payout_delay`` passes).

    Attributes:
        app: the ASGI app.
        sandbox: its [`Sandbox`][alliance_pay.sandbox.Sandbox]: the ledger, faults, webhooks.

    Examples:
        >>> from decimal import Decimal
        >>> local = LocalSandbox()
        >>> with local.client() as client:
        ...     payout = client.payouts.create(
        ...         order_id="DOC-1", user_id="u1", amount=Decimal("10.00"),
        ...         beneficiary_name="Asha", beneficiary_email="asha@example.in",
        ...         beneficiary_mobile_no="9876543210", beneficiary_address="Pune",
        ...         beneficiary_acc_no="123456789012", bank_name="SBI", ifsc="SBIN0060589",
        ...     )
        ...     _ = local.settle_payouts()
        ...     client.payouts.retrieve("DOC-1").status.value
        'Approved'
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.app: Starlette = create_app(
            config if config is not None else SandboxConfig(payout_delay=3600)
        )
        self.sandbox: Sandbox = self.app.state.sandbox

    @property
    def config(self) -> SandboxConfig:
        """The sandbox's settings (credentials included)."""
        return self.sandbox.config

    def client(self, **options: Any) -> AllianceClient:
        """An ``AllianceClient`` bound to this sandbox; ``options`` go to its constructor.

        Close it (``with`` or ``close()``) to stop its worker thread.
        """
        client = AllianceClient(
            access_key=self.config.access_key,
            secret_key=self.config.secret_key,
            base_url=BASE_URL,
            http_client=httpx.Client(transport=SandboxTransport(self.app)),
            **options,
        )
        client._state.closes_http_client = True  # ours to close, though passed in
        return client

    def async_client(self, **options: Any) -> AsyncAllianceClient:
        """An ``AsyncAllianceClient`` bound to this sandbox, in the caller's event loop."""
        client = AsyncAllianceClient(
            access_key=self.config.access_key,
            secret_key=self.config.secret_key,
            base_url=BASE_URL,
            http_client=httpx.AsyncClient(transport=AsyncSandboxTransport(self.app)),
            **options,
        )
        client._state.closes_http_client = True
        return client

    def settle_payouts(self) -> list[Payout]:
        """Settle every pending payout now: ``Approved``, or ``Rejected`` for the test account
        ``000000000000`` (refunded). Returns the payouts settled."""
        return self.sandbox.settle_payouts()

    def fault(self, endpoint: str, kind: FaultKind, **options: Any) -> Fault:
        """Make an endpoint fail; see [`Fault`][alliance_pay.sandbox.Fault] for the kinds.

        Examples:
            >>> local = LocalSandbox()
            >>> _ = local.fault("payout.create", "commit_then_drop", mode="502")
        """
        return self.sandbox.faults.add(endpoint, kind, **options)
