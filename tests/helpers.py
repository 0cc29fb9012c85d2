"""Test helpers that do not trust the code under test: signatures are recomputed here from the
spec's rules with hmac and hashlib directly, not with ``alliance_pay._signing``."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from alliance_pay import _retries

ACCESS_KEY = "ak_test_4f9c2e"
SECRET_KEY = "sk_test_b7d1a0c3e5f7"  # a test secret; it must never show up in output
BASE_URL = "https://alliance.test/gateway"
#: Loading the CA bundle takes a third of a second; tests that build many clients share it.
TLS = ssl.create_default_context()


def instant_sync_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every ``time.sleep`` recorded and taken on a fake clock, which the look-up budget reads.

    A sync create in doubt then looks its order up for the whole default budget (30 s of
    backoff), in no wall time; the waits it took are returned, in order.
    """
    now = [0.0]
    waits: list[float] = []
    real, mine = time.sleep, threading.get_ident()

    def sleep(seconds: float) -> None:
        if threading.get_ident() != mine:  # another thread (a served sandbox): a real wait
            real(seconds)
            return
        if seconds < 0:
            raise ValueError(f"sleep length must be non-negative, got {seconds}")
        waits.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(_retries, "_now", lambda: now[0])
    monkeypatch.setattr("time.sleep", sleep)
    return waits


def expected_signature(secret: str, request: httpx.Request) -> str:
    path = request.url.raw_path.decode("ascii").split("?", 1)[0].lstrip("/")
    body = request.content.decode("utf-8")
    message = f"{request.method}\n{path}\n{body}\n{request.headers['Timestamp']}\n"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def assert_signed(request: httpx.Request, secret: str = SECRET_KEY) -> None:
    """The request carries the spec's three headers, and the signature is right."""
    assert request.headers["Access-Key"]
    assert request.headers["Timestamp"].isdigit()
    assert len(request.headers["Timestamp"]) == 13  # milliseconds, not seconds
    assert request.headers["Signature"] == expected_signature(secret, request)


def envelope(data: Any, message: str = "OK", *, success: bool = True) -> dict[str, Any]:
    return {"error": "", "data": data, "message": message, "success": success}


def sent_json(request: httpx.Request) -> Any:
    return json.loads(request.content)


# The documentation's sample records, as the API sends them.
PAYIN = {
    "user_id": "a42332-2fs-q341-d36d34",
    "order_id": "adsd-ewerz-23sdsd-ad234",
    "transaction_id": "98675644343",
    "amount": 100,
    "request_amount": 100,
    "method": "UPI",
    "comments": "Auto Approved",
    "status": "Approved",
    "time_of_processing": "2025-08-04 16:58:30",
    "created_at": "2025-08-04T06:16:03.000000Z",
    "updated_at": "2025-08-04T11:28:30.000000Z",
    "bank_upi": "bharatpe907m7b2z0p2i00183@yesbankltd",
    "bank_name": None,
}
PAYOUT_CREATED = {
    "beneficiary_name": "Test Name",
    "beneficiary_email": "test.test@gmail.com",
    "beneficiary_mobile_no": 7878787878,
    "beneficiary_address": "NOIDA",
    "payment_method": "IMPS",
    "beneficiary_acc_no": "99999999999",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
    "amount": 100,
    "order_id": "qweq-2d2fss-2234sd-44533",
    "user_id": "aseq-2d2fss-22a4sd-44a33",
    "transaction_id": None,
    "remarks": None,
    "charge": 2,
    "status": "Pending",
    "message": "Payout has been processing.",
    "updated_at": "2024-11-14T14:35:26.000000Z",
    "created_at": "2024-11-14T14:35:26.000000Z",
}
PAYOUT_STATUS = {
    "order_id": "qweq-2d2fss-2234sd-44533",
    "user_id": "aseq-2d2fss-22a4sd-44a33",
    "transaction_id": "2517319122",
    "amount": 100,
    "charge": 5.9,
    "beneficiary_name": "Test Name",
    "beneficiary_address": "NOIDA",
    "beneficiary_email": "test.test@gmail.com",
    "beneficiary_mobile_no": "7878787878",
    "payment_method": "IMPS",
    "beneficiary_acc_no": "99999999999",
    "ifsc": "SBIN0060589",
    "bank_name": "SBI",
    "vpa": None,
    "remarks": None,
    "status": "Approved",
    "created_at": "2024-11-14T08:09:54.000000Z",
    "updated_at": "2024-11-14T14:55:36.000000Z",
    "message": "Payout has been completed.",
}
# Arguments for payouts.create that match PAYOUT_CREATED.
PAYOUT_ARGS: dict[str, Any] = {
    "order_id": "qweq-2d2fss-2234sd-44533",
    "user_id": "aseq-2d2fss-22a4sd-44a33",
    "amount": "100",
    "beneficiary_name": "Test Name",
    "beneficiary_email": "test.test@gmail.com",
    "beneficiary_mobile_no": "7878787878",
    "beneficiary_address": "NOIDA",
    "beneficiary_acc_no": "99999999999",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
}


def held_open(path: Path) -> list[str]:
    """The files of the database at ``path`` (itself, -wal, -shm, .lock) this process holds
    open, read from ``/proc/self/fd`` (Linux): what no collector can hide."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
        if target.startswith(str(path)):
            held.append(target)
    return held
