"""An identity's credentials (its session cookie, its bearer token, the password it logs in
with) never leave the app's own origin through a redirect or a form action that keeps the
host but changes the scheme (https -> plain http) or the port (review of issue 11). Real
servers on loopback: an https app (trustme CA) and a plain collector that records whatever
reaches it."""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import httpx
import pytest
import trustme

from launchgate.config.schema import IdentityConfig, LoginConfig
from launchgate.demo.serving import LoopbackServer
from launchgate.http.browser import Browser
from launchgate.http.login import LoginFailed, LoginReason, log_in
from launchgate.http.pages import fetch_page

SESSION = "sess-" + secrets.token_hex(16)
PASSWORD = "pw-" + secrets.token_hex(12)  # pragma: allowlist secret


class Collector(BaseHTTPRequestHandler):
    """Records every request (path, Cookie, Authorization, body) and answers 200."""

    timeout = 10
    seen: ClassVar[list[tuple[str, str, str, bytes]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append(
            (self.path, self.headers.get("Cookie", ""), self.headers.get("Authorization", ""), body)
        )
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


def app_handler(target: str) -> type[BaseHTTPRequestHandler]:
    """/jump redirects to `target`; /login is a login form that posts to `target`."""

    class App(BaseHTTPRequestHandler):
        timeout = 10

        def do_GET(self) -> None:
            if self.path == "/jump":
                self.send_response(302)
                self.send_header("Location", target + "/collect")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = (
                f'<form method="post" action="{target}/login"><input name="username">'
                '<input type="password" name="password"></form>'
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return App


@pytest.fixture
def collector() -> Iterator[LoopbackServer]:
    Collector.seen = []
    with LoopbackServer(Collector) as server:
        yield server


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def https_app(ca: trustme.CA, target: str) -> LoopbackServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return LoopbackServer(app_handler(target), context)


def client(ca: trustme.CA) -> httpx.Client:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return httpx.Client(verify=context, timeout=10, trust_env=False)


def identity_browser(http: httpx.Client, base_url: str) -> Browser:
    return Browser(
        http, base_url, cookies={"sid": SESSION}, headers={"Authorization": f"Bearer {SESSION}"}
    )


def test_a_redirect_from_https_to_plain_http_on_the_same_host_is_not_followed(
    ca: trustme.CA, collector: LoopbackServer
) -> None:
    with https_app(ca, collector.url) as app, client(ca) as http:
        answer = identity_browser(http, app.url).request("GET", "/jump")
    assert answer.status == 302 and "it leads to plain http" in answer.not_followed
    assert Collector.seen == []  # neither the cookie nor the token crossed in clear


def test_a_redirect_to_another_port_of_the_same_host_is_not_followed(
    collector: LoopbackServer,
) -> None:
    with LoopbackServer(app_handler(collector.url)) as app, httpx.Client(timeout=10) as http:
        answer = identity_browser(http, app.url).request("GET", "/jump")
    assert answer.status == 302 and "it leads to another port" in answer.not_followed
    assert Collector.seen == []


def test_a_login_form_posting_to_plain_http_never_gets_the_password(
    ca: trustme.CA, collector: LoopbackServer
) -> None:
    identity = IdentityConfig(
        LoginConfig(page="/login", fields={"username": "ann", "password": PASSWORD})
    )
    with (
        https_app(ca, collector.url) as app,
        client(ca) as http,
        pytest.raises(LoginFailed) as failed,
    ):
        log_in(http, app.url, "ann", identity)
    assert failed.value.reason is LoginReason.OFF_HOST
    assert "posts off the app: it leads to plain http" in failed.value.detail
    assert PASSWORD not in str(failed.value)
    assert Collector.seen == []


def test_the_upgrade_to_https_on_the_apps_own_host_is_allowed() -> None:
    with httpx.Client() as http:
        browser = Browser(http, "http://app.test:8000/")
        assert browser.refusal("https://app.test/login") == ""
        assert browser.refusal("http://app.test:8000/x") == ""
        assert "another port" in browser.refusal("http://app.test:9000/x")
        assert "another host" in browser.refusal("https://evil.test/")
        assert "non-web" in browser.refusal("ftp://app.test/")


def test_a_page_fetch_with_configured_headers_is_not_led_to_plain_http(
    ca: trustme.CA, collector: LoopbackServer
) -> None:
    """Smoke steps and the headers check send the configured headers (a preview bypass token)
    on every request of their client: an https -> http redirect on the same host must end
    the page, not send the token in clear."""
    with https_app(ca, collector.url) as app, client(ca) as http:
        http.headers["x-bypass"] = SESSION
        page = fetch_page(http, app.url + "/jump")
    assert page.response.status_code == 302
    assert "from https to plain http" in page.not_followed
    assert Collector.seen == []
