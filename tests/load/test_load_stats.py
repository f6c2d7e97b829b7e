"""Exact statistics for the load check: nearest-rank percentiles over raw samples, warm-up
exclusion, short-run conclusiveness and throughput-collapse detection. No network."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from launchgate.load.stats import (
    Sample,
    Samples,
    must_exceed,
    percentile,
    split_warmup,
    summarize,
    throughput_collapse,
)


def samples(ms_values, *, start=0.0, spacing=0.0, route="r", ok=True):
    return [Sample(start=start + i * spacing, route=route, ms=ms, ok=ok)
            for i, ms in enumerate(ms_values)]


def test_percentiles_are_exact_not_bucketed():
    # Locust buckets 100-1000 ms to 10 ms: all of 295..305 would read 300.
    values = [295 + i * 0.1 for i in range(101)]  # 295.0 .. 305.0
    random.Random(7).shuffle(values)
    summary = summarize(samples(values))
    assert summary.p95_ms == pytest.approx(304.5)
    assert summary.p50_ms == pytest.approx(300.0)
    assert summary.p99_ms == pytest.approx(304.9)
    assert summary.max_ms == pytest.approx(305.0)


def test_p95_of_twenty_samples_is_the_nineteenth_not_the_maximum():
    values = [float(v) for v in range(1, 21)]  # 1..20 ms
    assert percentile(sorted(values), 0.95) == 19.0
    assert percentile(sorted(values), 0.50) == 10.0
    assert percentile(sorted(values), 1.0) == 20.0


def test_nearest_rank_edges():
    assert percentile([], 0.95) is None
    assert percentile([42.0], 0.95) == 42.0
    hundred = [float(v) for v in range(1, 101)]
    assert percentile(hundred, 0.95) == 95.0   # rank ceil(95.0) = 95, no float drift
    assert percentile(hundred, 0.99) == 99.0
    with pytest.raises(ValueError):
        percentile(hundred, 0)


@given(st.lists(st.floats(min_value=0, max_value=1e5, allow_nan=False), min_size=1,
                max_size=300), st.sampled_from([0.5, 0.9, 0.95, 0.99]))
def test_percentile_is_the_smallest_value_covering_p(values, p):
    ordered = sorted(values)
    value = percentile(ordered, p)
    at_or_below = sum(1 for v in ordered if v <= value)
    assert at_or_below >= math.ceil(p * len(ordered) - 1e-9)
    assert sum(1 for v in ordered if v < value) < p * len(ordered) + 1e-9


def test_failures_count_and_stay_in_the_latency():
    summary = summarize(samples([10.0] * 9) + samples([900.0], ok=False))
    assert summary.requests == 10
    assert summary.failures == 1
    assert summary.error_rate == pytest.approx(0.1)
    assert summary.max_ms == 900.0


def test_warmup_samples_are_excluded_by_start_time():
    run = samples([500.0] * 10, start=100.0, spacing=0.1) + \
        samples([50.0] * 10, start=101.0, spacing=0.1)
    kept, excluded = split_warmup(run, measure_from=101.0)
    assert excluded == 10
    assert {s.ms for s in kept} == {50.0}


def test_a_short_run_is_conclusive_only_when_the_slow_samples_prove_it():
    # 200 required; with 11 samples over 800 ms the p95 of any 200 would be above 800.
    assert must_exceed(800, samples([900.0] * 11), 200)
    assert not must_exceed(800, samples([900.0] * 10), 200)
    assert not must_exceed(800, samples([100.0] * 150), 200)
    # With enough samples it is simply the p95.
    full = samples([100.0] * 190 + [900.0] * 10)
    assert not must_exceed(800, full, 200)
    assert must_exceed(800, full + samples([900.0]), 200)


def test_throughput_collapse_is_flagged():
    # 20 requests/s for 4 s, then 2 requests/s for 4 s (start times; 10 ms responses).
    steady = [Sample(start=i / 20, route="r", ms=10.0, ok=True) for i in range(80)]
    slow = [Sample(start=4 + i / 2, route="r", ms=10.0, ok=True) for i in range(8)]
    collapse = throughput_collapse(steady + slow, start=0.0, end=8.0)
    assert collapse is not None
    assert collapse.first_rps > 10 * collapse.last_rps


def test_steady_or_short_runs_are_not_a_collapse():
    steady = [Sample(start=i / 20, route="r", ms=10.0, ok=True) for i in range(160)]
    assert throughput_collapse(steady, start=0.0, end=8.0) is None
    assert throughput_collapse(steady[:60], start=0.0, end=3.0) is None  # window too short


# --- judging one run (the check's verdict logic over synthetic samples, no network) ---------

from launchgate.checks.base import CheckCannotRun  # noqa: E402
from launchgate.checks.load import judge  # noqa: E402
from launchgate.config import LoadConfig  # noqa: E402
from launchgate.load.process import RunResult  # noqa: E402


def run_of(samples_list, *, start=1000.0, end=1010.0):
    return RunResult(samples=Samples.of(samples_list), started_at=start, ended_at=end)


def judged_ids(load, run):
    outcome = judge(load, run, "https://app.example.com/", "app.example.com")
    return [f.id for f in outcome.findings], outcome


def test_a_short_run_of_very_slow_requests_is_a_blocker_not_inconclusive():
    load = LoadConfig(duration=10, warmup=2, min_samples=200)
    slow = [Sample(start=1003 + i * 0.2, route="/report", ms=2500.0, ok=True)
            for i in range(30)]
    ids, outcome = judged_ids(load, run_of(slow))
    assert ids == ["load.p95-over-budget"]
    assert "short run" in outcome.summary


def test_a_short_fast_run_is_inconclusive_with_metrics():
    load = LoadConfig(duration=10, warmup=2, min_samples=200)
    fast = [Sample(start=1003 + i * 0.1, route="/", ms=20.0, ok=True) for i in range(50)]
    with pytest.raises(CheckCannotRun) as raised:
        judged_ids(load, run_of(fast))
    assert "inconclusive" in str(raised.value)
    assert raised.value.metrics is not None and raised.value.metrics["requests"] == 50


def test_a_collapsing_run_is_flagged_and_warmup_is_reported():
    load = LoadConfig(duration=12, warmup=2, min_samples=50)
    warm = [Sample(start=1000 + i * 0.1, route="/", ms=30.0, ok=True) for i in range(20)]
    steady = [Sample(start=1002 + i * 0.025, route="/", ms=30.0, ok=True) for i in range(160)]
    slow = [Sample(start=1006 + i * 0.5, route="/", ms=30.0, ok=True) for i in range(12)]
    ids, outcome = judged_ids(load, run_of(warm + steady + slow, end=1012.0))
    assert ids == ["load.throughput-collapse"]
    assert outcome.metrics is not None
    assert outcome.metrics["samples_excluded_warmup"] == 20
    assert outcome.metrics["requests"] == 172


def test_per_route_budgets_and_error_rate_are_judged_per_route():
    from launchgate.config import LoadRoute
    load = LoadConfig(duration=10, warmup=0, min_samples=100, routes=(
        LoadRoute(name="list", path="/list"),
        LoadRoute(name="export", path="/export", p95_blocker_ms=150)))
    fast = [Sample(start=1000 + i * 0.066, route="list", ms=40.0, ok=True) for i in range(150)]
    export = [Sample(start=1000 + i * 0.5, route="export", ms=200.0, ok=i % 2 == 0,
                     status=200 if i % 2 == 0 else 503) for i in range(20)]
    ids, outcome = judged_ids(load, run_of(fast + export))
    assert sorted(ids) == ["load.error-rate", "load.route-p95-over-budget"]
    route_finding = next(f for f in outcome.findings if f.id == "load.route-p95-over-budget")
    assert route_finding.location.path == "/export"
    error = next(f for f in outcome.findings if f.id == "load.error-rate")
    assert "10× HTTP 503" in error.detail


def test_the_gate_never_imports_locust_or_gevent():
    """Locust's gevent monkey-patching must stay in the child process."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = ("import sys; import launchgate.checks.load, launchgate.load.process, "
            "launchgate.load.readiness, launchgate.load.remote_worker; "
            "print(sorted(m for m in ('gevent', 'locust', 'geventhttpclient') "
            "if m in sys.modules))")
    root = str(ROOT)
    out = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "[]"
