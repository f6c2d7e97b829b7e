"""The webhook poster against loopback servers: a 2xx is delivered, anything else is a problem
that names no part of the URL, a redirect is not followed, and a server that never answers is
cut off at the deadline."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from launchgate.demo.serving import LoopbackServer
from launchgate.watch.webhook import post_text

SECRET_PATH = "/services/T1/B2/" + "webhookToken" * 2


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Receiver

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.got.append((self.path, self.headers.get("Content-Type"), json.loads(raw)))
        time.sleep(self.server.delay_s)
        self.send_response(self.server.status)
        if self.server.status == 302:
            self.send_header("Location", f"{self.server.url}/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Receiver(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(Handler, poll_interval_s=0.05)
        self.lock = threading.Lock()
        self.got: list[tuple[str, str | None, dict[str, Any]]] = []
        self.status = 200
        self.delay_s = 0.0


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as srv:
        yield srv


def test_posts_slack_compatible_json(receiver):
    delivery = post_text(receiver.url + SECRET_PATH, "launchgate watch: failing")
    assert delivery.ok
    assert receiver.got == [
        (SECRET_PATH, "application/json", {"text": "launchgate watch: failing"})
    ]


@pytest.mark.parametrize("status", [302, 404, 500])
def test_non_2xx_is_a_problem_without_the_url_and_redirects_are_not_followed(receiver, status):
    receiver.status = status
    delivery = post_text(receiver.url + SECRET_PATH, "x")
    assert not delivery.ok and delivery.problem == f"the webhook answered HTTP {status}"
    assert len(receiver.got) == 1  # /elsewhere never asked


def test_a_server_that_never_answers_is_cut_off_at_the_deadline(receiver):
    receiver.delay_s = 5.0
    started = time.monotonic()
    delivery = post_text(receiver.url + SECRET_PATH, "x", deadline_s=0.5)
    assert time.monotonic() - started < 2.0
    assert not delivery.ok and "within 0.5 s" in delivery.problem
    assert "webhookToken" not in delivery.problem


def test_nothing_listening_is_a_problem_not_an_exception():
    with Receiver() as gone:
        url = gone.url
    delivery = post_text(url + SECRET_PATH, "x")
    assert not delivery.ok and "ConnectError" in delivery.problem
    assert "webhookToken" not in delivery.problem and "127.0.0.1" not in delivery.problem
