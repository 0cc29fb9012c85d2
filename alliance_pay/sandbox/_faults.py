"""Fault injection: make an endpoint fail the ways real networks and proxies do.

A [`Fault`][alliance_pay.sandbox.Fault] is a rule for one endpoint (or ``"*"`` for all of
them): it fires on the next ``times`` requests (``None``: every request), each with
``probability`` when one is given (rolled with the sandbox's seeded random). A request meets
at most one fault: the first rule of its endpoint that fires, in the order the rules were added.

Kinds:

* ``"status"``: answer ``status_code`` at once, the request unprocessed (like a proxy or a
  rate limiter in front of the API), with a ``"json"`` envelope, an nginx-style ``"html"``
  page or an ``"empty"`` body, plus any ``headers`` (``Retry-After``...).
* ``"latency"``: wait ``latency`` seconds, then handle the request normally.
* ``"malformed"``: answer 200 with a body a client cannot read, the request unprocessed:
  ``style="truncated"`` (JSON cut short), ``"html"`` (a proxy's page) or ``"empty"``.
* ``"commit_then_drop"``: handle the request normally (a payout is recorded, the wallet
  debited), then lose the answer: ``mode="502"`` sends ``status_code`` (502 unless given)
  instead; ``mode="drop"`` starts the real response and closes the connection mid-body.

A ``"drop"`` over a real socket makes the client see the connection close (httpx raises
``httpx.RemoteProtocolError``). In-process, through ``httpx.ASGITransport``, the app's
exception reaches the caller instead: it is ``SandboxConnectionDropped``, which the
testing helpers map to ``httpx.RemoteProtocolError``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any, Literal, get_args

import attrs
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from alliance_pay.sandbox._pages import nginx_error_page
from alliance_pay.sandbox._wire import failure

__all__ = [
    "ENDPOINTS",
    "DroppedResponse",
    "Fault",
    "FaultKind",
    "FaultRegistry",
    "SandboxConnectionDropped",
    "fault_response",
    "lost_response",
]

#: The names faults are keyed by, one per API endpoint.
ENDPOINTS = ("balance", "payin.create_link", "payin.status", "payout.create", "payout.status")

FaultKind = Literal["status", "latency", "malformed", "commit_then_drop"]
BodyFormat = Literal["json", "html", "empty"]
MalformedStyle = Literal["truncated", "html", "empty"]
DropMode = Literal["502", "drop"]


class SandboxConnectionDropped(Exception):
    """The sandbox dropped the connection mid-response (a ``commit_then_drop`` fault, ``"drop"``).

    Over a socket the client sees the connection close; in-process through
    ``httpx.ASGITransport`` this exception reaches the caller of ``client.send``.

    Examples:
        >>> raise SandboxConnectionDropped("payout.create")
        Traceback (most recent call last):
        alliance_pay.sandbox._faults.SandboxConnectionDropped: payout.create
    """


def _one_of(choices: tuple[str, ...]) -> Any:
    def check(_: object, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in choices:
            raise ValueError(f"{attribute.name} must be one of {', '.join(choices)}; got {value!r}")

    return check


def _times(_: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and value < 1:
        raise ValueError(f"times must be at least 1, or None for always; got {value!r}")


def _not_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must not be negative; got {value!r}")


def _status(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 100 <= value <= 599:
        raise ValueError(f"status_code must be an HTTP status; got {value!r}")


@attrs.define(kw_only=True)
class Fault:
    """One fault rule; see the module docstring for the kinds. ``fired`` counts its hits.

    Examples:
        >>> Fault(endpoint="payout.create", kind="commit_then_drop", mode="drop").times
        1
    """

    endpoint: str = attrs.field(validator=_one_of((*ENDPOINTS, "*")))
    kind: FaultKind = attrs.field(validator=_one_of(get_args(FaultKind)))
    times: int | None = attrs.field(default=1, validator=_times)
    probability: float | None = attrs.field(
        default=None,
        validator=attrs.validators.optional([attrs.validators.gt(0), attrs.validators.le(1)]),
    )
    status_code: int = attrs.field(default=502, validator=_status)
    body: BodyFormat = attrs.field(default="json", validator=_one_of(get_args(BodyFormat)))
    headers: dict[str, str] = attrs.field(factory=dict)
    latency: float = attrs.field(default=0.0, converter=float, validator=_not_negative)
    style: MalformedStyle = attrs.field(
        default="truncated", validator=_one_of(get_args(MalformedStyle))
    )
    mode: DropMode = attrs.field(default="502", validator=_one_of(get_args(DropMode)))
    fired: int = 0

    def to_wire(self) -> dict[str, object]:
        """The rule as the control endpoint shows it."""
        return attrs.asdict(self)


class FaultRegistry:
    """The fault rules of one sandbox, settable from Python and over HTTP.

    Examples:
        >>> faults = FaultRegistry(seed=7)
        >>> _ = faults.add("payout.create", "status", status_code=503, times=2)
        >>> faults.take("payout.create").status_code
        503
        >>> faults.clear()  # one rule left: it fires twice
        1
    """

    def __init__(self, seed: int | None = None) -> None:
        self._rules: list[Fault] = []
        self._rng = random.Random(seed)

    def add(
        self,
        endpoint: str,
        kind: FaultKind,
        *,
        times: int | None = 1,
        probability: float | None = None,
        status_code: int = 502,
        body: BodyFormat = "json",
        headers: Mapping[str, str] | None = None,
        latency: float = 0.0,
        style: MalformedStyle = "truncated",
        mode: DropMode = "502",
    ) -> Fault:
        """Add a rule and return it; see the module docstring for what each kind does.

        Args:
            endpoint: one of ``ENDPOINTS``, or ``"*"`` for all of them.
            kind: ``"status"``, ``"latency"``, ``"malformed"`` or ``"commit_then_drop"``.
            times: how many requests it fires on; ``None`` for every one.
            probability: the chance it fires on each request, rolled with the seeded random.
            status_code: the status a ``"status"`` fault (or ``mode="502"``) answers.
            body: ``"json"``, ``"html"`` or ``"empty"``, for those answers.
            headers: extra response headers for those answers (``Retry-After``...).
            latency: seconds a ``"latency"`` fault waits.
            style: ``"truncated"``, ``"html"`` or ``"empty"``, for a ``"malformed"`` fault.
            mode: ``"502"`` or ``"drop"``, for a ``"commit_then_drop"`` fault.

        Raises:
            ValueError: an unknown endpoint or kind, or an impossible value.
        """
        fault = Fault(
            endpoint=endpoint,
            kind=kind,
            times=times,
            probability=probability,
            status_code=status_code,
            body=body,
            headers=dict(headers or {}),
            latency=latency,
            style=style,
            mode=mode,
        )
        self._rules.append(fault)
        return fault

    def add_from_wire(self, spec: Mapping[str, Any]) -> Fault:
        """Add a rule from a JSON object, as ``POST /_sandbox/faults`` receives it.

        Raises:
            ValueError: an unknown field or a bad value, with a message saying which.
        """
        allowed = {a.name for a in attrs.fields(Fault)} - {"fired"}
        unknown = sorted(set(spec) - allowed)
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
        if "endpoint" not in spec or "kind" not in spec:
            raise ValueError("a fault needs an endpoint and a kind")
        try:
            return self.add(**spec)
        except TypeError as exc:
            raise ValueError(str(exc)) from None

    def take(self, endpoint: str) -> Fault | None:
        """The fault this request meets, if any, counting it against its rule."""
        for fault in self._rules:
            if fault.endpoint not in (endpoint, "*"):
                continue
            if fault.probability is not None and self._rng.random() >= fault.probability:
                continue
            fault.fired += 1
            if fault.times is not None and fault.fired >= fault.times:
                self._rules.remove(fault)
            return fault
        return None

    def clear(self) -> int:
        """Remove every rule; returns how many there were."""
        count = len(self._rules)
        self._rules.clear()
        return count

    def __iter__(self) -> Iterator[Fault]:
        return iter(list(self._rules))

    def __len__(self) -> int:
        return len(self._rules)


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def _status_response(fault: Fault, status_code: int) -> Response:
    if fault.body == "html":
        page = nginx_error_page(status_code, _reason(status_code))
        response = Response(page, status_code=status_code, media_type="text/html")
    elif fault.body == "empty":
        response = Response(b"", status_code=status_code)
    else:
        response = failure(status_code, f"{_reason(status_code)} (injected by the sandbox).")
    response.headers.update(fault.headers)
    return response


def fault_response(fault: Fault) -> Response:
    """The answer a ``"status"`` or ``"malformed"`` fault sends instead of handling the request."""
    if fault.kind == "status":
        return _status_response(fault, fault.status_code)
    if fault.style == "html":
        page = "<html><body><h1>Welcome to nginx!</h1></body></html>\n"
        return Response(page, status_code=200, media_type="text/html")
    body = b'{"error":"","data":{"status":"Appr' if fault.style == "truncated" else b""
    return Response(body, status_code=200, media_type="application/json")


class DroppedResponse(Response):
    """Starts ``inner`` with a ``Content-Length`` it never fulfils, then drops the connection."""

    def __init__(self, inner: Response) -> None:
        super().__init__(inner.body, status_code=inner.status_code, media_type=inner.media_type)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the head and half the body, then raise ``SandboxConnectionDropped``."""
        promised = str(len(self.body) + 64).encode()
        headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": [*headers, (b"content-length", promised)],
            }
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        # Raising after the response started makes uvicorn close the socket mid-body.
        raise SandboxConnectionDropped(f"connection dropped after {self.status_code} started")


def lost_response(fault: Fault, inner: Response) -> Response:
    """What the client sees of a handled request under a ``"commit_then_drop"`` fault."""
    if fault.mode == "drop":
        return DroppedResponse(inner)
    return _status_response(fault, fault.status_code)
