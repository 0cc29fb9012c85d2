"""What a receiver did with a webhook, and so what it answers: the outcome and the result.

Sans-I/O, shared by the async and the sync ``client.webhooks`` and by every receiver.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from typing import Any

from attrs import frozen

from alliance_pay._logging import logger
from alliance_pay._models import Payin, Payout
from alliance_pay.webhooks._events import WebhookEvent

__all__ = [
    "NOT_TRANSACTIONAL",
    "WebhookOutcome",
    "WebhookResult",
    "describe_error",
    "raw_body",
    "record_data",
    "webhook_result",
]

NOT_TRANSACTIONAL = (
    "transactional=True needs a store on a database whose transaction the handler can share, "
    "SQLiteEventStore or PostgresEventStore, not {store}"
)
_MAX_ERROR = 2000


class WebhookOutcome(str, enum.Enum):
    """What ``client.webhooks.handle`` did with a webhook, and so what to answer."""

    HANDLED = "handled"
    """Confirmed, and your handler returned: 200."""
    DUPLICATE = "duplicate"
    """A redelivery of an event already handled: 200, the handler is not called again."""
    IGNORED = "ignored"
    """An event type the SDK does not know; it cannot be confirmed, so it is logged (a
    warning) and acknowledged without calling the handler: 200."""
    INVALID = "invalid"
    """The body is not a valid event: 400."""
    REJECTED = "rejected"
    """The API does not confirm the event (unknown order, another amount or status): 400, and
    a warning on the ``alliance_pay`` logger. A redelivery would not change the answer."""
    RETRY = "retry"
    """Not handled *yet*: the status call failed, or the API does not show the event's final
    status yet. 503, so it can come again."""
    IN_PROGRESS = "in_progress"
    """Another delivery of the same event holds a live claim on it (in this process or in
    another one sharing the store): 503, so it comes again and is then a duplicate, or is
    handled if the other attempt failed."""

    def __str__(self) -> str:
        return str(self.value)


_STATUS_CODES: Mapping[WebhookOutcome, int] = {
    WebhookOutcome.HANDLED: 200,
    WebhookOutcome.DUPLICATE: 200,
    WebhookOutcome.IGNORED: 200,
    WebhookOutcome.INVALID: 400,
    WebhookOutcome.REJECTED: 400,
    WebhookOutcome.RETRY: 503,
    WebhookOutcome.IN_PROGRESS: 503,
}


@frozen(kw_only=True)
class WebhookResult:
    """The result of ``client.webhooks.handle``: what happened and what to answer.

    Attributes:
        outcome: the [`WebhookOutcome`][alliance_pay.webhooks.WebhookOutcome].
        status_code: the HTTP status to answer with (200, 400 or 503).
        detail: why, for your logs. Do not send it back: it may tell a forger what the API
            holds (an order's real amount); answer with ``outcome`` alone.
        event: the parsed event, unless the body did not parse.
        record: the API's record, when the event was confirmed.

    Example:
        ```python
        result = client.webhooks.handle(request.get_data(), on_event)
        return {"outcome": str(result.outcome)}, result.status_code
        ```
    """

    outcome: WebhookOutcome
    status_code: int
    detail: str
    event: WebhookEvent | None = None
    record: Payin | Payout | None = None


def webhook_result(
    outcome: WebhookOutcome,
    detail: str,
    event: WebhookEvent | None = None,
    record: Payin | Payout | None = None,
) -> WebhookResult:
    # One log line per webhook: anything not handled (or handled before) is worth a warning.
    quiet = outcome in (WebhookOutcome.HANDLED, WebhookOutcome.DUPLICATE)
    level = logging.INFO if quiet else logging.WARNING
    name = event.key if event is not None else "webhook"
    logger.log(level, "%s %s: %s", name, outcome.value, detail)
    return WebhookResult(
        outcome=outcome,
        status_code=_STATUS_CODES[outcome],
        detail=detail,
        event=event,
        record=record,
    )


def record_data(record: Payin | Payout) -> dict[str, Any]:
    """The API's record as JSON-ready data, for a store: money as exact decimal strings,
    times in ISO 8601, enums as their wire values."""
    return record.to_dict(mode="json")


def raw_body(payload: bytes | bytearray | str) -> bytes:
    """The body as bytes, to store exactly as received; ``TypeError`` for parsed JSON."""
    if isinstance(payload, (bytes, bytearray)):
        return bytes(payload)
    if isinstance(payload, str):
        return payload.encode("utf-8")
    raise TypeError(
        f"a webhook is received as the raw body, bytes or str, not {type(payload).__name__}: "
        "pass the bytes you received (request.body()), not parsed JSON"
    )


def describe_error(exc: BaseException) -> str:
    """A handler's exception as the store keeps it: its type and message, bounded."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 3] + "..."
