"""What an error message tells a user to check: the 401 list, request ids, the real path.

Sans-I/O helpers used where the errors are built (``_base``, ``_reading``). A 401 from this API
means one of four things (the documentation lists the keys, the timestamp and the IP whitelist;
the GET body line is a contradiction of the documentation, see ``docs/auth.md``), and the
message lists them in the order worth checking, with the facts the SDK knows: where the keys
came from, the timestamp it sent, the local clock and the server's ``Date``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Mapping

import httpx

__all__ = ["REQUEST_ID_HEADERS", "KeySources", "auth_hints", "request_id", "wire_path"]

#: Headers that name a request for the provider's (or a proxy's) support desk, most specific first.
REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-correlation-id",
    "x-trace-id",
    "cf-ray",
)


def request_id(headers: Mapping[str, str] | httpx.Headers) -> str | None:
    """The first request-id-like header the server sent, or ``None``.

    Examples:
        >>> request_id(httpx.Headers({"CF-Ray": "8c1d2e3f4a5b6c7d-BOM"}))
        '8c1d2e3f4a5b6c7d-BOM'
        >>> request_id(httpx.Headers({})) is None
        True
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    for name in REQUEST_ID_HEADERS:
        value = lowered.get(name, "").strip()
        if value:
            return value[:200]
    return None


def wire_path(url: httpx.URL) -> str:
    """The path exactly as it went on the wire, base-URL prefix and percent-encoding included.

    Examples:
        >>> wire_path(httpx.URL("https://api.example.in/gw/api/v1/payout/A%2F1/status?x=1"))
        '/gw/api/v1/payout/A%2F1/status'
    """
    return url.raw_path.decode("ascii").split("?", 1)[0]


class KeySources:
    """Where the client's keys came from: the environment variable's name, or ``None``."""

    __slots__ = ("access_key", "secret_key")

    def __init__(self, access_key: str | None = None, secret_key: str | None = None) -> None:
        self.access_key = access_key
        self.secret_key = secret_key


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")


def _keys_hint(sources: KeySources, access_key_shown: str) -> str:
    from_env = [name for name in (sources.access_key, sources.secret_key) if name]
    if len(from_env) == 2:
        where = f"both came from the environment ({from_env[0]} and {from_env[1]})"
    elif from_env:
        where = f"{from_env[0]} came from the environment, the other was passed to the client"
    else:
        where = "both were passed to the client (access_key=, secret_key=)"
    return (
        f"the access key ({access_key_shown}) and the secret key: {where}; compare them with "
        "Profile -> API Keys in the Alliance CRM dashboard, and make sure the pair belongs to "
        "this base URL's environment."
    )


def _clock_hint(request: httpx.Request, response: httpx.Response, now: dt.datetime) -> str:
    sent = request.headers.get("Timestamp", "")
    parts = [f"the clock: Timestamp sent {sent or '(none)'}"]
    sent_at: dt.datetime | None = None
    if sent.isdigit():
        sent_at = dt.datetime.fromtimestamp(int(sent) / 1000, dt.timezone.utc)
        parts.append(f" = {_utc(sent_at)}")
    parts.append(f"; local UTC time now {_utc(now)}")
    date = response.headers.get("Date")
    server: dt.datetime | None = None
    if date:
        try:
            server = email.utils.parsedate_to_datetime(date)
        except (TypeError, ValueError):
            server = None
    if server is not None and server.tzinfo is not None:
        parts.append(f"; the server's Date header says {_utc(server)}")
        if sent_at is not None:
            skew = (sent_at - server).total_seconds()
            # Date has whole seconds: within two of them the clocks agree as far as it can tell.
            if abs(skew) >= 2:
                ahead = "ahead of" if skew > 0 else "behind"
                parts.append(f" (your clock is {abs(skew):.0f} s {ahead} the server's)")
            else:
                parts.append(" (the clocks agree)")
    else:
        parts.append("; the server sent no Date header to compare with")
    parts.append(
        ". The Timestamp must be milliseconds since the epoch, close to the server's time."
    )
    return "".join(parts)


def _get_body_hint(get_body: str) -> str:
    other = "{}" if get_body == "" else ""
    signed = "an empty body line" if get_body == "" else "the body line {}"
    env_value = other or "empty"
    return (
        f"the GET body line: this GET was signed with {signed} (get_body={get_body!r}). The "
        "documentation shows both; if the keys and the clock are right, try "
        f"get_body={other!r}: AllianceAuth(..., get_body={other!r}), or set "
        f"ALLIANCE_GET_BODY={env_value}."
    )


def auth_hints(
    request: httpx.Request,
    response: httpx.Response,
    *,
    sources: KeySources,
    access_key_shown: str,
    get_body: str,
    now: dt.datetime | None = None,
) -> list[str]:
    """What to check after a 401, in order.

    Examples:
        >>> request = httpx.Request("GET", "https://x.in/api/v1/balance",
        ...                         headers={"Timestamp": "1726748295000"})
        >>> hints = auth_hints(request, httpx.Response(401), sources=KeySources(),
        ...                    access_key_shown="'twvs…'", get_body="")
        >>> [hint.split(" ")[1] for hint in hints]
        ['access', 'clock:', 'GET', 'IP']
    """
    current = now if now is not None else dt.datetime.now(dt.timezone.utc)
    hints = [_keys_hint(sources, access_key_shown), _clock_hint(request, response, current)]
    if request.method == "GET":
        hints.append(_get_body_hint(get_body))
    hints.append(
        'the IP address: the documentation says "IP Address must be whitelist with us"; ask '
        "Alliance to whitelist this machine's public (egress) IP address."
    )
    return hints
