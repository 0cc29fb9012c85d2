"""Alliance webhooks in a Flask app: the SDK's WSGI receiver at ``/webhooks/alliance``.

Run it with ``flask --app webhooks_flask run``; ``ALLIANCE_BASE_URL``, ``ALLIANCE_ACCESS_KEY``
and ``ALLIANCE_SECRET_KEY`` configure the client, ``ALLIANCE_WEBHOOK_STORE`` the SQLite file
every worker process shares.
"""

from __future__ import annotations

import atexit
import os

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from alliance_pay import AllianceClient, Payin, Payout
from alliance_pay.webhooks import KnownEvent, SQLiteEventStore, webhook_wsgi_app

# The provider waits for the answer, and confirming takes a status call: keep it short.
client = AllianceClient(timeout=5, max_retries=1)
# Every request is kept here first; a redelivery, after a restart or to another worker
# process, is answered from it without calling on_event again.
store = SQLiteEventStore(os.environ.get("ALLIANCE_WEBHOOK_STORE", "webhooks.sqlite3"))
atexit.register(store.close)  # WSGI has no shutdown hook: close it as the process exits

#: Stands in for your database: order id -> status.
orders: dict[str, str] = {}


def on_event(event: KnownEvent, record: Payin | Payout) -> None:
    """Called once per confirmed event. Act on ``record``, the API's word, not on ``event``."""
    orders[record.order_id] = record.status.value


app = Flask(__name__)


@app.get("/")
def home() -> str:
    return "the shop"


# The receiver answers POST /webhooks/alliance; every other path is Flask's.
receiver = webhook_wsgi_app(client, on_event, store=store)
app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/webhooks/alliance": receiver})
