"""The WSGI receiver: ``webhook_wsgi_app`` wraps ``AllianceClient.webhooks.handle``, for Flask,
Django and any other WSGI server."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from alliance_pay import _callables
from alliance_pay._logging import logger
from alliance_pay.webhooks._receiving import (
    DEFAULT_MAX_BODY_SIZE,
    HANDLER_FAILED,
    ReceiverSettings,
    answer_body,
    keep_refused,
)
from alliance_pay.webhooks._store import EventStore

if TYPE_CHECKING:
    from alliance_pay._sync._client import AllianceClient
    from alliance_pay._sync._webhooks import InboxHandler, WebhookHandler

__all__ = ["WebhookWSGIApp", "webhook_wsgi_app"]

_StartResponse = Callable[..., Any]
_REASONS = {
    200: "OK",
    400: "Bad Request",
    405: "Method Not Allowed",
    413: "Content Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    headers = [
        (name[5:].replace("_", "-").lower(), str(value))
        for name, value in environ.items()
        if name.startswith("HTTP_")
    ]
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(name):
            headers.append((name.replace("_", "-").lower(), str(environ[name])))
    return headers


def _remote(environ: dict[str, Any]) -> str | None:
    address = environ.get("REMOTE_ADDR")
    if not address:
        return None
    port = environ.get("REMOTE_PORT")
    return f"{address}:{port}" if port else str(address)


class WebhookWSGIApp:
    """The WSGI app [`webhook_wsgi_app`][alliance_pay.webhooks.webhook_wsgi_app] returns; see
    there. It answers as [`WebhookApp`][alliance_pay.webhooks.WebhookApp] does."""

    def __init__(
        self,
        client: AllianceClient,
        handler: WebhookHandler | InboxHandler,
        *,
        store: EventStore | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        transactional: bool = False,
    ) -> None:
        _callables.check_sync_api_callable(
            handler,
            what="the webhook handler",
            api="webhook_wsgi_app",
            fix=_callables.WEBHOOK_HANDLER_FIX,
        )
        self._client = client
        self._handler = handler
        self._settings = ReceiverSettings.of(store, max_body_size, transactional)

    def __call__(self, environ: dict[str, Any], start_response: _StartResponse) -> Iterable[bytes]:
        """Serve one WSGI request."""
        if environ.get("REQUEST_METHOD") != "POST":
            return self._respond(start_response, 405, "method_not_allowed", [("Allow", "POST")])
        headers, remote = _headers(environ), _remote(environ)
        body, too_large = self._read_body(environ)
        if too_large:
            keep_refused(self._settings.store, body, headers, remote)
            return self._respond(start_response, 413, "too_large")
        try:
            result = self._client.webhooks.handle(
                body, self._handler, **self._settings.handle_options(headers, remote)
            )
        except Exception:
            # The event was confirmed but not handled: never acknowledge it.
            logger.exception(HANDLER_FAILED)
            return self._respond(start_response, 500, "error")
        return self._respond(start_response, result.status_code, result.outcome.value)

    def _read_body(self, environ: dict[str, Any]) -> tuple[bytes, bool]:
        """The body and whether it is over the limit (then only its first bytes, or none if
        its declared length says so)."""
        declared = str(environ.get("CONTENT_LENGTH") or "")
        stream = environ["wsgi.input"]
        if declared.isdigit():
            if int(declared) > self._settings.max_body_size:
                return b"", True
            body: bytes = stream.read(int(declared))
            return body, False
        # No length (chunked): read one byte past the limit to know whether it is over.
        body = stream.read(self._settings.max_body_size + 1)
        if len(body) > self._settings.max_body_size:
            return body[: self._settings.max_body_size], True
        return body, False

    @staticmethod
    def _respond(
        start_response: _StartResponse,
        status: int,
        outcome: str,
        extra: list[tuple[str, str]] | None = None,
    ) -> list[bytes]:
        body = answer_body(outcome)
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *(extra or []),
        ]
        start_response(f"{status} {_REASONS.get(status, '')}".rstrip(), headers)
        return [body]


def webhook_wsgi_app(
    client: AllianceClient,
    handler: WebhookHandler | InboxHandler,
    *,
    store: EventStore | None = None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    transactional: bool = False,
) -> WebhookWSGIApp:
    """A WSGI app that receives Alliance webhooks with the sync client, for Flask, Django and
    any WSGI server; the twin of [`webhook_app`][alliance_pay.webhooks.webhook_app].

    Each ``POST`` is stored raw in ``store``, parsed, de-duplicated, confirmed with a signed
    status call and, if the API agrees, passed to ``handler(event, record)``. It answers
    like the ASGI receiver: 200 handled / duplicate / ignored, 400 invalid / rejected, 503
    retry / in progress, 500 when ``handler`` raised, 405 for anything but ``POST``, 413 for a
    body over ``max_body_size`` bytes.

    Args:
        client: an [`AllianceClient`][alliance_pay.AllianceClient] with a short timeout.
        handler: a plain ``def handler(event, record)``; an ``async def`` one is refused here
            with ``TypeError`` (it would never run), and one that returns an awaitable is
            answered 500, never acknowledged. With ``transactional=True``,
            ``handler(event, record, connection)``.
        store: a [`SQLiteEventStore`][alliance_pay.webhooks.SQLiteEventStore] for one host, a
            [`PostgresEventStore`][alliance_pay.webhooks.PostgresEventStore] for replicas; an
            [`InMemoryEventStore`][alliance_pay.webhooks.InMemoryEventStore] by default.
        max_body_size: bodies larger than this many bytes are refused with 413.
        transactional: run ``handler`` inside the store's transaction that marks the event
            handled (SQL stores only).

    Raises:
        TypeError: ``handler`` is an ``async def`` function, or ``transactional=True`` with a
            store that has no database transaction to share.

    Example:
        ```python
        from werkzeug.middleware.dispatcher import DispatcherMiddleware

        receiver = webhook_wsgi_app(client, on_event, store=SQLiteEventStore("webhooks.sqlite3"))
        app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/webhooks/alliance": receiver})
        ```
    """
    return WebhookWSGIApp(
        client, handler, store=store, max_body_size=max_body_size, transactional=transactional
    )
