"""The sandbox's books: the wallet, payins, payouts and their lifecycles. Pure logic, no HTTP.

Every method here is synchronous. The sandbox runs on one event loop, so a method that does
not await runs to completion before any other request is looked at: each change to the books
is atomic without a lock, however many requests are in flight.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from alliance_pay.sandbox._wire import ist_time, utc_iso

__all__ = [
    "APPROVED",
    "INITIATED",
    "PENDING",
    "REJECTED",
    "REJECTED_ACCOUNT_NUMBER",
    "DuplicateOrder",
    "InsufficientBalance",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "PayinNotPending",
    "Payin",
    "Payout",
    "PayoutNotPending",
    "UnknownOrder",
]

PENDING = "Pending"
INITIATED = "Initiated"
APPROVED = "Approved"
REJECTED = "Rejected"

#: The documented test account: a payout to it is Rejected (and refunded) when it settles.
REJECTED_ACCOUNT_NUMBER = "000000000000"

#: What the sandbox's simulated UPI bank reports for an approved payin.
SANDBOX_UPI = "sandbox@yesbankltd"
SANDBOX_BANK = "ALLIANCE SANDBOX BANK"

Emit = Callable[[str, str, Mapping[str, object]], None]


class LedgerError(Exception):
    """Why the books refused a change."""


class DuplicateOrder(LedgerError):
    """The order id is already taken."""


class UnknownOrder(LedgerError):
    """No payin or payout has this order id."""


class PayoutNotPending(LedgerError):
    """The payout was already settled."""


class InsufficientBalance(LedgerError):
    """The wallet cannot cover a payout's amount plus its charge."""


class PayinNotPending(LedgerError):
    """The payin was already paid or failed."""


@attrs.define
class Payin:
    """A payin created by a payment link, as the sandbox keeps it."""

    user_id: str
    order_id: str
    amount: Decimal
    redirect_url: str
    created_at: float
    updated_at: float
    processed_at: float
    status: str = PENDING
    comments: str = "Payin Pending"
    transaction_id: str | None = None
    bank_upi: str | None = None
    bank_name: str | None = None

    def to_wire(self) -> dict[str, object]:
        """The record as the payin status call and the payin webhooks show it."""
        return {
            "user_id": self.user_id,
            "order_id": self.order_id,
            "transaction_id": self.transaction_id,
            "amount": self.amount,
            "request_amount": self.amount,
            "method": "UPI",
            "comments": self.comments,
            "status": self.status,
            "time_of_processing": ist_time(self.processed_at),
            "created_at": utc_iso(self.created_at),
            "updated_at": utc_iso(self.updated_at),
            "bank_upi": self.bank_upi,
            "bank_name": self.bank_name,
        }

    def link_wire(self, pay_url: str) -> dict[str, object]:
        """The record as the create-link call answers it: the older export's "Payin Link"."""
        return {
            "user_id": self.user_id,
            "order_id": self.order_id,
            "amount": self.amount,
            "method": "UPI",
            "redirect_url": self.redirect_url,
            "updated_at": utc_iso(self.updated_at),
            "created_at": utc_iso(self.created_at),
            "pay_url": pay_url,
        }


@attrs.define
class Payout:
    """A payout, as the sandbox keeps it."""

    order_id: str
    user_id: str
    amount: Decimal
    charge: Decimal
    beneficiary_name: str
    beneficiary_email: str
    beneficiary_mobile_no: str
    raw_mobile: object
    beneficiary_address: str
    payment_method: str
    beneficiary_acc_no: str
    bank_name: str
    ifsc: str
    remarks: str | None
    created_at: float
    updated_at: float
    due_at: float
    status: str = PENDING
    message: str = "Payout has been processing."
    transaction_id: str | None = None

    def to_wire(self) -> dict[str, object]:
        """The record as the payout status call and the payout webhooks show it."""
        return {
            "order_id": self.order_id,
            "user_id": self.user_id,
            "transaction_id": self.transaction_id,
            "amount": self.amount,
            "charge": self.charge,
            "beneficiary_name": self.beneficiary_name,
            "beneficiary_address": self.beneficiary_address,
            "beneficiary_email": self.beneficiary_email,
            "beneficiary_mobile_no": self.beneficiary_mobile_no,
            "payment_method": self.payment_method,
            "beneficiary_acc_no": self.beneficiary_acc_no,
            "ifsc": self.ifsc,
            "bank_name": self.bank_name,
            "vpa": None,
            "remarks": self.remarks,
            "status": self.status,
            "created_at": utc_iso(self.created_at),
            "updated_at": utc_iso(self.updated_at),
            "message": self.message,
        }

    def initiate_wire(self) -> dict[str, object]:
        """The record as the initiate call answers it: the mobile number echoed as it was sent."""
        return {
            "beneficiary_name": self.beneficiary_name,
            "beneficiary_email": self.beneficiary_email,
            "beneficiary_mobile_no": self.raw_mobile,
            "beneficiary_address": self.beneficiary_address,
            "payment_method": self.payment_method,
            "beneficiary_acc_no": self.beneficiary_acc_no,
            "bank_name": self.bank_name,
            "ifsc": self.ifsc,
            "amount": self.amount,
            "order_id": self.order_id,
            "user_id": self.user_id,
            "transaction_id": self.transaction_id,
            "remarks": self.remarks,
            "charge": self.charge,
            "status": self.status,
            "message": self.message,
            "updated_at": utc_iso(self.updated_at),
            "created_at": utc_iso(self.created_at),
        }


@attrs.frozen
class LedgerEntry:
    """One movement of the wallet: ``amount`` is signed (a debit is negative)."""

    kind: str
    order_id: str
    amount: Decimal
    balance_after: Decimal
    at: float

    def to_wire(self) -> dict[str, object]:
        """The entry as the control endpoint shows it."""
        return {
            "kind": self.kind,
            "order_id": self.order_id,
            "amount": str(self.amount),
            "balance_after": str(self.balance_after),
            "at": utc_iso(self.at),
        }


def _ignore(event: str, order_id: str, data: Mapping[str, object]) -> None:
    return None


class Ledger:
    """The wallet and every order, with the moves the API allows.

    Args:
        balance: the starting balance.
        payout_charge: the flat charge added to each payout.
        payout_delay: seconds before a payout settles.
        clock: seconds since the epoch.
        rng: where transaction ids come from.
        emit: called as ``emit(event, order_id, data)`` for each webhook event.

    Examples:
        >>> import random
        >>> from decimal import Decimal
        >>> ledger = Ledger(balance=Decimal("100.00"), payout_charge=Decimal("5.90"),
        ...                 payout_delay=0, clock=lambda: 0.0, rng=random.Random(1))
        >>> ledger.balance
        Decimal('100.00')
    """

    def __init__(
        self,
        *,
        balance: Decimal,
        payout_charge: Decimal,
        payout_delay: float,
        clock: Callable[[], float],
        rng: random.Random,
        emit: Emit = _ignore,
    ) -> None:
        self.balance: Decimal = balance
        self.payout_charge = payout_charge
        self.payout_delay = payout_delay
        self.payins: dict[str, Payin] = {}
        self.payouts: dict[str, Payout] = {}
        self.entries: list[LedgerEntry] = []
        self._clock = clock
        self._rng = rng
        self._emit = emit
        self._transaction_ids: set[str] = set()
        # Pending payouts ordered by when they fall due, so settling costs the payouts that
        # settle, not every payout ever made: a request stays constant time at 100k orders.
        self._due: list[tuple[float, int, str]] = []
        self._sequence = itertools.count()

    def _move(self, kind: str, order_id: str, amount: Decimal, now: float) -> None:
        self.balance += amount
        self.entries.append(LedgerEntry(kind, order_id, amount, self.balance, now))

    def _new_transaction_id(self) -> str:
        while True:
            candidate = str(self._rng.randrange(10**11, 10**12))
            if candidate not in self._transaction_ids:
                self._transaction_ids.add(candidate)
                return candidate

    def create_payin(
        self, *, user_id: str, order_id: str, amount: Decimal, redirect_url: str
    ) -> Payin:
        """Record a ``Pending`` payin for a new payment link."""
        if order_id in self.payins:
            raise DuplicateOrder(order_id)
        now = self._clock()
        payin = Payin(user_id, order_id, amount, redirect_url, now, now, now)
        self.payins[order_id] = payin
        return payin

    def complete_payin(self, order_id: str, *, approve: bool) -> Payin:
        """Move a pending payin through ``Initiated`` to ``Approved`` (credited) or ``Rejected``.

        Emits ``payin.initiated`` (unless ``initiate_payin`` already did) and then
        ``payin.succeeded`` or ``payin.failed``.
        """
        payin = self.payins.get(order_id)
        if payin is None:
            raise UnknownOrder(order_id)
        if payin.status == PENDING:
            self.initiate_payin(order_id)
        elif payin.status != INITIATED:
            raise PayinNotPending(order_id)
        now = self._clock()
        payin.updated_at = payin.processed_at = now
        if approve:
            payin.status, payin.comments = APPROVED, "Auto Approved"
            payin.transaction_id = self._new_transaction_id()
            payin.bank_upi, payin.bank_name = SANDBOX_UPI, SANDBOX_BANK
            self._move("payin", order_id, payin.amount, now)
            self._emit("payin.succeeded", order_id, payin.to_wire())
        else:
            payin.status, payin.comments = REJECTED, "Payment failed"
            self._emit("payin.failed", order_id, payin.to_wire())
        return payin

    def initiate_payin(self, order_id: str) -> Payin:
        """Move a pending payin to ``Initiated`` (the customer started paying); emits
        ``payin.initiated``."""
        payin = self.payins.get(order_id)
        if payin is None:
            raise UnknownOrder(order_id)
        if payin.status != PENDING:
            raise PayinNotPending(order_id)
        now = self._clock()
        payin.status, payin.comments = INITIATED, "Payin Initiated"
        payin.updated_at = payin.processed_at = now
        self._emit("payin.initiated", order_id, payin.to_wire())
        return payin

    def create_payout(self, values: Mapping[str, Any]) -> Payout:
        """Record a ``Pending`` payout and debit its amount plus the charge.

        Raises:
            DuplicateOrder: the order id is taken; nothing changes.
            InsufficientBalance: the wallet cannot cover it; nothing changes.
        """
        order_id: str = values["order_id"]
        if order_id in self.payouts:
            raise DuplicateOrder(order_id)
        amount: Decimal = values["amount"]
        total = amount + self.payout_charge
        if total > self.balance:
            raise InsufficientBalance(order_id)
        now = self._clock()
        payout = Payout(
            order_id=order_id,
            user_id=values["user_id"],
            amount=amount,
            charge=self.payout_charge,
            beneficiary_name=values["beneficiary_name"],
            beneficiary_email=values["beneficiary_email"],
            beneficiary_mobile_no=values["beneficiary_mobile_no"],
            raw_mobile=values["raw_mobile"],
            beneficiary_address=values["beneficiary_address"],
            payment_method=values["payment_method"],
            beneficiary_acc_no=values["beneficiary_acc_no"],
            bank_name=values["bank_name"],
            ifsc=values["ifsc"],
            remarks=values.get("remarks"),
            created_at=now,
            updated_at=now,
            due_at=now + self.payout_delay,
        )
        self.payouts[order_id] = payout
        heapq.heappush(self._due, (payout.due_at, next(self._sequence), order_id))
        self._move("payout", order_id, -total, now)
        return payout

    def _settle(self, payout: Payout, now: float, approve: bool | None = None) -> None:
        payout.updated_at = now
        if approve is None:
            approve = payout.beneficiary_acc_no != REJECTED_ACCOUNT_NUMBER
        if not approve:
            payout.status, payout.message = REJECTED, "Payout has been rejected."
            self._move("refund", payout.order_id, payout.amount + payout.charge, now)
            self._emit("payout.failed", payout.order_id, payout.to_wire())
        else:
            payout.status, payout.message = APPROVED, "Payout has been approved."
            payout.transaction_id = self._new_transaction_id()
            self._emit("payout.succeeded", payout.order_id, payout.to_wire())

    def settle_due(self) -> list[Payout]:
        """Settle every pending payout whose delay has passed; returns them."""
        now = self._clock()
        return self._settle_until(lambda due_at: due_at <= now, now)

    def settle_payout(self, order_id: str, *, approve: bool | None = None) -> Payout:
        """Settle one pending payout now: ``Approved``, or ``Rejected`` and refunded.

        ``approve=None`` decides as the delay would (rejected for the test account).

        Raises:
            UnknownOrder: no payout has this order id.
            PayoutNotPending: it is settled already.
        """
        payout = self.payouts.get(order_id)
        if payout is None:
            raise UnknownOrder(order_id)
        if payout.status != PENDING:
            raise PayoutNotPending(order_id)
        self._settle(payout, self._clock(), approve)
        return payout

    def settle_all(self) -> list[Payout]:
        """Settle every pending payout now, whatever its delay; returns them."""
        now = self._clock()
        return self._settle_until(lambda due_at: True, now)

    def _settle_until(self, is_due: Callable[[float], bool], now: float) -> list[Payout]:
        settled: list[Payout] = []
        while self._due and is_due(self._due[0][0]):
            _, _, order_id = heapq.heappop(self._due)
            payout = self.payouts[order_id]
            if payout.status == PENDING:  # one settled out of turn keeps its stale entry
                self._settle(payout, now)
                settled.append(payout)
        return settled
