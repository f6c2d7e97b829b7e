"""Distributed load (Locust master + workers): a worker loads only its own plan's target, not
the host the master names; the master's host never carries user:password; and the master
binds its own port (no pick-then-bind race)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from launchgate.load.plan import Plan
from tests.test_load_check import LoadServer, gate, load_result

ROOT = Path(__file__).resolve().parent.parent


def serve() -> tuple[LoadServer, threading.Thread]:
    srv = LoadServer()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    return srv, thread


@pytest.fixture
def two_servers() -> Iterator[tuple[LoadServer, LoadServer]]:
    (one, t1), (two, t2) = serve(), serve()
    try:
        yield one, two
    finally:
        for srv, thread in ((one, t1), (two, t2)):
            srv.shutdown()
            srv.server_close()
            thread.join(timeout=5)


def test_the_master_host_is_shared_without_credentials():
    plan = Plan(base_url="https://alice:pw@app.example.test:8443", host="app.example.test",
                port=8443, connect_host="127.0.0.1", connect_port=1, users=1, spawn_rate=1,
                duration_s=1, headers={}, routes=())
    assert plan.shared_base_url == "https://app.example.test:8443"


def test_a_worker_loads_its_own_target_not_the_masters(two_servers, tmp_path, monkeypatch):
    """The gate (master) names server one, with credentials in its URL; the remote worker's
    own config names server two. All the load goes to server two."""
    one, two = two_servers
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LAUNCHGATE_LOAD_MASTER_BIND", f"127.0.0.1:{port}")
    config = tmp_path / "worker.yml"
    config.write_text(json.dumps({"url": f"http://127.0.0.1:{two.port}/fast",
                                  "allow_private_targets": True}), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "launchgate.load.remote_worker", "--config", str(config),
         "--master-host", "127.0.0.1", "--master-port", str(port)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        report = gate(tmp_path, f"http://alice:pw-9f8e7d@127.0.0.1:{one.port}/fast",
                      {"min_samples": 20, "workers": 1, "users": 2, "duration": "2s"})
        worker.wait(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    status, ids, metrics = load_result(report)
    assert (status, ids) == ("passed", []), report["checks"]
    assert sum(one.paths.values()) == 1  # the gate's own readiness probe only
    assert two.paths["/fast"] == metrics["requests"] + metrics["samples_excluded_warmup"]
    assert "pw-9f8e7d" not in json.dumps(report)
