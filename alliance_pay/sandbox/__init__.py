"""A local Alliance server: the five API endpoints, the hosted payment page, webhooks, faults.

Run it with ``alliance-pay sandbox`` (see ``docs/sandbox.md``), or in-process:

```python
import httpx
from alliance_pay.sandbox import SandboxConfig, create_app

app = create_app(SandboxConfig(payout_delay=0))
sandbox = app.state.sandbox
client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sandbox")
```

Design:

* [`create_app`][alliance_pay.sandbox.create_app] builds a Starlette app around a
  [`Sandbox`][alliance_pay.sandbox.Sandbox], which holds the books
  (``_state``), the request guard (``_security``), fault rules (``_faults``) and the webhook
  outbox (``_webhooks``). The app imports nothing of the SDK's client: only
  ``alliance_pay._signing``, the standard library, starlette, anyio and httpx.
* Background work runs two ways. Under uvicorn the app's lifespan enters
  ``Sandbox.running()``, which runs a settle loop and the webhook worker. In-process,
  ``httpx.ASGITransport`` runs no lifespan: payouts settle lazily at the start of every
  request, and ``await sandbox.tick()`` settles what is due and delivers queued webhooks; or
  enter ``async with sandbox.running():`` yourself to get the background loops.
* Every change to the state is synchronous code between two awaits, on the one event loop
  that serves the app: it is atomic without locks, under any number of concurrent requests.
* A ``commit_then_drop`` fault in ``"drop"`` mode closes the connection mid-body over a
  socket; in-process it raises ``SandboxConnectionDropped`` out of the transport, which
  the testing helpers map to ``httpx.RemoteProtocolError``.
"""

from alliance_pay.sandbox._app import create_app
from alliance_pay.sandbox._config import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, SandboxConfig
from alliance_pay.sandbox._faults import (
    ENDPOINTS,
    Fault,
    FaultRegistry,
    SandboxConnectionDropped,
)
from alliance_pay.sandbox._sandbox import Sandbox
from alliance_pay.sandbox._server import serve_in_thread
from alliance_pay.sandbox._state import (
    REJECTED_ACCOUNT_NUMBER,
    LedgerEntry,
    Payin,
    Payout,
)
from alliance_pay.sandbox._webhooks import WebhookDelivery, WebhookDispatcher

__all__ = [
    "DEFAULT_ACCESS_KEY",
    "DEFAULT_SECRET_KEY",
    "ENDPOINTS",
    "Fault",
    "FaultRegistry",
    "LedgerEntry",
    "Payin",
    "Payout",
    "REJECTED_ACCOUNT_NUMBER",
    "Sandbox",
    "SandboxConfig",
    "SandboxConnectionDropped",
    "WebhookDelivery",
    "WebhookDispatcher",
    "create_app",
    "serve_in_thread",
]
