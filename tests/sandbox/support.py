"""Helpers for the sandbox tests: requests are signed by hand with ``alliance_pay._signing``
(never with the SDK client), and the documentation's sample bodies."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import attrs
import httpx

from alliance_pay._signing import compute_signature, dumps_body, encode_path_segment
from alliance_pay.sandbox import SandboxConfig

ACCESS_KEY = "ak_sandbox_test"
SECRET_KEY = "sk_sandbox_test_9f8e7d"

# Key sets of the documentation's sample records.
PAYIN_KEYS = {
    "user_id", "order_id", "transaction_id", "amount", "request_amount", "method", "comments",
    "status", "time_of_processing", "created_at", "updated_at", "bank_upi", "bank_name",
}  # fmt: skip
PAYOUT_STATUS_KEYS = {
    "order_id", "user_id", "transaction_id", "amount", "charge", "beneficiary_name",
    "beneficiary_address", "beneficiary_email", "beneficiary_mobile_no", "payment_method",
    "beneficiary_acc_no", "ifsc", "bank_name", "vpa", "remarks", "status", "created_at",
    "updated_at", "message",
}  # fmt: skip
PAYOUT_INITIATE_KEYS = {
    "beneficiary_name", "beneficiary_email", "beneficiary_mobile_no", "beneficiary_address",
    "payment_method", "beneficiary_acc_no", "bank_name", "ifsc", "amount", "order_id", "user_id",
    "transaction_id", "remarks", "charge", "status", "message", "updated_at", "created_at",
}  # fmt: skip


class FakeClock:
    """A clock the test moves by hand; starts at the real time so signatures look normal."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def payout_body(order_id: str = "PO-1", **overrides: Any) -> dict[str, Any]:
    """The documentation's initiate-payout sample, with a chosen order id."""
    body: dict[str, Any] = {
        "beneficiary_name": "Test Name",
        "beneficiary_email": "test.test@gmail.com",
        "beneficiary_mobile_no": "7878787878",
        "beneficiary_address": "NOIDA",
        "payment_method": "IMPS",
        "beneficiary_acc_no": "99999999999",
        "bank_name": "SBI",
        "ifsc": "SBIN0060589",
        "amount": 100,
        "order_id": order_id,
        "user_id": "aseq-2d2fss-22a4sd-44a33",
        "remarks": None,
    }
    body.update(overrides)
    return body


def link_body(order_id: str = "PI-1", **overrides: Any) -> dict[str, Any]:
    """The documentation's create-link sample, with a chosen order id."""
    body: dict[str, Any] = {
        "user_id": "a42332-2fs-q341-d36d34",
        "order_id": order_id,
        "amount": 100,
        "method": "UPI",
        "redirect_url": "http://merchant.test/done",
    }
    body.update(overrides)
    return body


@attrs.define
class Signer:
    """Sends requests signed as the documentation says, over any httpx client."""

    client: httpx.AsyncClient
    prefix: str = ""
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    clock: Callable[[], float] = time.time

    _last_ms: int = 0

    def headers(self, method: str, path: str, body: bytes) -> dict[str, str]:
        # Two identical requests signed in the same millisecond carry the same signature, and
        # the sandbox rightly refuses the second as a replay: keep timestamps strictly rising.
        self._last_ms = max(int(self.clock() * 1000), self._last_ms + 1)
        timestamp = str(self._last_ms)
        signed_path = f"{self.prefix}/{path}".lstrip("/")
        signature = compute_signature(self.secret_key, method, signed_path, body, timestamp)
        return {"Access-Key": self.access_key, "Timestamp": timestamp, "Signature": signature}

    async def send(
        self, method: str, path: str, body: Mapping[str, Any] | bytes | None = None
    ) -> httpx.Response:
        content = dumps_body(body) if isinstance(body, Mapping) else (body or b"")
        headers = self.headers(method, path, content)
        if method != "GET":
            headers["Content-Type"] = "application/json"
        return await self.client.request(
            method, f"{self.prefix}/{path}", content=content, headers=headers
        )

    async def balance(self) -> httpx.Response:
        return await self.send("GET", "api/v1/balance")

    async def create_link(self, body: Mapping[str, Any] | bytes) -> httpx.Response:
        return await self.send("POST", "api/v1/payin/generate/link", body)

    async def payin_status(self, order_id: str) -> httpx.Response:
        return await self.send("POST", "api/v1/payin/transactions", {"order_id": order_id})

    async def create_payout(self, body: Mapping[str, Any] | bytes) -> httpx.Response:
        return await self.send("POST", "api/v1/payout/initiate", body)

    async def payout_status(self, order_id: str) -> httpx.Response:
        return await self.send("GET", f"api/v1/payout/{encode_path_segment(order_id)}/status")


def make_config(**overrides: Any) -> SandboxConfig:
    """A config with the test keys, no payout delay and near-instant webhook retries."""
    options: dict[str, Any] = {
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "payout_delay": 0,
        "webhook_backoff": 0.001,
        "seed": 1234,
    }
    options.update(overrides)
    return SandboxConfig(**options)


async def eventually(predicate: Callable[[], bool]) -> None:
    """Wait, at most 5 seconds, until ``predicate()`` is true."""
    with anyio.fail_after(5):
        while True:
            if predicate():
                return
            await anyio.sleep(0.01)
