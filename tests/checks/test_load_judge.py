"""The load check's verdict over synthetic runs (no network): budgets and targets overall and
per route, short runs that prove a problem or stay inconclusive, throughput collapse, warm-up,
the sample cap, and URL credentials redacted from finding locations."""

from __future__ import annotations

import pytest

from launchgate.checks.base import CheckCannotRun
from launchgate.checks.load import judge
from launchgate.config import LoadConfig, LoadRoute
from launchgate.load.process import RunResult
from launchgate.load.stats import Sample, Samples


def run_of(samples: list[Sample], *, start: float = 1000.0, end: float = 1010.0) -> RunResult:
    return RunResult(samples=Samples.of(samples), started_at=start, ended_at=end)


def judged_ids(load, run):
    outcome = judge(load, run, "https://app.example.com/", "app.example.com")
    return [f.id for f in outcome.findings], outcome


def test_a_short_run_of_very_slow_requests_is_a_blocker_not_inconclusive():
    load = LoadConfig(duration=10, warmup=2, min_samples=200)
    slow = [Sample(start=1003 + i * 0.2, route="/report", ms=2500.0, ok=True) for i in range(30)]
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
    load = LoadConfig(
        duration=10,
        warmup=0,
        min_samples=100,
        routes=(
            LoadRoute(name="list", path="/list"),
            LoadRoute(name="export", path="/export", p95_blocker_ms=150),
        ),
    )
    fast = [Sample(start=1000 + i * 0.066, route="list", ms=40.0, ok=True) for i in range(150)]
    export = [
        Sample(
            start=1000 + i * 0.5,
            route="export",
            ms=200.0,
            ok=i % 2 == 0,
            status=200 if i % 2 == 0 else 503,
        )
        for i in range(20)
    ]
    ids, outcome = judged_ids(load, run_of(fast + export))
    assert sorted(ids) == ["load.error-rate", "load.route-error-rate", "load.route-p95-over-budget"]
    route_finding = next(f for f in outcome.findings if f.id == "load.route-p95-over-budget")
    assert route_finding.location.path == "/export"
    error = next(f for f in outcome.findings if f.id == "load.error-rate")
    assert "10× HTTP 503" in error.detail


def test_routes_with_url_credentials_are_joined_then_redacted():
    load = LoadConfig(
        duration=10,
        warmup=0,
        min_samples=10,
        routes=(LoadRoute(name="export", path="/export", p95_target_ms=100),),
    )
    samples = [Sample(start=1000 + i * 0.1, route="export", ms=300.0, ok=True) for i in range(50)]
    outcome = judge(
        load,
        run_of(samples),
        "http://alice:s3cret-pw@app.example.com/",  # pragma: allowlist secret
        "app.example.com",
    )
    (finding,) = [f for f in outcome.findings if f.id == "load.route-p95-over-target"]
    assert finding.location is not None
    assert finding.location.url == "http://[redacted]@app.example.com/export"
    for f in outcome.findings:
        assert "s3cret-pw" not in repr(f)


def test_a_short_run_proving_only_an_important_problem_stays_inconclusive():
    """p95 over the target is proven by the slow samples, but a blocker is not ruled out."""
    load = LoadConfig(duration=10, warmup=0, min_samples=200, p95_target_ms=300, p95_blocker_ms=800)
    samples = [Sample(start=1000 + i * 0.2, route="/", ms=500.0, ok=True) for i in range(40)]
    with pytest.raises(CheckCannotRun) as raised:
        judge(load, run_of(samples), "https://app.example.com/", "app.example.com")
    assert "inconclusive" in str(raised.value)
    assert [f.id for f in raised.value.findings] == ["load.p95-over-target"]
    assert raised.value.metrics is not None and raised.value.metrics["requests"] == 40


def test_samples_past_the_cap_are_a_uniform_reservoir_and_the_report_says_so():
    kept = Samples(cap=1000)
    for i in range(10_000):
        ok = i % 10 != 0
        kept.add(
            1000 + i * 0.001,
            f"r{i % 2}",
            float(i % 100),
            ok,
            200 if ok else 503,
            None if ok else "HTTP 503",
        )
    assert (len(kept), kept.seen, kept.capped) == (1000, 10_000, True)
    starts = sorted(kept.start)
    # Uniform over the whole run, not the first 1,000: about a tenth in each tenth of it.
    tenths = [sum(1 for t in starts if 1000 + k <= t < 1001 + k) for k in range(10)]
    assert all(50 <= n <= 150 for n in tenths), tenths
    assert 50 <= len(kept) - sum(kept.ok) <= 150  # failures keep their share
    assert set(kept.errors.values()) == {"HTTP 503"}
    load = LoadConfig(duration=10, warmup=0, min_samples=100)
    outcome = judge(
        load,
        RunResult(samples=kept, started_at=1000.0, ended_at=1010.0),
        "https://app.example.com/",
        "app.example.com",
    )
    assert outcome.metrics is not None
    assert outcome.metrics["samples_seen"] == 10_000
    assert outcome.metrics["sample_cap"] == 1000
    assert "uniform random sample of 1,000" in outcome.metrics["note"]


def test_a_route_proves_its_error_rate_with_few_samples_and_a_fast_one_stays_ok():
    """3 of 3 failed requests prove a rate over 1 % whatever the 17 missing of
    min_route_samples would be; one failure in 20 with a 10 % limit proves nothing."""
    load = LoadConfig(
        duration=10,
        warmup=0,
        min_samples=100,
        min_route_samples=20,
        max_error_rate=0.1,
        routes=(
            LoadRoute(name="list", path="/list"),
            LoadRoute(name="typo", path="/reprots"),
            LoadRoute(name="flaky", path="/flaky"),
        ),
    )
    fast = [Sample(start=1000 + i * 0.05, route="list", ms=20.0, ok=True) for i in range(190)]
    typo = [Sample(start=1000 + i, route="typo", ms=5.0, ok=False, status=404) for i in range(3)]
    flaky = [
        Sample(
            start=1000 + i * 0.4, route="flaky", ms=20.0, ok=i != 0, status=500 if i == 0 else 200
        )
        for i in range(20)
    ]
    ids, outcome = judged_ids(load, run_of(fast + typo + flaky))
    assert ids == ["load.route-error-rate"]
    (finding,) = outcome.findings
    assert finding.title == "typo: 100% of its requests failed (limit 10.0%)"
    assert "3× HTTP 404" in finding.detail
    assert outcome.metrics is not None
    verdicts = {r["name"]: r["verdict"] for r in outcome.metrics["routes"]}
    assert verdicts == {"list": "ok", "typo": "errors", "flaky": "ok"}


def test_a_single_route_is_judged_by_the_overall_error_rate_only():
    load = LoadConfig(duration=10, warmup=0, min_samples=50)
    samples = [
        Sample(
            start=1000 + i * 0.1,
            route="/",
            ms=20.0,
            ok=i % 2 == 0,
            status=200 if i % 2 == 0 else 503,
        )
        for i in range(100)
    ]
    ids, _ = judged_ids(load, run_of(samples))
    assert ids == ["load.error-rate"]
