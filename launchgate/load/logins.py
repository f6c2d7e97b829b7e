"""Logged-in load (`checks.load.as`), the Locust child's side: each simulated user logs in once,
as the next identity in turn, before its first request, through the one login implementation
(`launchgate.http.login.log_in`, sync httpx: cooperative under gevent). Its session cookies go
into the user's own Locust cookie jar and its headers onto each of its requests.

The login client connects only to the plan's vetted address (connect_to semantics, like the
load itself) and follows redirects on the target host only: credentials never reach another
host. Login time is measured here and reported apart (a `LoginEvent`), never as a request
sample, so it never counts in the p95.

Nothing here ever reports a cookie, token or password: events carry the identity's name, the
login's duration and, on failure, `LoginFailed`'s reason and detail (which hold none).
"""

from __future__ import annotations

import http.cookiejar
import itertools
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from launchgate.address import bracketed, connect_key
from launchgate.http.browser import CSRF_HEADERS  # one cookie -> header map
from launchgate.http.login import LoginFailed, log_in
from launchgate.http.transport import HttpContext
from launchgate.load.plan import Plan

LOGIN_MESSAGE = "launchgate_login"
SESSION_MESSAGE = "launchgate_session_ended"


@dataclass(frozen=True)
class LoginEvent:
    identity: str
    seconds: float
    ok: bool
    t: float  # when it finished (epoch s)
    reason: str = ""  # LoginReason on failure
    detail: str = ""


@dataclass(frozen=True)
class SessionEnded:
    identity: str
    route: str
    how: str  # "redirected to the login page", "HTTP 401"
    t: float


@dataclass(frozen=True)
class UserSession:
    """What one simulated user is logged in as (no cookie values: those live in its jar)."""

    identity: str
    headers: Mapping[str, str]
    login_paths: tuple[str, ...]


def pinned_context(plan: Plan) -> HttpContext:
    """An HTTP context whose only reachable host is the plan's, at its vetted address. The
    gate already ran the private-target guard on that address, so the guard is off here;
    every other host is refused by the login's own host list (see Logins.log_in)."""
    return HttpContext(
        headers=dict(plan.headers),
        ca_bundle=plan.verify if isinstance(plan.verify, str) else None,
        connect_to={
            connect_key(plan.host, plan.port): f"{bracketed(plan.connect_host)}:{plan.connect_port}"
        },
        allow_private_targets=True,
        timeout_s=plan.request_timeout_s,
    )


class Logins:
    """Hands out identities round-robin (within this process) and logs users in."""

    def __init__(self, plan: Plan, report: Callable[[str, dict[str, Any]], None]) -> None:
        self.plan = plan
        self.report = report  # (message type, data): to the process owning the output
        self._next = itertools.cycle(plan.identities)
        self._client: httpx.Client | None = None

    def log_in(self, jar: http.cookiejar.CookieJar) -> UserSession | None:
        """Log the next identity in; its cookies go into `jar`. None when the login failed
        (reported; the user then sends nothing)."""
        identity = next(self._next)
        started = time.monotonic()
        try:
            session = log_in(
                self.client,
                self.plan.base_url,
                identity.name,
                identity.config(),
                hosts={self.plan.host},
            )
        except LoginFailed as failed:
            self._event(
                LoginEvent(
                    identity.name,
                    time.monotonic() - started,
                    False,
                    time.time(),
                    str(failed.reason),
                    failed.detail,
                )
            )
            return None
        for name, value in session.cookies.items():
            jar.set_cookie(_cookie(self.plan.host, name, value))
        self._event(LoginEvent(identity.name, session.login_s, True, time.time()))
        paths = (session.login_path,) if session.login_path else ()
        return UserSession(identity.name, dict(session.headers), paths)

    @property
    def client(self) -> httpx.Client:
        """One client for every login of this process (one TLS context, pooled connections):
        sessions never share cookies through it, the login keeps them per identity."""
        if self._client is None:
            self._client = pinned_context(self.plan).client(timeout_s=self.plan.request_timeout_s)
        return self._client

    def session_ended(self, user: UserSession, route: str, how: str) -> None:
        self.report(SESSION_MESSAGE, asdict(SessionEnded(user.identity, route, how, time.time())))

    def _event(self, event: LoginEvent) -> None:
        self.report(LOGIN_MESSAGE, asdict(event))


def unsafe_request_headers(jar: http.cookiejar.CookieJar, origin: str) -> dict[str, str]:
    """What a browser's script adds to a POST/PUT/PATCH/DELETE, as smoke flows do: a
    same-origin `Origin` and the anti-CSRF header frameworks read from their cookie
    (`X-CSRFToken` from Django's `csrftoken`, `X-XSRF-TOKEN` from `XSRF-TOKEN`). Read from the
    user's jar at each request, so a token the app rotates is followed."""
    out = {"Origin": origin}
    for cookie in jar:
        header = CSRF_HEADERS.get(cookie.name.lower())
        if header and cookie.value:
            out.setdefault(header, urllib.parse.unquote(cookie.value))
    return out


def _cookie(host: str, name: str, value: str) -> http.cookiejar.Cookie:
    """A host-only cookie for the target, sent on every path (as the login set it)."""
    return http.cookiejar.Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )
