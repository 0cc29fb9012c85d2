"""Serving the app over real sockets with uvicorn (imported lazily: it is an optional extra)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.types import ASGIApp

from alliance_pay.sandbox._faults import SandboxConnectionDropped

__all__ = ["bind_socket", "build_server", "serve_in_thread", "url_for_socket"]


class _HideDrops(logging.Filter):
    """Drops uvicorn's traceback for a connection the sandbox dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, SandboxConnectionDropped)


_HIDE_DROPS = _HideDrops()


#: Connections the kernel queues before the server accepts them. A load test opens hundreds at
#: once; with a short queue a busy machine drops the excess SYNs and clients time out connecting.
BACKLOG = 1024


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket; ``port=0`` lets the OS choose a free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def url_for_socket(sock: socket.socket) -> str:
    """The ``http://host:port`` base URL of a bound socket."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def build_server(app: ASGIApp, sock: socket.socket, *, log_level: str = "info") -> Any:
    """A ``uvicorn.Server`` for ``app`` on ``sock``, its lifespan on (so background work runs)."""
    # Imported here: uvicorn is an optional extra, needed only to serve over sockets.
    import uvicorn

    host, port = sock.getsockname()[:2]
    # date_header=False: the app dates its answers from the sandbox's own clock.
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        log_level=log_level,
        ws="none",
        http="h11",
        date_header=False,
    )
    logging.getLogger("uvicorn.error").addFilter(_HIDE_DROPS)
    return uvicorn.Server(config)


@contextmanager
def serve_in_thread(
    app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 10.0
) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yields the base URL.

    The server is up when the block starts and shut down (thread joined, socket closed) when
    it ends. The app runs on the thread's own event loop: talk to it over HTTP, including
    the ``/_sandbox/`` control endpoints, rather than through its
    [`Sandbox`][alliance_pay.sandbox.Sandbox] object.

    Examples:
        >>> import httpx
        >>> from alliance_pay.sandbox import create_app
        >>> with serve_in_thread(create_app()) as base_url:
        ...     httpx.get(f"{base_url}/_sandbox/state").status_code
        200
    """
    sock = bind_socket(host, port)
    stopped = True
    try:
        server = build_server(app, sock, log_level="warning")
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="alliance-sandbox", daemon=True
        )
        thread.start()
        try:
            deadline = time.monotonic() + startup_timeout
            while not server.started:
                if not thread.is_alive():
                    raise RuntimeError("the sandbox server stopped while starting")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the sandbox server did not start in {startup_timeout} s")
                time.sleep(0.01)
            yield url_for_socket(sock)
        finally:
            server.should_exit = True
            thread.join(startup_timeout)
            if thread.is_alive():  # still draining connections on a busy machine
                server.force_exit = True
                thread.join(startup_timeout)
            if thread.is_alive():
                # Closing the socket under a running server would free its fd number for the
                # next socket opened, which the server would then close: a Bad file descriptor
                # far from here. Leave it open and say so.
                stopped = False
                raise RuntimeError("the sandbox server did not stop; its socket is left open")
    finally:
        if stopped:
            sock.close()
