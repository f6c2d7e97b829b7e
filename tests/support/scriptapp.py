"""A small staff app on loopback whose answers each test scripts: a real form login (a CSRF
field, a session cookie per login, a wrong password re-renders the form), and routes given as
functions of the logged-in user. For the answers a real framework gives that the Django test
app does not: a trailing-slash redirect under `/auth/`, a record with fields that depend on who
asks, a session the app stops honouring, a session cookie rotated on every answer.

Every request is recorded (`ScriptApp.seen`: method, path, Cookie header) and the server is
stopped when the `with` block ends; every connection has a 10 s timeout.
"""

from __future__ import annotations

import json
import secrets
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from launchgate.demo.serving import LoopbackServer

# Made at run time: no credential-shaped literal sits in the repository.
PASSWORDS = {
    "alice": "alice-" + secrets.token_hex(12),  # pragma: allowlist secret
    "bob": "bob-" + secrets.token_hex(12),
}  # pragma: allowlist secret

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[str | None], Answer]  # the logged-in user (None: anonymous) -> answer

LOGIN_PAGE = """<!doctype html><title>Log in</title><form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{csrf}"><input name="username">
<input type="password" name="password"><button type="submit">Log in</button></form>"""


def page(status: int, body: str, **headers: str) -> Answer:
    return status, {"Content-Type": "text/html; charset=utf-8", **headers}, body.encode()


def as_json(status: int, data: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


def redirect(location: str, status: int = 302) -> Answer:
    return status, {"Location": location}, b""


@dataclass
class ScriptApp:
    url: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # session id -> user
    # Users whose sessions the app forgets right after the login (an app that never honours
    # them: a cookie scoped to another path, a session store that does not persist).
    forgetful: set[str] = field(default_factory=set)
    rotate: bool = False  # set a new session cookie value on every answer (as Laravel does)
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)  # every session cookie value ever set
    last_body: bytes = b""  # the body of the latest request

    def handle(self, method: str, path: str, headers: Any, body: bytes) -> Answer:
        cookies = dict(
            p.strip().split("=", 1) for p in headers.get("Cookie", "").split(";") if "=" in p
        )
        sid = cookies.get("sid", "")
        self.last_body = body
        user = self.sessions.get(sid)
        bare = urllib.parse.urlsplit(path).path
        if bare == "/login":
            status, out, data = self._login(method, body)
        elif bare == "/logout":
            self.sessions.pop(sid, None)
            status, out, data = redirect("/login")
        elif bare == "/home" and "/home" not in self.routes:
            status, out, data = (
                page(200, f"<h1>Hello {user}</h1>") if user else redirect("/login?next=/home")
            )
        elif bare in self.routes:
            status, out, data = self.routes[bare](user)
        else:
            status, out, data = page(404, "<p>Not found</p>")
        if self.rotate and sid in self.sessions and "Set-Cookie" not in out:
            fresh = "rot-" + secrets.token_hex(16)
            self.issued.append(fresh)
            self.sessions[fresh] = self.sessions.pop(sid)
            out = {**out, "Set-Cookie": f"sid={fresh}; Path=/; HttpOnly"}
        return status, out, data

    def _login(self, method: str, body: bytes) -> Answer:
        if method != "POST":
            return page(
                200,
                LOGIN_PAGE.format(csrf=secrets.token_hex(8)),
                **{"Set-Cookie": f"csrf={secrets.token_hex(8)}; Path=/"},
            )
        form = dict(urllib.parse.parse_qsl(body.decode()))
        user = form.get("username", "")
        if not form.get("csrf_token") or PASSWORDS.get(user) != form.get("password"):
            return page(200, LOGIN_PAGE.format(csrf=secrets.token_hex(8)))
        sid = "sid-" + secrets.token_hex(16)
        self.issued.append(sid)
        if user not in self.forgetful:
            self.sessions[sid] = user
        return 302, {"Location": "/home", "Set-Cookie": f"sid={sid}; Path=/; HttpOnly"}, b""


def _handler(app: ScriptApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 10

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            app.seen.append((self.command, self.path, self.headers.get("Cookie", "")))
            status, headers, data = app.handle(self.command, self.path, self.headers, body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def script_app() -> Iterator[ScriptApp]:
    app = ScriptApp()
    with LoopbackServer(_handler(app)) as server:
        app.url = server.url
        yield app


def identities(*names: str) -> str:
    """The `identities:` config of form logins for `names` (passwords from PASSWORD_<NAME>)."""
    lines = ["identities:"]
    for name in names:
        lines.append(
            f"  {name}:\n    login: {{page: /login, fields: {{username: {name}, "
            f'password: "${{PASSWORD_{name.upper()}}}"}}}}'
        )
    return "\n".join(lines) + "\n"


def env() -> dict[str, str]:
    return {f"PASSWORD_{n.upper()}": p for n, p in PASSWORDS.items()}
