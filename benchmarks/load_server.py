"""A loopback HTTP server with a known, seeded latency schedule that records its own service
times: the ground truth for benchmarks/load_accuracy.py.

Each request's delay is the next draw of a seeded lognormal (sigma 0.5) scaled so that its p95
is `p95_ms`; the server records, per request, its arrival time (epoch s) and its service time
(from the handler's start to the response written), measured with perf_counter.
"""

from __future__ import annotations

import math
import random
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from launchgate.demo.serving import LoopbackServer
from launchgate.load.plan import Plan, PlanRoute

SIGMA = 0.5
Z95 = 1.6448536269514722


class ScheduleHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ScheduleServer

    def do_GET(self) -> None:
        began = time.perf_counter()
        arrival = time.time()
        time.sleep(self.server.next_delay_s())
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.server.record(arrival, (time.perf_counter() - began) * 1000)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ScheduleServer(LoopbackServer):
    request_queue_size = 128

    def __init__(self, p95_ms: float, seed: int = 1) -> None:
        super().__init__(ScheduleHandler, poll_interval_s=0.05)
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.median_s = p95_ms / 1000 / math.exp(Z95 * SIGMA)
        self.records: list[tuple[float, float]] = []

    def next_delay_s(self) -> float:
        with self._lock:
            return self.median_s * self._random.lognormvariate(0, SIGMA)

    def record(self, arrival: float, service_ms: float) -> None:
        with self._lock:
            self.records.append((arrival, service_ms))

    def reset(self, seed: int) -> None:
        with self._lock:
            self._random = random.Random(seed)
            self.records = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass

    @property
    def url(self) -> str:
        return f"{super().url}/"


def loopback_plan(server: LoopbackServer, users: int, duration_s: float) -> Plan:
    """The load plan both load benchmarks run: `users` users on `GET /` of `server`."""
    port = int(server.server_address[1])
    return Plan(
        base_url=f"http://127.0.0.1:{port}",
        host="127.0.0.1",
        port=port,
        connect_host="127.0.0.1",
        connect_port=port,
        users=users,
        spawn_rate=users,
        duration_s=duration_s,
        headers={},
        routes=(PlanRoute("root", "GET", "/"),),
    )
