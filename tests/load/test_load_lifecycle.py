"""No load outlives the gate: a gate stopped by SIGTERM (a cancelled CI job) unwinds, stops its
Locust child and exits 143 with one line; a gate killed by SIGKILL leaves a child that notices
and exits on its own. Real gate processes, real Locust, a real server on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.loadserver import LoadServer

pytestmark = pytest.mark.slow  # real gates with Locust children, killed


def served(srv: LoadServer) -> int:
    with srv.lock:
        return sum(srv.paths.values())


def start_gate(tmp_path: Path, srv: LoadServer, workers: int = 0) -> subprocess.Popen[str]:
    config = tmp_path / ".launchgate.yml"
    config.write_text(
        json.dumps(
            {
                "url": f"http://127.0.0.1:{srv.port}/fast",
                "allow_private_targets": True,
                "checks": {
                    "load": {
                        "users": 3,
                        "duration": "60s",
                        "warmup": "1s",
                        "ready_timeout": "5s",
                        "workers": workers,
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("LAUNCHGATE_DEBUG", None)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "launchgate",
            "check",
            "--config",
            str(config),
            "--only",
            "load",
            "--repo",
            str(tmp_path),
            "--quiet",
        ],
        cwd=tmp_path,
        env=env,
        text=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for_load(gate: subprocess.Popen[str], srv: LoadServer) -> list[int]:
    """Until the load is flowing; then the gate's child processes."""
    deadline = time.monotonic() + 30
    while served(srv) < 50:
        assert gate.poll() is None, gate.communicate()
        assert time.monotonic() < deadline, "the load never started"
        time.sleep(0.05)
    kids = children(gate.pid)
    assert kids, "the load generator should be a child of the gate"
    return kids


def quiet_after(srv: LoadServer, since: float, watch_s: float = 3.0) -> float:
    """Seconds from `since` to the last request the server saw within `watch_s`."""
    last_count, last_change = served(srv), time.monotonic()
    while time.monotonic() < since + watch_s:
        time.sleep(0.05)
        count = served(srv)
        if count != last_count:
            last_count, last_change = count, time.monotonic()
    return max(0.0, last_change - since)


def stop(gate: subprocess.Popen[str], kids: list[int]) -> None:
    if gate.poll() is None:
        gate.kill()
        gate.communicate()
    for pid in kids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_sigterm_unwinds_stops_the_load_and_exits_143(server, tmp_path):
    gate = start_gate(tmp_path, server)
    kids: list[int] = []
    try:
        kids = wait_for_load(gate, server)
        killed = time.monotonic()
        gate.send_signal(signal.SIGTERM)
        _out, err = gate.communicate(timeout=15)
        exited = time.monotonic() - killed
        quiet = quiet_after(server, killed)
        print(
            f"SIGTERM: gate exited after {exited:.2f}s, last request {quiet:.2f}s after the signal"
        )
        assert gate.returncode == 143, err
        assert err.strip() == "launchgate: terminated", err
        assert quiet < 2.0
        assert [pid for pid in kids if alive(pid)] == []
    finally:
        stop(gate, kids)


@pytest.mark.parametrize("workers", [0, 2], ids=["local", "master+2 workers"])
def test_the_children_exit_when_the_gate_is_killed(server, tmp_path, workers):
    gate = start_gate(tmp_path, server, workers)
    kids: list[int] = []
    try:
        kids = wait_for_load(gate, server)
        assert len(kids) == 1 + workers
        killed = time.monotonic()
        gate.kill()
        gate.communicate(timeout=15)
        quiet = quiet_after(server, killed)
        print(f"SIGKILL: last request {quiet:.2f}s after the signal")
        assert quiet < 2.0
        assert [pid for pid in kids if alive(pid)] == []
    finally:
        stop(gate, kids)
