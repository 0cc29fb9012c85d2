"""The httpx2 install: httpx2's clients sign with AllianceAuth exactly as the held-out vectors
say, and the SDK driven through httpx2 clients talks to an independent server."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from smoke_support import HERE, needs_httpx2, run, user_project

pytestmark = needs_httpx2

VECTORS: list[dict[str, Any]] = json.loads((HERE / "signature-vectors.json").read_text("utf-8"))[
    "cases"
]


def _auth(case: dict[str, Any]) -> Any:
    from alliance_pay import AllianceAuth

    return AllianceAuth("vector-access-key", case["secret"], clock=lambda: int(case["timestamp"]))


def _body(case: dict[str, Any]) -> bytes | None:
    return case["wire_body"].encode() if case["body"] is not None else None


def _check(request: Any, case: dict[str, Any]) -> None:
    assert request.headers["Timestamp"] == case["timestamp"]
    assert request.content.decode() == case["wire_body"]
    assert request.headers["Signature"] == case["signature"]


def test_httpx2_clients_sign_every_vector() -> None:
    import httpx2

    seen: list[Any] = []
    transport = httpx2.MockTransport(lambda request: seen.append(request) or httpx2.Response(200))
    for case in VECTORS:
        with httpx2.Client(transport=transport, auth=_auth(case)) as client:
            client.request(
                case["method"], "https://alliance.test/" + case["path"], content=_body(case)
            )
        _check(seen.pop(), case)

    async def send_all() -> None:
        for case in VECTORS:
            async with httpx2.AsyncClient(transport=transport, auth=_auth(case)) as client:
                await client.request(
                    case["method"], "https://alliance.test/" + case["path"], content=_body(case)
                )
            _check(seen.pop(), case)

    asyncio.run(send_all())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """``alliance-pay sandbox`` in its own process: base URL, access key, secret key."""
    command = [str(Path(sys.executable).parent / "alliance-pay"), "sandbox", "--port", "0"]
    with subprocess.Popen(
        [*command, "--payout-delay", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    ) as process:
        assert process.stdout is not None
        base_url = process.stdout.readline().split()[-1]
        keys = dict(item.split("=", 1) for item in process.stdout.readline().split()[1:])
        try:
            yield base_url, keys["ALLIANCE_ACCESS_KEY"], keys["ALLIANCE_SECRET_KEY"]
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


PAYOUT: dict[str, Any] = {
    "user_id": "u-1",
    "amount": Decimal("10.00"),
    "beneficiary_name": "Asha Rao",
    "beneficiary_email": "asha@example.in",
    "beneficiary_mobile_no": "9876543210",
    "beneficiary_address": "Pune",
    "beneficiary_acc_no": "123456789012",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
}


def test_the_sdk_through_httpx2_clients_talks_to_a_server(server: tuple[str, str, str]) -> None:
    import httpx2

    from alliance_pay import AllianceClient, AsyncAllianceClient, PayoutStatus

    base_url, access_key, secret_key = server
    keys = {"base_url": base_url, "access_key": access_key, "secret_key": secret_key}

    async def async_side() -> PayoutStatus:
        async with (
            httpx2.AsyncClient() as http,
            AsyncAllianceClient(http_client=http, **keys) as client,
        ):
            await client.payouts.create(order_id="SMOKE/1", **PAYOUT)
            return (await client.payouts.wait("SMOKE/1", timeout=20)).status

    assert asyncio.run(async_side()) is PayoutStatus.APPROVED
    with httpx2.Client() as http, AllianceClient(http_client=http, **keys) as client:
        assert client.payouts.retrieve("SMOKE/1").amount == Decimal("10.00")
        assert client.balance.retrieve().balance < Decimal("100000.00")


def test_an_httpx2_transport_error_is_the_sdks_error() -> None:
    import httpx2

    from alliance_pay import AllianceClient, APIConnectionError

    with (
        httpx2.Client() as http,
        AllianceClient(
            base_url="http://127.0.0.1:9",
            access_key="a",
            secret_key="s",
            http_client=http,
            max_retries=0,
        ) as client,
        pytest.raises(APIConnectionError) as caught,
    ):
        client.balance.retrieve()
    assert type(caught.value.__cause__).__module__.startswith("httpx2")


def test_mypy_strict_accepts_httpx2_with_the_sdk(tmp_path: Path) -> None:
    project = user_project(tmp_path, {"with_httpx2.py": "user_httpx2.py"})
    result = run("mypy", "--strict", "--no-incremental", "with_httpx2.py", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"alliance_pay._models.Payout"' in result.stdout


def test_the_fixtures_work_when_httpx_is_httpx2(tmp_path: Path) -> None:
    """A project on httpx2 alone aliases it before pytest loads plugins (``-p``)."""
    project = user_project(
        tmp_path,
        {"test_fixtures.py": "user_fixtures.py", "httpx2_alias.py": "user_httpx2_alias.py"},
    )
    result = run(
        "python",
        "-m",
        "pytest",
        "-p",
        "httpx2_alias",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        cwd=project,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    assert "httpx is httpx2" in result.stdout
