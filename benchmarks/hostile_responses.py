"""Hostile responses: peak memory of a page fetch against compression bombs (300 MB of zeros
as gzip and as brotli), the time a check spends on a server that drips one byte every 9 s, and
the peak memory of the load test's Locust child when every answer is such a bomb.

    .venv/bin/python benchmarks/hostile_responses.py [--old PATH] [--output FILE]

`--old PATH` also measures another checkout of launchgate (e.g. the code before the fix) for
comparison. Each fetch runs in a child process so its peak RSS (ru_maxrss) is its own; the load
rows read the Locust child's VmHWM (tests/support/loadprobe.py). Every server is on 127.0.0.1
and stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import hostile_server  # noqa: E402

LOAD_PROBE = ROOT / "tests" / "support" / "loadprobe.py"
LOAD_USERS = 3
LOAD_SECONDS = 2

PROBE = """
import json, resource, sys, time
from launchgate.http import transport
from launchgate.http.pages import fetch_page
started = time.monotonic()
outcome = "ok"
try:
    with transport.HttpContext(allow_private_targets=True).client() as client:
        page = fetch_page(client, sys.argv[1])
        size = len(page.body)
except Exception as exc:
    outcome, size = f"{type(exc).__name__}: {str(exc)[:80]}", 0
print(json.dumps({"outcome": outcome, "body_bytes": size,
                  "seconds": round(time.monotonic() - started, 1),
                  "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def probe(code: Path, url: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, url],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=code,
        env={**os.environ, "PYTHONPATH": str(code)},
    )
    if result.returncode != 0:
        return {"outcome": "crashed: " + result.stderr.strip().splitlines()[-1][:100]}
    return dict(json.loads(result.stdout))


def load_probe(code: Path, url: str, path: str) -> dict[str, object]:
    """A 2 s load test of `path` with LOAD_USERS users, run by `code`'s launchgate."""
    result = subprocess.run(
        [
            sys.executable,
            str(LOAD_PROBE),
            url,
            path,
            "--users",
            str(LOAD_USERS),
            "--duration",
            str(LOAD_SECONDS),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=code,
        env={**os.environ, "PYTHONPATH": str(code)},
    )
    if result.returncode != 0:
        return {"outcome": "crashed: " + result.stderr.strip().splitlines()[-1][:100]}
    return dict(json.loads(result.stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", type=Path, help="another launchgate checkout to compare")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "results" / "hostile_responses.md"
    )
    args = parser.parse_args()
    hostile_server.DRIP_INTERVAL_S = 9.0
    hostile_server.DRIP_MAX_S = 120.0
    codes = {"this checkout": ROOT}
    if args.old:
        codes["--old"] = args.old.resolve()
    rows = []
    with hostile_server.HostileServer() as server:
        for label, code in codes.items():
            for path in ("/bomb-gzip", "/bomb-br", "/drip-body"):
                started = time.monotonic()
                measured = probe(code, server.url + path)
                measured.setdefault("seconds", round(time.monotonic() - started, 1))
                rows.append((label, path, measured))
                print(label, path, measured, flush=True)
        load_rows = []
        for label, code in codes.items():
            for path in ("/bomb-gzip", "/bomb-br"):
                measured = load_probe(code, server.url, path)
                load_rows.append((label, path, measured))
                print(label, "load", path, measured, flush=True)
    lines = [
        "# Hostile responses",
        "",
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}.",
        "`python benchmarks/hostile_responses.py"
        + (" --old PATH" if args.old else "")
        + "`: one page fetch (`web.fetch_page`, 2 MB page limit) per row, in a child "
        "process. Bombs inflate to 300 MB of zeros; the drip sends one byte every 9 s.",
        "",
        "| code | response | outcome | body bytes | seconds | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for label, path, m in rows:
        lines.append(
            f"| {label} | `{path}` | {m.get('outcome')} | {m.get('body_bytes', '')} "
            f"| {m.get('seconds', '')} | {m.get('rss_mb', '')} |"
        )
    lines += [
        "",
        "## During the load test",
        "",
        f"A {LOAD_SECONDS} s load test (`launchgate.load.run_load`, a real Locust child) "
        f"with {LOAD_USERS} users, every answer the bomb; peak RSS is the Locust child's "
        "VmHWM.",
        "",
        "| code | response | requests | failed | seconds | child peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for label, path, m in load_rows:
        lines.append(
            f"| {label} | `{path}` | {m.get('requests', m.get('outcome'))} "
            f"| {m.get('failures', '')} | {m.get('seconds', '')} "
            f"| {m.get('rss_mb', '')} |"
        )
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
