"""The sandbox's settings: credentials, money, timings and where webhooks go."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import attrs
import httpx

__all__ = ["DEFAULT_ACCESS_KEY", "DEFAULT_SECRET_KEY", "SandboxConfig", "to_money"]

#: Well-known credentials for in-process use; the CLI generates random ones instead.
DEFAULT_ACCESS_KEY = "sandbox-access-key"
DEFAULT_SECRET_KEY = "sandbox-secret-key"  # noqa: S105 - a sandbox key, it guards no money

_CENT = Decimal("0.01")


def to_money(value: Decimal | int | str) -> Decimal:
    """Turn a configured amount into a ``Decimal`` with two places.

    Floats are refused: a binary float cannot hold ``5.90`` exactly.

    Examples:
        >>> to_money("5.9")
        Decimal('5.90')
    """
    if isinstance(value, (float, bool)):
        raise TypeError(f"money must be a Decimal, int or str, not {type(value).__name__}")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"an amount must be finite and not negative: {value!r}")
    return amount.quantize(_CENT)


def _mask(_: object) -> str:
    return "'***'"


@attrs.frozen(kw_only=True)
class SandboxConfig:
    """How one sandbox behaves. Every field has a default, so ``SandboxConfig()`` works.

    Attributes:
        access_key: the ``Access-Key`` the sandbox accepts.
        secret_key: the HMAC secret; masked in ``repr``.
        balance: the wallet's starting balance, in rupees.
        payout_charge: the flat charge debited with every payout, whatever its amount (the
            provider does not document how its charge is computed; a flat fee keeps tests exact).
        payout_delay: seconds a payout stays ``Pending`` before it settles; ``0`` settles it on
            the next request or [`Sandbox.tick`][alliance_pay.sandbox.Sandbox.tick].
        webhook_url: where webhook events are POSTed; ``None`` sends none.
        webhook_transport: the httpx transport webhook deliveries use (an
            ``httpx.ASGITransport`` delivers to an in-process receiver); the sandbox never
            closes it, its owner does.
        webhook_max_attempts: how many times one event is tried before giving up.
        webhook_backoff: seconds before the first retry; each further retry waits twice as long.
        webhook_timeout: seconds one delivery attempt may take.
        timestamp_tolerance: how far, in seconds, a ``Timestamp`` may be from the sandbox clock;
            a ``Signature`` is remembered for as long, to refuse replays.
        tick_interval: how often, in seconds, the background loop settles due payouts.
        max_body_bytes: the largest API request body read; a larger one is answered 413
            unread, and an unsigned request is refused before its body is read at all.
        seed: seeds the random numbers (transaction ids, fault probabilities) for repeatable runs.
        clock: seconds since the epoch; inject a fake one to move time in tests.

    Examples:
        >>> from decimal import Decimal
        >>> config = SandboxConfig(secret_key="s3cr3t", balance=Decimal("500.00"), payout_delay=0)
        >>> "s3cr3t" in repr(config)
        False
    """

    access_key: str = DEFAULT_ACCESS_KEY
    secret_key: str = attrs.field(default=DEFAULT_SECRET_KEY, repr=_mask)
    balance: Decimal = attrs.field(default=Decimal("100000.00"), converter=to_money)
    payout_charge: Decimal = attrs.field(default=Decimal("5.90"), converter=to_money)
    payout_delay: float = attrs.field(default=2.0, validator=attrs.validators.ge(0))
    webhook_url: str | None = None
    webhook_transport: httpx.AsyncBaseTransport | None = attrs.field(default=None, repr=False)
    webhook_max_attempts: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    webhook_backoff: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    webhook_timeout: float = attrs.field(default=5.0, validator=attrs.validators.gt(0))
    timestamp_tolerance: float = attrs.field(default=300.0, validator=attrs.validators.gt(0))
    tick_interval: float = attrs.field(default=0.05, validator=attrs.validators.gt(0))
    max_body_bytes: int = attrs.field(default=64 * 1024, validator=attrs.validators.ge(1024))
    seed: int | None = None
    clock: Callable[[], float] = attrs.field(default=time.time, repr=False)
