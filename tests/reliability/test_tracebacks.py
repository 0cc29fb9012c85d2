"""A traceback with locals (Sentry, rich) over every failure path shows no account number,
mobile, email or name: not in an exception message, not in the repr of any SDK object on the
stack. Plain strings the caller passed in are the caller's own, and are not checked."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from types import TracebackType

import httpx
import pytest

from alliance_pay import AllianceClient, AllianceError, _retries
from tests.helpers import ACCESS_KEY, PAYOUT_ARGS, PAYOUT_STATUS, SECRET_KEY, envelope

ACCOUNT = "99999999999"
SECRETS = [ACCOUNT, "7878787878", "test.test@gmail.com", "Test Name", SECRET_KEY]
ORDER = PAYOUT_ARGS["order_id"]
ECHO = envelope(
    {"order_id": ORDER, "beneficiary_acc_no": ACCOUNT, "beneficiary_mobile_no": "7878787878"},
    "bad",
)


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retries, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(_retries, "RESOLVE_MIN_DELAY", 0.001)


def _answers(create: object, status: object) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        reply = create if request.url.path.endswith("/initiate") else status
        if isinstance(reply, BaseException):
            raise reply
        assert isinstance(reply, httpx.Response)
        return reply

    return answer


def _other_account() -> httpx.Response:
    return httpx.Response(200, json=envelope({**PAYOUT_STATUS, "beneficiary_acc_no": "1" * 11}))


PATHS: dict[str, tuple[object, object, Callable[[AllianceClient], object]]] = {
    "422 echoing the account": (
        httpx.Response(422, json={**ECHO, "errors": {"beneficiary_acc_no": [ACCOUNT]}}),
        None,
        lambda c: c.payouts.create(**PAYOUT_ARGS),
    ),
    "500 then lookups fail": (
        httpx.Response(500, json=ECHO),
        httpx.Response(503, json=ECHO),
        lambda c: c.payouts.create(**PAYOUT_ARGS),
    ),
    "unreadable 200 then a different order": (
        httpx.Response(200, json={**ECHO, "data": {**ECHO["data"], "amount": "1e999999"}}),
        _other_account(),
        lambda c: c.payouts.create(**PAYOUT_ARGS),
    ),
    "pool RuntimeError then lookups fail": (
        RuntimeError("Event loop is closed"),
        RuntimeError("Event loop is closed"),
        lambda c: c.payouts.create(**PAYOUT_ARGS),
    ),
    "oversized answer": (
        httpx.Response(200, json={**ECHO, "pad": "x" * 9000}),
        httpx.Response(200, json={**ECHO, "pad": "x" * 9000}),
        lambda c: c.payouts.create(**PAYOUT_ARGS),
    ),
    "record of another order": (
        None,
        httpx.Response(200, json=envelope({**PAYOUT_STATUS, "order_id": "OTHER"})),
        lambda c: c.payouts.retrieve(ORDER),
    ),
    "read that fails to connect": (
        None,
        httpx.ConnectError("refused"),
        lambda c: c.payouts.retrieve(ORDER),
    ),
}


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _frames(tb: TracebackType | None) -> Iterator[TracebackType]:
    while tb is not None:
        yield tb
        tb = tb.tb_next


@pytest.mark.parametrize("path", sorted(PATHS))
def test_no_personal_data_in_a_traceback_with_locals(path: str) -> None:
    create, status, action = PATHS[path]
    with (
        AllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url="https://alliance.test",
            max_retries=1,
            resolve_timeout=0.05,
            max_response_bytes=4096,
            http_client=httpx.Client(transport=httpx.MockTransport(_answers(create, status))),
        ) as client,
        pytest.raises(AllianceError) as info,
    ):
        action(client)
    error = info.value
    # Rendering it with locals works (a repr that raised would show up here).
    rendered = "".join(
        traceback.TracebackException(
            type(error), error, error.__traceback__, capture_locals=True
        ).format()
    )
    assert type(error).__name__ in rendered
    for link in _chain(error):
        for secret in SECRETS:
            assert secret not in str(link), (path, type(link).__name__)
        for frame in _frames(link.__traceback__):
            if "alliance_pay" not in frame.tb_frame.f_code.co_filename:
                continue
            for name, value in frame.tb_frame.f_locals.items():
                if isinstance(value, (str, int)):  # the caller's own arguments
                    continue
                shown = repr(value)
                for secret in SECRETS:
                    assert secret not in shown, (path, frame.tb_frame.f_code.co_name, name)
