"""Exact statistics over raw load-test samples.

Percentiles are **nearest-rank** over the raw response times: the p-th percentile of N sorted
samples is the value at 1-based rank ceil(p·N), i.e. the smallest sample such that at least p of
all samples are less than or equal to it. Nothing is bucketed or rounded (Locust's own
percentiles round 295-305 ms to 300 and report the maximum as the p95 of 20 samples).

Warm-up samples (those that *started* before the end of the warm-up) are excluded before any
statistic is computed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    """One request: when it started (epoch s), its route, response time, outcome."""

    start: float
    route: str
    ms: float
    ok: bool
    status: int = 0
    error: str | None = None


@dataclass(frozen=True)
class Summary:
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0


def percentile(sorted_ms: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of already sorted values (None when there are none)."""
    if not sorted_ms:
        return None
    if not 0 < p <= 1:
        raise ValueError("p must be in (0, 1]")
    rank = math.ceil(round(p * len(sorted_ms), 9))
    return sorted_ms[max(rank, 1) - 1]


def summarize(samples: Iterable[Sample]) -> Summary:
    """Latency percentiles over every sample, failures included: a slow error is still slow."""
    times: list[float] = []
    failures = 0
    for sample in samples:
        times.append(sample.ms)
        failures += not sample.ok
    times.sort()
    return Summary(requests=len(times), failures=failures, p50_ms=percentile(times, 0.50),
                   p95_ms=percentile(times, 0.95), p99_ms=percentile(times, 0.99),
                   max_ms=times[-1] if times else None)


def by_route(samples: Iterable[Sample]) -> dict[str, list[Sample]]:
    routes: dict[str, list[Sample]] = {}
    for sample in samples:
        routes.setdefault(sample.route, []).append(sample)
    return routes


def split_warmup(samples: Iterable[Sample], measure_from: float
                 ) -> tuple[list[Sample], int]:
    """(samples that started at or after `measure_from`, how many started before)."""
    kept: list[Sample] = []
    excluded = 0
    for sample in samples:
        if sample.start >= measure_from:
            kept.append(sample)
        else:
            excluded += 1
    return kept, excluded


def must_exceed(threshold_ms: float, samples: Sequence[Sample], min_samples: int) -> bool:
    """True when the p95 would exceed `threshold_ms` even if every sample still missing to reach
    `min_samples` were instantaneous: enough slow samples make a short run conclusive."""
    total = max(min_samples, len(samples))
    slow = sum(1 for s in samples if s.ms > threshold_ms)
    # With `total` values, the nearest-rank p95 is above the threshold iff more than
    # ceil(0.95·total) - 1 values ... i.e. at least total - ceil(0.95·total) + 1 values are.
    return slow >= total - math.ceil(round(0.95 * total, 9)) + 1


@dataclass(frozen=True)
class Collapse:
    first_rps: float
    last_rps: float


# A run whose last third serves under half the requests per second of its first third has
# collapsed: the app slowed down under sustained load instead of settling.
COLLAPSE_RATIO = 0.5
COLLAPSE_MIN_WINDOW_S = 6.0
COLLAPSE_MIN_SAMPLES = 30


def throughput_collapse(samples: Sequence[Sample], start: float, end: float
                        ) -> Collapse | None:
    """Compare the completion rate of the first and last third of the measured window.

    Completions, not starts: requests still in flight when the run stops never report, which
    would make the last third look slower than it was."""
    window = end - start
    if window < COLLAPSE_MIN_WINDOW_S or len(samples) < COLLAPSE_MIN_SAMPLES:
        return None
    third = window / 3
    done = [s.start + s.ms / 1000 for s in samples]
    first = sum(1 for t in done if start <= t < start + third)
    last = sum(1 for t in done if end - third <= t <= end)
    first_rps, last_rps = first / third, last / third
    if first_rps > 0 and last_rps < COLLAPSE_RATIO * first_rps:
        return Collapse(first_rps=first_rps, last_rps=last_rps)
    return None
