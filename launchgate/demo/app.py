"""A small admin app for the demo: a login page, a client list, a protected API and one
deliberately slow report. Serves on loopback only, in a background thread, until stopped."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from launchgate.demo.serving import LoopbackServer

SLOW_REPORT_DELAY_S = 0.45
LOGIN_PAGE = """<!doctype html>
<html><head><title>Acme Admin</title></head>
<body><h1>Acme Admin</h1><form method="post" action="/login">
<label>Email <input name="email"></label><label>Password <input name="password"
type="password"></label><button>Sign in</button></form></body></html>
"""
CLIENTS = [{"id": i, "name": f"Client {i}", "status": "active"} for i in range(1, 26)]

Route = Callable[["DemoHandler"], tuple[int, dict[str, str], bytes]]


def _html(body: str, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "text/html; charset=utf-8"}, body.encode()


def _json(data: Any, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


def login(_: DemoHandler) -> tuple[int, dict[str, str], bytes]:
    return _html(LOGIN_PAGE)


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
    "/login": login,
    "/clients": clients_page,
    "/api/clients": clients_api,
    "/api/admin/users": admin_users_api,
    "/api/reports/monthly": slow_report,
}


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "AcmeAdmin/1.0"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        route = ROUTES.get(self.path.split("?", 1)[0])
        status, headers, body = route(self) if route else _html("<h1>Not found</h1>", 404)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


class DemoServer(LoopbackServer):
    """The demo app over plain HTTP on 127.0.0.1 (a free port), served from a daemon thread."""

    def __init__(self) -> None:
        super().__init__(DemoHandler)
