"""Exact statistics over raw load-test samples.

Percentiles are **nearest-rank** over the raw response times: the p-th percentile of N sorted
samples is the value at 1-based rank ceil(p·N), i.e. the smallest sample such that at least p of
all samples are less than or equal to it. Nothing is bucketed or rounded (Locust's own
percentiles round 295-305 ms to 300 and report the maximum as the p95 of 20 samples).

A p95 from a 30-second run is noisy, so each one comes with a 95 % **distribution-free
confidence interval** (`quantile_ci`): the order statistics x(l) and x(u) whose ranks the
binomial distribution picks (see docs/load.md). It assumes nothing about the latency
distribution, uses the same sorted samples, and is deterministic (no resampling).

Warm-up samples (those that *started* before the end of the warm-up) are excluded before any
statistic is computed.

The gate keeps a run's samples in `Samples`: typed columns (about 23 bytes a sample instead of
a few hundred for an object each), at most MAX_SAMPLES of them. Past that cap it keeps a
uniform random sample of that size (reservoir sampling) and says so (`Samples.seen`), so a long
run at high request rates cannot exhaust the runner's memory.
"""

from __future__ import annotations

import math
import random
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import overload


@dataclass(frozen=True)
class Sample:
    """One request: when it started (epoch s), its route, response time, outcome."""

    start: float
    route: str
    ms: float
    ok: bool
    status: int = 0
    error: str | None = None
    login_page: bool = False  # the answer was the app's login page (load/answers.py)


@dataclass(frozen=True)
class Summary:
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    login_pages: int = 0
    # 95 % CI of the p95; an end is None when too few samples bound it (under 72 for the top).
    p95_ci_ms: tuple[float | None, float | None] = (None, None)

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


CI_LEVEL = 0.95


def quantile_ci_ranks(n: int, p: float, level: float = CI_LEVEL) -> tuple[int | None, int | None]:
    """1-based ranks (l, u) such that [x(l), x(u)] covers the true p-quantile with probability
    at least `level`, for any continuous distribution.

    The number B of samples at or below the true quantile is Binomial(n, p), and
    P(x(l) <= q < x(u)) = P(l <= B <= u - 1). Each tail gets at most (1 - level) / 2: l is the
    largest rank with P(B < l) <= alpha/2, u the smallest with P(B >= u) <= alpha/2. An end
    that no rank reaches (too few samples) is None."""
    if n <= 0:
        return None, None
    alpha = (1 - level) / 2
    # Only ranks within ~12 standard deviations of n·p carry mass a float can see.
    sd = math.sqrt(n * p * (1 - p))
    lo_k = max(0, int(n * p - 12 * sd) - 2)
    hi_k = min(n, int(n * p + 12 * sd) + 2)
    log_p, log_q, log_n = math.log(p), math.log1p(-p), math.lgamma(n + 1)
    cdf: dict[int, float] = {}
    total = 0.0
    for k in range(lo_k, hi_k + 1):
        total += math.exp(
            log_n - math.lgamma(k + 1) - math.lgamma(n - k + 1) + k * log_p + (n - k) * log_q
        )
        cdf[k] = total

    def at_most(k: int) -> float:  # P(B <= k)
        return 0.0 if k < lo_k else 1.0 if k >= hi_k else cdf[k]

    lower: int | None = None
    for k in range(max(1, lo_k), n + 1):
        if at_most(k - 1) > alpha:
            break
        lower = k
    upper: int | None = None
    for k in range(max(1, lo_k), n + 1):
        if 1.0 - at_most(k - 1) <= alpha:
            upper = k
            break
    return lower, upper


def quantile_ci(
    sorted_ms: Sequence[float], p: float, level: float = CI_LEVEL
) -> tuple[float | None, float | None]:
    """The order-statistic confidence interval of the p-quantile of already sorted values."""
    lower, upper = quantile_ci_ranks(len(sorted_ms), p, level)
    return (
        None if lower is None else sorted_ms[lower - 1],
        None if upper is None else sorted_ms[upper - 1],
    )


def summarize(samples: Iterable[Sample]) -> Summary:
    """Latency percentiles over every sample, failures included: a slow error is still slow."""
    if isinstance(samples, Samples):
        return samples.summary()
    times: list[float] = []
    failures = login_pages = 0
    for sample in samples:
        times.append(sample.ms)
        failures += not sample.ok
        login_pages += sample.login_page
    times.sort()
    return _summary(times, failures, login_pages)


def _summary(times: Sequence[float], failures: int, login_pages: int) -> Summary:
    return Summary(
        requests=len(times),
        failures=failures,
        p50_ms=percentile(times, 0.50),
        p95_ms=percentile(times, 0.95),
        p99_ms=percentile(times, 0.99),
        max_ms=times[-1] if times else None,
        login_pages=login_pages,
        p95_ci_ms=quantile_ci(times, 0.95),
    )


def by_route(samples: Iterable[Sample]) -> Mapping[str, Sequence[Sample]]:
    if isinstance(samples, Samples):
        return samples.by_route()
    routes: dict[str, list[Sample]] = {}
    for sample in samples:
        routes.setdefault(sample.route, []).append(sample)
    return routes


def split_warmup(samples: Iterable[Sample], measure_from: float) -> tuple[Sequence[Sample], int]:
    """(samples that started at or after `measure_from`, how many started before)."""
    if isinstance(samples, Samples):
        return samples.after(measure_from)
    kept: list[Sample] = []
    excluded = 0
    for sample in samples:
        if sample.start >= measure_from:
            kept.append(sample)
        else:
            excluded += 1
    return kept, excluded


def failure_reasons(samples: Iterable[Sample]) -> Counter[str]:
    """How often each failure reason occurs: the error text, else the HTTP status."""
    if isinstance(samples, Samples):
        errors, status = samples.errors, samples.status
        return Counter(
            errors.get(row) or f"HTTP {status[row]}" for row, ok in enumerate(samples.ok) if not ok
        )
    return Counter(s.error or f"HTTP {s.status}" for s in samples if not s.ok)


def must_exceed(threshold_ms: float, samples: Sequence[Sample], min_samples: int) -> bool:
    """True when the p95 would exceed `threshold_ms` even if every sample still missing to reach
    `min_samples` were instantaneous: enough slow samples make a short run conclusive."""
    total = max(min_samples, len(samples))
    times = samples.ms if isinstance(samples, Samples) else (s.ms for s in samples)
    slow = sum(1 for ms in times if ms > threshold_ms)
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


def throughput_collapse(samples: Sequence[Sample], start: float, end: float) -> Collapse | None:
    """Compare the completion rate of the first and last third of the measured window.

    Completions, not starts: requests still in flight when the run stops never report, which
    would make the last third look slower than it was."""
    window = end - start
    if window < COLLAPSE_MIN_WINDOW_S or len(samples) < COLLAPSE_MIN_SAMPLES:
        return None
    third = window / 3
    if isinstance(samples, Samples):
        done = [t + ms / 1000 for t, ms in zip(samples.start, samples.ms, strict=True)]
    else:
        done = [s.start + s.ms / 1000 for s in samples]
    first = sum(1 for t in done if start <= t < start + third)
    last = sum(1 for t in done if end - third <= t <= end)
    first_rps, last_rps = first / third, last / third
    if first_rps > 0 and last_rps < COLLAPSE_RATIO * first_rps:
        return Collapse(first_rps=first_rps, last_rps=last_rps)
    return None


# 2,000,000 samples are about 40 MB of columns; a 600 s run would need over 3,300 requests/s
# to reach it.
MAX_SAMPLES = 2_000_000


class Samples(Sequence[Sample]):
    """A run's samples as columns, in arrival order (unless the cap was reached).

    Iterating yields `Sample` objects one at a time (for small sets and tests); the statistics
    the gate computes on every run use the columns directly."""

    def __init__(self, cap: int = MAX_SAMPLES, *, seed: int = 0) -> None:
        self.cap = cap
        self.seen = 0  # samples offered, kept or not
        self.start = array("d")
        self.ms = array("d")
        self.ok = array("b")
        self.status = array("H")
        self.login_page = array("b")
        self.route_id = array("H")
        self.routes: list[str] = []
        self._route_index: dict[str, int] = {}
        self.errors: dict[int, str] = {}  # row -> error text (failures only)
        self._texts: dict[str, str] = {}  # one copy of each error text
        self._rng = random.Random(seed)

    @classmethod
    def of(cls, samples: Iterable[Sample], cap: int = MAX_SAMPLES) -> Samples:
        out = cls(cap)
        for s in samples:
            out.add(s.start, s.route, s.ms, s.ok, s.status, s.error, login_page=s.login_page)
        return out

    @property
    def capped(self) -> bool:
        return self.seen > len(self.ms)

    def __len__(self) -> int:
        return len(self.ms)

    def __iter__(self) -> Iterator[Sample]:
        for row in range(len(self.ms)):
            yield self.row(row)

    @overload
    def __getitem__(self, index: int) -> Sample: ...

    @overload
    def __getitem__(self, index: slice) -> Samples: ...

    def __getitem__(self, index: int | slice) -> Sample | Samples:
        if isinstance(index, slice):
            return self._subset(range(len(self.ms))[index])
        return self.row(range(len(self.ms))[index])

    def row(self, row: int) -> Sample:
        return Sample(
            start=self.start[row],
            route=self.routes[self.route_id[row]],
            ms=self.ms[row],
            ok=bool(self.ok[row]),
            status=self.status[row],
            error=self.errors.get(row),
            login_page=bool(self.login_page[row]),
        )

    def _route(self, name: str) -> int:
        index = self._route_index.get(name)
        if index is None:
            index = self._route_index[name] = len(self.routes)
            self.routes.append(name)
        return index

    def add(
        self,
        start: float,
        route: str,
        ms: float,
        ok: bool,
        status: int = 0,
        error: str | None = None,
        *,
        login_page: bool = False,
    ) -> None:
        self.seen += 1
        if len(self.ms) < self.cap:
            row = len(self.ms)
            self.start.append(start)
            self.ms.append(ms)
            self.ok.append(1 if ok else 0)
            self.status.append(min(max(status, 0), 65535))
            self.login_page.append(1 if login_page else 0)
            self.route_id.append(self._route(route))
        else:  # reservoir sampling (algorithm R): every sample seen is kept with p = cap/seen
            row = self._rng.randrange(self.seen)
            if row >= self.cap:
                return
            self.start[row], self.ms[row], self.ok[row] = start, ms, 1 if ok else 0
            self.status[row] = min(max(status, 0), 65535)
            self.login_page[row] = 1 if login_page else 0
            self.route_id[row] = self._route(route)
            self.errors.pop(row, None)
        if error is not None:
            self.errors[row] = self._texts.setdefault(error, error)

    def _subset(self, rows: Sequence[int]) -> Samples:
        out = Samples(self.cap)
        out.routes, out._route_index = self.routes, self._route_index
        for name in ("start", "ms", "ok", "status", "login_page", "route_id"):
            column = getattr(self, name)
            setattr(out, name, array(column.typecode, [column[row] for row in rows]))
        if self.errors:
            out.errors = {
                new: self.errors[row] for new, row in enumerate(rows) if row in self.errors
            }
        out.seen = len(out.ms)
        return out

    def after(self, measure_from: float) -> tuple[Samples, int]:
        """(rows that started at or after `measure_from`, how many started before)."""
        start = self.start
        rows = [row for row in range(len(start)) if start[row] >= measure_from]
        return self._subset(rows), len(start) - len(rows)

    def by_route(self) -> dict[str, Samples]:
        rows: dict[int, list[int]] = {}
        for row, route in enumerate(self.route_id):
            rows.setdefault(route, []).append(row)
        return {self.routes[route]: self._subset(got) for route, got in rows.items()}

    def summary(self) -> Summary:
        return _summary(sorted(self.ms), len(self.ok) - sum(self.ok), sum(self.login_page))

    def recent_p95(self, since: float, window: int) -> float | None:
        """p95 of the last `window` samples that started at or after `since` (live progress:
        bounded work per tick, however long the run)."""
        start, ms = self.start, self.ms
        recent: list[float] = []
        row = len(ms) - 1
        while row >= 0 and len(recent) < window and start[row] >= since:
            recent.append(ms[row])
            row -= 1
        recent.sort()
        return percentile(recent, 0.95)
