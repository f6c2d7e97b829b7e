"""The demo app's logged-in area: a real form login with a CSRF field, two tenants (Acme and
Beta), a client list with create/edit/delete (HTML form and JSON API), a logout, and one
planted bug: the JSON item endpoint does not check the tenant, so Beta's staff can read
Acme's clients by changing the id in the URL (what `access.cross-tenant-read` catches).

Staff also have a yearly report that takes 0.9 s: one slow admin action among fast ones,
which only the load test's per-route budgets catch (the mixed p95 stays under the budget).

The passwords are made when the module loads (never written in the repository); the demo
passes them to its config through `${DEMO_ALICE_PASSWORD}` / `${DEMO_BOB_PASSWORD}`, as CI
would pass secrets.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

Answer = tuple[int, dict[str, str], bytes]
SESSION_COOKIE = "acme_session"
CSRF_COOKIE = "XSRF-TOKEN"  # frameworks' convention: scripts echo it in X-XSRF-TOKEN
CSRF_FIELD = "_csrf"
YEARLY_REPORT_DELAY_S = 0.9


@dataclass(frozen=True)
class StaffUser:
    email: str
    password: str = field(repr=False)
    tenant: str
    env: str  # the variable the demo config reads the password from


USERS = (
    StaffUser(
        "alice@acme.test", "demo-" + secrets.token_urlsafe(12), "Acme", "DEMO_ALICE_PASSWORD"
    ),
    StaffUser("bob@beta.test", "demo-" + secrets.token_urlsafe(12), "Beta", "DEMO_BOB_PASSWORD"),
)


class StaffState:
    """Sessions and each tenant's clients, shared by the server's threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sessions: dict[str, StaffUser] = {}
        self.clients: dict[int, tuple[str, str]] = {}  # id -> (tenant, name)
        for tenant, names in (
            ("Acme", ["Acme Logistics", "Acme Retail", "Acme Health"]),
            ("Beta", ["Beta Foods", "Beta Travel"]),
        ):
            for name in names:
                self.clients[len(self.clients) + 1] = (tenant, name)

    def add(self, tenant: str, name: str) -> int:
        with self.lock:
            ident = max(self.clients, default=0) + 1
            self.clients[ident] = (tenant, name)
            return ident

    def of(self, tenant: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                {"id": i, "name": n} for i, (t, n) in sorted(self.clients.items()) if t == tenant
            ]


STATE = StaffState()


def _page(title: str, body: str, status: int = 200, cookies: list[str] | None = None) -> Answer:
    headers = {"Content-Type": "text/html; charset=utf-8"}
    text = f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
    return status, _with_cookies(headers, cookies), text.encode()


def _json(data: Any, status: int = 200) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(data).encode()


def _with_cookies(headers: dict[str, str], cookies: list[str] | None) -> dict[str, str]:
    # Several Set-Cookie headers travel as one "\n"-joined value; the handler splits them.
    if cookies:
        headers["Set-Cookie"] = "\n".join(cookies)
    return headers


def _redirect(location: str, cookies: list[str] | None = None) -> Answer:
    return 303, _with_cookies({"Location": location}, cookies), b""


class Request:
    """What a route needs from the HTTP request: method, path, query, cookies, body."""

    def __init__(self, method: str, target: str, headers: Any, body: bytes) -> None:
        self.method = method
        parts = urllib.parse.urlsplit(target)
        self.path = parts.path
        self.query = urllib.parse.parse_qs(parts.query)
        self.headers = headers
        self.body = body
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers.get("Cookie", ""))
        except Exception:
            jar = SimpleCookie()
        self.cookies = {k: m.value for k, m in jar.items()}

    def form(self) -> dict[str, str]:
        return {
            k: v[0] for k, v in urllib.parse.parse_qs(self.body.decode("utf-8", "replace")).items()
        }

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return None

    @property
    def user(self) -> StaffUser | None:
        with STATE.lock:
            return STATE.sessions.get(self.cookies.get(SESSION_COOKIE, ""))

    def csrf_ok(self, sent: str | None) -> bool:
        expected = self.cookies.get(CSRF_COOKIE, "")
        return bool(expected) and secrets.compare_digest(expected, sent or "")


def _csrf_cookie(token: str) -> str:
    return f"{CSRF_COOKIE}={token}; Path=/; Secure; SameSite=Lax"


def login_page(request: Request, error: str = "", status: int = 200) -> Answer:
    token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    message = f'<p class="error">{html.escape(error)}</p>' if error else ""
    body = (
        f'<h1>Acme Admin</h1>{message}<form method="post" action="/login">'
        f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">'
        '<label>Email <input name="email"></label><label>Password <input name="password" '
        'type="password"></label><button>Sign in</button></form>'
    )
    return _page("Acme Admin", body, status, [_csrf_cookie(token)])


def login_submit(request: Request) -> Answer:
    form = request.form()
    if not request.csrf_ok(form.get(CSRF_FIELD)):
        return _page("Forbidden", "<h1>CSRF token missing or incorrect</h1>", 403)
    user = next((u for u in USERS if u.email == form.get("email")), None)
    if user is None or not secrets.compare_digest(user.password, form.get("password", "")):
        return login_page(request, "Wrong email or password.")
    session = secrets.token_urlsafe(32)
    with STATE.lock:
        STATE.sessions[session] = user
    return _redirect(
        "/app/clients",
        [
            f"{SESSION_COOKIE}={session}; Path=/; Secure; HttpOnly; SameSite=Lax",
            _csrf_cookie(secrets.token_urlsafe(24)),
        ],
    )  # a new token after logging in


def logout(request: Request) -> Answer:
    if not request.csrf_ok(request.form().get(CSRF_FIELD)):
        return _page("Forbidden", "<h1>CSRF token missing or incorrect</h1>", 403)
    with STATE.lock:
        STATE.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
    return _redirect("/login", [f"{SESSION_COOKIE}=; Path=/; Max-Age=0; Secure; HttpOnly"])


def clients_page(request: Request, user: StaffUser) -> Answer:
    token = html.escape(request.cookies.get(CSRF_COOKIE, ""))
    rows = "".join(f"<li>{html.escape(c['name'])}</li>" for c in STATE.of(user.tenant))
    body = (
        f"<h1>Clients of {user.tenant}</h1><ul>{rows}</ul>"
        f'<form method="post" action="/app/clients/new"><input type="hidden" '
        f'name="{CSRF_FIELD}" value="{token}"><input name="name"><button>Add client'
        f'</button></form><form method="post" action="/logout"><input type="hidden" '
        f'name="{CSRF_FIELD}" value="{token}"><button>Sign out</button></form>'
    )
    return _page(f"Clients of {user.tenant}", body)


def yearly_report(user: StaffUser) -> Answer:
    time.sleep(YEARLY_REPORT_DELAY_S)  # a year of invoices, summed on every request
    return _json({"tenant": user.tenant, "revenue": 148_140, "invoices": 84})


def new_client(request: Request, user: StaffUser) -> Answer:
    form = request.form()
    if not request.csrf_ok(form.get(CSRF_FIELD)):
        return _page("Forbidden", "<h1>CSRF token missing or incorrect</h1>", 403)
    if not form.get("name"):
        return _page("Clients", "<p>A name is required.</p>", 400)
    STATE.add(user.tenant, form["name"])
    return _redirect("/app/clients")


def clients_api(request: Request, user: StaffUser) -> Answer:
    if request.method == "POST":
        if not request.csrf_ok(request.headers.get("X-XSRF-TOKEN")):
            return _json({"error": "CSRF token missing or incorrect"}, 403)
        data = request.json()
        if not isinstance(data, dict) or not data.get("name"):
            return _json({"error": "name is required"}, 400)
        ident = STATE.add(user.tenant, str(data["name"]))
        return _json({"id": ident, "name": data["name"]}, 201)
    return _json({"results": STATE.of(user.tenant)})


def client_api(request: Request, user: StaffUser, ident: int) -> Answer:
    with STATE.lock:
        tenant, name = STATE.clients.get(ident, ("", ""))
    if not tenant:
        return _json({"error": "not found"}, 404)
    if request.method == "GET":
        # PLANTED BUG: no tenant check on reads. Any signed-in user can read any client by
        # changing the id (the demo's access.cross-tenant-read).
        return _json({"id": ident, "name": name, "tenant": tenant})
    if tenant != user.tenant:
        return _json({"error": "not found"}, 404)
    if not request.csrf_ok(request.headers.get("X-XSRF-TOKEN")):
        return _json({"error": "CSRF token missing or incorrect"}, 403)
    if request.method == "DELETE":
        with STATE.lock:
            STATE.clients.pop(ident, None)
        return 204, {}, b""
    data = request.json()
    if not isinstance(data, dict) or not data.get("name"):
        return _json({"error": "name is required"}, 400)
    with STATE.lock:
        STATE.clients[ident] = (tenant, str(data["name"]))
    return _json({"id": ident, "name": data["name"]})


def route(request: Request) -> Answer | None:
    """The answer of the logged-in area, or None when the path is not part of it."""
    path, method = request.path, request.method
    if path == "/login":
        return login_submit(request) if method == "POST" else login_page(request)
    if path == "/logout" and method == "POST":
        return logout(request)
    if not path.startswith(("/app/", "/api/app/")):
        return None
    user = request.user
    if user is None:
        if path.startswith("/api/"):
            return _json({"error": "authentication required"}, 401)
        return _redirect("/login?next=" + urllib.parse.quote(path))
    if path == "/app/clients" and method == "GET":
        return clients_page(request, user)
    if path == "/app/clients/new" and method == "POST":
        return new_client(request, user)
    if path == "/app/reports/yearly" and method == "GET":
        return yearly_report(user)
    if path == "/api/app/clients" and method in ("GET", "POST"):
        return clients_api(request, user)
    head, _, tail = path.rpartition("/")
    if head == "/api/app/clients" and tail.isdigit() and method in ("GET", "PATCH", "DELETE"):
        return client_api(request, user, int(tail))
    return _json({"error": "not found"}, 404)
