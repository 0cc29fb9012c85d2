"""The client's settings and their checks: keys and base URL (from arguments or the
environment), timeouts, retries, the response cap, extra headers and the ``User-Agent``.

Each check refuses a bad value with an ``AllianceValidationError`` naming the setting, before any
request is built.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping

import httpx

from ._exceptions import AllianceValidationError
from ._httpx2 import as_httpx_timeout
from ._limits import DEFAULT_MAX_RESPONSE_BYTES
from ._version import __version__

__all__ = [
    "ASYNC_POOL_LIMITS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_RESOLVE_TIMEOUT",
    "DEFAULT_TIMEOUT",
    "ENV_ACCESS_KEY",
    "ENV_BASE_URL",
    "ENV_SECRET_KEY",
    "HTTPX_DEFAULT_TIMEOUT",
    "SYNC_POOL_LIMITS",
    "attempt_seconds",
    "check_headers",
    "check_max_response_bytes",
    "check_max_retries",
    "check_resolve_timeout",
    "check_timeout",
    "normalize_base_url",
    "read_setting",
    "user_agent",
]

#: 30 s in all per attempt, 5 s of it to connect: long enough for a slow bank, short enough
#: never to hang.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
#: How long a create whose answer was lost keeps looking its order up before it says the
#: outcome is unknown.
DEFAULT_RESOLVE_TIMEOUT = 30.0
#: The pool of the ``httpx.Client`` an ``AllianceClient`` builds: as many idle connections kept
#: as open ones. Under httpx's default (20 kept of 100) httpcore 1.0.9 closes an idle connection
#: whenever the pool holds more than 20 *in all*, busy or idle, outside its lock: past 20
#: threads sharing a client nearly every call opened a connection (a TLS handshake) and closed
#: another, and the close could land on a connection just handed to another thread, ending its
#: call with "Bad file descriptor" after the request was sent. Idle connections close after 5 s.
SYNC_POOL_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=100, keepalive_expiry=5.0
)
#: The pool of the ``httpx.AsyncClient`` an ``AsyncAllianceClient`` builds: httpx's own default.
#: Not the sync pool's: httpcore's async pool hands every request queued in one pass the same
#: idle connection, and with 64 connections kept a burst of 64 calls retried thousands of times
#: for one (1 to 3 s stalls). Under this default, past 20 tasks connections churn, as in plain
#: httpx.
ASYNC_POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
#: httpx's own default: a client of yours left with it gets the SDK's instead.
HTTPX_DEFAULT_TIMEOUT = httpx.Timeout(5.0)

ENV_ACCESS_KEY = "ALLIANCE_ACCESS_KEY"
ENV_SECRET_KEY = "ALLIANCE_SECRET_KEY"  # noqa: S105 (a variable name, not a secret)
ENV_BASE_URL = "ALLIANCE_BASE_URL"


def read_setting(name: str, value: str | None, env: str) -> str:
    if value is None:
        value = os.environ.get(env)
        if value is None or not value.strip():
            raise AllianceValidationError(name, f"is missing: pass {name}= or set {env}")
        if value != value.strip():
            # A key file read with $(cat ...) or pasted from an email often keeps its newline,
            # and the signature then fails with an opaque 401. The value itself is never shown.
            where = "ends" if value[-1:].isspace() else "starts"
            what = "a newline" if "\n" in value or "\r" in value else "whitespace"
            raise AllianceValidationError(
                name,
                f"the environment variable {env} {where} with {what} (value not shown); "
                f"set it without surrounding whitespace, e.g. export {env}=\"$(tr -d '[:space:]'"
                ' < key-file)"',
            )
    return value


def normalize_base_url(value: str | httpx.URL) -> httpx.URL:
    """Check a base URL and give it the trailing ``/`` that keeps its path prefix when joined.

    Examples:
        >>> str(normalize_base_url("https://api.example.in/alliance"))
        'https://api.example.in/alliance/'
    """
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise AllianceValidationError("base_url", f"is not a valid URL: {exc}") from None
    if url.scheme not in {"http", "https"} or not url.host:
        raise AllianceValidationError("base_url", "must be an absolute http:// or https:// URL")
    if url.query or url.fragment:
        raise AllianceValidationError("base_url", "must not have a query string or a fragment")
    raw_path = url.raw_path.split(b"?", 1)[0]
    if not raw_path.endswith(b"/"):
        raw_path += b"/"
    # Rebuilt even when the path ends in "/": "https://host" reports the path "/" but prints
    # none, and requests are built from the printed form.
    return url.copy_with(raw_path=raw_path)


def check_timeout(value: object) -> httpx.Timeout:
    value = as_httpx_timeout(value)
    if isinstance(value, httpx.Timeout):
        if None in (value.connect, value.read, value.write):
            raise AllianceValidationError(
                "timeout",
                "must limit connect, read and write (a payments call must not wait "
                "forever); only pool may be None",
            )
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return httpx.Timeout(
            float(value), connect=min(float(value), DEFAULT_TIMEOUT.connect or 5.0)
        )
    raise AllianceValidationError(
        "timeout",
        "must be a positive number of seconds or an httpx.Timeout (never None: a "
        "payments call must not wait forever)",
    )


def attempt_seconds(timeout: httpx.Timeout) -> float:
    """The total wall-clock time one attempt may take: its largest piece.

    ``timeout=2`` is 2 s for the whole attempt, from connecting to the last byte of the body.
    With an ``httpx.Timeout`` each piece bounds its own step and the largest bounds the whole.

    Examples:
        >>> attempt_seconds(httpx.Timeout(30.0, connect=5.0))
        30.0
    """
    pieces = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    return max(piece for piece in pieces if piece is not None)


def check_max_response_bytes(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1024:
        return value
    raise AllianceValidationError(
        "max_response_bytes", "must be an int of at least 1024 (bytes of decoded body)"
    )


def check_resolve_timeout(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 3600:
        return float(value)
    raise AllianceValidationError(
        "resolve_timeout", "must be a positive number of seconds, under an hour"
    )


def check_max_retries(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10:
        return value
    raise AllianceValidationError("max_retries", "must be an int from 0 to 10")


def check_headers(name: str, headers: Mapping[str, str]) -> dict[str, str]:
    """Refuse extra headers that would clash with the signature the auth adds."""
    for header in headers:
        if header.lower() in {"access-key", "signature", "timestamp"}:
            raise AllianceValidationError(name, f"must not set {header}: it is signed")
    return dict(headers)


def user_agent() -> str:
    return (
        f"alliance-pay-python/{__version__} httpx/{httpx.__version__} "
        f"python/{platform.python_version()}"
    )
