"""A minimal ASGI server on loopback for the throughput benchmark; run as its own process.

It answers every request with the payout record at once, so the clients are what is measured.
``python -m benchmarks._server`` prints the port it listens on, then serves until killed.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

from ._data import BODY

Message = MutableMapping[str, Any]
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]


async def app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say so, and without
    # it every response stalls 40 ms on Nagle's algorithm and delayed ACKs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    # Keep-alive longer than the clients': with both at 5 s, a connection idle between bursts
    # could be closed by the server just as a client reuses it (a disconnect, not a speed).
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        backlog=1024,
        timeout_keep_alive=3600,
    )
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    sys.exit(0)


if __name__ == "__main__":
    main()
