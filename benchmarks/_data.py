"""What every benchmark sends and answers: one payout, its JSON, the keys, the base URL."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

ACCESS = "bench-access-key"
SECRET = "bench-secret-key-0123456789"
BASE_URL = "https://alliance.test/"
ORDER_ID = "BENCH-1"

#: A payout record as the status and create calls return it (the documentation's example).
RECORD: dict[str, Any] = {
    "order_id": ORDER_ID,
    "user_id": "seller-42",
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
BODY = json.dumps({"error": "", "data": RECORD, "message": "ok", "success": True}).encode()
JSON_HEADERS = {"Content-Type": "application/json"}

#: The arguments of ``payouts.create``.
PAYOUT_ARGS: dict[str, Any] = {
    "order_id": ORDER_ID,
    "user_id": "seller-42",
    "amount": Decimal("100.00"),
    "beneficiary_name": "Test Name",
    "beneficiary_email": "test.test@gmail.com",
    "beneficiary_mobile_no": "7878787878",
    "beneficiary_address": "NOIDA",
    "beneficiary_acc_no": "99999999999",
    "bank_name": "SBI",
    "ifsc": "SBIN0060589",
}

#: openai-python's own answers, as small as its models accept.
OPENAI_MODEL = json.dumps(
    {"id": "gpt-bench", "object": "model", "created": 1700000000, "owned_by": "bench"}
).encode()
OPENAI_COMPLETION = json.dumps(
    {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-bench",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "ok"},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
).encode()
