"""One truth: for every input of the corpus, the SDK refuses it before sending iff the sandbox
refuses it, naming the same fields, and both agree with the corpus' expectation.

The SDK side calls the public client over a transport that records whether anything was sent.
The sandbox side gets the input as the raw JSON body (or path) a client in any language would
send, signed by hand, so the sandbox is judged on its own and not through the SDK.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from alliance_pay import AllianceValidationError, AsyncAllianceClient
from alliance_pay.sandbox import create_app
from tests.conformance.corpus import CORPUS, Case
from tests.sandbox.support import ACCESS_KEY, SECRET_KEY, Signer, make_config

BASE_ARGS: dict[str, dict[str, Any]] = {
    "payouts.create": {
        "beneficiary_name": "Test Name",
        "beneficiary_email": "test.test@gmail.com",
        "beneficiary_mobile_no": "7878787878",
        "beneficiary_address": "NOIDA",
        "payment_method": "IMPS",
        "beneficiary_acc_no": "99999999999",
        "bank_name": "SBI",
        "ifsc": "SBIN0060589",
        "amount": "100",
        "order_id": "PO-CONFORMANCE",
        "user_id": "aseq-2d2fss-22a4sd-44a33",
        "remarks": None,
    },
    "payins.create_link": {
        "user_id": "a42332-2fs-q341-d36d34",
        "order_id": "PI-CONFORMANCE",
        "amount": "10",
        "method": "UPI",
        "redirect_url": "https://shop.example.in/thanks",
    },
    "payins.retrieve": {},
    "payouts.retrieve": {},
}


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to the sandbox app and counts them."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self.inner.handle_async_request(request)


class World:
    def __init__(self) -> None:
        # Two sandboxes, so the SDK's create does not take the order id the raw one sends.
        apps = [create_app(make_config(balance=Decimal("1e12"))) for _ in range(2)]
        self.transport = RecordingTransport(httpx.ASGITransport(apps[0]))
        self.http = httpx.AsyncClient(transport=self.transport, base_url="http://sandbox.test")
        self.raw = httpx.AsyncClient(
            transport=httpx.ASGITransport(apps[1]), base_url="http://sandbox.test"
        )
        self.signer = Signer(self.raw)
        self.client = AsyncAllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url="http://sandbox.test",
            http_client=self.http,
            max_retries=0,
        )


@pytest.fixture
async def world() -> AsyncIterator[World]:
    world = World()
    async with world.http, world.raw:
        yield world


async def sdk_refuses(world: World, endpoint: str, args: dict[str, Any]) -> set[str] | None:
    """The fields the SDK refused, or ``None`` if it sent the request."""
    resource, method = endpoint.split(".")
    call = getattr(getattr(world.client, resource), method)
    try:
        if method == "retrieve":
            await call(args["order_id"])
        else:
            await call(**args)
    except AllianceValidationError as error:
        assert world.transport.sent == [], "refused, yet something was sent"
        return set(error.errors)
    except Exception:  # noqa: S110 (a 404 or another answer: what matters is that it was sent)
        pass
    assert world.transport.sent, "neither refused nor sent"
    return None


async def sandbox_refuses(world: World, endpoint: str, args: dict[str, Any]) -> set[str]:
    """The fields the sandbox refused (empty if it accepted the input)."""
    signer = world.signer
    if endpoint == "payouts.retrieve":
        # Dots encoded too, so no client or server on the way resolves a '..' segment.
        segment = quote(args["order_id"], safe="").replace(".", "%2E")
        response = await signer.send("GET", f"api/v1/payout/{segment}/status")
    elif endpoint == "payins.retrieve":
        response = await signer.send("POST", "api/v1/payin/transactions", args)
    elif endpoint == "payins.create_link":
        response = await signer.create_link(args)
    else:
        response = await signer.create_payout(args)
    assert response.status_code != 401, response.text
    if response.status_code != 422:
        return set()
    return set(response.json()["errors"])


def test_the_corpus_is_large_and_covers_every_endpoint() -> None:
    assert len(CORPUS) >= 60
    assert {case.endpoint for case in CORPUS} == set(BASE_ARGS)
    assert sum(1 for case in CORPUS if case.refused) >= 30
    assert sum(1 for case in CORPUS if not case.refused) >= 20


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
async def test_sdk_refuses_before_sending_iff_the_sandbox_refuses(world: World, case: Case) -> None:
    args = {**BASE_ARGS[case.endpoint], **case.args}
    sdk = await sdk_refuses(world, case.endpoint, args)
    sandbox = await sandbox_refuses(world, case.endpoint, args)
    assert (sdk or set()) == sandbox, f"SDK refused {sdk}, sandbox refused {sandbox}"
    assert sandbox == set(case.refused)
