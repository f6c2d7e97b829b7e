"""The gate's side of the load test: start the Locust child (and its workers), hand them the
plan on stdin, tail the samples they stream back, show progress, and stop everything it started.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import launchgate
from launchgate.address import parse_hostport, valid_port
from launchgate.load.logins import LoginEvent, SessionEnded
from launchgate.load.plan import Plan
from launchgate.load.stats import Samples

CHILD_MODULE = "launchgate.load.child"
# Set on the gate's machine to let Locust workers on other runners join (docs/load.md): the
# master binds HOST:PORT instead of a private loopback port and starts no local workers.
MASTER_BIND_ENV = "LAUNCHGATE_LOAD_MASTER_BIND"
# The pid of the process that started the child: it exits if that is already gone.
PARENT_PID_ENV = "LAUNCHGATE_LOAD_PARENT_PID"
# Room for interpreter and Locust start-up, workers connecting, and the final flush.
STARTUP_GRACE_S = 45.0


class LoadRunError(Exception):
    """The load test itself could not run (the child failed); the message says why."""


@dataclass
class RunResult:
    samples: Samples = field(default_factory=Samples)
    started_at: float | None = None
    ended_at: float | None = None
    logins: list[LoginEvent] = field(default_factory=list)  # one per user (load.as)
    sessions_ended: list[SessionEnded] = field(default_factory=list)


@dataclass
class _Tail:
    """Reads the samples file incrementally, whole lines only."""

    path: Path
    result: RunResult
    offset: int = 0
    fatal: str | None = None
    done: bool = False
    master_port: int | None = None

    def read(self) -> None:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n")
        if end < 0:
            return
        self.offset += end + 1
        for line in data[: end + 1].splitlines():
            if line.strip():
                self._event(json.loads(line))

    def _event(self, event: dict[str, Any]) -> None:
        kind = event.get("e")
        if kind == "s":
            add = self.result.samples.add
            for t, r, ms, ok, st, err, *rest in event["b"]:
                add(
                    float(t),
                    str(r),
                    float(ms),
                    bool(ok),
                    int(st or 0),
                    None if err is None else str(err),
                    login_page=bool(rest and rest[0]),
                )
        elif kind == "start":
            self.result.started_at = float(event["t"])
        elif kind == "end":
            self.result.ended_at = float(event["t"])
        elif kind == "login":
            self.result.logins.append(
                LoginEvent(
                    identity=str(event["identity"]),
                    seconds=float(event["seconds"]),
                    ok=bool(event["ok"]),
                    t=float(event["t"]),
                    reason=str(event.get("reason", "")),
                    detail=str(event.get("detail", "")),
                )
            )
        elif kind == "session_ended":
            self.result.sessions_ended.append(
                SessionEnded(
                    identity=str(event["identity"]),
                    route=str(event["route"]),
                    how=str(event["how"]),
                    t=float(event["t"]),
                )
            )
        elif kind == "master":
            self.master_port = int(event["port"])
        elif kind == "done":
            self.done = True
        elif kind == "fatal":
            self.fatal = str(event.get("msg", "the load generator failed"))


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # The child must import this very launchgate, installed or run from a checkout.
    root = str(Path(launchgate.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    env[PARENT_PID_ENV] = str(os.getpid())
    return env


def spawn_child(
    args: list[str], plan_json: str, stderr: IO[bytes] | None
) -> subprocess.Popen[bytes]:
    """`python -m launchgate.load.child ARGS`, the plan as the first line of its stdin.

    Its stdin stays open for its whole life: when this process dies, however it dies, the
    child reads end-of-file and quits at once (and on Linux the kernel also sends it SIGKILL,
    see generator.die_with_parent), so no load outlives the gate."""
    # -P: never let the current directory shadow the launchgate that runs the gate.
    proc = subprocess.Popen(
        [sys.executable, "-P", "-m", CHILD_MODULE, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        env=_child_env(),
        start_new_session=True,
    )
    assert proc.stdin is not None
    with contextlib.suppress(BrokenPipeError):  # it died at once: its exit code says why
        proc.stdin.write(plan_json.encode("utf-8") + b"\n")
        proc.stdin.flush()
    return proc


def master_bind() -> tuple[str, int] | None:
    """HOST:PORT from LAUNCHGATE_LOAD_MASTER_BIND, or None (local workers on loopback)."""
    value = os.environ.get(MASTER_BIND_ENV, "").strip()
    if not value:
        return None
    try:
        bind = parse_hostport(value)
    except ValueError:
        bind = None
    if bind is None or bind.port is None or not valid_port(bind.port):
        raise LoadRunError(f"{MASTER_BIND_ENV} must be HOST:PORT, e.g. 0.0.0.0:5557")
    return bind.host, bind.port


def run_load(
    plan: Plan,
    *,
    on_tick: Callable[[RunResult, float], None] | None = None,
    tick_s: float = 1.0,
    workdir: Path | None = None,
) -> RunResult:
    """Run the plan to completion (bounded) and return every sample it produced."""
    with tempfile.TemporaryDirectory(prefix="launchgate-load-", dir=workdir) as tmp:
        return _run(plan, Path(tmp), on_tick, tick_s)


def _run(
    plan: Plan, directory: Path, on_tick: Callable[[RunResult, float], None] | None, tick_s: float
) -> RunResult:
    out = directory / "samples.jsonl"
    result = RunResult()
    tail = _Tail(out, result)
    plan_json = plan.dumps()
    procs: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    try:
        remote = master_bind() if plan.workers else None
        if plan.workers:
            # Port 0 for local workers: the master binds a free one and reports it.
            host, port = remote or ("127.0.0.1", 0)
            role_args = [
                "master",
                "--out",
                str(out),
                "--master-bind-host",
                host,
                "--master-port",
                str(port),
            ]
        else:
            role_args = ["local", "--out", str(out)]
        logs.append(directory / "driver.log")
        with logs[-1].open("wb") as log:
            procs.append(spawn_child(role_args, plan_json, log))
        if plan.workers and not remote:
            port = _master_port(procs[0], tail)
            for index in range(plan.workers if port else 0):
                logs.append(directory / f"worker{index}.log")
                with logs[-1].open("wb") as log:
                    procs.append(
                        spawn_child(["worker", "--master-port", str(port)], plan_json, log)
                    )
        _wait(procs[0], tail, plan, on_tick, tick_s)
    finally:
        _stop(procs)
    tail.read()
    if tail.fatal:
        raise LoadRunError(tail.fatal)
    if procs[0].returncode != 0 or not tail.done:
        raise LoadRunError(_explain_exit(procs[0].returncode, logs[0]))
    return result


def _master_port(master: subprocess.Popen[bytes], tail: _Tail) -> int:
    """The port the master bound, once it says so (bounded; 0 when it failed first)."""
    deadline = time.monotonic() + STARTUP_GRACE_S
    while tail.master_port is None and master.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        tail.read()
    if tail.master_port is None:
        if master.poll() is None:
            raise LoadRunError(f"the Locust master did not start within {STARTUP_GRACE_S:g}s")
        return 0  # it exited: _run explains why from its exit code and log
    return tail.master_port


def _wait(
    driver: subprocess.Popen[bytes],
    tail: _Tail,
    plan: Plan,
    on_tick: Callable[[RunResult, float], None] | None,
    tick_s: float,
) -> None:
    started = time.monotonic()
    limit = (
        plan.duration_s
        + STARTUP_GRACE_S
        + (plan.workers_timeout_s if plan.workers else 0)
        + (plan.login_timeout_s if plan.identities else 0)
    )
    deadline = started + limit
    while driver.poll() is None:
        if time.monotonic() > deadline:
            raise LoadRunError(f"the load generator did not finish within {limit:g}s")
        time.sleep(tick_s)
        tail.read()
        if on_tick and tail.result.started_at is not None:
            on_tick(tail.result, time.time() - tail.result.started_at)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Stop what this run started: each child by its own pid (workers exit with the master)."""
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.terminate()
    for proc in reversed(procs):
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()


def _explain_exit(code: int | None, log: Path) -> str:
    lines = [
        ln.strip()
        for ln in log.read_text(encoding="utf-8", errors="replace").splitlines()
        if ln.strip() and not ln.startswith((" ", "Traceback"))
    ]
    last = lines[-1][:300] if lines else "no output"
    return f"the load generator exited with code {code}: {last}"
