"""A hostile plain-http server on 127.0.0.1 for the robustness tests: it drips its answer a byte
at a time, sends compression bombs, malformed Location headers and pages with broken URLs, and
echoes the request headers it got. Every drip is bounded in time and stops when the client
hangs up; the server is stopped on exit."""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler
from typing import Any

import brotli

from launchgate.demo.serving import LoopbackServer

# Drips: one byte every DRIP_INTERVAL_S, for at most DRIP_MAX_S (the test's worst case).
DRIP_INTERVAL_S = 0.2
DRIP_MAX_S = 12.0
BOMB_BYTES = 300_000_000  # 300 MB of zeros once inflated


def _gzip_bomb(size: int) -> bytes:
    """One gzip member that inflates to `size` zero bytes (built in 1 MB steps)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1_000_000)
    parts = [compressor.compress(zeros) for _ in range(size // len(zeros))]
    return b"".join(parts) + compressor.flush()


def _br_bomb(size: int) -> bytes:
    """One brotli stream that inflates to `size` zero bytes."""
    compressor = brotli.Compressor(quality=1)
    zeros = bytes(1_000_000)
    parts = [compressor.process(zeros) for _ in range(size // len(zeros))]
    return b"".join(parts) + compressor.finish()


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.seen.append((path, {k.lower(): v for k, v in self.headers.items()}))
        if path == "/drip-body":
            self._head(200, {"Content-Type": "text/html", "Content-Length": "100000"})
            self._drip(b"x" * 100000)
        elif path == "/drip-headers":
            self._drip(b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"y" * 100000)
        elif path == "/bomb-gzip":
            self._send(200, self.server.gzip_bomb, {"Content-Encoding": "gzip"})
        elif path == "/bomb-br":
            self._send(200, self.server.br_bomb, {"Content-Encoding": "br"})
        elif path == "/bad-location":
            self._send(302, b"", {"Location": "http://[bad/"})
        elif path == "/gzip-page":
            self._send(200, gzip.compress(b"<p>Sign in</p>" * 100), {"Content-Encoding": "gzip"})
        else:
            self._send(200, b"<h1>hostile</h1>", {})

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self._head(
            status, {"Content-Type": "text/html", "Content-Length": str(len(body)), **headers}
        )
        with contextlib.suppress(OSError):  # the client stopped reading: that is the point
            self.wfile.write(body)

    def _drip(self, data: bytes) -> None:
        started = time.monotonic()
        self.close_connection = True
        for byte in data:
            if time.monotonic() - started > DRIP_MAX_S or self.server.stopping.is_set():
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(DRIP_INTERVAL_S)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class HostileServer(LoopbackServer):
    def __init__(self, bomb_bytes: int = BOMB_BYTES) -> None:
        super().__init__(HostileHandler, poll_interval_s=0.05)
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self.gzip_bomb = _gzip_bomb(bomb_bytes)
        self.br_bomb = _br_bomb(bomb_bytes)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-answer is the point of this server

    def stop(self) -> None:
        self.stopping.set()
        super().stop()
