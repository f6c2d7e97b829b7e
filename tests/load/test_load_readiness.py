"""The load check's readiness wait against hostile or broken previews on loopback: it reads no
body, stays within ready_timeout even when headers trickle in, and reports a certificate that
does not verify at once instead of waiting the whole timeout."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme

from launchgate.http.transport import HttpContext
from launchgate.load.readiness import wait_until_ready
from tests.support.loadserver import LoadServer, gate, load_result

Behaviour = Callable[[socket.socket, threading.Event], None]


class RawServer:
    """Accepts connections on loopback and lets `behaviour` answer each one."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.stop = threading.Event()
        self.behaviour = behaviour
        self.requests: list[bytes] = []
        self.sent = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.requests.append(data)
            with contextlib.suppress(OSError):  # the client hung up: what the tests expect
                self.behaviour(conn, self.stop)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        self.thread.join(timeout=5)


@pytest.fixture
def raw_server() -> Iterator[Callable[[Behaviour], RawServer]]:
    made: list[RawServer] = []

    def make(behaviour: Behaviour) -> RawServer:
        made.append(RawServer(behaviour))
        return made[-1]

    yield make
    for srv in made:
        srv.close()


def loopback_http(**kwargs: object) -> HttpContext:
    return HttpContext(allow_private_targets=True, **kwargs)  # type: ignore[arg-type]


def test_the_probe_reads_no_body(raw_server):
    """A 500 MB answer: the probe takes the status and hangs up, and asks for no compression."""
    state = {"sent": 0}

    def huge(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: 500000000\r\n\r\n"
        )
        chunk = b"\0" * 65536
        while not stop.is_set() and state["sent"] < 500_000_000:
            conn.sendall(chunk)
            state["sent"] += len(chunk)

    srv = raw_server(huge)
    ready = wait_until_ready(loopback_http(), f"http://127.0.0.1:{srv.port}/", 5)
    assert ready.ready and ready.reason == "answered 200"
    time.sleep(0.3)  # let the server notice the hang-up
    assert state["sent"] < 32_000_000, state  # socket buffers at most, not the body
    (request,) = srv.requests
    assert b"accept-encoding: identity" in request.lower()


def test_trickled_headers_do_not_stretch_the_timeout(raw_server):
    """One header byte every 0.2 s never trips a per-read timeout; the wait is still bounded."""

    def trickle(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(60):  # 12 s, unless the test ends first
            if stop.wait(0.2):
                return
            conn.sendall(b"a")
        conn.sendall(b"\r\nContent-Length: 0\r\n\r\n")

    srv = raw_server(trickle)
    started = time.monotonic()
    ready = wait_until_ready(loopback_http(), f"http://127.0.0.1:{srv.port}/", 1.5)
    elapsed = time.monotonic() - started
    assert not ready.ready
    assert 1.4 <= elapsed < 2.5, elapsed


def _tls_server(tmp_path: Path) -> LoadServer:
    ca = trustme.CA()
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("app.example.test").configure_cert(tls)
    return LoadServer(tls).start()


def test_a_certificate_that_does_not_verify_is_reported_at_once(tmp_path):
    srv = _tls_server(tmp_path)  # signed by a CA the client does not trust
    try:
        started = time.monotonic()
        report = gate(
            tmp_path,
            "https://app.example.test/",
            {"ready_timeout": "20s"},
            connect_to={"app.example.test:443": f"127.0.0.1:{srv.port}"},
        )
        elapsed = time.monotonic() - started
    finally:
        srv.stop()
    status, ids, _ = load_result(report)
    assert (status, ids) == ("failed", ["load.unreachable"])
    finding = report["findings"][0]
    assert "certificate" in finding["title"].lower(), finding
    assert "certificate verification failed" in finding["detail"]
    assert elapsed < 5, elapsed
    assert sum(srv.paths.values()) == 0
