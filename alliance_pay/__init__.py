"""The Python SDK for the Alliance Payin & Payout API.

Example:
    ```python
    from alliance_pay import AsyncAllianceClient

    async with AsyncAllianceClient() as client:  # keys and URL from ALLIANCE_* variables
        print((await client.balance.retrieve()).balance)
    ```
"""

from __future__ import annotations

import importlib as _importlib
from typing import TYPE_CHECKING

import attrs as _attrs

# What a first call needs is imported now; the rest (the sync client, webhooks) on first use of
# its name, through __getattr__ below. The sandbox, testing and CLI live in their own packages
# and are never imported from here.
from ._async._client import AsyncAllianceClient
from ._auth import AllianceAuth
from ._exceptions import (
    AllianceError,
    AllianceValidationError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ClientUsageError,
    DuplicateOrderIdError,
    InternalServerError,
    NotFoundError,
    OrderIdConflictError,
    OutcomeUnknownError,
    PayinLinkUnavailableError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WaitTimeoutError,
    WebhookParseError,
    WebhookVerificationError,
)
from ._models import (
    Balance,
    Payin,
    PayinLink,
    PayinStatus,
    PaymentMethod,
    Payout,
    PayoutStatus,
)
from ._optional import MissingExtraError
from ._response import APIResponse
from ._signing import compute_signature
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__

if TYPE_CHECKING:
    from ._sync._client import AllianceClient
    from .webhooks import (
        EventType,
        InMemoryEventStore,
        PayinEvent,
        PayoutEvent,
        UnknownEvent,
        WebhookEvent,
        WebhookOutcome,
        WebhookResult,
        parse_event,
        webhook_app,
    )

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AllianceAuth",
    "AllianceClient",
    "AllianceError",
    "AllianceValidationError",
    "AsyncAllianceClient",
    "AuthenticationError",
    "BadRequestError",
    "Balance",
    "ClientClosedError",
    "ClientUsageError",
    "DuplicateOrderIdError",
    "EventType",
    "InMemoryEventStore",
    "InternalServerError",
    "MissingExtraError",
    "NOT_GIVEN",
    "NotFoundError",
    "NotGiven",
    "OrderIdConflictError",
    "OutcomeUnknownError",
    "Payin",
    "PayinEvent",
    "PayinLink",
    "PayinLinkUnavailableError",
    "PayinStatus",
    "PaymentMethod",
    "Payout",
    "PayoutEvent",
    "PayoutStatus",
    "PermissionDeniedError",
    "RateLimitError",
    "UnknownEvent",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "WebhookEvent",
    "WebhookOutcome",
    "WebhookParseError",
    "WebhookResult",
    "WebhookVerificationError",
    "__version__",
    "compute_signature",
    "parse_event",
    "webhook_app",
]

#: The names imported on first use, and the module each comes from.
_LAZY = {
    "AllianceClient": "._sync._client",
    **dict.fromkeys(
        (
            "EventType",
            "InMemoryEventStore",
            "PayinEvent",
            "PayoutEvent",
            "UnknownEvent",
            "WebhookEvent",
            "WebhookOutcome",
            "WebhookResult",
            "parse_event",
            "webhook_app",
        ),
        ".webhooks",
    ),
}


def _claim(value: object) -> None:
    # Public classes claim the public module, so reprs, tracebacks and docs say alliance_pay.X.
    # attrs classes resolve their string annotations first: afterwards their module's names
    # are gone.
    if isinstance(value, type):
        if _attrs.has(value):
            _attrs.resolve_types(value)
        value.__module__ = __name__


def __getattr__(name: str) -> object:
    if name == "webhooks":  # the submodule, reachable as an attribute as when it was eager
        return _importlib.import_module(".webhooks", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    _claim(value)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


for _name in __all__:
    if _name not in _LAZY:
        _claim(globals()[_name])
del _name
