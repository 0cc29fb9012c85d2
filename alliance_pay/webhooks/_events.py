"""Webhook events: the typed events, their idempotency keys, and ``parse_event``.

Parsing does no I/O and proves nothing: an event is a claim until ``client.webhooks.confirm``
checks it against the API (the rules are in ``_confirmation``). The public names are
re-exported from ``alliance_pay.webhooks``.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

import cattrs
from attrs import frozen

from alliance_pay._converter import converter
from alliance_pay._exceptions import WebhookParseError
from alliance_pay._model_base import Model
from alliance_pay._models import Payin, Payout
from alliance_pay._signing import dumps_body

__all__ = [
    "EventType",
    "KnownEvent",
    "PayinEvent",
    "PayoutEvent",
    "UnknownEvent",
    "WebhookEvent",
    "parse_event",
]


class EventType(str, enum.Enum):
    """The documented webhook events. Each member equals its wire name.

    Examples:
        >>> EventType("payout.failed") is EventType.PAYOUT_FAILED
        True
        >>> EventType.PAYIN_SUCCEEDED == "payin.succeeded"
        True
    """

    PAYIN_INITIATED = "payin.initiated"
    PAYIN_SUCCEEDED = "payin.succeeded"
    PAYIN_FAILED = "payin.failed"
    PAYOUT_SUCCEEDED = "payout.succeeded"
    PAYOUT_FAILED = "payout.failed"

    def __str__(self) -> str:
        return str(self.value)


@frozen(kw_only=True)
class PayinEvent(Model):
    """A ``payin.*`` event as received: *not yet confirmed*.

    Attributes:
        type: ``payin.initiated``, ``payin.succeeded`` or ``payin.failed``.
        data: the [`Payin`][alliance_pay.Payin] the body carries, read like a status call's.
        key: ``"<type>:<order_id>"``, identical for every redelivery of this event; use it to
            handle each event once.

    Examples:
        >>> event = parse_event('{"event": "payin.failed", '
        ...                     '"data": {"order_id": "A-1", "status": "Rejected", "amount": 5.9}}')
        >>> event.key, event.data.amount
        ('payin.failed:A-1', Decimal('5.9'))
    """

    type: EventType
    data: Payin
    key: str


@frozen(kw_only=True)
class PayoutEvent(Model):
    """A ``payout.*`` event as received: *not yet confirmed*.

    Attributes:
        type: ``payout.succeeded`` or ``payout.failed``.
        data: the [`Payout`][alliance_pay.Payout] the body carries.
        key: ``"<type>:<order_id>"``, identical for every redelivery of this event.

    Examples:
        >>> event = parse_event('{"event": "payout.succeeded", '
        ...                     '"data": {"order_id": "P-1", "status": "Approved", "charge": 5.9}}')
        >>> event.type, event.data.charge
        (<EventType.PAYOUT_SUCCEEDED: 'payout.succeeded'>, Decimal('5.9'))
    """

    type: EventType
    data: Payout
    key: str


@frozen(kw_only=True)
class UnknownEvent(Model):
    """An event type this SDK does not know yet, kept so that a new event breaks nothing.

    It cannot be confirmed (the SDK does not know which call would confirm it), so
    ``client.webhooks.handle`` acknowledges it without calling your handler.

    Attributes:
        type: the ``event`` string as received.
        data: the ``data`` object as received; numbers with a fraction are ``Decimal``.
        key: ``"<type>:sha256:<hex>"``, the SHA-256 of the body in a canonical form (keys
            sorted, numbers normalised), so a redelivery of the same body has the same key.

    Examples:
        >>> event = parse_event('{"event": "refund.created", "data": {"amount": 10.50}}')
        >>> event.type, event.data
        ('refund.created', {'amount': Decimal('10.50')})
    """

    type: str
    data: Mapping[str, Any]
    key: str


KnownEvent = PayinEvent | PayoutEvent
"""An event the SDK can confirm: the type of the ``event`` a handler receives."""
WebhookEvent = PayinEvent | PayoutEvent | UnknownEvent
"""What [`parse_event`][alliance_pay.webhooks.parse_event] returns."""

_Record = TypeVar("_Record", Payin, Payout)
_PAYIN_TYPES = frozenset(
    {EventType.PAYIN_INITIATED, EventType.PAYIN_SUCCEEDED, EventType.PAYIN_FAILED}
)
_JSON_TYPE_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return "a number"
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Python keeps the last of two equal keys; a body that says "event" twice is ambiguous,
    # and a receiver must not guess which one the sender meant.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key[:40]!r}")
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _load(payload: bytes | str) -> Any:
    if isinstance(payload, (bytes, bytearray)):
        try:
            text = bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookParseError("the webhook body is not UTF-8 text") from None
    elif isinstance(payload, str):
        text = payload
    else:
        raise TypeError(
            f"parse_event takes the raw body as bytes or str, not {type(payload).__name__}: "
            "pass the bytes you received (request.body()), not parsed JSON"
        )
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_refuse_constant,
            object_pairs_hook=_object_without_duplicates,
        )
    except RecursionError:
        raise WebhookParseError("the webhook body is nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, a duplicate key, NaN, an oversized integer
        raise WebhookParseError(f"the webhook body is not valid JSON: {exc}") from None


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _body_digest(body: Mapping[str, Any]) -> str:
    try:
        canonical = dumps_body(_sorted(body))
    except RecursionError:
        raise WebhookParseError("the webhook body is nested too deeply") from None
    return hashlib.sha256(canonical).hexdigest()


def _structure(data: Mapping[str, Any], cls: type[_Record]) -> _Record:
    # The order id names the order to confirm and makes the key: it must be read as sent.
    # (The converter's hook for a required ``str`` would turn ``null`` into "None".)
    order_id = data.get("order_id")
    if "order_id" in data and (isinstance(order_id, bool) or not isinstance(order_id, (str, int))):
        raise WebhookParseError(
            f"the event's data.order_id must be a string, not {_json_type(order_id)}"
        )
    try:
        record = converter.structure(data, cls)
    except cattrs.BaseValidationError as exc:
        reasons = "; ".join(cattrs.transform_error(exc, path="data"))
        raise WebhookParseError(
            f"the event's data is not a valid {cls.__name__}: {reasons}"
        ) from None
    except (TypeError, ValueError) as exc:
        raise WebhookParseError(f"the event's data is not a valid {cls.__name__}: {exc}") from None
    if not record.order_id:
        raise WebhookParseError("the event's data.order_id is empty")
    return record


def parse_event(payload: bytes | str) -> WebhookEvent:
    """Read a webhook body into a typed event. It does no I/O and proves nothing: confirm it.

    A documented event becomes a [`PayinEvent`][alliance_pay.webhooks.PayinEvent] or
    [`PayoutEvent`][alliance_pay.webhooks.PayoutEvent] whose ``data`` is the same model the
    status calls return (money as exact ``Decimal``, statuses as
    [`PayinStatus`][alliance_pay.PayinStatus] / [`PayoutStatus`][alliance_pay.PayoutStatus]).
    Any other ``event`` string becomes an [`UnknownEvent`][alliance_pay.webhooks.UnknownEvent].
    Extra fields are ignored. Whether the event's status fits its type (``payout.succeeded``
    with ``Rejected``) is checked by ``confirm``, not here: such a body is well formed, just not
    true.

    Args:
        payload: the raw request body, exactly as received.

    Returns:
        The event, a [`PayinEvent`][alliance_pay.webhooks.PayinEvent],
            [`PayoutEvent`][alliance_pay.webhooks.PayoutEvent] or
            [`UnknownEvent`][alliance_pay.webhooks.UnknownEvent]; unconfirmed whatever its type.

    Raises:
        WebhookParseError: the body is not UTF-8 JSON, not an object, has no string
            ``event`` or no object ``data``, repeats a key, or a known event's ``data``
            cannot be read (a missing ``order_id`` or ``status``, an amount that is no number).
        TypeError: ``payload`` is neither bytes nor str.

    Examples:
        >>> event = parse_event(b'{"event": "payin.succeeded", "data": '
        ...                     b'{"order_id": "A-1", "status": "Approved", "amount": 100.50}}')
        >>> event.key, event.data.status.name, event.data.amount
        ('payin.succeeded:A-1', 'APPROVED', Decimal('100.50'))
    """
    body = _load(payload)
    if not isinstance(body, dict):
        raise WebhookParseError(f"a webhook body must be a JSON object, not {_json_type(body)}")
    if "event" not in body:
        raise WebhookParseError("the webhook body has no 'event'")
    name = body["event"]
    if not isinstance(name, str):
        raise WebhookParseError(f"'event' must be a string, not {_json_type(name)}")
    if not name.strip():
        raise WebhookParseError("'event' is empty")
    if "data" not in body:
        raise WebhookParseError("the webhook body has no 'data'")
    data = body["data"]
    if not isinstance(data, dict):
        raise WebhookParseError(f"'data' must be a JSON object, not {_json_type(data)}")
    try:
        event_type = EventType(name)
    except ValueError:
        return UnknownEvent(type=name, data=data, key=f"{name}:sha256:{_body_digest(body)}")
    if event_type in _PAYIN_TYPES:
        payin = _structure(data, Payin)
        return PayinEvent(type=event_type, data=payin, key=f"{name}:{payin.order_id}")
    payout = _structure(data, Payout)
    return PayoutEvent(type=event_type, data=payout, key=f"{name}:{payout.order_id}")
