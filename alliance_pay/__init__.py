"""The Python SDK for the Alliance Payin & Payout API.

Example:
    ```python
    from alliance_pay import AsyncAllianceClient

    async with AsyncAllianceClient() as client:  # keys and URL from ALLIANCE_* variables
        print((await client.balance.retrieve()).balance)
    ```
"""

import attrs as _attrs

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
from ._models import Balance, Payin, PayinLink, PayinStatus, Payout, PayoutStatus
from ._signing import compute_signature
from ._sync._client import AllianceClient
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
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

# Public classes claim the public module, so reprs, tracebacks and docs say alliance_pay.X.
# attrs classes resolve their string annotations first: afterwards their module's names are gone.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        if _attrs.has(_value):
            _attrs.resolve_types(_value)
        _value.__module__ = "alliance_pay"
del _name, _value, _attrs
