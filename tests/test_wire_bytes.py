"""The bytes that are signed and sent: the body encoder, the path segment, the signing path.

The signature covers the body byte for byte, so the encoder must write exactly what the
documentation's Python sample (``json.dumps`` with compact separators) writes, and money as its
exact decimal digits. These tests pin that with known answers, every kind of value compared with
``json`` itself (``tests/test_body_encoding.py`` adds generated bodies).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from alliance_pay._signing import (
    canonical_message,
    dumps_body,
    encode_path_segment,
    now_ms,
    signing_path,
)


def sample_dumps(body: object) -> bytes:
    """What the documentation's Python sample sends."""
    return json.dumps(body, separators=(",", ":")).encode("ascii")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"a": None, "b": True, "c": False, "d": 0, "e": -7, "f": 10**30},
        {"text": 'quote " backslash \\ newline \n tab \t nul \x00 del \x7f'},
        {"name": "Ünïcødé ₹ 🙂", "ключ": "значение"},
        {"list": [1, "two", None, True, [], {}], "nested": {"a": {"b": [{"c": []}]}}},
        {"tuple": (1, 2), "empty": []},
        {"float": 1.5, "small": 1e-7, "big": 1e300},
    ],
    ids=repr,
)
def test_every_kind_of_json_value_is_encoded_as_json_encodes_it(body: dict[str, object]) -> None:
    assert dumps_body(body) == sample_dumps(body)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("100.50"), "100.5"),
        (Decimal("100.00"), "100"),
        (Decimal("100"), "100"),
        (Decimal("1E+2"), "100"),
        (Decimal("1000"), "1000"),
        (Decimal("0.01"), "0.01"),
        (Decimal("0.10"), "0.1"),
        (Decimal("5.9"), "5.9"),
        (Decimal("1E-7"), "0.0000001"),
        (Decimal("-0"), "0"),
        (Decimal("-0.00"), "0"),
        (Decimal("-12.30"), "-12.3"),
        (Decimal("99999999999.99"), "99999999999.99"),
        # More digits than the decimal context's 28: written exactly, never rounded.
        (Decimal("123456789012345678901234567890.12"), "123456789012345678901234567890.12"),
    ],
    ids=str,
)
def test_money_is_written_as_its_exact_decimal_digits(amount: Decimal, text: str) -> None:
    assert dumps_body({"amount": amount}) == f'{{"amount":{text}}}'.encode()
    assert dumps_body({"amounts": [amount]}) == f'{{"amounts":[{text}]}}'.encode()


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_a_non_finite_amount_is_never_sent(amount: Decimal) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        dumps_body({"amount": amount})


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_non_finite_float_is_never_sent(value: float) -> None:
    with pytest.raises(ValueError, match="JSON"):
        dumps_body({"x": value})


@pytest.mark.parametrize("body", [{1: "a"}, {"a": {None: 1}}, {"a": [{2.5: 1}]}], ids=repr)
def test_a_key_that_is_not_a_string_is_refused(body: dict[object, object]) -> None:
    with pytest.raises(TypeError, match="keys must be str"):
        dumps_body(body)  # type: ignore[arg-type]


# Named by type: a repr holding a memory address would differ between pytest-xdist workers.
@pytest.mark.parametrize(
    "value", [b"bytes", bytearray(b"bytes"), object()], ids=lambda value: type(value).__name__
)
def test_a_value_json_cannot_write_is_refused_not_guessed(value: object) -> None:
    with pytest.raises(TypeError):
        dumps_body({"x": value})


@pytest.mark.parametrize(
    ("order_id", "segment"),
    [
        ("ORD-1", "ORD-1"),
        ("ORD/2026/11", "ORD%2F2026%2F11"),
        ("a b", "a%20b"),
        ("a?b#c", "a%3Fb%23c"),
        ("100%", "100%25"),
        ("a\\b", "a%5Cb"),
        ("ü", "%C3%BC"),
        ("a.b_c~d", "a.b_c~d"),
        ("", ""),
    ],
    ids=repr,
)
def test_an_order_id_is_percent_encoded_into_exactly_one_segment(
    order_id: str, segment: str
) -> None:
    assert encode_path_segment(order_id) == segment


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ("/api/v1/balance", "api/v1/balance"),
        (b"/api/v1/balance", "api/v1/balance"),
        ("/prefix/api/v1/payout/ORD%2F1/status?x=1&y=2", "prefix/api/v1/payout/ORD%2F1/status"),
        ("api/v1/balance", "api/v1/balance"),
        ("//double", "/double"),  # only one leading slash is dropped
        ("/", ""),
        ("/a?b?c", "a"),
    ],
    ids=repr,
)
def test_the_signed_path_is_the_raw_path_without_its_query_and_first_slash(
    raw: str | bytes, path: str
) -> None:
    assert signing_path(raw) == path


@pytest.mark.parametrize(
    ("method", "body", "timestamp", "message"),
    [
        ("get", b"", 1726748295000, b"GET\npath\n\n1726748295000\n"),
        ("POST", '{"a":"ü"}', "1726748295000", 'POST\npath\n{"a":"ü"}\n1726748295000\n'.encode()),
        ("Post", b"{}", 7, b"POST\npath\n{}\n7\n"),
    ],
    ids=repr,
)
def test_the_canonical_message_is_method_path_body_timestamp_each_ending_a_line(
    method: str, body: str | bytes, timestamp: int | str, message: bytes
) -> None:
    assert canonical_message(method, "path", body, timestamp) == message


def test_the_timestamp_is_whole_milliseconds_since_the_epoch() -> None:
    before = time.time_ns() // 1_000_000
    stamp = now_ms()
    after = time.time_ns() // 1_000_000
    assert type(stamp) is int
    assert before <= stamp <= after
