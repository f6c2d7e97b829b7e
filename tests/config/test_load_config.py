"""Load-check config validation and judging edge cases found in review (no network):
route names and budgets, connect_to key normalisation, URL credentials with routes, short
runs that prove only an important problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchgate.checks.base import CheckCannotRun
from launchgate.checks.load import judge
from launchgate.config import LoadConfig, LoadRoute, load_config
from launchgate.errors import ConfigError
from launchgate.load.process import RunResult
from launchgate.load.stats import Sample, Samples


def config_error(tmp_path: Path, text: str) -> ConfigError:
    path = tmp_path / ".launchgate.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    return info.value


def test_duplicate_route_names_are_a_located_config_error(tmp_path):
    err = config_error(tmp_path, (
        "checks:\n  load:\n    routes:\n"
        "      - name: list\n        path: /a\n"
        "      - name: list\n        path: /b\n"))
    assert err.key == "checks.load.routes[1].name"
    assert err.line == 6 and err.file == str(tmp_path / ".launchgate.yml")
    assert "duplicate route name 'list'" in str(err)


def test_route_target_above_its_blocker_is_a_config_error(tmp_path):
    err = config_error(tmp_path, (
        "checks:\n  load:\n    routes:\n"
        "      - name: export\n        path: /export\n"
        "        p95_target_ms: 900\n        p95_blocker_ms: 500\n"))
    assert err.key == "checks.load.routes[0].p95_target_ms"
    assert err.line == 6
    assert "above the route's blocker budget" in str(err)


def test_connect_to_keys_are_normalised_like_host_names(tmp_path):
    path = tmp_path / ".launchgate.yml"
    path.write_text('connect_to:\n  "App.Example.TEST.:443": "127.0.0.1:8443"\n'
                    '  "[::1]:80": "127.0.0.1:8080"\n', encoding="utf-8")
    config = load_config(path, env={})
    assert dict(config.connect_to) == {"app.example.test:443": "127.0.0.1:8443",
                                       "[::1]:80": "127.0.0.1:8080"}


def run_of(samples: list[Sample], *, start: float = 1000.0, end: float = 1010.0) -> RunResult:
    return RunResult(samples=Samples.of(samples), started_at=start, ended_at=end)


def test_routes_with_url_credentials_are_joined_then_redacted():
    load = LoadConfig(duration=10, warmup=0, min_samples=10, routes=(
        LoadRoute(name="export", path="/export", p95_target_ms=100),))
    samples = [Sample(start=1000 + i * 0.1, route="export", ms=300.0, ok=True)
               for i in range(50)]
    outcome = judge(load, run_of(samples), "http://alice:s3cret-pw@app.example.com/",
                    "app.example.com")
    (finding,) = [f for f in outcome.findings if f.id == "load.route-p95-over-target"]
    assert finding.location is not None
    assert finding.location.url == "http://[redacted]@app.example.com/export"
    for f in outcome.findings:
        assert "s3cret-pw" not in repr(f)


def test_a_short_run_proving_only_an_important_problem_stays_inconclusive():
    """p95 over the target is proven by the slow samples, but a blocker is not ruled out."""
    load = LoadConfig(duration=10, warmup=0, min_samples=200, p95_target_ms=300,
                      p95_blocker_ms=800)
    samples = [Sample(start=1000 + i * 0.2, route="/", ms=500.0, ok=True) for i in range(40)]
    with pytest.raises(CheckCannotRun) as raised:
        judge(load, run_of(samples), "https://app.example.com/", "app.example.com")
    assert "inconclusive" in str(raised.value)
    assert [f.id for f in raised.value.findings] == ["load.p95-over-target"]
    assert raised.value.metrics is not None and raised.value.metrics["requests"] == 40


def test_samples_past_the_cap_are_a_uniform_reservoir_and_the_report_says_so():
    from launchgate.load.stats import Samples
    kept = Samples(cap=1000)
    for i in range(10_000):
        ok = i % 10 != 0
        kept.add(1000 + i * 0.001, f"r{i % 2}", float(i % 100), ok, 200 if ok else 503,
                 None if ok else "HTTP 503")
    assert (len(kept), kept.seen, kept.capped) == (1000, 10_000, True)
    starts = sorted(kept.start)
    # Uniform over the whole run, not the first 1,000: about a tenth in each tenth of it.
    tenths = [sum(1 for t in starts if 1000 + k <= t < 1001 + k) for k in range(10)]
    assert all(50 <= n <= 150 for n in tenths), tenths
    assert 50 <= len(kept) - sum(kept.ok) <= 150  # failures keep their share
    assert set(kept.errors.values()) == {"HTTP 503"}
    load = LoadConfig(duration=10, warmup=0, min_samples=100)
    outcome = judge(load, RunResult(samples=kept, started_at=1000.0, ended_at=1010.0),
                    "https://app.example.com/", "app.example.com")
    assert outcome.metrics is not None
    assert outcome.metrics["samples_seen"] == 10_000
    assert outcome.metrics["sample_cap"] == 1000
    assert "uniform random sample of 1,000" in outcome.metrics["note"]


def test_live_p95_looks_at_a_bounded_recent_window():
    from launchgate.load.stats import Samples
    kept = Samples()
    for i in range(20_000):  # slow at first, fast lately
        kept.add(1000 + i * 0.001, "r", 900.0 if i < 10_000 else 10.0, True, 200)
    assert kept.recent_p95(1000.0, 5000) == 10.0
    assert kept.recent_p95(1000.0, 20_000) == 900.0
    assert kept.recent_p95(1019.5, 5000) == 10.0   # warm-up still excluded
    assert kept.recent_p95(1030.0, 5000) is None


def test_the_master_host_is_shared_without_credentials():
    from launchgate.load.plan import Plan
    plan = Plan(base_url="https://alice:pw@app.example.test:8443", host="app.example.test",
                port=8443, connect_host="127.0.0.1", connect_port=1, users=1, spawn_rate=1,
                duration_s=1, headers={}, routes=())
    assert plan.shared_base_url == "https://app.example.test:8443"
