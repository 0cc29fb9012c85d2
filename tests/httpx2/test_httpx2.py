"""httpx2 beside httpx: ``AllianceAuth`` signs inside httpx2's clients exactly as inside httpx's,
the SDK clients take an httpx2 ``http_client``, and both packages' transport errors become the
same typed SDK errors.

These tests need ``httpx2`` (the ``httpx2`` extra); without it they are skipped, unless
``ALLIANCE_TEST_REQUIRE_HTTPX2=1`` (set by ``nox -s tests_httpx2``) makes that a failure. None
of them needs ``httpx2.alias_httpx()``: they use httpx2's own ``MockTransport`` and a sandbox
served over a real socket instead of respx.
"""

from __future__ import annotations

import json
import os
import runpy
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from alliance_pay import (
    AllianceAuth,
    AllianceClient,
    AllianceValidationError,
    APIConnectionError,
    APITimeoutError,
    AsyncAllianceClient,
    OutcomeUnknownError,
    PayoutStatus,
)
from alliance_pay.sandbox import SandboxConfig, create_app, serve_in_thread
from tests.helpers import ACCESS_KEY, SECRET_KEY, instant_sync_waits

try:
    import httpx2
except ImportError:
    if os.environ.get("ALLIANCE_TEST_REQUIRE_HTTPX2") == "1":
        raise
    pytest.skip(
        "httpx2 is not installed (pip install 'alliance-pay[httpx2]'; nox -s tests_httpx2 runs "
        "these)",
        allow_module_level=True,
    )

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "data" / "signature-vectors.json").read_text("utf-8")
)["cases"]
BASE = "https://alliance.test/"
PACKAGES = pytest.mark.parametrize("package", [httpx, httpx2], ids=["httpx", "httpx2"])


def _id(case: dict[str, Any]) -> str:
    return f"{case['kind']}-{case['timestamp']}"


def _vector_auth(case: dict[str, Any]) -> AllianceAuth:
    return AllianceAuth("vector-access-key", case["secret"], clock=lambda: int(case["timestamp"]))


def _content(case: dict[str, Any]) -> bytes | None:
    return case["wire_body"].encode("utf-8") if case["body"] is not None else None


def _assert_matches_vector(request: Any, case: dict[str, Any]) -> None:
    assert type(request) is httpx2.Request  # still httpx2's own request, not a copy of httpx's
    assert request.headers["Access-Key"] == "vector-access-key"
    assert request.headers["Timestamp"] == case["timestamp"]
    assert request.content.decode("utf-8") == case["wire_body"]
    assert request.headers["Signature"] == case["signature"]


# AllianceAuth in httpx2's clients -----------------------------------------------------------------


def test_alliance_auth_is_an_auth_of_both_packages() -> None:
    auth = AllianceAuth(ACCESS_KEY, SECRET_KEY)
    assert isinstance(auth, httpx.Auth)
    assert isinstance(auth, httpx2.Auth)


@pytest.mark.parametrize("case", VECTORS, ids=_id)
def test_an_httpx2_client_signs_every_vector(case: dict[str, Any]) -> None:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200)

    transport = httpx2.MockTransport(handler)
    with httpx2.Client(transport=transport, auth=_vector_auth(case)) as client:
        client.request(case["method"], BASE + case["path"], content=_content(case))
    _assert_matches_vector(seen[0], case)


@pytest.mark.parametrize("case", VECTORS, ids=_id)
async def test_an_httpx2_async_client_signs_every_vector(case: dict[str, Any]) -> None:
    seen: list[httpx2.Request] = []

    async def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200)

    transport = httpx2.MockTransport(handler)
    async with httpx2.AsyncClient(transport=transport, auth=_vector_auth(case)) as client:
        await client.request(case["method"], BASE + case["path"], content=_content(case))
    _assert_matches_vector(seen[0], case)


async def test_a_streamed_body_is_read_and_signed_in_httpx2_as_in_httpx() -> None:
    case = next(c for c in VECTORS if c["kind"] == "payout_initiate")
    seen: list[httpx2.Request] = []

    async def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200)

    async def chunks() -> Any:
        body = case["wire_body"].encode("utf-8")
        yield body[:10]
        yield body[10:]

    transport = httpx2.MockTransport(handler)
    async with httpx2.AsyncClient(transport=transport, auth=_vector_auth(case)) as client:
        await client.post(BASE + case["path"], content=chunks())
    _assert_matches_vector(seen[0], case)


@pytest.mark.parametrize("case", [c for c in VECTORS if c["kind"] == "empty_post"][:1], ids=_id)
def test_called_as_a_function_it_signs_an_httpx2_request_and_keeps_its_type(
    case: dict[str, Any],
) -> None:
    signed = _vector_auth(case)(httpx2.Request("POST", BASE + case["path"]))
    _assert_matches_vector(signed, case)


# The SDK clients over httpx2 ----------------------------------------------------------------------


@pytest.fixture
def served_sandbox() -> Iterator[str]:
    """A sandbox on a real socket: an independent server, not the client's own package."""
    config = SandboxConfig(access_key=ACCESS_KEY, secret_key=SECRET_KEY, payout_delay=0)
    with serve_in_thread(create_app(config)) as base_url:
        yield base_url


PAYOUT = {
    "user_id": "u-1",
    "amount": Decimal("12.50"),
    "beneficiary_name": "Asha Rao",
    "beneficiary_email": "asha@example.in",
    "beneficiary_mobile_no": "9876543210",
    "beneficiary_address": "Pune",
    "beneficiary_acc_no": "123456789012",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
}


async def test_the_async_client_over_httpx2_talks_to_a_real_server(served_sandbox: str) -> None:
    http = httpx2.AsyncClient()
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=served_sandbox, http_client=http
    ) as client:
        before = (await client.balance.retrieve()).balance
        created = await client.payouts.create(order_id="H2-ASYNC-1", **PAYOUT)
        settled = await client.payouts.wait("H2-ASYNC-1", timeout=10)
        after = (await client.balance.retrieve()).balance
    assert not http.is_closed  # the http_client was the caller's: not closed
    await http.aclose()
    assert created.amount == Decimal("12.50")
    assert settled.status is PayoutStatus.APPROVED
    assert after < before


def test_the_sync_client_over_httpx2_talks_to_a_real_server(served_sandbox: str) -> None:
    with (
        httpx2.Client() as http,
        AllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url=served_sandbox,
            http_client=http,
        ) as client,
    ):
        created = client.payouts.create(order_id="H2/SYNC 1", **PAYOUT)
        # An order id that must be percent-encoded is sent, and signed, exactly.
        assert client.payouts.retrieve("H2/SYNC 1").order_id == created.order_id == "H2/SYNC 1"
        link = client.payins.create_link(
            user_id="u-1",
            order_id="H2-LINK-1",
            amount=Decimal("99.00"),
            redirect_url="https://shop.example.in/paid",
        )
        assert link.pay_url.startswith(served_sandbox)


def test_a_client_of_the_wrong_kind_is_refused_naming_both_packages() -> None:
    with pytest.raises(AllianceValidationError) as caught:
        AsyncAllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url=BASE,
            http_client=httpx2.Client(),  # type: ignore[arg-type]
        )
    assert str(caught.value) == (
        "http_client: must be an httpx.AsyncClient or an httpx2.AsyncClient, not Client"
    )


def test_an_httpx2_timeout_is_taken_from_the_client_and_as_an_argument() -> None:
    from_client = AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE,
        http_client=httpx2.Client(timeout=httpx2.Timeout(7.0, connect=2.0)),
    )
    given = AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=BASE,
        timeout=httpx2.Timeout(3.0),  # type: ignore[arg-type]
    )
    assert from_client.timeout == httpx.Timeout(7.0, connect=2.0)
    assert given.timeout == httpx.Timeout(3.0)
    given.close()


# Transport errors of both packages ----------------------------------------------------------------


def _failing_client(package: ModuleType, error: Callable[[Any], Exception]) -> Any:
    def handler(request: Any) -> Any:
        raise error(request)

    return package.Client(transport=package.MockTransport(handler))


@PACKAGES
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ConnectError", APIConnectionError),
        ("ReadError", APIConnectionError),
        ("RemoteProtocolError", APIConnectionError),
        ("DecodingError", APIConnectionError),
        ("ConnectTimeout", APITimeoutError),
        ("ReadTimeout", APITimeoutError),
        ("PoolTimeout", APITimeoutError),
    ],
)
def test_transport_errors_of_either_package_become_the_same_sdk_error(
    package: ModuleType, name: str, expected: type[Exception]
) -> None:
    cls = getattr(package, name)
    http = _failing_client(package, lambda request: cls("it broke", request=request))
    with (
        AllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url=BASE,
            http_client=http,
            max_retries=0,
        ) as client,
        pytest.raises(expected) as caught,
    ):
        client.balance.retrieve()
    assert type(caught.value) is expected
    assert isinstance(caught.value.__cause__, cls)
    assert "GET /api/v1/balance" in str(caught.value)


@PACKAGES
def test_a_create_refused_before_sending_is_resent_and_an_unanswered_one_is_looked_up(
    package: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The at-most-once rules read the cause the same way, whichever package raised it."""
    waits = instant_sync_waits(monkeypatch)  # the look-ups' whole budget, in no wall time
    sent: list[str] = []

    def handler(request: Any) -> Any:
        sent.append(request.url.path)
        if len(sent) == 1:
            raise package.ConnectError("refused", request=request)  # never reached the server
        raise package.ReadTimeout("no answer", request=request)  # may have been processed

    http = package.Client(transport=package.MockTransport(handler))
    with (
        AllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url=BASE,
            http_client=http,
            max_retries=1,
        ) as client,
        pytest.raises(OutcomeUnknownError),
    ):
        client.payouts.create(order_id="H2-AMBIGUOUS", **PAYOUT)
    assert sent[:2] == ["/api/v1/payout/initiate", "/api/v1/payout/initiate"]
    assert "/api/v1/payout/H2-AMBIGUOUS/status" in sent  # looked up, not blindly resent
    assert sum(waits) > 20  # for the default budget, not given up at the first timeout


# The documentation's example ----------------------------------------------------------------------


def test_the_documented_httpx2_example_runs_against_a_sandbox(
    served_sandbox: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALLIANCE_BASE_URL", served_sandbox)
    monkeypatch.setenv("ALLIANCE_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("ALLIANCE_SECRET_KEY", SECRET_KEY)
    example = Path(__file__).parents[2] / "docs" / "examples" / "httpx2_client.py"
    runpy.run_path(str(example), run_name="__main__")
    assert capsys.readouterr().out == "200\n100000.00\n"


# The sandbox in-process, under an httpx2 stack --------------------------------------------------


async def test_an_httpx2_client_reaches_the_in_process_sandbox_through_its_asgi_transport() -> None:
    from alliance_pay.testing import LocalSandbox

    local = LocalSandbox()
    transport = httpx2.ASGITransport(local.app)
    async with AsyncAllianceClient(
        access_key=local.config.access_key,
        secret_key=local.config.secret_key,
        base_url="http://sandbox.alliance.invalid",
        http_client=httpx2.AsyncClient(transport=transport),
    ) as client:
        await client.payouts.create(order_id="H2-LOCAL-1", **PAYOUT)
        local.settle_payouts()
        payout = await client.payouts.retrieve("H2-LOCAL-1")
    assert payout.status is PayoutStatus.APPROVED
    assert local.sandbox.balance < Decimal("100000.00")
