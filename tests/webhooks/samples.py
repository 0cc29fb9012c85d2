"""The documentation's webhook bodies, verbatim but for the ``//`` comments JSON does not allow,
and helpers to make altered copies of them."""

from __future__ import annotations

import json
from typing import Any

# "Payin Initiated Webhook" in the provider's documentation.
PAYIN_INITIATED = b"""{
  "event": "payin.initiated",
  "data": {
    "user_id": "a42332-2fs-q341-d36d34",
    "order_id": "adsd-ewerz-23sdsd-ad234",
    "transaction_id": null,
    "amount": 100,
    "request_amount": 100,
    "method": "UPI",
    "comments": "Payin Initiated",
    "status": "Initiated",
    "time_of_processing": "2025-08-04 16:58:30",
    "created_at": "2025-09-09T06:16:03.000000Z",
    "updated_at": "2025-08-04T11:28:30.000000Z",
    "bank_upi": null,
    "bank_name": null
  }
}"""

# "Payin Webhook".
PAYIN_SUCCEEDED = b"""{
  "event": "payin.succeeded",
  "data": {
    "user_id": "a42332-2fs-q341-d36d34",
    "order_id": "adsd-ewerz-23sdsd-ad234",
    "transaction_id": "98675644343",
    "amount": 100,
    "request_amount": 100,
    "method": "UPI",
    "comments": "Auto Approved",
    "status": "Approved",
    "time_of_processing": "2025-08-04 16:58:30",
    "created_at": "2025-09-09T06:16:03.000000Z",
    "updated_at": "2025-08-04T11:28:30.000000Z",
    "bank_upi": "gfdfgdfgdfgddg@yesbankltd",
    "bank_name": "SHRI NEELKANTH ENTERPRISE BHARATPE"
  }
}"""

# "Payout Webhook".
PAYOUT_SUCCEEDED = b"""{
  "event": "payout.succeeded",
  "data": {
    "transaction_id": "2517319122",
    "amount": 100,
    "charge": 5.9,
    "beneficiary_name": "Ak Test",
    "beneficiary_address": "NOIDA",
    "beneficiary_email": "test@yopmail.com",
    "beneficiary_mobile_no": "7878787878",
    "payment_method": "IMPS",
    "beneficiary_acc_no": "99999999999",
    "ifsc": "SBIN0060589",
    "bank_name": "SBI",
    "vpa": null,
    "remarks": null,
    "order_id": "qweq-2d2fss-2234sd-44533",
    "user_id": "aseq-2d2fss-22a4sd-44a33",
    "status": "Approved",
    "created_at": "2025-09-14T14:21:56.000000Z",
    "updated_at": "2025-09-19T10:54:24.000000Z",
    "message": "Payout has been approved."
  }
}"""

PAYIN_ORDER = "adsd-ewerz-23sdsd-ad234"
PAYOUT_ORDER = "qweq-2d2fss-2234sd-44533"


def altered(body: bytes, event: str | None = None, **data: Any) -> bytes:
    """A copy of ``body`` with another ``event`` and/or some ``data`` fields replaced."""
    parsed = json.loads(body)
    if event is not None:
        parsed["event"] = event
    parsed["data"].update(data)
    return json.dumps(parsed).encode()


# The failed variants the documentation names ("'payin.succeeded' or 'payin.failed'").
PAYIN_FAILED = altered(
    PAYIN_SUCCEEDED, "payin.failed", status="Rejected", transaction_id=None, comments="Failed"
)
PAYOUT_FAILED = altered(PAYOUT_SUCCEEDED, "payout.failed", status="Rejected", transaction_id=None)
