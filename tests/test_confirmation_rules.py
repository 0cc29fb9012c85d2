"""The confirmation rule on its own, for what the clients never hand it: a record of another
order. ``retrieve`` already refuses such a record (``APIResponseValidationError``); the rule
must refuse it too, so a webhook is never confirmed by the record of a different payment."""

from __future__ import annotations

import json

from alliance_pay import Payout
from alliance_pay._converter import converter
from alliance_pay.webhooks import KnownEvent, parse_event
from alliance_pay.webhooks._confirmation import disagreement
from tests.webhooks.samples import PAYOUT_ORDER, PAYOUT_SUCCEEDED


def _record(**changes: object) -> Payout:
    data = {**json.loads(PAYOUT_SUCCEEDED)["data"], **changes}
    return converter.structure(data, Payout)


def test_a_record_of_another_order_never_confirms_an_event() -> None:
    event = parse_event(PAYOUT_SUCCEEDED)
    assert isinstance(event, KnownEvent)
    assert disagreement(event, _record()) is None  # the same order: it agrees
    other = PAYOUT_ORDER + "-2"
    mismatch = disagreement(event, _record(order_id=other))
    assert mismatch is not None
    assert other in mismatch.reason
    assert not mismatch.unsettled  # refused, not asked for again
