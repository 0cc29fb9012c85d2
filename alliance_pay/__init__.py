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
import sys as _sys
from typing import TYPE_CHECKING

from ._version import __version__

# Nothing else is imported here. The names a first call needs load together at the first use of
# any of them (so every public class claims this module before an object of it reaches you);
# the sync client and webhooks load at the first use of theirs. A subpackage (the sandbox, the
# testing plugin pytest loads, the CLI) imported on its own so never pays for the SDK.

if TYPE_CHECKING:
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
    from ._sync._client import AllianceClient
    from ._types import NOT_GIVEN, NotGiven
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

#: What a first call needs: loaded together, at the first use of any of these names.
_CORE: dict[str, tuple[str, ...]] = {
    "._async._client": ("AsyncAllianceClient",),
    "._auth": ("AllianceAuth",),
    "._exceptions": (
        "AllianceError",
        "AllianceValidationError",
        "APIConnectionError",
        "APIError",
        "APIResponseValidationError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ClientClosedError",
        "ClientUsageError",
        "DuplicateOrderIdError",
        "InternalServerError",
        "NotFoundError",
        "OrderIdConflictError",
        "OutcomeUnknownError",
        "PayinLinkUnavailableError",
        "PermissionDeniedError",
        "RateLimitError",
        "UnprocessableEntityError",
        "WaitTimeoutError",
        "WebhookParseError",
        "WebhookVerificationError",
    ),
    "._models": (
        "Balance",
        "Payin",
        "PayinLink",
        "PayinStatus",
        "PaymentMethod",
        "Payout",
        "PayoutStatus",
    ),
    "._optional": ("MissingExtraError",),
    "._response": ("APIResponse",),
    "._signing": ("compute_signature",),
    "._types": (
        "NOT_GIVEN",
        "NotGiven",
    ),
}
_CORE_NAMES = frozenset(name for names in _CORE.values() for name in names)

#: The names imported on first use of each, and the module each comes from.
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
        import attrs

        if attrs.has(value):
            attrs.resolve_types(value)
        # doctest looks in a module only at the classes whose __module__ names it: listed in
        # __test__, a claimed class's doctests stay in its own module too, whether or not (and
        # whenever) this ran, so collecting that module finds the same doctests in any order.
        home = _sys.modules.get(value.__module__)
        if home is not None and home.__name__ != __name__:
            vars(home).setdefault("__test__", {})[value.__qualname__] = value
        value.__module__ = __name__


def _load_core() -> None:
    for module_name, names in _CORE.items():
        module = _importlib.import_module(module_name, __name__)
        for name in names:
            value = getattr(module, name)
            _claim(value)
            globals()[name] = value


def __getattr__(name: str) -> object:
    if name == "webhooks":  # the submodule, reachable as an attribute as when it was eager
        return _importlib.import_module(".webhooks", __name__)
    if name in _CORE_NAMES:
        _load_core()
        return globals()[name]
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module, __name__), name)
    _claim(value)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
