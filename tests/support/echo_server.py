"""A hostile little web app for redaction and renderer tests: it reflects every request header
back (in the body, in response headers, in a redirect's query string and, on /cookies, as the
cookies it sets: `Set-Cookie: <value>`, so a value holding `=` shows up as a cookie NAME cut
at its first `=`), so any check that copies response text into a finding would leak configured
secrets unless the gate redacts."""

from __future__ import annotations

import socket
import urllib.parse
from http.server import BaseHTTPRequestHandler
from typing import Any

from launchgate.demo.serving import LoopbackServer


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        echoed = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
        if path == "/close":
            # Hang up without an answer: the client sees a protocol error.
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if path == "/bounce":
            query = urllib.parse.urlencode({"seen": " ".join(self.headers.values())})
            self._send(302, "", {"Location": f"/landing?{query}"})
            return
        if path == "/cookies":
            self.send_response(200)
            for name, value in self.headers.items():
                if name.lower().startswith("x-"):
                    self.send_header("Set-Cookie", f"{value}; Path=/")
            self._send_body("<h1>cookies</h1>", {})
            return
        status = 500 if path == "/landing" else 404 if path == "/missing" else 200
        self._send(
            status,
            f"<h1>echo</h1><pre>{echoed}</pre>",
            {
                f"X-Echo-{name}": value
                for name, value in self.headers.items()
                if name.lower().startswith(("x-", "authorization"))
            },
        )

    do_HEAD = do_GET

    def _send(self, status: int, body: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self._send_body(body, headers)

    def _send_body(self, body: str, headers: dict[str, str]) -> None:
        data = body.encode("utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class EchoServer(LoopbackServer):
    """On 127.0.0.1 (a free port), in a daemon thread, stopped on exit."""

    def __init__(self) -> None:
        super().__init__(EchoHandler)
