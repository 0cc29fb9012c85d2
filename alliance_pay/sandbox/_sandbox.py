"""The [`Sandbox`][alliance_pay.sandbox.Sandbox]: the books, the faults, the webhooks and the
clock of one fake server.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import anyio

from alliance_pay.sandbox._config import SandboxConfig
from alliance_pay.sandbox._faults import FaultRegistry
from alliance_pay.sandbox._security import RequestGuard
from alliance_pay.sandbox._state import Ledger, Payin, Payout
from alliance_pay.sandbox._webhooks import WebhookDispatcher

__all__ = ["Sandbox"]


class Sandbox:
    """The state behind one sandbox server, usable from Python while the app serves it.

    Background work (settling payouts after their delay, delivering webhooks) runs in one of
    two ways:

    * ``async with sandbox.running():`` starts a settle loop and the webhook worker in the
      current event loop. The app's lifespan does this under uvicorn; do it yourself in-process
      (``httpx.ASGITransport`` runs no lifespan).
    * Without it, payouts still settle lazily at the start of every request, and
      ``await sandbox.tick()`` settles what is due and delivers queued webhooks on demand.

    Everything here mutates state synchronously, on the event loop that serves the app. When
    the app runs in another thread (uvicorn in a background thread), use the control endpoints
    (``/_sandbox/...``) from other threads rather than these methods.

    Args:
        config: the settings; ``SandboxConfig()`` when omitted.

    Examples:
        >>> from decimal import Decimal
        >>> sandbox = Sandbox(SandboxConfig(balance=Decimal("250.00")))
        >>> sandbox.balance
        Decimal('250.00')
    """

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config: SandboxConfig = config if config is not None else SandboxConfig()
        self.faults: FaultRegistry = FaultRegistry(seed=self.config.seed)
        self.webhooks: WebhookDispatcher = WebhookDispatcher(self.config)
        self.guard: RequestGuard = RequestGuard(self.config)
        self.ledger: Ledger = self._new_ledger()
        self._running = False

    def _new_ledger(self) -> Ledger:
        return Ledger(
            balance=self.config.balance,
            payout_charge=self.config.payout_charge,
            payout_delay=self.config.payout_delay,
            clock=self.config.clock,
            rng=random.Random(self.config.seed),
            emit=self.webhooks.enqueue,
        )

    @property
    def balance(self) -> Decimal:
        """The wallet's balance now."""
        return self.ledger.balance

    def payin(self, order_id: str) -> Payin:
        """The payin with this order id (``KeyError`` if none)."""
        return self.ledger.payins[order_id]

    def payout(self, order_id: str) -> Payout:
        """The payout with this order id (``KeyError`` if none)."""
        return self.ledger.payouts[order_id]

    def confirm_payin(self, order_id: str) -> Payin:
        """Pay a pending payin, as the customer's "Confirm Payment" button does."""
        return self.ledger.complete_payin(order_id, approve=True)

    def fail_payin(self, order_id: str) -> Payin:
        """Fail a pending payin, as the customer's "Fail Payment" button does."""
        return self.ledger.complete_payin(order_id, approve=False)

    def settle_due(self) -> list[Payout]:
        """Settle the pending payouts whose delay has passed; returns them."""
        return self.ledger.settle_due()

    def settle_payouts(self) -> list[Payout]:
        """Settle every pending payout now, whatever its delay; returns them.

        Examples:
            >>> sandbox = Sandbox()
            >>> sandbox.settle_payouts()
            []
        """
        return self.ledger.settle_all()

    async def tick(self) -> None:
        """Settle what is due, then wait until every queued webhook has been delivered or given up.

        Examples:
            >>> import anyio
            >>> anyio.run(Sandbox().tick)
        """
        self.settle_due()
        if self._running:
            await self.webhooks.wait_idle()
        else:
            await self.webhooks.flush()

    def reset(self) -> None:
        """Back to a fresh sandbox: starting balance, no orders, faults, deliveries or replays."""
        self.ledger = self._new_ledger()
        self.faults.clear()
        self.webhooks.reset()
        self.guard.reset()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Sandbox]:
        """Run the settle loop and the webhook worker until the block exits.

        Deliveries still under way when it exits are cancelled; ``await sandbox.tick()``
        first to let them finish.

        Examples:
            >>> async def main() -> None:
            ...     async with Sandbox().running() as sandbox:
            ...         await sandbox.tick()
            >>> anyio.run(main)
        """
        if self._running:
            raise RuntimeError("this sandbox is already running")
        self._running = True
        try:
            async with anyio.create_task_group() as group:
                await group.start(self.webhooks.serve)
                group.start_soon(self._settle_forever)
                try:
                    yield self
                finally:
                    group.cancel_scope.cancel()
        finally:
            self._running = False

    async def _settle_forever(self) -> None:
        while True:
            self.settle_due()
            await anyio.sleep(self.config.tick_interval)

    def snapshot(self) -> dict[str, Any]:
        """Everything the sandbox holds, as ``GET /_sandbox/state`` shows it.

        Amounts inside the records are ``Decimal``; the balance is a string like the API's.
        """
        ledger = self.ledger
        return {
            "balance": f"{ledger.balance:.2f}",
            "payout_charge": f"{ledger.payout_charge:.2f}",
            "payins": [payin.to_wire() for payin in ledger.payins.values()],
            "payouts": [payout.to_wire() for payout in ledger.payouts.values()],
            "entries": [entry.to_wire() for entry in ledger.entries],
            "webhooks": [delivery.to_wire() for delivery in self.webhooks.log],
            "faults": [fault.to_wire() for fault in self.faults],
        }
