"""Benchmark: all four web checks (tls, redirects, headers, exposure) of one lab site, on
loopback, through connect_to. Target (issue 4): under 5 s for one site.

Run from the repository root:  python benchmarks/web_checks.py [--runs 10] [--output PATH]
It starts the test lab (tests/support/weblab.py), runs the gate with only the web checks, and
writes a
markdown table with the machine, the date and min / median / max wall time per site.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.weblab import WEB_CHECKS, name, run, start_lab  # noqa: E402

TARGET_S = 5.0
SCENARIOS = {
    "healthy (every probe configured)": (
        "healthy",
        {
            "redirects": {
                "hosts": [name("healthy"), name("www.healthy")],
                "paths": ["/", "/login"],
            },
            "exposure": {
                "protected_paths": ["/api/admin/users"],
                "cors_paths": ["/api/clients"],
                "staging_hosts": [name("stagingok")],
            },
            "tls": {"hosts": [name("healthy"), name("www.healthy")]},
        },
    ),
    "bundle with secrets (scan + source map)": ("bundle", {}),
    "TLS 1.0 only (legacy probes)": ("tls10", {}),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/web_checks.md"))
    args = parser.parse_args()
    rows = []
    with start_lab() as lab:
        for label, (site, sections) in SCENARIOS.items():
            config = lab.config(f"https://{name(site)}/", **sections)
            run(config, *WEB_CHECKS)  # warm-up: imports, detect-secrets plugin loading
            times, findings = [], 0
            for _ in range(args.runs):
                started = time.perf_counter()
                report = run(config, *WEB_CHECKS)
                times.append(time.perf_counter() - started)
                findings = len(report.findings)
            rows.append((label, min(times), statistics.median(times), max(times), findings))
    worst = max(r[3] for r in rows)
    lines = [
        "# Web checks benchmark (tls + redirects + headers + exposure, one site)",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPU(s), {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}",
        "- lab: tests/support/weblab.py on 127.0.0.1 (trustme CA, SNI certificates, connect_to)",
        f"- runs per site: {args.runs} (after one warm-up run); command: "
        "`python benchmarks/web_checks.py`",
        f"- target: < {TARGET_S:.0f} s per site; worst run: {worst:.3f} s -> "
        f"{'MET' if worst < TARGET_S else 'NOT MET'}",
        "",
        "| site | min s | median s | max s | findings |",
        "|---|---:|---:|---:|---:|",
        *[f"| {label} | {lo:.3f} | {med:.3f} | {hi:.3f} | {n} |" for label, lo, med, hi, n in rows],
        "",
    ]
    Path(args.output).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if worst < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
