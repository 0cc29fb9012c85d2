"""Micro-benchmarks of the per-call pieces, each beside the hand-written way of doing it."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from alliance_pay import compute_signature
from alliance_pay._api_call import ApiCall
from alliance_pay._converter import converter
from alliance_pay._models import PaymentMethod, Payout
from alliance_pay._validation import Arguments, payout_call, payout_request

from . import _floor
from ._data import BODY, PAYOUT_ARGS, RECORD, SECRET
from ._timing import Timings, interleave, timed

_KEY = SECRET.encode()
_MESSAGE_PARTS = ("POST", "api/v1/payout/initiate", BODY, "1700000000000")


@dataclass(frozen=True)
class Piece:
    """One piece of a call: the SDK's way and the hand-written way, timed together."""

    name: str
    sdk: str
    floor: str
    timings: Timings


def _inline_signature() -> str:
    method, path, body, timestamp = _MESSAGE_PARTS
    message = b"%s\n%s\n%s\n%s\n" % (method.encode(), path.encode(), body, timestamp.encode())
    return hmac.new(_KEY, message, hashlib.sha256).hexdigest()


def _validated_body() -> bytes | None:
    # What payouts.create does with its arguments (the default rail is an enum member).
    arguments = Arguments(PAYOUT_ARGS, payment_method=PaymentMethod.IMPS, remarks=None)
    return payout_call(arguments).body


_REQUEST = payout_request(**PAYOUT_ARGS, payment_method="IMPS", remarks=None)


def run(*, rounds: int, batch_seconds: float) -> list[Piece]:
    pieces = [
        (
            "signing",
            "compute_signature",
            "inline hmac",
            timed(lambda: compute_signature(SECRET, *_MESSAGE_PARTS)),
            timed(_inline_signature),
        ),
        (
            "request body",
            "ApiCall.json (exact Decimal)",
            "json.dumps compact",
            timed(lambda: ApiCall.json("POST", "p", _REQUEST, idempotent=False)),
            timed(_floor.create_body),
        ),
        (
            "validate + body",
            "payout_call (checked and written in one pass)",
            "json.dumps compact",
            timed(_validated_body),
            timed(_floor.create_body),
        ),
        (
            "decode a payout",
            "converter.structure",
            "frozen dataclass",
            timed(lambda: converter.structure(RECORD, Payout)),
            timed(lambda: _floor.decode(RECORD)),
        ),
    ]
    results: list[Piece] = []
    for name, sdk_name, floor_name, sdk, floor in pieces:
        timings = interleave(
            {"sdk": sdk, "floor": floor}, rounds=rounds, batch_seconds=batch_seconds
        )
        results.append(Piece(name, sdk_name, floor_name, timings))
    return results
