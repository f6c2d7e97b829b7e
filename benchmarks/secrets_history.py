"""Benchmark: launchgate's history scan vs the `git log -p` floor vs detect-secrets 1.5.0.

In one run, over the same commits (everything reachable from REV):
1. the floor: the very `git log` invocation launchgate runs (`-p -U0 --no-renames
   --diff-merges=off ...`, from launchgate.secrets.gitlog.log_command), output read and thrown
   away; plain `git log -p REV` is measured too (the design's wording), and both ratios shown;
2. `launchgate secrets --history` from a cold cache, as a user runs it (a fresh process);
3. re-runs: nothing new, then after one new commit (both must be under 1 s);
4. detect-secrets 1.5.0 over exactly the same patches (`scan_diff` per commit, see
   tests/support/secrets_reference.py), and the parity of the two finding sets.

Get the history (never commit its code): clone any public repository with a long history,
e.g. `git clone https://github.com/pallets/flask ../bench-data/flask`.

    .venv/bin/python benchmarks/secrets_history.py --repo ../bench-data/flask \
        --output benchmarks/results/secrets_history.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_model  # benchmarks/machine.py

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def floor_seconds(cmd: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    size = 0
    while chunk := proc.stdout.read(1 << 20):
        size += len(chunk)
    proc.wait()
    return time.perf_counter() - started, size


def launchgate_cli(repo: Path, cache: Path, out: Path) -> tuple[float, dict]:
    env = {
        **os.environ,
        "LAUNCHGATE_CACHE_DIR": str(cache),
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "launchgate",
            "secrets",
            "--repo",
            str(repo),
            "--history",
            "--quiet",
            "--json",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"launchgate failed ({proc.returncode}): {proc.stderr[-500:]}")
    return elapsed, json.loads(out.read_text())


def machine() -> dict[str, str]:
    cpu = cpu_model()
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "git": git,
        "os": platform.platform(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, type=Path)
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--output", type=Path)
    parser.add_argument("--skip-detect-secrets", action="store_true")
    args = parser.parse_args()

    from launchgate.secrets.engine import Engine
    from launchgate.secrets.gitlog import log_command
    from launchgate.secrets.plugins import by_type
    from launchgate.secrets.scan import ScanOptions, scan_repository
    from tests.support.secrets_reference import reference_hits

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="lg-bench-"))
    try:
        clone = work / "repo"
        subprocess.run(
            ["git", "clone", "-q", "--no-checkout", str(args.repo), str(clone)], check=True
        )
        subprocess.run(
            ["git", "-C", str(clone), "checkout", "-q", "--detach", args.rev], check=True
        )
        commits = int(
            subprocess.run(
                ["git", "-C", str(clone), "rev-list", "--count", "HEAD"],
                capture_output=True,
                text=True,
            ).stdout
        )
        same_cmd = log_command(str(clone), ("HEAD",))
        plain_cmd = ["git", "-C", str(clone), "log", "-p", "HEAD"]
        floor_warm, _ = floor_seconds(same_cmd)  # warm the page cache first
        floor_seconds(plain_cmd)
        floor_s, floor_bytes = floor_seconds(same_cmd)
        plain_s, plain_bytes = floor_seconds(plain_cmd)
        cache = work / "cache"
        cold_s, report = launchgate_cli(clone, cache, work / "cold.json")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        again_s, again = launchgate_cli(clone, cache, work / "again.json")
        (clone / "BENCH_NOTE.txt").write_text("one more commit\n")
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "b",
            "GIT_AUTHOR_EMAIL": "b@example.invalid",
            "GIT_COMMITTER_NAME": "b",
            "GIT_COMMITTER_EMAIL": "b@example.invalid",
        }
        subprocess.run(["git", "-C", str(clone), "add", "-A"], check=True, env=env)
        subprocess.run(
            ["git", "-C", str(clone), "commit", "-q", "-m", "bench"], check=True, env=env
        )
        one_s, one = launchgate_cli(clone, cache, work / "one.json")
        subprocess.run(["git", "-C", str(clone), "reset", "-q", "--hard", "HEAD~1"], check=True)

        engine = Engine()
        os.environ["LAUNCHGATE_CACHE_DIR"] = str(cache)
        everything = {
            (h.commit, h.path, h.line, h.type, h.hashed_secret)
            for h in scan_repository(str(clone), ScanOptions(diff=False), engine=engine).raw_history
        }
        # parity is about detect-secrets' own plugins; launchgate's plugins are counted apart
        own_types = set(by_type())
        mine = {k for k in everything if k[3] not in own_types}
        own_hits = everything - mine
        ds_s = None
        reference: set = set()
        if not args.skip_detect_secrets:
            started = time.perf_counter()
            reference = set(reference_hits(str(clone), ("HEAD",)))
            ds_s = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()

    metrics = report["metrics"]["secrets"]
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "repo": str(args.repo),
        "rev": args.rev,
        "commits": commits,
        "git_log_p_bytes": floor_bytes,
        "added_lines": metrics["lines_scanned"],
        "floor_command": " ".join(same_cmd[3:]).replace(str(clone), "REPO"),
        "floor_s": round(floor_s, 3),
        "floor_first_read_s": round(floor_warm, 3),
        "plain_log_p_s": round(plain_s, 3),
        "plain_log_p_bytes": plain_bytes,
        "launchgate_cold_s": round(cold_s, 3),
        "ratio_to_floor": round(cold_s / floor_s, 2),
        "ratio_to_plain_log_p": round(cold_s / plain_s, 2),
        "launchgate_scan_s": metrics["duration_s"],
        "peak_rss_mb": round(peak_mb, 1),
        "rerun_nothing_new_s": round(again_s, 3),
        "rerun_one_new_commit_s": round(one_s, 3),
        "rerun_cache_hits": again["metrics"]["secrets"]["cache_hits"],
        "one_commit_lines": one["metrics"]["secrets"]["lines_scanned"],
        "findings": len(report["findings"]),
        "raw_hits": len(mine),
        "launchgate_plugin_hits": len(own_hits),
        "launchgate_plugin_hits_by_type": dict(
            sorted((t, sum(1 for k in own_hits if k[3] == t)) for t in {k[3] for k in own_hits})
        ),
        "detect_secrets_s": round(ds_s, 2) if ds_s else None,
        "detect_secrets_hits": len(reference) if ds_s else None,
        "parity_missing": len(reference - mine) if ds_s else None,
        "parity_extra": len(mine - reference) if ds_s else None,
        "speedup_vs_detect_secrets": round(ds_s / cold_s, 1) if ds_s else None,
    }
    text = render(result)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        args.output.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


def render(r: dict) -> str:
    m = r["machine"]
    own = r.get("launchgate_plugin_hits_by_type") or {}
    parity = (
        f"- detect-secrets hits: {r['detect_secrets_hits']}; launchgate hits of "
        f"detect-secrets' plugins: {r['raw_hits']}; **missing: {r['parity_missing']}, "
        f"extra: {r['parity_extra']}** (same commit, path, line, type and hash)\n"
        f"- hits of launchgate's own plugins (beyond detect-secrets): "
        f"{r.get('launchgate_plugin_hits', 0)}"
        + (" (" + ", ".join(f"{t}: {n}" for t, n in own.items()) + ")" if own else "")
        + "\n"
        f"- launchgate is {r['speedup_vs_detect_secrets']}x faster than detect-secrets "
        "over the same lines\n"
        if r["detect_secrets_s"]
        else ""
    )
    rows = [
        (
            "floor: launchgate's own `git log -p -U0 ...` read to the end",
            f"{r['floor_s']} s",
            "1.0x",
        ),
        (
            "plain `git log -p` read to the end",
            f"{r['plain_log_p_s']} s",
            f"{r['plain_log_p_s'] / r['floor_s']:.2f}x",
        ),
        (
            "`launchgate secrets --history`, cold cache, whole process",
            f"{r['launchgate_cold_s']} s",
            f"{r['ratio_to_floor']}x",
        ),
        (
            "(its scan alone, without interpreter start)",
            f"{r['launchgate_scan_s']} s",
            f"{r['launchgate_scan_s'] / r['floor_s']:.2f}x",
        ),
    ]
    if r["detect_secrets_s"]:
        rows.append(
            (
                "detect-secrets 1.5.0, same patches (`scan_diff` per commit)",
                f"{r['detect_secrets_s']} s",
                f"{r['detect_secrets_s'] / r['floor_s']:.1f}x",
            )
        )
    rows += [
        (
            f"re-run, nothing new ({r['rerun_cache_hits']:,} commits from cache)",
            f"{r['rerun_nothing_new_s']} s",
            "",
        ),
        (
            f"re-run after one new commit ({r['one_commit_lines']} added lines read)",
            f"{r['rerun_one_new_commit_s']} s",
            "",
        ),
    ]
    table = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    return f"""# Secrets history benchmark

Run {r["date"]} on {m["cpu"]} ({m["cores"]} cores), Python {m["python"]}, {m["git"]}.
Load average before/after: {", ".join(f"{x:.2f}" for x in r["loadavg_before"])} /
{", ".join(f"{x:.2f}" for x in r["loadavg_after"])} (other jobs shared the machine).

Repository: `{r["repo"]}` at `{r["rev"]}`: {r["commits"]:,} commits,
{r["git_log_p_bytes"] / 1e6:.1f} MB of launchgate's `git log` output
({r["plain_log_p_bytes"] / 1e6:.1f} MB of plain `git log -p`), {r["added_lines"]:,} added lines.
Floor command: `{r["floor_command"]}`.

| what | wall time | vs floor |
|---|---|---|
{table}

- launchgate vs its own `git log` floor: **{r["ratio_to_floor"]}x**; vs plain `git log -p`:
  {r["ratio_to_plain_log_p"]}x
- Peak memory (largest process): {r["peak_rss_mb"]} MB
- Findings reported: {r["findings"]} (one per secret; raw hits incl. noise: {r["raw_hits"]})
{parity}
Targets: launchgate <= 3x the floor, 100% of detect-secrets' findings, < 300 MB, re-runs < 1 s.
Reproduce: `.venv/bin/python benchmarks/secrets_history.py --repo PATH --output FILE.md`.
"""


if __name__ == "__main__":
    raise SystemExit(main())
