"""Loopback HTTP(S) servers in a background thread. The demo app and the test servers share
this one way of binding (127.0.0.1, a free port), wrapping TLS, starting and stopping."""

from __future__ import annotations

import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class LoopbackServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1, HTTPS when given a server context. Use it as a
    context manager: it serves from a daemon thread on enter and is shut down on exit."""

    daemon_threads = True

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        context: ssl.SSLContext | None = None,
        *,
        handshake_timeout_s: float = 10.0,
        poll_interval_s: float = 0.1,
    ) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.context = context
        self._handshake_timeout_s = handshake_timeout_s
        self.thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": poll_interval_s}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def get_request(self) -> tuple[socket.socket, Any]:
        request, address = super().get_request()
        # Without TCP_NODELAY, Nagle + delayed ACK adds ~40 ms to small responses.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return request, address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.context is not None:
            request.settimeout(self._handshake_timeout_s)
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (a kept-alive connection closed, or over TLS a protocol-version
        # probe leaving mid-handshake) is normal; anything else is a handler bug worth printing.
        if self.context is None and not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
