"""The checks every API request passes: access key, timestamp, signature, replay."""

from __future__ import annotations

import hmac
from collections import deque
from collections.abc import Mapping

from alliance_pay._signing import compute_signature, signing_path
from alliance_pay.sandbox._config import SandboxConfig

__all__ = ["RequestGuard"]


def _both_get_lines(method: str, body: bytes) -> bool:
    return method == "GET" and not body


# A Timestamp below this is almost surely seconds, not milliseconds (it is 1973 in ms).
_PLAUSIBLE_MS = 10**11


class RequestGuard:
    """Checks the ``Access-Key``, ``Timestamp`` and ``Signature`` headers of one request.

    The signature is recomputed over the raw path as received (percent-encoding and any mount
    prefix intact) and the raw body bytes, with ``alliance_pay._signing``. A signature is
    remembered for ``timestamp_tolerance`` seconds: seen again in that window, it is a replay.
    Older than that, its timestamp is stale anyway.

    Examples:
        >>> guard = RequestGuard(SandboxConfig(clock=lambda: 1726748295.0))
        >>> guard.check("GET", b"/api/v1/balance", b"", {})
        'Missing Access-Key header.'
    """

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        self._seen: set[str] = set()
        # The same signatures in the order they were seen, so forgetting the stale ones costs
        # only those: a request stays constant time however many came before it.
        self._seen_order: deque[tuple[float, str]] = deque()

    def reset(self) -> None:
        """Forget every signature seen."""
        self._seen.clear()
        self._seen_order.clear()

    def check(
        self, method: str, raw_path: str | bytes, body: bytes, headers: Mapping[str, str]
    ) -> str | None:
        """Return why the request is unauthorized, or ``None`` when it passes (and remember it)."""
        config = self._config
        access_key = headers.get("access-key")
        timestamp = headers.get("timestamp")
        signature = headers.get("signature")
        if access_key is None:
            return "Missing Access-Key header."
        if timestamp is None:
            return "Missing Timestamp header."
        if signature is None:
            return "Missing Signature header."
        if not hmac.compare_digest(access_key.encode(), config.access_key.encode()):
            return "Invalid access key."
        now = config.clock()
        problem = self._timestamp_problem(timestamp, now)
        if problem is not None:
            return problem
        path = signing_path(raw_path)
        if self.signed_body_line(method, path, body, timestamp, signature) is None:
            tried = (
                " (tried both an empty body line and {})" if _both_get_lines(method, body) else ""
            )
            return (
                f"Invalid signature: the sandbox signed METHOD={method!r}, PATH={path!r}, "
                f"a {len(body)}-byte BODY{tried} and TIMESTAMP={timestamp!r}."
            )
        self._forget_older_than(now - config.timestamp_tolerance)
        if signature in self._seen:
            return "Replayed request: this Signature was already used."
        self._seen.add(signature)
        self._seen_order.append((now, signature))
        return None

    def signed_body_line(
        self, method: str, path: str, body: bytes, timestamp: str, signature: str
    ) -> bytes | None:
        """The body line ``signature`` was made over, or ``None`` if it matches none.

        A request is signed over its exact body bytes. A GET without a body may be signed with an
        empty body line (the documentation's prose) or with ``{}`` (its "REQUEST_BODY for GET"
        example and its Python sample); the real server's choice is unknown, so both pass here.
        """
        candidates = (body, b"{}") if _both_get_lines(method, body) else (body,)
        for line in candidates:
            expected = compute_signature(self._config.secret_key, method, path, line, timestamp)
            if hmac.compare_digest(signature.encode(), expected.encode()):
                return line
        return None

    def _timestamp_problem(self, timestamp: str, now: float) -> str | None:
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 19:
            return "Invalid timestamp: expected milliseconds since the epoch."
        tolerance = self._config.timestamp_tolerance
        skew_ms = abs(int(timestamp) - round(now * 1000))
        if skew_ms <= tolerance * 1000:
            return None
        skew = f"{skew_ms / 1000:.0f}"
        hint = (
            " It looks like seconds; send milliseconds." if int(timestamp) < _PLAUSIBLE_MS else ""
        )
        return (
            f"Stale timestamp: {skew} s from the sandbox clock (tolerance {tolerance:.0f} s).{hint}"
        )

    def _forget_older_than(self, cutoff: float) -> None:
        # Signatures arrive in clock order, so the stale ones sit at the front.
        order = self._seen_order
        while order and order[0][0] < cutoff:
            self._seen.discard(order.popleft()[1])
