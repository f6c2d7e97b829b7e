"""The load check end to end: real Locust runs (a child process) against real servers on
loopback. Each run is a few seconds; min_samples is lowered to match."""

from __future__ import annotations

import json
import re
import socket
import ssl
import threading
import time

import pytest
import trustme

from launchgate.progress import Progress
from tests.conftest import ROOT, assert_no_secret
from tests.support.loadserver import (
    BYPASS,
    URL_PASSWORD,
    FakeTty,
    LoadServer,
    gate,
    load_result,
)

pytestmark = pytest.mark.slow  # real Locust runs


def test_fast_route_passes_with_exact_metrics(server, tmp_path):
    terminal = FakeTty()
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/fast",
        {"min_samples": 50},
        progress=Progress(terminal),
    )
    status, ids, metrics = load_result(report)
    assert (status, ids, report["verdict"]) == ("passed", [], "pass")
    assert metrics["requests"] >= 50
    assert metrics["p95_ms"] < 300
    assert metrics["failures"] == 0
    assert metrics["samples_excluded_warmup"] > 0
    assert metrics["routes"][0]["name"] == "/fast"
    assert "coordinated omission" in metrics["note"]
    # Every request the server saw is one sample (warm-up included), plus the readiness probe.
    assert server.paths["/fast"] == metrics["requests"] + metrics["samples_excluded_warmup"] + 1
    # Live progress on a terminal: elapsed, requests, then the current p95 after the warm-up.
    updates = re.findall(r"load: \ds/3s · \d+ requests · (warm-up|p95 \d+ ms)", terminal.getvalue())
    assert len(updates) >= 2 and updates[-1].startswith("p95"), terminal.getvalue()


def test_half_second_route_is_important(server, tmp_path):
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/",
        {"min_samples": 30, "routes": [{"name": "monthly report", "path": "/half"}]},
    )
    status, ids, metrics = load_result(report)
    assert ids == ["load.p95-over-target"]
    assert status == "passed" and report["verdict"] == "pass"  # important does not fail
    assert 500 <= metrics["p95_ms"] < 800
    assert report["findings"][0]["severity"] == "important"
    assert metrics["routes"][0]["name"] == "monthly report"


def test_one_second_route_is_a_blocker(server, tmp_path):
    report = gate(tmp_path, f"http://127.0.0.1:{server.port}/second", {"min_samples": 15})
    status, ids, metrics = load_result(report)
    assert ids == ["load.p95-over-budget"]
    assert (status, report["verdict"]) == ("failed", "fail")
    assert metrics["p95_ms"] >= 1000


def test_server_errors_trip_the_error_rate(server, tmp_path):
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/",
        {
            "min_samples": 30,
            "duration": "2s",
            "p95_target_ms": 5000,
            "p95_blocker_ms": 9000,
            "routes": [
                {"name": "ok", "path": "/fast", "weight": 1},
                {"name": "broken", "path": "/error", "weight": 1},
            ],
        },
    )
    status, ids, metrics = load_result(report)
    assert sorted(ids) == ["load.error-rate", "load.route-error-rate"]
    assert (status, report["verdict"]) == ("failed", "fail")
    assert 0.3 < metrics["error_rate"] < 0.7
    by_name = {r["name"]: r for r in metrics["routes"]}
    assert by_name["broken"]["failures"] == by_name["broken"]["requests"] > 0
    assert by_name["ok"]["failures"] == 0
    assert (by_name["broken"]["verdict"], by_name["ok"]["verdict"]) == ("errors", "ok")
    assert all("HTTP 500" in f["detail"] for f in report["findings"])
    assert "HTTP 500" in report["findings"][0]["detail"] or "500" in report["findings"][0]["detail"]


def test_dead_port_is_a_clear_blocker(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        started = time.monotonic()
        report = gate(tmp_path, f"http://127.0.0.1:{port}/", {"ready_timeout": "1s"})
    status, ids, _ = load_result(report)
    assert ids == ["load.unreachable"]
    assert (status, report["verdict"]) == ("failed", "fail")
    assert report["findings"][0]["severity"] == "blocker"
    assert "did not answer within 1s" in report["findings"][0]["title"]
    assert "refused" in report["findings"][0]["detail"].lower()
    assert 1.0 <= time.monotonic() - started < 10  # it waited, boundedly


def test_private_target_is_refused_without_sending_a_request(server, cli, tmp_path):
    result = cli(
        "check",
        "--url",
        f"http://127.0.0.1:{server.port}/fast",
        "--only",
        "load",
        "--json",
        str(tmp_path / "r.json"),
    )
    assert result.code == 3, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    status, ids, _ = load_result(report)
    assert (status, ids) == ("error", [])
    summary = next(c["summary"] for c in report["checks"] if c["name"] == "load")
    assert "allow_private_targets" in summary and "loopback" in summary
    assert "Traceback" not in result.output
    assert sum(server.paths.values()) == 0


def test_too_few_samples_is_inconclusive_not_a_pass(server, tmp_path):
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/fast",
        {"min_samples": 1_000_000, "duration": "1.5s"},
    )
    status, ids, metrics = load_result(report)
    assert (status, ids, report["verdict"]) == ("error", [], "error")
    summary = next(c["summary"] for c in report["checks"] if c["name"] == "load")
    assert "inconclusive" in summary and "min_samples" in summary
    assert metrics["requests"] > 0  # the metrics of the short run are still reported


def test_https_connect_to_headers_and_route_budget(tmp_path):
    """The real host name for Host/SNI/verification while connecting to the mapped address;
    the bypass header on every request and nowhere in the report; a per-route budget."""
    ca = trustme.CA()
    cert = ca.issue_cert("app.example.test")
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(tls)
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    srv = LoadServer(tls).start()
    try:
        report = gate(
            tmp_path,
            f"https://alice:{URL_PASSWORD}@app.example.test/",
            {
                "min_samples": 20,
                "duration": "2.5s",
                "routes": [
                    {"name": "clients", "path": "/fast", "weight": 3},
                    {
                        "name": "report",
                        "path": "/half",
                        "p95_target_ms": 200,
                        "p95_blocker_ms": 5000,
                    },
                ],
            },
            headers={"X-Bypass": BYPASS},
            ca_bundle=str(tmp_path / "ca.pem"),
            # Host names are case-insensitive: so are connect_to keys.
            connect_to={"App.Example.TEST.:443": f"127.0.0.1:{srv.port}"},
        )
    finally:
        srv.stop()
    _status, ids, metrics = load_result(report)
    assert "load.route-p95-over-target" in ids, report["checks"]
    finding = next(f for f in report["findings"] if f["id"] == "load.route-p95-over-target")
    assert finding["location"]["path"] == "/half"
    assert finding["location"]["url"] == "https://[redacted]@app.example.test/half"
    assert metrics["failures"] == 0
    assert set(srv.hosts) == {"app.example.test"}
    assert set(srv.bypass) == {BYPASS}
    assert srv.paths["/fast"] > srv.paths["/half"] > 0
    assert_no_secret(json.dumps(report), BYPASS, where="the report")
    assert_no_secret(json.dumps(report), URL_PASSWORD, where="the report")


def test_a_redirect_to_another_host_is_refused_by_the_load_generator(server, tmp_path):
    other = LoadServer().start()
    server.redirect_to = f"http://localhost:{other.port}/fast"
    try:
        report = gate(
            tmp_path,
            f"http://127.0.0.1:{server.port}/away",
            {"min_samples": 10, "duration": "1.5s"},
        )
    finally:
        other.stop()
    _status, ids, metrics = load_result(report)
    assert ids == ["load.error-rate"], report["checks"]
    assert metrics["failures"] == metrics["requests"] > 0
    assert "refused localhost" in report["findings"][0]["detail"]
    assert sum(other.paths.values()) == 0


def test_a_private_address_behind_connect_to_is_refused(server, tmp_path):
    report = gate(
        tmp_path,
        "http://app.example.test/fast",
        {"min_samples": 10},
        allow_private_targets=False,
        connect_to={"app.example.test:80": f"127.0.0.1:{server.port}"},
    )
    status, ids, _ = load_result(report)
    assert (status, ids) == ("error", [])
    summary = next(c["summary"] for c in report["checks"] if c["name"] == "load")
    assert "allow_private_targets" in summary and "no load was sent" in summary
    assert sum(server.paths.values()) == 0


def test_workers_mode_delivers_every_sample(server, tmp_path):
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/fast",
        {"min_samples": 50, "workers": 2, "users": 4, "duration": "2.5s"},
    )
    status, ids, metrics = load_result(report)
    assert (status, ids) == ("passed", []), report["checks"]
    assert metrics["workers"] == 2
    assert server.paths["/fast"] == metrics["requests"] + metrics["samples_excluded_warmup"] + 1


def test_waits_for_a_preview_that_comes_up_late(tmp_path):
    srv = LoadServer(listen=False)

    def come_up_late() -> None:
        time.sleep(1.5)
        srv.server_activate()
        srv.serve_forever(poll_interval=0.05)

    thread = threading.Thread(target=come_up_late, daemon=True)
    thread.start()
    try:
        report = gate(
            tmp_path,
            f"http://127.0.0.1:{srv.port}/fast",
            {"min_samples": 20, "duration": "1.5s", "ready_timeout": "10s"},
        )
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)
    status, ids, metrics = load_result(report)
    assert (status, ids) == ("passed", []), report["checks"]
    assert metrics["requests"] >= 20


def test_a_worker_from_another_runner_joins_and_loads_its_own_target(server, tmp_path, monkeypatch):
    """LAUNCHGATE_LOAD_MASTER_BIND on the gate; `launchgate.load.remote_worker` elsewhere (here:
    another process). Its samples reach the gate like a local worker's. The gate (master) names
    one server, with credentials in its URL; the worker's own config names another: a worker
    loads its own plan's target, never the host the master sends."""
    import os
    import subprocess
    import sys

    other = LoadServer().start()
    with socket.socket() as sock:  # a free loopback port for the master
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LAUNCHGATE_LOAD_MASTER_BIND", f"127.0.0.1:{port}")
    config = tmp_path / "worker.yml"
    config.write_text(
        json.dumps({"url": f"http://127.0.0.1:{other.port}/fast", "allow_private_targets": True}),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "launchgate.load.remote_worker",
            "--config",
            str(config),
            "--master-host",
            "127.0.0.1",
            "--master-port",
            str(port),
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        report = gate(
            tmp_path,
            f"http://alice:{URL_PASSWORD}@127.0.0.1:{server.port}/fast",
            {"min_samples": 20, "workers": 1, "users": 3, "duration": "2s"},
        )
        worker_exit = worker.wait(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        other.stop()
    status, ids, metrics = load_result(report)
    assert (status, ids) == ("passed", []), report["checks"]
    assert worker_exit == 0
    assert sum(server.paths.values()) == 1  # the gate's own readiness probe only
    assert other.paths["/fast"] == metrics["requests"] + metrics["samples_excluded_warmup"]
    assert_no_secret(json.dumps(report), URL_PASSWORD, where="the report")


def test_the_gate_never_imports_locust_or_gevent():
    """Locust's gevent monkey-patching must stay in the child process."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import sys; import launchgate.checks.load, launchgate.load.process, "
        "launchgate.load.readiness, launchgate.load.remote_worker; "
        "print(sorted(m for m in ('gevent', 'locust', 'geventhttpclient') "
        "if m in sys.modules))"
    )
    root = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-P", "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "[]"
