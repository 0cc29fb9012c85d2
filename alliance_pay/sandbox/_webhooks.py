"""Webhook delivery: an outbox, retries with exponential backoff, and a delivery log.

Events are queued synchronously by the books (``WebhookDispatcher.enqueue``) and sent
later, by whichever of these runs:

* ``WebhookDispatcher.serve``, the background worker
  [`Sandbox.running`][alliance_pay.sandbox.Sandbox.running] starts (the uvicorn lifespan uses
  it too). Events of one order are sent one after the other, in the order they happened;
  different orders are sent concurrently, so one failing receiver URL retrying an event does
  not hold back the others.
* ``WebhookDispatcher.flush``, which [`Sandbox.tick`][alliance_pay.sandbox.Sandbox.tick] awaits
  when nothing runs in the background (in-process use without ``running()``): it sends
  everything queued, in order.

An attempt fails on a non-2xx answer or any error reaching the receiver; attempt ``n`` is
followed, after ``webhook_backoff * 2 ** (n - 1)`` seconds, by the next, up to
``webhook_max_attempts``. The log keeps every event with its attempts and outcome, and
``attempts`` every attempt as it ends (its receiver's answer and latency), numbered, for the
delivery feed ``alliance-pay webhooks listen`` follows.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping

import anyio
import attrs
import httpx
from anyio.abc import TaskGroup, TaskStatus

from alliance_pay._signing import dumps_body
from alliance_pay.sandbox._config import SandboxConfig

__all__ = ["ATTEMPT_LOG_SIZE", "WebhookDelivery", "WebhookDispatcher"]

#: How many delivery attempts the feed keeps; older ones are forgotten.
ATTEMPT_LOG_SIZE = 1000


@attrs.define
class WebhookDelivery:
    """One webhook event and what became of it.

    ``status_code`` and ``error`` describe the last attempt; ``finished`` is true once it was
    delivered or the attempts ran out.
    """

    event: str
    order_id: str
    url: str
    data: Mapping[str, object] = attrs.field(repr=False)
    attempts: int = 0
    status_code: int | None = None
    error: str | None = None
    delivered: bool = False
    finished: bool = False

    def to_wire(self) -> dict[str, object]:
        """The entry as the control endpoint shows it (without the payload)."""
        return {
            "event": self.event,
            "order_id": self.order_id,
            "url": self.url,
            "attempts": self.attempts,
            "status_code": self.status_code,
            "error": self.error,
            "delivered": self.delivered,
            "finished": self.finished,
        }


class _Borrowed(httpx.AsyncBaseTransport):
    """Lends an injected transport to a client without letting the client close it."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._transport.handle_async_request(request)


class WebhookDispatcher:
    """Queues webhook events and delivers them with retries; see the module docstring.

    Examples:
        >>> dispatcher = WebhookDispatcher(SandboxConfig(webhook_url="http://127.0.0.1:9/hook"))
        >>> dispatcher.enqueue("payout.succeeded", "ORD-1", {"order_id": "ORD-1"})
        >>> [d.event for d in dispatcher.log]
        ['payout.succeeded']
    """

    def __init__(self, config: SandboxConfig) -> None:
        self._config = config
        #: Where events go; ``None`` sends none. Starts as ``config.webhook_url``.
        self.url: str | None = config.webhook_url
        #: Every event queued since the last reset, oldest first.
        self.log: list[WebhookDelivery] = []
        #: The latest delivery attempts, oldest first, each numbered by ``seq`` (from 1).
        self.attempts: deque[dict[str, object]] = deque(maxlen=ATTEMPT_LOG_SIZE)
        self._seq = 0
        self._outbox: deque[WebhookDelivery] = deque()
        self._chains: dict[str, deque[WebhookDelivery]] = {}
        self._wakeup: anyio.Event | None = None
        self._idle_waiter: anyio.Event | None = None

    def enqueue(self, event: str, order_id: str, data: Mapping[str, object]) -> None:
        """Queue one event. Synchronous, so the books can call it mid-change."""
        if self.url is None:
            return
        delivery = WebhookDelivery(event, order_id, self.url, data)
        self.log.append(delivery)
        self._outbox.append(delivery)
        if self._wakeup is not None:
            self._wakeup.set()

    def reset(self) -> None:
        """Forget the log and everything not yet sent."""
        self.log.clear()
        self.attempts.clear()
        self._outbox.clear()
        for chain in self._chains.values():
            chain.clear()
        self._notify_if_idle()

    @property
    def idle(self) -> bool:
        """True when nothing is queued or being delivered."""
        return not self._outbox and not self._chains

    def _client(self) -> httpx.AsyncClient:
        injected = self._config.webhook_transport
        transport = None if injected is None else _Borrowed(injected)
        return httpx.AsyncClient(transport=transport, timeout=self._config.webhook_timeout)

    async def flush(self) -> None:
        """Deliver everything queued, in order, retries included, then return."""
        if not self._outbox:
            return
        client = self._client()
        try:
            while self._outbox:
                await self._deliver(client, self._outbox.popleft())
        finally:
            with anyio.CancelScope(shield=True):
                await client.aclose()

    async def wait_idle(self) -> None:
        """Wait until the background worker has finished with every queued event."""
        while not self.idle:
            if self._idle_waiter is None:
                self._idle_waiter = anyio.Event()
            await self._idle_waiter.wait()

    def _notify_if_idle(self) -> None:
        if self.idle and self._idle_waiter is not None:
            self._idle_waiter.set()
            self._idle_waiter = None

    async def serve(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Deliver events as they are queued, until cancelled. Use with ``TaskGroup.start``."""
        client = self._client()
        try:
            async with anyio.create_task_group() as group:
                self._wakeup = anyio.Event()
                task_status.started()
                while True:
                    self._dispatch(group, client)
                    await self._wakeup.wait()
                    self._wakeup = anyio.Event()
        finally:
            self._wakeup = None
            # Closing must finish even though this task is being cancelled, or sockets leak.
            with anyio.CancelScope(shield=True):
                await client.aclose()

    def _dispatch(self, group: TaskGroup, client: httpx.AsyncClient) -> None:
        while self._outbox:
            delivery = self._outbox.popleft()
            chain = self._chains.get(delivery.order_id)
            if chain is None:
                self._chains[delivery.order_id] = deque([delivery])
                group.start_soon(self._drain_chain, client, delivery.order_id)
            else:
                chain.append(delivery)

    async def _drain_chain(self, client: httpx.AsyncClient, order_id: str) -> None:
        chain = self._chains[order_id]
        try:
            while chain:
                await self._deliver(client, chain[0])
                if chain:  # a reset may have emptied it meanwhile
                    chain.popleft()
        finally:
            del self._chains[order_id]
            self._notify_if_idle()

    async def _deliver(self, client: httpx.AsyncClient, delivery: WebhookDelivery) -> None:
        body = dumps_body({"event": delivery.event, "data": delivery.data})
        headers = {"Content-Type": "application/json", "User-Agent": "alliance-pay-sandbox"}
        attempts = self._config.webhook_max_attempts
        for attempt in range(1, attempts + 1):
            delivery.attempts = attempt
            started = time.perf_counter()
            try:
                response = await client.post(delivery.url, content=body, headers=headers)
            # Whatever the receiver does (refuse, time out, raise in-process) is its failure to
            # record and retry, never a reason to stop the sandbox.
            except Exception as exc:
                delivery.status_code, delivery.error = None, f"{type(exc).__name__}: {exc}"
            else:
                delivery.status_code = response.status_code
                if response.is_success:
                    delivery.error, delivery.delivered = None, True
                else:
                    delivery.error = f"HTTP {response.status_code}"
            self._record_attempt(delivery, time.perf_counter() - started, last=attempt == attempts)
            if delivery.delivered:
                break
            if attempt < attempts:
                await anyio.sleep(self._config.webhook_backoff * 2 ** (attempt - 1))
        delivery.finished = True

    def _record_attempt(self, delivery: WebhookDelivery, seconds: float, *, last: bool) -> None:
        self._seq += 1
        self.attempts.append(
            {
                "seq": self._seq,
                "event": delivery.event,
                "order_id": delivery.order_id,
                "status": delivery.data.get("status"),
                "url": delivery.url,
                "attempt": delivery.attempts,
                "status_code": delivery.status_code,
                "error": delivery.error,
                "latency_ms": round(seconds * 1000, 1),
                "delivered": delivery.delivered,
                "final": delivery.delivered or last,
            }
        )
