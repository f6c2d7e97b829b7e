"""How fast `launchgate --version` starts (target: under 0.5 s), and the lazy-import promise
behind it: importing `launchgate.cli` pulls in none of the heavy dependencies.

Each run is a fresh interpreter (`python -m launchgate --version` from this checkout); the
result is the median of N runs, next to a bare `python -c pass` for scale.

    python benchmarks/startup.py [--runs 30] [--output benchmarks/results/startup.md]

Exits 1 when the median is over the target or a heavy module is imported.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine import cpu_model  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.5
HEAVY = (
    "locust",
    "gevent",
    "httpx",
    "httpcore",
    "dns",
    "detect_secrets",
    "github",
    "jinja2",
    "yaml",
    "cryptography",
)
PROBE = (
    "import sys, launchgate.cli\n"
    f"heavy = {HEAVY!r}\n"
    "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))\n"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def time_runs(command: list[str], runs: int) -> list[float]:
    env = _env()
    subprocess.run(command, env=env, capture_output=True, check=True)  # warm the disk cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def heavy_modules_imported() -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=_env(), capture_output=True, text=True, check=True
    )
    return out.stdout.split()


def machine() -> str:
    cpu = cpu_model()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores "
        f"(load average {load}), Python {platform.python_version()}"
    )


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median": statistics.median(ordered),
        "min": ordered[0],
        "p90": ordered[int(0.9 * (len(ordered) - 1))],
        "max": ordered[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks/results/startup.md")
    args = parser.parse_args()

    version = summary(time_runs([sys.executable, "-m", "launchgate", "--version"], args.runs))
    bare = summary(time_runs([sys.executable, "-c", "pass"], args.runs))
    heavy = heavy_modules_imported()
    ok = version["median"] < TARGET_S and not heavy
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")

    def row(name: str, s: dict[str, float]) -> str:
        return (
            f"| {name} | {s['median'] * 1000:.0f} | {s['min'] * 1000:.0f} | "
            f"{s['p90'] * 1000:.0f} | {s['max'] * 1000:.0f} |"
        )

    report = "\n".join(
        [
            "# Startup time: `launchgate --version`",
            "",
            f"Measured {now} by `python benchmarks/startup.py --runs {args.runs}` "
            "(each run a fresh interpreter).",
            "",
            f"Machine: {machine()}.",
            "",
            "| command | median ms | min ms | p90 ms | max ms |",
            "|---|---:|---:|---:|---:|",
            row("`python -m launchgate --version`", version),
            row("`python -c pass` (interpreter alone)", bare),
            "",
            f"Target: median under {TARGET_S * 1000:.0f} ms — "
            f"**{'met' if version['median'] < TARGET_S else 'MISSED'}**.",
            "",
            "Lazy imports: after `import launchgate.cli`, heavy modules loaded: "
            f"**{', '.join(heavy) if heavy else 'none'}** (checked: {', '.join(HEAVY)}).",
            "",
        ]
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    print(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
