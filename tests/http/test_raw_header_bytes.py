"""Issue 12 item 4: header and cookie bytes that are not ASCII (or not UTF-8) never crash a check.

A healthy app that sets `user=José` on a redirect used to end headers, exposure and smoke in
"internal error: UnicodeEncodeError" (verdict ERROR): httpx's cookie jar re-encoded the cookie
as ASCII for the next request. The server here sends exact bytes (tests/support/raw_http.py).
"""

from __future__ import annotations

import json

import pytest

from launchgate.http.pages import fetch_page
from launchgate.http.transport import HttpContext
from tests.support.raw_http import RawHttpServer

pytestmark = pytest.mark.timeout(60)

PAGE = b"<html><head><title>Home</title></head><body><h1>Welcome</h1></body></html>"
SAFE_HEADERS = [
    b"Content-Type: text/html; charset=utf-8",
    b"X-Content-Type-Options: nosniff",
    b"Content-Security-Policy: default-src 'self'; frame-ancestors 'none'",
    b"Referrer-Policy: no-referrer",
]
UTF8_COOKIE = b"user=Jos\xc3\xa9"  # José in UTF-8
RAW_COOKIE = b"pref=\xff\xfe\xe9"  # bytes that are not UTF-8
ROUTES = {
    "/": (
        b"302 Found",
        [
            b"Location: /home",
            b"Set-Cookie: " + UTF8_COOKIE + b"; Path=/; SameSite=Lax",
            b"Set-Cookie: " + RAW_COOKIE + b"; Path=/; SameSite=Lax",
            b"X-Note: caf\xe9 cr\xc3\xa8me",
        ],
        b"",
    ),
    "/home": (
        b"200 OK",
        [
            *SAFE_HEADERS,
            b"Set-Cookie: theme=\xc3\xa9t\xc3\xa9; Path=/; SameSite=Lax",
            b"X-Served-By: n\xf6de-\xff",
        ],
        PAGE,
    ),
    "/utf8-location": (b"302 Found", [b"Location: /caf\xc3\xa9"], b""),
    "/caf%C3%A9": (b"200 OK", SAFE_HEADERS, PAGE),
    "/raw-location": (b"302 Found", [b"Location: /\xff\xfe"], b""),
    "/session": (b"200 OK", [*SAFE_HEADERS, b"Set-Cookie: sessionid=\xe9\xff; Path=/"], PAGE),
}


@pytest.fixture(scope="module")
def server():
    with RawHttpServer(ROUTES) as running:
        yield running


def test_a_non_ascii_cookie_on_a_redirect_leaves_a_healthy_app_passing(server, cli, tmp_path):
    report = tmp_path / "report.json"
    result = cli(
        "check",
        "--url",
        server.url + "/",
        "--allow-private-targets",
        "--only",
        "headers,exposure,smoke",
        "--json",
        str(report),
    )
    assert "UnicodeEncodeError" not in result.output and "internal error" not in result.output
    assert result.code == 0, result.output
    statuses = {c["name"]: c["status"] for c in json.loads(report.read_text())["checks"]}
    assert {statuses[n] for n in ("headers", "exposure", "smoke")} == {"passed"}, statuses


def test_cookies_go_back_as_the_exact_bytes_the_server_sent(server):
    with HttpContext(allow_private_targets=True).client() as client:
        page = fetch_page(client, server.url + "/")
        assert page.response.status_code == 200 and page.url.endswith("/home")
        fetch_page(client, server.url + "/home")
    first, second = server.request_headers("/home")[-2:]
    assert first[b"cookie"] == UTF8_COOKIE + b"; " + RAW_COOKIE
    assert second[b"cookie"] == UTF8_COOKIE + b"; " + RAW_COOKIE + b"; theme=\xc3\xa9t\xc3\xa9"


def test_a_configured_cookie_header_is_kept(server):
    context = HttpContext(headers={"Cookie": "preview=1"}, allow_private_targets=True)
    with context.client() as client:
        fetch_page(client, server.url + "/")
    assert server.request_headers("/home")[-1][b"cookie"] == b"preview=1"


@pytest.mark.parametrize("path", ["/utf8-location", "/raw-location"])
def test_a_location_that_is_not_ascii_is_followed_or_reported_not_a_crash(server, path):
    with HttpContext(allow_private_targets=True).client() as client:
        page = fetch_page(client, server.url + path)
    assert page.response.status_code in (200, 404)
    if path == "/utf8-location":
        assert page.response.status_code == 200 and len(page.history) == 1


def test_the_headers_check_names_a_cookie_whose_value_is_not_utf8(server, cli, tmp_path):
    config = tmp_path / ".launchgate.yml"
    config.write_text(
        "checks:\n  smoke:\n    steps:\n"
        "      - {name: session, path: /session, expect_status: 200}\n"
    )
    report = tmp_path / "report.json"
    result = cli(
        "check",
        "--config",
        str(config),
        "--url",
        server.url + "/session",
        "--allow-private-targets",
        "--only",
        "headers,smoke",
        "--json",
        str(report),
    )
    data = json.loads(report.read_text())
    statuses = {c["name"]: c["status"] for c in data["checks"]}
    assert statuses["headers"] == statuses["smoke"] == "passed", result.output
    titles = [f["title"] for f in data["findings"]]
    assert "Session cookie `sessionid` is readable by scripts (no HttpOnly)" in titles
    assert not any("\xe9" in t or "\xff" in t for t in titles)
