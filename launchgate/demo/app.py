"""A small admin app for the demo: a public client list, a protected API, one deliberately slow
report, and a logged-in area behind a real form login (`demo.staff`: two tenants, CSRF, a
planted cross-tenant read). Serves on loopback only, in a background thread, until stopped."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from launchgate.demo import staff
from launchgate.demo.serving import LoopbackServer

SLOW_REPORT_DELAY_S = 0.45
# Request bodies the demo reads (forms and small JSON): anything larger is refused.
MAX_BODY_BYTES = 64_000
CLIENTS = [{"id": i, "name": f"Client {i}", "status": "active"} for i in range(1, 26)]

Route = Callable[["DemoHandler"], tuple[int, dict[str, str], bytes]]


def _html(body: str, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "text/html; charset=utf-8"}, body.encode()


def _json(data: Any, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


def home(_: DemoHandler) -> tuple[int, dict[str, str], bytes]:
    return 302, {"Location": "/login"}, b""


def clients_page(_: DemoHandler) -> tuple[int, dict[str, str], bytes]:
    rows = "".join(f"<tr><td>{c['name']}</td><td>{c['status']}</td></tr>" for c in CLIENTS)
    return _html(f"<!doctype html><h1>Clients</h1><table>{rows}</table>")


def clients_api(_: DemoHandler) -> tuple[int, dict[str, str], bytes]:
    return _json(CLIENTS)


def admin_users_api(handler: DemoHandler) -> tuple[int, dict[str, str], bytes]:
    if handler.headers.get("Authorization") != "Bearer demo-admin":
        return _json({"error": "authentication required"}, 401)
    return _json([{"email": "owner@acme.test", "role": "owner"}])


def slow_report(_: DemoHandler) -> tuple[int, dict[str, str], bytes]:
    # The admin report that "feels fine with one user": a fixed, slow query.
    time.sleep(SLOW_REPORT_DELAY_S)
    return _json({"revenue": 12345, "open_invoices": 7})


ROUTES: dict[str, Route] = {
    "/": home,
    "/clients": clients_page,
    "/api/clients": clients_api,
    "/api/admin/users": admin_users_api,
    "/api/reports/monthly": slow_report,
}


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "AcmeAdmin/1.0"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send(*_html("<h1>Request too large</h1>", 413))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length > 0 else b""
        answer = staff.route(
            staff.Request(
                self.command if self.command != "HEAD" else "GET", self.path, self.headers, body
            )
        )
        if answer is None:
            route = (
                ROUTES.get(self.path.split("?", 1)[0]) if self.command in ("GET", "HEAD") else None
            )
            answer = route(self) if route else _html("<h1>Not found</h1>", 404)
        self._send(*answer)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            for line in value.split("\n"):  # several Set-Cookie headers
                self.send_header(name, line)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET
    do_POST = do_GET
    do_PATCH = do_GET
    do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


class DemoServer(LoopbackServer):
    """The demo app over plain HTTP on 127.0.0.1 (a free port), served from a daemon thread."""

    def __init__(self) -> None:
        super().__init__(DemoHandler)
