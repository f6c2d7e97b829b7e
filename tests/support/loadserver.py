"""A loopback HTTP server with known per-path latency, and helpers to run the load check
against it (shared by tests/checks/test_load_check.py and tests/load/)."""

from __future__ import annotations

import io
import json
import ssl
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from launchgate.config import load_config
from launchgate.demo.serving import LoopbackServer
from launchgate.progress import Progress
from launchgate.report import Target
from launchgate.runner import run_gate

DELAYS = {"/fast": 0.0, "/half": 0.5, "/second": 1.0}
BYPASS = "bypass-7f3a9c1e5b2d4f6a8c0e"
URL_PASSWORD = "urlpass-3c5e7a9b1d2f4e6a"  # pragma: allowlist secret
_LOGIN_FORM = (
    b'<form method="post"><input name="username"><input type="password" '
    b'name="password"><button>Sign in</button></form>'
)
# 200 answers that are HTML pages: the login page, a login form rendered in place of a
# protected page, a sign-up form (two password fields: not a login), a form re-rendered by a
# POST that did not save.
PAGES = {
    "/accounts/login/": b"<html><h1>Log in</h1>" + _LOGIN_FORM + b"</html>",
    "/reports": b"<html><h1>Please sign in</h1>" + _LOGIN_FORM + b"</html>",
    "/signup": b'<html><form><input type="password" name="p1"><input type="password" '
    b'name="p2"></form></html>',
    "/notes/new": b'<html><form method="post"><input name="text"> This field is required.'
    b"</form></html>",
}


class LoadHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: LoadServer

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.record(path, self.headers.get("Host", ""), self.headers.get("X-Bypass", ""))
        time.sleep(DELAYS.get(path, 0.0))
        status = 500 if path == "/error" else 200 if path in DELAYS or path == "/" else 404
        body = b'{"ok": true}'
        if path in ("/away", "/private"):  # to another host (tests set redirect_to); to login
            status = 302
            self.send_response(status)
            self.send_header(
                "Location",
                self.server.redirect_to if path == "/away" else "/accounts/login/?next=" + path,
            )
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path in PAGES:
            return self._page(PAGES[path])
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))  # keep-alive stays in step
        self.do_GET()

    def _page(self, html: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(html)))
        self.end_headers()
        self.wfile.write(html)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoadServer(LoopbackServer):
    def __init__(self, tls: ssl.SSLContext | None = None, *, listen: bool = True) -> None:
        # Without `listen` the port is taken but refuses connections until the caller's own
        # server_activate() (the constructor's call is skipped).
        self._skip_activate = not listen
        super().__init__(LoadHandler, tls, poll_interval_s=0.05)
        self.lock = threading.Lock()
        self.paths: Counter[str] = Counter()
        self.hosts: Counter[str] = Counter()
        self.bypass: Counter[str] = Counter()
        self.redirect_to = ""

    def record(self, path: str, host: str, bypass: str) -> None:
        with self.lock:
            self.paths[path] += 1
            self.hosts[host] += 1
            self.bypass[bypass] += 1

    def server_activate(self) -> None:
        if self._skip_activate:
            self._skip_activate = False
            return
        super().server_activate()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client closing early is not a test failure


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def gate(
    tmp_path: Path, url: str, load: dict[str, Any], progress: Progress | None = None, **top: Any
) -> dict[str, Any]:
    """Run the real gate (load only) with a config file; return the v1 report."""
    config = {
        "url": url,
        "allow_private_targets": True,
        **top,
        "checks": {
            "load": {"users": 10, "duration": "3s", "warmup": "0.5s", "ready_timeout": "2s", **load}
        },
    }
    path = tmp_path / ".launchgate.yml"
    path.write_text(json.dumps(config), encoding="utf-8")
    report = run_gate(
        load_config(path), Target(url=url), only=["load"], progress=progress or Progress(quiet=True)
    )
    return report.to_json()


def load_result(report: dict[str, Any]) -> tuple[str, list[str], dict[str, Any]]:
    (check,) = [c for c in report["checks"] if c["name"] == "load"]
    return check["status"], [f["id"] for f in report["findings"]], report["metrics"].get("load", {})
