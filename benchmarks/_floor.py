"""The floor: what a careful engineer writes by hand with httpx, and nothing more.

Raw httpx, the HMAC signature computed inline, ``json.dumps`` with compact separators, and a
frozen dataclass built from the ``data`` object. The SDK is measured against this.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, fields
from typing import Any

import httpx

from ._data import ACCESS, BASE_URL, PAYOUT_ARGS, SECRET

_KEY = SECRET.encode()
_CREATE_PATH = "api/v1/payout/initiate"
#: The create body as a hand-written client would hold it: money as a plain JSON number.
CREATE_BODY: dict[str, Any] = {
    **{name: value for name, value in PAYOUT_ARGS.items() if name != "amount"},
    "amount": 100,
    "payment_method": "IMPS",
    "remarks": None,
}


@dataclass(frozen=True, slots=True)
class FloorPayout:
    order_id: str
    status: str
    user_id: str | None = None
    transaction_id: str | None = None
    amount: Any = None
    charge: Any = None
    beneficiary_name: str | None = None
    beneficiary_email: str | None = None
    beneficiary_mobile_no: str | None = None
    beneficiary_address: str | None = None
    payment_method: str | None = None
    beneficiary_acc_no: str | None = None
    ifsc: str | None = None
    bank_name: str | None = None
    vpa: str | None = None
    remarks: str | None = None
    message: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


_FIELDS = tuple(f.name for f in fields(FloorPayout))


def decode(data: dict[str, Any]) -> FloorPayout:
    """The hand-written decode of a ``data`` object."""
    return FloorPayout(**{name: data.get(name) for name in _FIELDS})  # type: ignore[arg-type]


def _headers(method: str, path: str, body: bytes) -> dict[str, str]:
    timestamp = str(time.time_ns() // 1_000_000)
    message = b"%s\n%s\n%s\n%s\n" % (method.encode(), path.encode(), body, timestamp.encode())
    return {
        "Access-Key": ACCESS,
        "Timestamp": timestamp,
        "Signature": hmac.new(_KEY, message, hashlib.sha256).hexdigest(),
        "Content-Type": "application/json",
    }


def _read(response: httpx.Response) -> FloorPayout:
    response.raise_for_status()
    return decode(response.json()["data"])


def create_body() -> bytes:
    return json.dumps(CREATE_BODY, separators=(",", ":")).encode()


def retrieve(client: httpx.Client, order_id: str, *, base_url: str = BASE_URL) -> FloorPayout:
    path = f"api/v1/payout/{order_id}/status"
    return _read(client.get(base_url + path, headers=_headers("GET", path, b"")))


def create(client: httpx.Client) -> FloorPayout:
    body = create_body()
    headers = _headers("POST", _CREATE_PATH, body)
    return _read(client.post(BASE_URL + _CREATE_PATH, content=body, headers=headers))


async def aretrieve(
    client: httpx.AsyncClient, order_id: str, *, base_url: str = BASE_URL
) -> FloorPayout:
    path = f"api/v1/payout/{order_id}/status"
    return _read(await client.get(base_url + path, headers=_headers("GET", path, b"")))


async def acreate(client: httpx.AsyncClient) -> FloorPayout:
    body = create_body()
    headers = _headers("POST", _CREATE_PATH, body)
    return _read(await client.post(BASE_URL + _CREATE_PATH, content=body, headers=headers))
