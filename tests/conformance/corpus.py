"""The conformance corpus: inputs to every endpoint, each with the fields that must be refused.

An empty set means the input is valid. The expectations follow the rules table
(``docs/validation.md``); the test checks the SDK and the sandbox against them and each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from alliance_pay import PaymentMethod


class Case(NamedTuple):
    endpoint: str
    args: dict[str, Any]
    refused: frozenset[str]

    @property
    def id(self) -> str:
        shown = ",".join(f"{key}={value!r}" for key, value in self.args.items())
        return f"{self.endpoint}[{shown[:60]}]"


def _cases(endpoint: str, rows: list[tuple[dict[str, Any], set[str]]]) -> list[Case]:
    return [Case(endpoint, args, frozenset(refused)) for args, refused in rows]


PAYOUT_CREATE = _cases(
    "payouts.create",
    [
        ({}, set()),
        ({"amount": "0"}, {"amount"}),
        ({"amount": -1}, {"amount"}),
        ({"amount": Decimal("0.001")}, {"amount"}),
        ({"amount": "1.005"}, {"amount"}),
        ({"amount": 0.1}, set()),
        ({"amount": 1234.56}, set()),
        ({"amount": 0.1 + 0.2}, {"amount"}),
        ({"amount": "ten"}, {"amount"}),
        ({"amount": True}, {"amount"}),
        ({"amount": None}, {"amount"}),
        ({"amount": ""}, {"amount"}),
        ({"amount": "NaN"}, {"amount"}),
        ({"amount": "Infinity"}, {"amount"}),
        ({"amount": "1e11"}, {"amount"}),
        ({"amount": Decimal("99999999999.99")}, set()),
        ({"amount": "100.50"}, set()),
        ({"amount": Decimal("5.900")}, set()),
        ({"amount": 5}, set()),
        ({"beneficiary_name": ""}, {"beneficiary_name"}),
        ({"beneficiary_name": "   "}, {"beneficiary_name"}),
        ({"beneficiary_name": None}, {"beneficiary_name"}),
        ({"beneficiary_name": 42}, {"beneficiary_name"}),
        ({"beneficiary_name": "Ünïcödé Näme"}, set()),
        ({"beneficiary_email": "not-an-email"}, set()),
        ({"beneficiary_email": ""}, {"beneficiary_email"}),
        ({"beneficiary_mobile_no": 7878787878}, set()),
        ({"beneficiary_mobile_no": "+91 98765 43210"}, set()),
        ({"beneficiary_mobile_no": True}, {"beneficiary_mobile_no"}),
        ({"beneficiary_mobile_no": 7.5}, {"beneficiary_mobile_no"}),
        ({"beneficiary_mobile_no": ""}, {"beneficiary_mobile_no"}),
        ({"beneficiary_address": ""}, {"beneficiary_address"}),
        ({"payment_method": "NEFT"}, set()),
        ({"payment_method": "RTGS"}, set()),
        ({"payment_method": "UPI"}, set()),
        ({"payment_method": "A-RAIL-FROM-TOMORROW"}, set()),
        ({"payment_method": PaymentMethod.NEFT}, set()),
        ({"payment_method": ""}, {"payment_method"}),
        ({"beneficiary_acc_no": "1234 5678"}, set()),
        ({"beneficiary_acc_no": 12345678}, {"beneficiary_acc_no"}),
        ({"bank_name": None}, {"bank_name"}),
        ({"ifsc": "sbin0060589"}, set()),
        ({"ifsc": ""}, {"ifsc"}),
        ({"order_id": ""}, {"order_id"}),
        ({"order_id": "."}, {"order_id"}),
        ({"order_id": ".."}, {"order_id"}),
        ({"order_id": "a/../b"}, {"order_id"}),
        ({"order_id": "A\nB"}, {"order_id"}),
        ({"order_id": "ORD/2026/1"}, set()),
        ({"order_id": "ünïcode-1"}, set()),
        ({"user_id": ""}, {"user_id"}),
        ({"remarks": "a note"}, set()),
        ({"remarks": ""}, set()),
        ({"remarks": 5}, {"remarks"}),
        (
            {"amount": "0", "ifsc": "", "order_id": ".."},
            {"amount", "ifsc", "order_id"},
        ),
    ],
)

LINK_CREATE = _cases(
    "payins.create_link",
    [
        ({}, set()),
        ({"amount": 499}, set()),
        ({"amount": "1.234"}, {"amount"}),
        ({"amount": 0}, {"amount"}),
        ({"method": "upi"}, {"method"}),
        ({"method": "CARD"}, {"method"}),
        ({"method": ""}, {"method"}),
        ({"method": PaymentMethod.UPI}, set()),
        ({"redirect_url": "shop.example.in/x"}, {"redirect_url"}),
        ({"redirect_url": "ftp://shop.example.in/"}, {"redirect_url"}),
        ({"redirect_url": "javascript:alert(1)"}, {"redirect_url"}),
        ({"redirect_url": "https://exa mple.in/"}, {"redirect_url"}),
        ({"redirect_url": "https://shop.example.in/thanks?o=1"}, set()),
        ({"redirect_url": "http://localhost:8000/back"}, set()),
        ({"redirect_url": ""}, {"redirect_url"}),
        ({"user_id": ""}, {"user_id"}),
        ({"order_id": "A\tB"}, {"order_id"}),
        ({"order_id": "a/../b"}, set()),
        ({"user_id": "", "amount": "-1", "method": "CARD"}, {"user_id", "amount", "method"}),
    ],
)

PAYIN_RETRIEVE = _cases(
    "payins.retrieve",
    [
        ({"order_id": "PI-unknown"}, set()),
        ({"order_id": ""}, {"order_id"}),
        ({"order_id": "  "}, {"order_id"}),
        ({"order_id": "A\x00"}, {"order_id"}),
        ({"order_id": "ORD/1"}, set()),
        ({"order_id": 42}, {"order_id"}),
    ],
)

PAYOUT_RETRIEVE = _cases(
    "payouts.retrieve",
    [
        ({"order_id": "PO-unknown"}, set()),
        ({"order_id": ""}, {"order_id"}),
        ({"order_id": "."}, {"order_id"}),
        ({"order_id": ".."}, {"order_id"}),
        ({"order_id": "a/../b"}, {"order_id"}),
        ({"order_id": "A\nB"}, {"order_id"}),
        ({"order_id": "ORD/1"}, set()),
        ({"order_id": "a b?#%"}, set()),
    ],
)

CORPUS = PAYOUT_CREATE + LINK_CREATE + PAYIN_RETRIEVE + PAYOUT_RETRIEVE
