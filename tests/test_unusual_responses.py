"""Whatever a server or a proxy sends, the caller gets a typed result or a typed AllianceError.

An explicit table of unusual answers, then hypothesis generating arbitrary ones."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from unittest import mock

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_pay import (
    AllianceClient,
    AllianceError,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    Balance,
    InternalServerError,
    NotFoundError,
    OutcomeUnknownError,
    Payin,
    PayinLink,
    Payout,
    PayoutStatus,
    PermissionDeniedError,
    RateLimitError,
    _retries,
)
from tests.helpers import ACCESS_KEY, PAYOUT_ARGS, PAYOUT_STATUS, SECRET_KEY, envelope

Responder = Callable[[httpx.Request], httpx.Response]


ORDER = PAYOUT_STATUS["order_id"]


def _client(responder: Responder, max_retries: int = 0) -> AllianceClient:
    return AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url="https://alliance.test",
        max_retries=max_retries,
        # Look-ups of in-doubt creates keep trying for this long: short, for many examples.
        resolve_timeout=0.05,
        http_client=httpx.Client(transport=httpx.MockTransport(responder)),
    )


@pytest.fixture(autouse=True)
def no_backoff() -> Iterator[None]:
    with (
        mock.patch.object(_retries, "INITIAL_RETRY_DELAY", 0.0),
        mock.patch.object(_retries, "RESOLVE_MIN_DELAY", 0.01),
    ):
        yield


def _status(**changes: Any) -> httpx.Response:
    return httpx.Response(200, json=envelope({**PAYOUT_STATUS, **changes}))


UNUSUAL: list[tuple[str, httpx.Response, type[BaseException] | None]] = [
    (
        "nginx HTML 502",
        httpx.Response(502, text="<html><h1>502 Bad Gateway</h1></html>"),
        InternalServerError,
    ),
    (
        "WAF HTML 403",
        httpx.Response(403, text="<html>Request blocked</html>"),
        PermissionDeniedError,
    ),
    ("429 with Retry-After", httpx.Response(429, headers={"Retry-After": "120"}), RateLimitError),
    ("empty 200", httpx.Response(200, content=b""), APIResponseValidationError),
    ("204 no content", httpx.Response(204), APIResponseValidationError),
    (
        "truncated JSON",
        httpx.Response(200, content=b'{"error":"","data":{"order_id":"A'),
        APIResponseValidationError,
    ),
    (
        "HTML with 200",
        httpx.Response(200, text="<!doctype html><p>Maintenance</p>"),
        APIResponseValidationError,
    ),
    (
        "non-UTF-8 bytes",
        httpx.Response(200, content=b"\xff\xfe\x00garbage"),
        APIResponseValidationError,
    ),
    ("JSON array", httpx.Response(200, json=[PAYOUT_STATUS]), APIResponseValidationError),
    ("JSON string", httpx.Response(200, json="ok"), APIResponseValidationError),
    (
        "success false with 200",
        httpx.Response(200, json=envelope(PAYOUT_STATUS, "Failed", success=False)),
        APIResponseValidationError,
    ),
    ("data null", httpx.Response(200, json=envelope(None)), APIResponseValidationError),
    ("data is a list", httpx.Response(200, json=envelope([1])), APIResponseValidationError),
    (
        "amount is NaN",
        httpx.Response(200, content=b'{"data":{"order_id":"A","status":"Pending","amount":NaN}}'),
        APIResponseValidationError,
    ),
    ("amount is prose", _status(amount="one hundred"), APIResponseValidationError),
    ("status missing", _status(status=None), APIResponseValidationError),
    ("created_at garbage", _status(created_at="last tuesday"), APIResponseValidationError),
    ("404 with HTML", httpx.Response(404, text="<html>Not Found</html>"), NotFoundError),
    (
        "301 redirect",
        httpx.Response(301, headers={"Location": "https://elsewhere.test/"}),
        APIStatusError,
    ),
    (
        "corrupt gzip body",
        httpx.Response(
            200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"not gzip")
        ),
        APIConnectionError,
    ),
    ("unknown status value", _status(status="On Hold"), None),
    ("extra fields and nulls", _status(new_field={"a": 1}, vpa=None, remarks=None), None),
    (
        "numbers as strings",
        _status(amount="100.00", charge="5.90", beneficiary_mobile_no=7878787878),
        None,
    ),
    (
        "no success key",
        httpx.Response(200, json={"data": PAYOUT_STATUS}),
        APIResponseValidationError,
    ),
    (
        "success is the string 'false'",
        httpx.Response(200, json={**envelope(PAYOUT_STATUS), "success": "false"}),
        APIResponseValidationError,
    ),
    (
        "success is the string 'true'",
        httpx.Response(200, json={**envelope(PAYOUT_STATUS), "success": "true"}),
        APIResponseValidationError,
    ),
    (
        "amount 1e999999",
        httpx.Response(
            200,
            content=json.dumps(envelope({**PAYOUT_STATUS, "amount": 0}))
            .replace('"amount": 0', '"amount": 1e999999')
            .encode(),
        ),
        APIResponseValidationError,
    ),
    ("amount 1e999999 as text", _status(amount="1e999999"), APIResponseValidationError),
    (
        "amount with 100k digits",
        httpx.Response(
            200,
            content=json.dumps(envelope({**PAYOUT_STATUS, "amount": 0}))
            .replace('"amount": 0', '"amount": 1.' + "0" * 100_000)
            .encode(),
        ),
        APIResponseValidationError,
    ),
    ("amount negative", _status(amount="-100.00"), APIResponseValidationError),
    ("amount with fractions of a paisa", _status(amount="100.001"), APIResponseValidationError),
    ("charge is infinity", _status(charge="Infinity"), APIResponseValidationError),
    ("record of another order", _status(order_id="ORD-OTHER"), APIResponseValidationError),
]


@pytest.mark.parametrize(("name", "response", "expected"), UNUSUAL, ids=[u[0] for u in UNUSUAL])
def test_each_unusual_response_ends_in_the_right_typed_outcome(
    name: str, response: httpx.Response, expected: type[BaseException] | None
) -> None:
    with _client(lambda request: response) as client:
        if expected is None:
            payout = client.payouts.retrieve(ORDER)
            assert isinstance(payout, Payout)
            assert payout.amount is None or isinstance(payout.amount, Decimal)
            if name == "unknown status value":
                assert payout.status.value == "On Hold"
                assert payout.status not in set(PayoutStatus)
        else:
            with pytest.raises(expected) as info:
                client.payouts.retrieve(ORDER)
            assert type(info.value) is expected


def test_there_are_at_least_fifteen_unusual_cases() -> None:
    assert len(UNUSUAL) >= 15


# --- hypothesis: arbitrary answers --------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_json = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
_record_values = _scalars | st.decimals(allow_nan=False, allow_infinity=False).map(str)
_record = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys({**PAYOUT_STATUS, "balance": 1, "pay_url": 1}, _record_values),
)


@st.composite
def _responses(draw: st.DrawFn) -> httpx.Response:
    status = draw(
        st.sampled_from(
            [200, 201, 202, 204, 301, 400, 401, 403, 404, 408, 422, 429, 500, 502, 503, 504, 520]
        )
    )
    kind = draw(st.sampled_from(["bytes", "json", "envelope", "record"]))
    if kind == "bytes":
        return httpx.Response(status, content=draw(st.binary(max_size=64)))
    if kind == "json":
        return httpx.Response(status, content=json.dumps(draw(_json)).encode())
    data: Any = draw(_record) if kind == "record" else draw(_json)
    body = {
        "error": draw(_scalars),
        "data": data,
        "message": draw(_scalars),
        "success": draw(_scalars),
    }
    return httpx.Response(status, content=json.dumps(body).encode())


_CALLS: dict[str, tuple[Callable[[AllianceClient], object], type]] = {
    "balance.retrieve": (lambda c: c.balance.retrieve(), Balance),
    "payins.retrieve": (lambda c: c.payins.retrieve("A"), Payin),
    "payouts.retrieve": (lambda c: c.payouts.retrieve("A"), Payout),
    "payouts.create": (lambda c: c.payouts.create(**PAYOUT_ARGS), Payout),
    "payins.create_link": (
        lambda c: c.payins.create_link(
            user_id="u", order_id="A", amount="1", redirect_url="https://shop.example.in/"
        ),
        PayinLink,
    ),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    call=st.sampled_from(sorted(_CALLS)),
    answers=st.lists(_responses(), min_size=1, max_size=6),
    max_retries=st.integers(0, 2),
)
def test_any_answer_ends_in_a_model_or_an_alliance_error(
    call: str, answers: list[httpx.Response], max_retries: int
) -> None:
    replies = iter(answers)

    def responder(request: httpx.Request) -> httpx.Response:
        # The server keeps answering with the drawn responses, then with the last one.
        return next(replies, answers[-1])

    action, model = _CALLS[call]
    with _client(responder, max_retries) as client:
        outcome: object
        try:
            outcome = action(client)
        except AllianceError as error:
            outcome = error
    # A model of the right type, or an AllianceError: never a raw json, cattrs or httpx error.
    assert isinstance(outcome, (model, AllianceError))
    if isinstance(outcome, OutcomeUnknownError):
        assert outcome.order_id in {"A", PAYOUT_ARGS["order_id"]}


@pytest.mark.parametrize(
    "balance", ["-0.01", "-1000.00", "1e999999", "NaN", "12.345"], ids=lambda b: f"balance={b}"
)
def test_a_balance_that_cannot_be_real_is_refused(balance: str) -> None:
    answer = httpx.Response(200, json=envelope({"balance": balance}))
    with (
        _client(lambda request: answer) as client,
        pytest.raises(APIResponseValidationError, match="balance"),
    ):
        client.balance.retrieve()


def test_a_payin_status_for_another_order_is_refused() -> None:
    answer = httpx.Response(200, json=envelope({"order_id": "B", "status": "Approved"}))
    with (
        _client(lambda request: answer) as client,
        pytest.raises(APIResponseValidationError, match="not of 'A' as asked"),
    ):
        client.payins.retrieve("A")
