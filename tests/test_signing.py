"""The signature, pinned by the 60 known-answer vectors checked against the documentation's
Python, JavaScript, PHP and Java samples (tests/data/signature-vectors.json)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from alliance_pay import AllianceAuth, compute_signature
from alliance_pay._signing import canonical_message, dumps_body, signing_path

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "signature-vectors.json").read_text("utf-8")
)["cases"]


def _id(case: dict[str, Any]) -> str:
    return f"{case['kind']}-{case['timestamp']}"


def test_there_are_sixty_vectors() -> None:
    assert len(VECTORS) == 60


@pytest.mark.parametrize("case", VECTORS, ids=_id)
def test_canonical_message_matches_the_vector(case: dict[str, Any]) -> None:
    message = canonical_message(case["method"], case["path"], case["wire_body"], case["timestamp"])
    assert message == case["message"].encode("utf-8")


@pytest.mark.parametrize("case", VECTORS, ids=_id)
def test_compute_signature_matches_the_vector(case: dict[str, Any]) -> None:
    signature = compute_signature(
        case["secret"], case["method"], case["path"], case["wire_body"], case["timestamp"]
    )
    assert signature == case["signature"]


@pytest.mark.parametrize("case", VECTORS, ids=_id)
def test_without_openssls_c_module_the_signature_is_the_same(
    case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The signature comes from _hashlib's HMAC, the C module hmac itself uses; a Python without
    # it signs through hmac.new, to the same digest.
    import hmac

    from alliance_pay import _signing

    monkeypatch.setattr(_signing, "_new_hmac", hmac.new)
    signature = compute_signature(
        case["secret"], case["method"], case["path"], case["wire_body"], case["timestamp"]
    )
    assert signature == case["signature"]


@pytest.mark.parametrize("case", [c for c in VECTORS if c["body"] is not None], ids=_id)
def test_dumps_body_writes_the_wire_body_with_decimal_money(case: dict[str, Any]) -> None:
    body = dict(case["body"])
    if body.get("amount") is not None:
        # The SDK holds money as Decimal; the wire must read as the sample's float did.
        body["amount"] = Decimal(repr(body["amount"]))
    assert dumps_body(body).decode("ascii") == case["wire_body"]


def _send_through_auth(case: dict[str, Any], *, use_content: bool) -> httpx.Request:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    auth = AllianceAuth("vector-access-key", case["secret"], clock=lambda: int(case["timestamp"]))
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        url = "https://alliance.test/" + case["path"]
        if case["wire_body"] and use_content:
            client.request(case["method"], url, content=case["wire_body"].encode("utf-8"))
        elif case["body"] is not None:
            client.request(case["method"], url, json=case["body"])
        else:
            client.request(case["method"], url)
    return seen[0]


@pytest.mark.parametrize("case", VECTORS, ids=_id)
def test_alliance_auth_with_a_pinned_clock_signs_each_vector(case: dict[str, Any]) -> None:
    request = _send_through_auth(case, use_content=True)
    assert request.headers["Timestamp"] == case["timestamp"]
    assert request.headers["Access-Key"] == "vector-access-key"
    assert request.content.decode("utf-8") == case["wire_body"]
    assert request.headers["Signature"] == case["signature"]


@pytest.mark.parametrize("case", [c for c in VECTORS if c["body"] is not None], ids=_id)
def test_alliance_auth_signs_the_bytes_httpx_json_sends(case: dict[str, Any]) -> None:
    # httpx's own json= serialiser differs from the documentation's (it keeps non-ASCII as
    # UTF-8); whatever goes on the wire is what is signed.
    request = _send_through_auth(case, use_content=False)
    expected = compute_signature(
        case["secret"], case["method"], case["path"], request.content, case["timestamp"]
    )
    assert request.headers["Signature"] == expected


@pytest.mark.parametrize(
    ("raw_path", "expected"),
    [
        (b"/api/v1/balance", "api/v1/balance"),
        (b"/api/v1/balance?page=2", "api/v1/balance"),
        (b"/prefix/api/v1/payout/ORD%2F1/status", "prefix/api/v1/payout/ORD%2F1/status"),
        (b"api/v1/balance", "api/v1/balance"),
    ],
)
def test_signing_path_keeps_encoding_and_drops_slash_and_query(
    raw_path: bytes, expected: str
) -> None:
    assert signing_path(raw_path) == expected


def test_dumps_body_never_writes_a_binary_float() -> None:
    body = dumps_body({"amount": Decimal("0.10"), "b": Decimal("1E+2"), "c": Decimal("5.90")})
    assert body == b'{"amount":0.1,"b":100,"c":5.9}'


def test_dumps_body_refuses_non_finite_money() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        dumps_body({"amount": Decimal("NaN")})
