"""What a create returns once its order's record is found, and the note left on a create
interrupted after its request may have been sent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from ._exceptions import OrderIdConflictError
from ._logging import logger

__all__ = ["accept_record", "note_interrupted_create"]

T = TypeVar("T")
R = TypeVar("R")


def accept_record(
    record: R,
    found: Callable[[R], T],
    differences: Callable[[R], Mapping[str, tuple[object, object]]],
    order_id: str,
) -> T:
    """What a create returns once its order's record is found: ``found(record)``, unless the
    record differs from what was asked (``OrderIdConflictError``)."""
    conflict = _conflict(record, differences, order_id)
    if conflict is not None:
        raise conflict
    return found(record)


def _conflict(
    record: R, differences: Callable[[R], Mapping[str, tuple[object, object]]], order_id: str
) -> OrderIdConflictError | None:
    # Returns rather than raises: the differences hold account numbers, and a frame left in a
    # traceback would show them as a local.
    diff = differences(record)
    if not diff:
        return None
    return OrderIdConflictError(order_id=order_id, existing=record, differences=diff)


def note_interrupted_create(exc: BaseException, *, order_id: str, operation: str) -> None:
    """Say, on the ``alliance_pay`` logger and on the exception, that a create was interrupted
    (cancelled, KeyboardInterrupt) after its request may have been sent.

    The interruption still propagates: this only makes sure the unknown outcome is seen.
    """
    message = (
        f"{operation} for order_id {order_id!r} was interrupted ({type(exc).__name__}) after "
        f"its request may have been sent: the outcome is unknown; call retrieve({order_id!r}) "
        "to learn whether it was made, before doing anything else"
    )
    logger.warning("%s", message)
    add_note = getattr(exc, "add_note", None)  # Python 3.11+
    if add_note is not None:
        add_note(message)
