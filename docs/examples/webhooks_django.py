"""Alliance webhooks in a Django project: the SDK's WSGI receiver beside Django's application.

This is your project's ``wsgi.py``; the ``settings.configure`` call stands in for your settings
module so that the file runs on its own (``gunicorn webhooks_django:application``).
``ALLIANCE_BASE_URL``, ``ALLIANCE_ACCESS_KEY`` and ``ALLIANCE_SECRET_KEY`` configure the
client, ``ALLIANCE_WEBHOOK_STORE`` the SQLite file every worker process shares.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Iterable
from typing import Any

import django
from django.conf import settings

if not settings.configured:  # in a real project: DJANGO_SETTINGS_MODULE
    settings.configure(
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        SECRET_KEY="example-only",  # noqa: S106 - stands in for your settings
        USE_TZ=True,
    )
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402

from alliance_pay import AllianceClient, Payin, Payout  # noqa: E402
from alliance_pay.webhooks import KnownEvent, SQLiteEventStore, webhook_wsgi_app  # noqa: E402


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the shop")


urlpatterns = [path("", home)]

# The provider waits for the answer, and confirming takes a status call: keep it short.
client = AllianceClient(timeout=5, max_retries=1)
store = SQLiteEventStore(os.environ.get("ALLIANCE_WEBHOOK_STORE", "webhooks.sqlite3"))
atexit.register(store.close)  # WSGI has no shutdown hook: close it as the process exits

#: Stands in for your models: order id -> status (Order.objects.filter(...).update(...)).
orders: dict[str, str] = {}


def on_event(event: KnownEvent, record: Payin | Payout) -> None:
    """Called once per confirmed event. Act on ``record``, the API's word, not on ``event``."""
    orders[record.order_id] = record.status.value


receiver = webhook_wsgi_app(client, on_event, store=store)
django_application = get_wsgi_application()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """``/webhooks/alliance`` goes to the SDK's receiver, everything else to Django."""
    if environ.get("PATH_INFO") == "/webhooks/alliance":
        return receiver(environ, start_response)
    return django_application(environ, start_response)
