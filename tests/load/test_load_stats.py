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
    return [
        Sample(start=start + i * spacing, route=route, ms=ms, ok=ok)
        for i, ms in enumerate(ms_values)
    ]


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
    assert percentile(hundred, 0.95) == 95.0  # rank ceil(95.0) = 95, no float drift
    assert percentile(hundred, 0.99) == 99.0
    with pytest.raises(ValueError):
        percentile(hundred, 0)


@given(
    st.lists(st.floats(min_value=0, max_value=1e5, allow_nan=False), min_size=1, max_size=300),
    st.sampled_from([0.5, 0.9, 0.95, 0.99]),
)
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
    run = samples([500.0] * 10, start=100.0, spacing=0.1) + samples(
        [50.0] * 10, start=101.0, spacing=0.1
    )
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


def test_live_p95_looks_at_a_bounded_recent_window():
    kept = Samples()
    for i in range(20_000):  # slow at first, fast lately
        kept.add(1000 + i * 0.001, "r", 900.0 if i < 10_000 else 10.0, True, 200)
    assert kept.recent_p95(1000.0, 5000) == 10.0
    assert kept.recent_p95(1000.0, 20_000) == 900.0
    assert kept.recent_p95(1019.5, 5000) == 10.0  # warm-up still excluded
    assert kept.recent_p95(1030.0, 5000) is None


# --- the p95's confidence interval ------------------------------------------------------------


def test_p95_interval_ranks_follow_the_binomial():
    from launchgate.load.stats import quantile_ci_ranks

    assert quantile_ci_ranks(0, 0.95) == (None, None)
    # The top end needs 0.95^n <= 0.025, i.e. n >= 72.
    assert quantile_ci_ranks(71, 0.95)[1] is None
    assert quantile_ci_ranks(72, 0.95) == (64, 72)
    low, high = quantile_ci_ranks(1000, 0.95)
    assert low is not None and high is not None and low < 950 < high
    # Two million samples: still exact and quick.
    low, high = quantile_ci_ranks(2_000_000, 0.95)
    assert low is not None and high is not None and 1_899_000 < low < 1_900_000 < high


def test_p95_interval_covers_the_true_p95_at_least_95_percent_of_the_time():
    import math
    import random

    from launchgate.load.stats import quantile_ci

    rng = random.Random(7)
    true_p95 = -math.log(0.05)  # of an exponential with mean 1
    trials = 1000
    covered = 0
    for _ in range(trials):
        times = sorted(rng.expovariate(1) for _ in range(300))
        low, high = quantile_ci(times, 0.95)
        assert low is not None and high is not None
        covered += low <= true_p95 < high
    assert covered / trials >= 0.94  # 95 % nominal; exact order statistics give a bit more


def test_borderline_says_how_much_more_load_settles_it():
    from launchgate.checks.load import borderline
    from launchgate.load.stats import Summary

    near = Summary(
        requests=1000,
        failures=0,
        p50_ms=200,
        p95_ms=310,
        p99_ms=400,
        max_ms=500,
        p95_ci_ms=(290, 330),
    )
    border = borderline(near, 300, window_s=25)
    assert border is not None and border.budget_ms == 300
    # half-width 20 ms, 10 ms away: 4x the samples, 3000 more at 40/s = 75 s.
    assert border.more_s == 75
    assert "cannot tell whether p95 is really above it" in border.sentence(near)
    assert borderline(near, 800, window_s=25) is None
    on_it = Summary(1000, 0, 200, 300, 400, 500, p95_ci_ms=(290, 330))
    assert borderline(on_it, 300, window_s=25).more_s is None
