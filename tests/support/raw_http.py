"""A loopback HTTP server that answers with exact bytes: header values that are not ASCII or not
even UTF-8, which `http.server` cannot send. Each route is a status line plus raw header lines;
the server records the raw request heads it got. Every connection is bounded in time (one
request per connection, `Connection: close`) and the server is stopped on exit."""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from typing import Self

READ_TIMEOUT_S = 5.0
MAX_HEAD_BYTES = 64_000


class RawHttpServer:
    """`routes`: path -> (status line, raw header lines, body). Unknown paths get a 404."""

    def __init__(self, routes: Mapping[str, tuple[bytes, list[bytes], bytes]]) -> None:
        self.routes = dict(routes)
        self.heads: list[bytes] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(32)
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def request_headers(self, path: str) -> list[dict[bytes, bytes]]:
        """The raw header lines of every request for `path` (lower-case names)."""
        out = []
        for head in self.heads:
            lines = head.split(b"\r\n")
            if lines[0].split(b" ")[1].split(b"?")[0] != path.encode():
                continue
            out.append(
                {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(b":") for line in lines[1:] if line)
                }
            )
        return out

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(READ_TIMEOUT_S)
            head = b""
            try:
                while b"\r\n\r\n" not in head and len(head) < MAX_HEAD_BYTES:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    head += chunk
            except OSError:
                return
            head = head.split(b"\r\n\r\n", 1)[0]
            self.heads.append(head)
            path = head.split(b" ", 2)[1].split(b"?")[0].decode("latin-1")
            status, lines, body = self.routes.get(path, (b"404 Not Found", [], b"not found"))
            answer = (
                b"HTTP/1.1 "
                + status
                + b"\r\n"
                + b"".join(
                    line + b"\r\n"
                    for line in [*lines, b"Connection: close", b"Content-Length: %d" % len(body)]
                )
                + b"\r\n"
                + body
            )
            try:
                conn.sendall(answer)
            except OSError:
                return

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=5)
