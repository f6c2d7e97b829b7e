"""Run one short load test (launchgate.load.run_load, a real Locust child) against URL's paths
and print, as JSON, what it produced and the load generator's peak RSS:

    python tests/support/loadprobe.py http://127.0.0.1:PORT /bomb-gzip [/bomb-br ...]
        [--users 3] [--duration 2]

Used by tests/load/test_load_bounded_bodies.py and benchmarks/hostile_responses.py, with
PYTHONPATH naming the launchgate checkout to measure. Peak RSS is each Locust child's VmHWM in
/proc, polled while it runs (getrusage would also count the parent's image across fork+exec).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from launchgate.load.plan import Plan, PlanRoute
from launchgate.load.process import run_load


def _children() -> list[int]:
    pids: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(OSError):
            pids += [int(p) for p in (task / "children").read_text().split()]
    return pids


def _hwm_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


class PeakWatch:
    """The highest VmHWM any child process of this one reached, polled every 50 ms."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            for pid in _children():
                self.peak_mb = max(self.peak_mb, _hwm_mb(pid))

    def __enter__(self) -> PeakWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--duration", type=float, default=2.0)
    args = parser.parse_args()
    parts = urllib.parse.urlsplit(args.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    plan = Plan(
        base_url=f"{parts.scheme}://{parts.netloc}",
        host=host,
        port=port,
        connect_host=host,
        connect_port=port,
        users=args.users,
        spawn_rate=100,
        duration_s=args.duration,
        headers={},
        routes=tuple(PlanRoute(name=p, method="GET", path=p) for p in args.paths),
        request_timeout_s=30.0,
    )
    started = time.monotonic()
    with PeakWatch() as watch:
        result = run_load(plan)
    samples = list(result.samples)
    reasons = Counter(s.error or f"HTTP {s.status}" for s in samples if not s.ok)
    print(
        json.dumps(
            {
                "requests": len(samples),
                "failures": sum(not s.ok for s in samples),
                "reasons": dict(reasons.most_common(3)),
                "seconds": round(time.monotonic() - started, 1),
                "rss_mb": round(watch.peak_mb),
            }
        )
    )


if __name__ == "__main__":
    main()
