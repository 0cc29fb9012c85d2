"""The checks every API request passes: access key, timestamp, signature, replay.

They run in two steps, so an unsigned or stale request costs the sandbox nothing: the headers
first ([`RequestGuard.check_headers`][alliance_pay.sandbox._security.RequestGuard.check_headers]),
before a byte of the body is read; then the signature over the body, read only up to
``SandboxConfig.max_body_bytes``.
"""

from __future__ import annotations

import heapq
import hmac
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
    remembered for as long as its timestamp is within the tolerance (a timestamp up to
    ``timestamp_tolerance`` in the future is remembered that much longer): seen again in that
    time, it is a replay; after it, its timestamp is stale anyway.

    Examples:
        >>> guard = RequestGuard(SandboxConfig(clock=lambda: 1726748295.0))
        >>> guard.check("GET", b"/api/v1/balance", b"", {})
        'Missing Access-Key header.'
    """

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        self._seen: dict[str, float] = {}  # signature -> when its timestamp goes stale
        # The same, as a heap by expiry: forgetting the stale ones costs only those (and a
        # logarithm), however many requests came before.
        self._expiries: list[tuple[float, str]] = []

    def reset(self) -> None:
        """Forget every signature seen."""
        self._seen.clear()
        self._expiries.clear()

    def check(
        self, method: str, raw_path: str | bytes, body: bytes, headers: Mapping[str, str]
    ) -> str | None:
        """Return why the request is unauthorized, or ``None`` when it passes (and remember it)."""
        return self.check_headers(headers) or self.check_signature(method, raw_path, body, headers)

    def check_headers(self, headers: Mapping[str, str]) -> str | None:
        """What can be refused before the body is read: the headers, the key, the timestamp."""
        access_key = headers.get("access-key")
        timestamp = headers.get("timestamp")
        if access_key is None:
            return "Missing Access-Key header."
        if timestamp is None:
            return "Missing Timestamp header."
        if headers.get("signature") is None:
            return "Missing Signature header."
        if not hmac.compare_digest(access_key.encode(), self._config.access_key.encode()):
            return "Invalid access key."
        return self._timestamp_problem(timestamp, self._config.clock())

    def check_signature(
        self, method: str, raw_path: str | bytes, body: bytes, headers: Mapping[str, str]
    ) -> str | None:
        """The signature over the body, and replays; call after ``check_headers`` passed."""
        config = self._config
        timestamp = headers["timestamp"]
        signature = headers["signature"]
        path = signing_path(raw_path)
        if self.signed_body_line(method, path, body, timestamp, signature) is None:
            tried = (
                " (tried both an empty body line and {})" if _both_get_lines(method, body) else ""
            )
            return (
                f"Invalid signature: the sandbox signed METHOD={method!r}, PATH={path!r}, "
                f"a {len(body)}-byte BODY{tried} and TIMESTAMP={timestamp!r}."
            )
        now = config.clock()
        self._forget_stale(now)
        if signature in self._seen:
            return "Replayed request: this Signature was already used."
        # Remembered until the timestamp itself is out of tolerance, however far ahead it was.
        expires = max(now, int(timestamp) / 1000) + config.timestamp_tolerance
        self._seen[signature] = expires
        heapq.heappush(self._expiries, (expires, signature))
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
        skew_ms = int(timestamp) - round(now * 1000)
        if abs(skew_ms) <= tolerance * 1000:
            return None
        skew = f"{abs(skew_ms) / 1000:.0f}"
        if skew_ms > 0:
            return (
                f"Timestamp in the future: {skew} s ahead of the sandbox clock (tolerance "
                f"{tolerance:.0f} s). Check this machine's clock."
            )
        hint = (
            " It looks like seconds; send milliseconds." if int(timestamp) < _PLAUSIBLE_MS else ""
        )
        return (
            f"Stale timestamp: {skew} s behind the sandbox clock (tolerance {tolerance:.0f} s)."
            f"{hint}"
        )

    def _forget_stale(self, now: float) -> None:
        expiries = self._expiries
        while expiries and expiries[0][0] < now:
            _, signature = heapq.heappop(expiries)
            self._seen.pop(signature, None)
