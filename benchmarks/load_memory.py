"""Memory and CPU of the gate's side of the load check as the sample count grows.

Feeds N synthetic samples (10 routes, 1% failures) through the same path the gate uses
(`process._Tail` parsing the child's JSON-lines batches), then times one live-progress tick
(`checks.load._tick`) and the final judgement (`checks.load.judge`). Each N runs in a fresh
interpreter; memory is the growth of resident memory (RSS) over the empty run.

    .venv/bin/python benchmarks/load_memory.py [--counts 100000 1000000] [--write after]
Prints a JSON line per count; with --write, writes benchmarks/results/load_memory.md/.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BATCH = 500


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(count: int) -> dict[str, Any]:
    import random
    import types

    sys.path.insert(0, str(ROOT))
    from launchgate.checks.load import _tick, judge
    from launchgate.config import LoadConfig
    from launchgate.load.process import RunResult, _Tail

    rng = random.Random(7)
    routes = [f"/api/route/{i}" for i in range(10)]
    load = LoadConfig(duration=600, warmup=5, min_samples=200, users=50)
    result = RunResult()
    tail = _Tail(Path("/nonexistent"), result)
    tail._event({"e": "start", "t": 1000.0})
    before = rss_kb()
    started = time.perf_counter()
    step = 600.0 / max(count, 1)
    for first in range(0, count, BATCH):
        batch = []
        for i in range(first, min(first + BATCH, count)):
            ok = rng.random() > 0.01
            batch.append(
                [
                    1000.0 + i * step,
                    routes[i % 10],
                    round(rng.lognormvariate(3, 0.6), 3),
                    ok,
                    200 if ok else 503,
                    None if ok else "HTTP 503",
                ]
            )
        # The gate reads the child's JSON lines: parse them as it does.
        tail._event(json.loads(json.dumps({"e": "s", "b": batch})))
    ingest_s = time.perf_counter() - started
    grown = rss_kb() - before
    tail._event({"e": "end", "t": 1600.0})
    ctx = types.SimpleNamespace(progress=types.SimpleNamespace(update=lambda msg: None))
    started = time.perf_counter()
    _tick(ctx, load, result, 300.0)  # type: ignore[arg-type]
    tick_s = time.perf_counter() - started
    started = time.perf_counter()
    outcome = judge(load, result, "https://app.example.test/", "app.example.test")
    judge_s = time.perf_counter() - started
    assert outcome.metrics is not None
    return {
        "samples": count,
        "rss_growth_mb": round(grown / 1024, 1),
        "bytes_per_sample": round(grown * 1024 / max(count, 1), 1),
        "ingest_s": round(ingest_s, 2),
        "tick_s": round(tick_s, 3),
        "judge_s": round(judge_s, 2),
        "peak_rss_mb": round(rss_kb() / 1024, 1),
        "requests_judged": outcome.metrics["requests"],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--write", metavar="LABEL", help="write results/load_memory.* as LABEL")
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return 0
    rows = []
    for count in args.counts:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(count)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(out.stdout))
        print(out.stdout.strip(), flush=True)
    if args.write:
        write(args.write, rows)
    return 0


def write(label: str, rows: list[dict[str, Any]]) -> None:
    results = ROOT / "benchmarks" / "results"
    path = results / "load_memory.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[label] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "rows": rows,
    }
    path.write_text(json.dumps(data, indent=2) + "\n")
    lines = [
        "# Load check: gate memory and CPU per sample count",
        "",
        "Synthetic samples (10 routes, 1% failures) fed through the gate's own path "
        "(`process._Tail` parsing JSON-lines batches), then one live-progress tick and the "
        "final `judge`. RSS growth measured in a fresh interpreter per count. Reproduce: "
        "`.venv/bin/python benchmarks/load_memory.py --write LABEL`.",
        "",
    ]
    for name, run in data.items():
        lines += [
            f"## {name} ({run['date']}, {run['machine']})",
            "",
            "| samples | RSS growth | bytes/sample | ingest | live tick | judge | judged |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r['samples']:,} | {r['rss_growth_mb']} MB | {r['bytes_per_sample']} | "
            f"{r['ingest_s']} s | {r['tick_s']} s | {r['judge_s']} s | "
            f"{r['requests_judged']:,} |"
            for r in run["rows"]
        ]
        lines.append("")
    (results / "load_memory.md").write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
