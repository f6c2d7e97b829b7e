"""A real authoritative DNS server for tests and benchmarks: Knot DNS (`knotd`) on loopback.

`KnotServer(zone_dir)` writes a knotd config into a temporary directory (its own rundir,
storage and control socket), serves every `*.zone` file of `zone_dir` (the file name is the
zone name, `root.zone` is `.`), starts `knotd -c conf` on 127.0.0.1 with a free high port,
waits until it answers and stops it by PID. The root zone (and the parent `test.`) is served so
that names outside the scenario zones answer NXDOMAIN instead of REFUSED.

Zone files may hold placeholders `{{NAME}}` filled from `substitutions` at start-up (e.g. DKIM
keys generated at fixture time); long TXT values are split into 255-byte strings by the caller.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode

KNOTD = shutil.which("knotd") or "/usr/sbin/knotd"
START_TIMEOUT_S = 10.0


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1 (knotd listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise RuntimeError("no free port for knotd")


def _zone_name(path: Path) -> str:
    return "." if path.stem == "root" else path.stem + "."


class KnotServer:
    """Context manager: `with KnotServer(dir) as knot: knot.nameserver` -> '127.0.0.1:PORT'."""

    def __init__(self, zone_dir: Path, substitutions: Mapping[str, str] | None = None) -> None:
        self.zone_dir = zone_dir
        self.substitutions = dict(substitutions or {})
        self.port = 0
        self._tmp: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> KnotServer:
        if not os.path.exists(KNOTD):
            raise RuntimeError("knotd not found: run scripts/install-test-deps (Debian: knot)")
        self._tmp = tempfile.mkdtemp(prefix="launchgate-knot-")
        try:
            self._start(Path(self._tmp))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _start(self, tmp: Path) -> None:
        zones = tmp / "zones"
        for sub in ("run", "storage", "zones"):
            (tmp / sub).mkdir()
        names = []
        for source in sorted(self.zone_dir.glob("*.zone")):
            text = source.read_text()
            for key, value in self.substitutions.items():
                text = text.replace("{{" + key + "}}", value)
            (zones / source.name).write_text(text)
            names.append((_zone_name(source), source.name))
        self.port = free_port()
        conf = tmp / "knot.conf"
        conf.write_text(_config(tmp, self.port, names))
        log = open(tmp / "knotd.log", "wb")  # noqa: SIM115 - owned by the process
        self._proc = subprocess.Popen(
            [KNOTD, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        self._wait_ready(tmp, [name for name, _ in names])

    def _wait_ready(self, tmp: Path, zones: list[str]) -> None:
        """Until every zone answers its SOA: a zone that failed to load fails the fixture."""
        deadline = time.monotonic() + START_TIMEOUT_S
        waiting = list(zones)
        while waiting and time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                raise RuntimeError("knotd exited: " + (tmp / "knotd.log").read_text()[-2000:])
            try:
                query = dns.message.make_query(waiting[0], "SOA")
                reply = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
                if reply.rcode() == dns.rcode.NOERROR and reply.answer:
                    waiting.pop(0)
                    continue
            except (OSError, dns.exception.Timeout):
                pass
            time.sleep(0.02)
        if waiting:
            raise RuntimeError(
                f"knotd did not serve zone {waiting[0]} in time: "
                + (tmp / "knotd.log").read_text()[-2000:]
            )


def _config(tmp: Path, port: int, zones: list[tuple[str, str]]) -> str:
    zone_lines = "".join(f'  - domain: "{name}"\n    file: "{file}"\n' for name, file in zones)
    return f"""server:
    rundir: "{tmp}/run"
    pidfile: "{tmp}/run/knot.pid"
    listen: 127.0.0.1@{port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "{tmp}/storage"
control:
    listen: "{tmp}/run/knot.sock"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "{tmp}/zones"
    semantic-checks: off
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
{zone_lines}"""
