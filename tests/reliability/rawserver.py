"""A tiny HTTP/1.1 server over a real socket whose answers are written by hand: a body dripped
a byte a second, a gzip bomb. What no well-behaved framework would send."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

#: Writes the answer to one request on the connection; it gets the request's raw bytes.
Answer = Callable[[socket.socket, bytes], None]


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@contextmanager
def raw_server(answer: Answer) -> Iterator[str]:
    """Serve ``answer`` for every request on 127.0.0.1; yields the base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    stop = threading.Event()
    connections: list[socket.socket] = []

    def serve_one(conn: socket.socket) -> None:
        with conn:
            try:
                while not stop.is_set():
                    request = _read_request(conn)
                    if not request:
                        return
                    answer(conn, request)
            except OSError:  # the client gave up and closed: what the tests want
                return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(conn)
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        host, port = listener.getsockname()
        yield f"http://{host}:{port}"
    finally:
        stop.set()
        listener.close()
        for conn in connections:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        acceptor.join(5)


def drip(stop_after: float = 60.0) -> Answer:
    """Headers at once, then a JSON body one byte a second (for at most ``stop_after`` s)."""

    def answer(conn: socket.socket, request: bytes) -> None:
        body = b'{"success": true, "data": {"balance": "1.00"}, "pad": "' + b" " * 200 + b'"}'
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        stopped = threading.Event()
        for index in range(min(len(body), int(stop_after))):
            conn.sendall(body[index : index + 1])
            if stopped.wait(1.0):
                break
        raise OSError("dripped long enough")

    return answer


def fixed(status: int, body: bytes, headers: dict[str, str] | None = None) -> Answer:
    """The same answer to every request."""
    head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n"
    for name, value in (headers or {}).items():
        head += f"{name}: {value}\r\n"
    raw = head.encode() + b"\r\n" + body

    def answer(conn: socket.socket, request: bytes) -> None:
        conn.sendall(raw)

    return answer
