"""Issue 12, unclear messages: a failed request says what to do when the cause is common.

- 1 MB of response headers used to read "Receive buffer too long";
- http:// to a TLS port ended in "Server disconnected" / "Connection reset by peer", and
  https:// to a plain-http port in "[SSL: WRONG_VERSION_NUMBER]", with no word on the scheme.
Real servers on loopback: exact bytes (RawHttpServer), a trustme TLS server, a plain server.
"""

from __future__ import annotations

import ssl
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import pytest
import trustme

from launchgate.demo.serving import LoopbackServer
from launchgate.http.pages import fetch_page
from launchgate.http.transport import HttpContext, describe_http_error
from tests.support.raw_http import RawHttpServer

pytestmark = pytest.mark.timeout(60)


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"hi")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _failure(url: str) -> str:
    with (
        HttpContext(allow_private_targets=True).client() as client,
        pytest.raises(httpx.HTTPError) as info,
    ):
        fetch_page(client, url)
    return describe_http_error(info.value)


def test_oversized_response_headers_are_named_as_such(cli, tmp_path):
    routes = {"/": (b"200 OK", [b"X-Big: " + b"a" * 1_000_000], b"hi")}
    with RawHttpServer(routes) as server:
        assert _failure(server.url + "/").startswith(
            "the response headers are larger than 100 KB, more than launchgate reads"
        )
        result = cli(
            "check",
            "--url",
            server.url + "/",
            "--allow-private-targets",
            "--only",
            "smoke",
            "--json",
            str(tmp_path / "report.json"),
        )
    assert result.code == 1, result.output
    report = (tmp_path / "report.json").read_text()
    assert "larger than 100 KB" in report and "Receive buffer" not in report


def test_http_to_a_tls_port_suggests_https(tmp_path):
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with LoopbackServer(_Hello, context, handshake_timeout_s=2) as server:
        message = _failure(server.url.replace("https://", "http://") + "/")
    assert message.endswith("(if this port serves TLS, the URL should start with https://)")


def test_https_to_a_plain_port_suggests_http():
    with LoopbackServer(_Hello) as server:
        message = _failure(server.url.replace("http://", "https://") + "/")
    assert "WRONG_VERSION_NUMBER" in message
    assert "if it serves plain http, the URL should start with http://" in message


def test_other_failures_get_no_scheme_hint():
    with LoopbackServer(_Hello) as server:
        port = server.port
    message = _failure(f"http://127.0.0.1:{port}/")  # nothing listens any more
    assert "https://" not in message and "http://" not in message
