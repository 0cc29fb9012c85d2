"""Alliance webhooks in a Flask app, with the sync client.

Run it with ``flask --app webhooks_flask run``; ``ALLIANCE_BASE_URL``, ``ALLIANCE_ACCESS_KEY``
and ``ALLIANCE_SECRET_KEY`` configure the client.
"""

from __future__ import annotations

from flask import Flask, request

from alliance_pay import AllianceClient, Payin, Payout
from alliance_pay.webhooks import KnownEvent

# The provider waits for the answer, and confirming takes a status call: keep it short.
client = AllianceClient(timeout=5, max_retries=1)

#: Stands in for your database: order id -> status.
orders: dict[str, str] = {}


def on_event(event: KnownEvent, record: Payin | Payout) -> None:
    """Called once per confirmed event. Act on ``record``, the API's word, not on ``event``."""
    orders[record.order_id] = record.status.value


app = Flask(__name__)


@app.post("/webhooks/alliance")
def alliance_webhook() -> tuple[dict[str, str], int]:
    # Parse, skip redeliveries, confirm with a signed status call, then call on_event.
    result = client.webhooks.handle(request.get_data(), on_event)
    # Answer with the outcome alone: result.detail is for your logs, not for the sender.
    return {"outcome": result.outcome.value}, result.status_code
