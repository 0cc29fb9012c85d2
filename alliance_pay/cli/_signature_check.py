"""Why a signature is wrong: the correct one, and which common mistake reproduces the wrong one.

Sans-I/O: a [`CapturedRequest`][alliance_pay.cli._signature_check.CapturedRequest] in, a
[`Diagnosis`][alliance_pay.cli._signature_check.Diagnosis] out. The right signature follows
``alliance_pay._signing`` (PATH as sent on the wire without the leading ``/`` or the query,
BODY byte for byte as sent, TIMESTAMP in milliseconds). Each mistake is a way a hand-written
signer (PHP, Java, Node) commonly departs from it; the ones tried are listed in
[`MISTAKES`][alliance_pay.cli._signature_check.MISTAKES], and any two together are tried when
no single one reproduces the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

from alliance_pay._signing import canonical_message

__all__ = ["MISTAKES", "CapturedRequest", "Diagnosis", "Mistake", "Parts", "diagnose", "parts_of"]


@dataclass(frozen=True)
class CapturedRequest:
    """A request as captured: ``target`` is the path or URL as sent (query included)."""

    method: str
    target: str
    body: str
    timestamp: str
    signature: str
    access_key: str | None = None


@dataclass(frozen=True)
class Parts:
    """What goes into the signed string; ``method`` raw, so a lower-case one can be tried."""

    method: str
    path: str
    body: str
    timestamp: str
    secret: str

    def message(self) -> bytes:
        """The signed bytes (the method is taken as is, not upper-cased)."""
        return b"".join(
            (
                self.method.encode("utf-8"),
                b"\n",
                self.path.encode("utf-8"),
                b"\n",
                self.body.encode("utf-8"),
                b"\n",
                self.timestamp.encode("utf-8"),
                b"\n",
            )
        )

    def signature(self) -> str:
        """The hex HMAC-SHA256 of ``message()`` under ``secret``."""
        key = self.secret.encode("utf-8")
        return hmac.new(key, self.message(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Mistake:
    """One way of signing wrongly: ``apply`` turns the right parts into the wrong ones, or
    answers ``None`` when the mistake cannot change this request."""

    code: str
    title: str
    fix: str
    apply: Callable[[Parts, CapturedRequest], Parts | None]


@dataclass(frozen=True)
class Diagnosis:
    """What ``sign --verify`` found.

    The request is right when ``valid`` and no ``mistakes``: a signature can be right for
    its message while the request still fails (a Timestamp in seconds).

    Attributes:
        valid: the captured signature is the right one for this secret and Timestamp.
        expected: the right signature.
        message: the right string to sign.
        mistakes: the mistakes that reproduce the captured signature (empty when none does),
            or that make a valid signature fail anyway.
        wrong_message: the string the sender must have signed, when a mistake was found.
        warnings: problems other than the signature (a Timestamp in seconds, an unexpected
            Access-Key).
    """

    valid: bool
    expected: str
    message: bytes
    mistakes: tuple[Mistake, ...] = ()
    wrong_message: bytes | None = None
    warnings: tuple[str, ...] = ()

    @property
    def right(self) -> bool:
        """The API would accept this signature."""
        return self.valid and not self.mistakes


def _split_target(target: str) -> tuple[str, str]:
    if "://" in target:
        parts = urlsplit(target)
        return parts.path or "/", parts.query
    path, _, query = target.partition("?")
    return path, query


def parts_of(request: CapturedRequest, secret: str, *, get_body: str = "") -> Parts:
    """The parts the API signs for this request: the right way. ``get_body`` is the body line
    of a GET: ``""`` (the documentation's prose, the SDK's default) or ``"{}"`` (its example).

    Examples:
        >>> request = CapturedRequest("get", "https://x.example/api/v1/balance?a=1", "", "1", "")
        >>> parts_of(request, "s").path
        'api/v1/balance'
    """
    raw_path, _ = _split_target(request.target)
    path = raw_path[1:] if raw_path.startswith("/") else raw_path
    method = request.method.upper()
    body = get_body if method == "GET" else request.body
    return Parts(method, path, body, request.timestamp, secret)


def _respace(body: str, *, spaced: bool) -> str:
    # Outside strings: "," and ":" get one space after them (json.dumps' default separators),
    # or lose any whitespace around them (compact).
    out: list[str] = []
    in_string = escaped = False
    for char in body:
        if in_string:
            out.append(char)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char in " \t\r\n":
            continue
        out.append(char)
        if char == '"':
            in_string = True
        elif spaced and char in ",:":
            out.append(" ")
    return "".join(out)


def _braces(parts: Parts, request: CapturedRequest) -> Parts | None:
    if parts.body == "":
        return replace(parts, body="{}")
    if parts.body == "{}":
        return replace(parts, body="")
    return None


def _slash(parts: Parts, request: CapturedRequest) -> Parts | None:
    return replace(parts, path="/" + parts.path)


def _query(parts: Parts, request: CapturedRequest) -> Parts | None:
    _, query = _split_target(request.target)
    return replace(parts, path=f"{parts.path}?{query}") if query else None


def _decoded(parts: Parts, request: CapturedRequest) -> Parts | None:
    decoded = unquote(parts.path)
    return replace(parts, path=decoded) if decoded != parts.path else None


def _spaces(parts: Parts, request: CapturedRequest) -> Parts | None:
    if not parts.body.lstrip().startswith(("{", "[")):
        return None
    for spaced in (True, False):
        other = _respace(parts.body, spaced=spaced)
        if other != parts.body:
            return replace(parts, body=other)
    return None


def _seconds(parts: Parts, request: CapturedRequest) -> Parts | None:
    if not parts.timestamp.isdigit() or len(parts.timestamp) < 12:
        return None
    return replace(parts, timestamp=parts.timestamp[:-3])


def _secret_newline(parts: Parts, request: CapturedRequest) -> Parts | None:
    return replace(parts, secret=parts.secret + "\n")


def _secret_crlf(parts: Parts, request: CapturedRequest) -> Parts | None:
    return replace(parts, secret=parts.secret + "\r\n")


def _lower_method(parts: Parts, request: CapturedRequest) -> Parts | None:
    return replace(parts, method=parts.method.lower())


#: Every mistake tried, most common first.
MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        "body-braces",
        "GET body line `{}` vs empty",
        "sign one GET body line everywhere: the documentation's prose says empty (the SDK's "
        "default), its example shows `{}` (ALLIANCE_GET_BODY={} or --get-body '{}' here); "
        "a POST signs exactly the bytes it sends",
        _braces,
    ),
    Mistake(
        "leading-slash",
        "leading `/` in the PATH line",
        "sign the path without its leading `/` (api/v1/balance)",
        _slash,
    ),
    Mistake(
        "query-string",
        "query string included in the PATH line",
        "sign the path without `?` and what follows",
        _query,
    ),
    Mistake(
        "path-not-encoded",
        "path not percent-encoded as sent",
        "sign the path exactly as it goes on the wire (ORD%2F1, not ORD/1)",
        _decoded,
    ),
    Mistake(
        "body-reserialized",
        "body re-serialized with spaces",
        "sign the exact bytes you send; serialize once (compact: `,` and `:` without spaces) "
        "and use that string for both",
        _spaces,
    ),
    Mistake(
        "timestamp-seconds",
        "seconds instead of milliseconds",
        "use milliseconds since the epoch (13 digits) in the signature and the Timestamp header",
        _seconds,
    ),
    Mistake(
        "secret-newline",
        "trailing newline in the secret",
        "strip the line end read with the secret (from a file or an environment variable)",
        _secret_newline,
    ),
    Mistake(
        "secret-crlf",
        "trailing CRLF in the secret",
        "strip the `\\r\\n` read with the secret",
        _secret_crlf,
    ),
    Mistake(
        "method-lowercase",
        "lower-case method",
        "sign the method in upper case (GET, POST)",
        _lower_method,
    ),
)


def _matches(parts: Parts, signature: str) -> bool:
    return hmac.compare_digest(parts.signature(), signature.strip().lower())


def diagnose(
    request: CapturedRequest,
    secret: str,
    *,
    access_key: str | None = None,
    get_body: str = "",
) -> Diagnosis:
    """Check ``request``'s signature under ``secret`` and, if wrong, find the mistake.

    Examples:
        >>> from alliance_pay import compute_signature
        >>> good = compute_signature("s", "GET", "api/v1/balance", "", "1731017656554")
        >>> right = CapturedRequest("GET", "/api/v1/balance", "", "1731017656554", good)
        >>> diagnose(right, "s").valid
        True
        >>> bad = compute_signature("s", "GET", "/api/v1/balance", "", "1731017656554")
        >>> wrong = CapturedRequest("GET", "/api/v1/balance", "", "1731017656554", bad)
        >>> [m.code for m in diagnose(wrong, "s").mistakes]
        ['leading-slash']
    """
    right = parts_of(request, secret, get_body=get_body)
    message = canonical_message(right.method, right.path, right.body, right.timestamp)
    warnings: list[str] = []
    if request.timestamp.isdigit() and len(request.timestamp) <= 11:
        warnings.append(
            f"the Timestamp {request.timestamp} looks like seconds: the API wants milliseconds "
            "since the epoch (13 digits) and refuses a stale one"
        )
    if not request.timestamp.isdigit():
        warnings.append(f"the Timestamp {request.timestamp!r} is not a whole number")
    if access_key and request.access_key and request.access_key != access_key:
        warnings.append("the request's Access-Key is not the configured one")
    if _matches(right, request.signature):
        # Right for the message, but a Timestamp in seconds is refused as stale all the same.
        seconds = tuple(m for m in MISTAKES if m.code == "timestamp-seconds")
        in_seconds = request.timestamp.isdigit() and len(request.timestamp) <= 11
        return Diagnosis(
            True,
            right.signature(),
            message,
            seconds if in_seconds else (),
            warnings=tuple(warnings),
        )
    for count in (1, 2):
        for combination in itertools.combinations(MISTAKES, count):
            wrong: Parts | None = right
            for mistake in combination:
                wrong = mistake.apply(wrong, request) if wrong is not None else None
            if wrong is not None and wrong != right and _matches(wrong, request.signature):
                return Diagnosis(
                    False,
                    right.signature(),
                    message,
                    combination,
                    wrong.message(),
                    tuple(warnings),
                )
    return Diagnosis(False, right.signature(), message, warnings=tuple(warnings))
