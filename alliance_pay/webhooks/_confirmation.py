"""How a webhook event is checked against the API's record of its order.

Pure functions, shared by the async and the sync ``client.webhooks``: ``confirm`` and ``handle``
fetch the record, these say whether the event agrees with it.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import frozen

from alliance_pay._models import Payin, PayinStatus, Payout, PayoutStatus
from alliance_pay.webhooks._events import EventType, KnownEvent

__all__ = ["Mismatch", "contradiction_in", "disagreement"]

_FINAL = frozenset({"Approved", "Rejected"})
_UNSETTLED = frozenset({"Pending", "Initiated"})
#: The statuses each event type may carry in its data.
_CLAIMED_STATUSES: Mapping[EventType, frozenset[str]] = {
    EventType.PAYIN_INITIATED: frozenset({PayinStatus.INITIATED.value, PayinStatus.PENDING.value}),
    EventType.PAYIN_SUCCEEDED: frozenset({PayinStatus.APPROVED.value}),
    EventType.PAYIN_FAILED: frozenset({PayinStatus.REJECTED.value}),
    EventType.PAYOUT_SUCCEEDED: frozenset({PayoutStatus.APPROVED.value}),
    EventType.PAYOUT_FAILED: frozenset({PayoutStatus.REJECTED.value}),
}


@frozen
class Mismatch:
    """Why an event does not agree with the API: ``reason`` says what differs, for the logs."""

    reason: str
    #: The event claims a final status the API does not show *yet*: a genuine webhook may
    #: have outrun the status API, so a receiver asks for a redelivery instead of refusing.
    unsettled: bool = False


def contradiction_in(event: KnownEvent) -> Mismatch | None:
    """An event whose status does not fit its own type (``payout.succeeded`` + ``Rejected``)."""
    claimed = event.data.status.value
    if claimed not in _CLAIMED_STATUSES[event.type]:
        return Mismatch(f"a {event.type} event cannot carry the status {claimed!r}")
    return None


def disagreement(event: KnownEvent, record: Payin | Payout) -> Mismatch | None:
    """What the event claims that the API's record does not say, or ``None``.

    Amounts and the UTR are compared when the event carries them; the status must be equal,
    unless the event's status is not final (``payin.initiated``): the order may have moved on.
    """
    contradiction = contradiction_in(event)
    if contradiction is not None:
        return contradiction
    data = event.data
    if record.order_id != data.order_id:
        return Mismatch(f"the API answered for order {record.order_id!r}, not {data.order_id!r}")
    names = ("amount", "request_amount") if isinstance(data, Payin) else ("amount",)
    for name in names:
        claimed, actual = getattr(data, name), getattr(record, name)
        # Decimal equality: 100 == 100.00, as money should compare.
        if claimed is not None and claimed != actual:
            return Mismatch(f"{name} disagrees: the event says {claimed}, the API says {actual}")
    if (
        data.transaction_id is not None
        and record.transaction_id is not None
        and data.transaction_id != record.transaction_id
    ):
        return Mismatch(
            f"transaction_id disagrees: the event says {data.transaction_id!r}, "
            f"the API says {record.transaction_id!r}"
        )
    claimed_status, actual_status = data.status.value, record.status.value
    if claimed_status != actual_status and claimed_status in _FINAL:
        return Mismatch(
            f"status disagrees: the event says {claimed_status!r}, the API says {actual_status!r}",
            unsettled=actual_status in _UNSETTLED,
        )
    return None
