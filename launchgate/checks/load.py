"""load: a short Locust load test with `users` concurrent users against the preview, judged on
the exact p95 (docs/load.md).

Flow: refuse a private target up front (the guard, unless allow_private_targets), wait
(bounded by `ready_timeout`) until the preview answers, resolve and vet the one address the
load generator may connect to, run Locust in a child process (launchgate.load.child) for
`duration`, and judge the raw samples that started after the `warmup`. With `as` (identities),
each simulated user logs in once first (launchgate.load.logins); the run's clock starts when
they all have, and login time is reported apart (metrics `logins`), never in the p95.

Findings (default severities):
  load.unreachable             blocker    the preview never answered within ready_timeout
  load.p95-over-budget         blocker    p95 above p95_blocker_ms
  load.p95-over-target         important  p95 above p95_target_ms (and not above the budget)
  load.error-rate              blocker    failed requests above max_error_rate
  load.route-p95-over-budget   blocker    a route's p95 above its p95_blocker_ms (its own, else
                                          the check's: every route is judged when there are several)
  load.route-p95-over-target   important  a route's p95 above its p95_target_ms (likewise)
  load.route-error-rate        blocker    a route's own failed requests above max_error_rate
                                          (several routes: a rare route that always fails
                                          hides under the overall rate)
  load.measured-login-page     blocker    most answers of a route were the app's login page
  load.login-failed            blocker    a `load.as` identity could not log in (per identity)
  load.session-ended           blocker    a logged-in user was sent to the login page or got a
                                          401 during the run (per identity)
  load.throughput-collapse     important  the last third of the run served < half the first's
  load.p95-regressed           important  with --compare: p95 significantly above the base's
                                          (raised by launchgate.comparison, not by this module)
Each p95 comes with its 95 % confidence interval (`p95_ci_ms`, order statistics). When the
interval straddles the target or the budget, the verdict on that threshold is borderline: the
summary (and a finding's detail) says so, and how many more seconds of load would settle it.
Fewer than `min_samples` samples, or a route with fewer than `min_route_samples`, is
inconclusive (check error, carrying any important finding the samples prove), unless the
samples already prove a blocker (e.g. enough slow ones that the p95 is over budget whatever the
missing ones are). An unverifiable certificate is reported as load.unreachable at once, with
the TLS reason.

ctx.facts: this check neither reads nor writes facts.
"""

from __future__ import annotations

import math
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from launchgate.address import connect_target
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.checks.sessions import login_failed_finding, login_location, unavailable_reason
from launchgate.config import LoadConfig, LoadRoute, redact_url
from launchgate.http.login import LoginFailed, LoginReason
from launchgate.http.transport import PrivateTargetError
from launchgate.load.logins import LoginEvent
from launchgate.load.process import LoadRunError, RunResult, run_load
from launchgate.load.readiness import Readiness, wait_until_ready
from launchgate.load.stats import (
    Sample,
    Summary,
    by_route,
    failure_reasons,
    must_exceed,
    percentile,
    split_warmup,
    summarize,
    throughput_collapse,
)
from launchgate.load.target import (
    TargetRefused,
    build_plan,
    default_routes,
    refuse_private,
    vetted_endpoint,
)
from launchgate.report import Finding, Location, Severity, make_finding

NAME = "load"
PERCENTILE_METHOD = "nearest-rank over raw per-request samples"
NOTE = (
    "Closed-loop test: each of the {users} users waits for an answer before sending the "
    "next request, so a stall delays the requests that would have followed it instead of "
    "making them slow (coordinated omission): real users arriving during a stall would "
    "see worse than this p95. Max and p99 are shown for that reason."
)
LIVE_P95_WINDOW = 5000
SLOW_REMEDY = (
    "Profile the slowest route under concurrent use (N+1 queries, missing indexes, "
    "synchronous calls to other services, no connection pooling), or cache it; "
    "then re-run the gate. If the budget is wrong for this route, set a per-route "
    "p95 budget in checks.load.routes."
)


class LoadCheck:
    name: ClassVar[str] = NAME

    def run(self, ctx: CheckContext) -> CheckOutcome:
        url = ctx.config.url
        if not url:
            raise CheckSkipped("no url configured")
        load = ctx.config.checks.load
        for name in load.as_:
            why = ctx.config.unavailable_identities.get(name)
            if why is not None:  # a fork PR: never log in with empty credentials
                raise CheckSkipped(unavailable_reason(name, why))
        parts = urllib.parse.urlsplit(url)
        host, port = connect_target(url)
        shown = redact_url(url)  # user:password in a URL never reaches the report
        location = Location(url=shown, host=host)
        try:
            refuse_private(ctx.http, host, port)
        except TargetRefused as exc:
            raise CheckCannotRun(str(exc)) from None
        try:
            ready = wait_until_ready(
                ctx.http,
                url,
                load.ready_timeout,
                on_wait=lambda waited, why: ctx.progress.update(
                    f"load: waiting for {host} to answer ({why}), {waited:.0f}s"
                ),
            )
        except PrivateTargetError as exc:
            raise CheckCannotRun(f"{exc} (no load was sent)") from None
        if not ready.ready:
            finding = _unreachable(shown, load, ready, location)
            return CheckOutcome((finding,), finding.title)
        try:
            endpoint = vetted_endpoint(ctx.http, host, port)
        except TargetRefused as exc:
            raise CheckCannotRun(str(exc)) from None
        plan = build_plan(load, ctx.http, parts, endpoint, ctx.config.identities)
        who = f", logged in as {', '.join(load.as_)}" if load.as_ else ""
        ctx.progress.info(
            f"  load: {load.users} users for {load.duration:g}s against {host} "
            f"({len(plan.routes)} route(s), warm-up {load.warmup:g}s{who})"
        )
        try:
            result = run_load(plan, on_tick=lambda r, t: _tick(ctx, load, r, t))
        except LoadRunError as exc:
            raise CheckCannotRun(f"load test failed: {exc}") from None
        finally:
            ctx.progress.done()
        return judge(
            load, result, url, host, login_location=lambda name: login_location(ctx.config, name)
        )


def _tick(ctx: CheckContext, load: LoadConfig, result: RunResult, elapsed: float) -> None:
    assert result.started_at is not None
    # The live figure is the p95 of the latest requests: bounded work per tick however long
    # the run (the verdict uses every sample).
    p95 = result.samples.recent_p95(result.started_at + load.warmup, LIVE_P95_WINDOW)
    phase = (
        "warm-up"
        if elapsed < load.warmup
        else (f"p95 {p95:.0f} ms" if p95 is not None else "p95 -")
    )
    ctx.progress.update(
        f"load: {min(elapsed, load.duration):.0f}s/{load.duration:g}s · "
        f"{result.samples.seen} requests · {phase}"
    )


# --- judging -----------------------------------------------------------------------------------


def judge(
    load: LoadConfig,
    result: RunResult,
    url: str,
    host: str,
    *,
    login_location: Callable[[str], Location] | None = None,
) -> CheckOutcome:
    """Findings, summary and metrics from the raw samples (and logins) of one run.

    `url` is the configured URL (it may carry user:password): every URL shown is redacted.
    `login_location(identity)` locates a login failure (its login page)."""
    if result.started_at is None or result.ended_at is None:
        raise CheckCannotRun("the load generator reported no start and end time")
    measure_from = result.started_at + load.warmup
    measured, excluded = split_warmup(result.samples, measure_from)
    window_s = max(result.ended_at - measure_from, 1e-9)
    total = summarize(measured)
    enough = total.requests >= load.min_samples
    routes = judge_routes(load, by_route(measured), enough, url, host)
    metrics = _metrics(load, total, routes, excluded, window_s)
    if result.samples.capped:
        metrics.update(samples_seen=result.samples.seen, sample_cap=result.samples.cap)
        metrics["note"] += (
            f" This run produced {result.samples.seen:,} requests, more than "
            f"the {result.samples.cap:,} samples the gate keeps: every figure "
            "is computed over a uniform random sample of "
            f"{result.samples.cap:,} of them."
        )
    location = Location(url=redact_url(url), host=host)
    borders = [
        b
        for b in (
            borderline(total, load.p95_target_ms, window_s),
            borderline(total, load.p95_blocker_ms, window_s),
        )
        if b
    ]
    if borders:
        metrics["borderline"] = [{"threshold_ms": b.budget_ms, "more_s": b.more_s} for b in borders]
    if result.logins:
        metrics["logins"] = _login_metrics(result.logins, load.as_)
    findings = _login_findings(result.logins, login_location or (lambda _name: location))
    findings += _session_findings(load, result, location)
    findings += [
        _with_borderline(f, load, total, borders)
        for f in _latency_findings(load, total, measured, routes, enough, location)
    ]
    findings += [f for r in routes for f in (r.error_finding, r.finding) if f is not None]
    error = _error_finding(load, total, measured, enough, location)
    if error:
        findings.append(error)
    short = [r for r in routes if r.verdict == TOO_FEW]
    if (not enough or short) and not any(f.severity is Severity.BLOCKER for f in findings):
        # A short run may prove an important problem, but not that there is no blocker: the
        # check stays inconclusive and carries what it did prove.
        raise CheckCannotRun(
            _inconclusive(load, total, short), findings=tuple(findings), metrics=metrics
        )
    if enough:
        collapse = throughput_collapse(measured, measure_from, result.ended_at)
        if collapse:
            findings.append(
                make_finding(
                    NAME,
                    "throughput-collapse",
                    Severity.IMPORTANT,
                    f"Throughput collapsed during the run: {collapse.first_rps:.1f} → "
                    f"{collapse.last_rps:.1f} requests/s",
                    detail=f"The last third of the measured window served under half the "
                    f"requests per second of the first third with the same {load.users} "
                    "users: the app degrades under sustained use (queues, leaks, locks, "
                    "exhausted pools) rather than settling.",
                    remedy="Look for resources that run out under steady load: database "
                    "connection pools, worker threads, memory, rate limits.",
                    location=location,
                )
            )
    summary = _summary(load, total, enough)
    for border in borders:
        more = (
            "more load will not settle it"
            if border.more_s is None
            else f"~{border.more_s:.0f} s more load would settle it"
        )
        summary += f"; borderline at {border.budget_ms:g} ms ({more})"
    return CheckOutcome(tuple(findings), summary, metrics)


def _with_borderline(
    finding: Finding, load: LoadConfig, total: Summary, borders: Sequence[Borderline]
) -> Finding:
    threshold = {
        "load.p95-over-budget": load.p95_blocker_ms,
        "load.p95-over-target": load.p95_target_ms,
    }.get(finding.id)
    for border in borders:
        if border.budget_ms == threshold:
            return replace(finding, detail=f"{finding.detail} {border.sentence(total)}")
    return finding


def _inconclusive(load: LoadConfig, total: Summary, short: Sequence[RouteJudgement]) -> str:
    if total.requests < load.min_samples:
        return (
            f"inconclusive: only {total.requests} request(s) after the {load.warmup:g}s "
            f"warm-up, fewer than min_samples ({load.min_samples}); run longer "
            f"(checks.load.duration) or lower min_samples"
        )
    names = ", ".join(f"{r.name} ({r.summary.requests})" for r in short)
    return (
        f"inconclusive: too few samples to judge route(s) {names}, fewer than "
        f"min_route_samples ({load.min_route_samples}); run longer (checks.load.duration), "
        "raise their weight, or lower min_route_samples"
    )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _summary(load: LoadConfig, total: Summary, enough: bool) -> str:
    text = (
        f"p95 {_ms(total.p95_ms)} over {total.requests} requests "
        f"(target {load.p95_target_ms:g} ms, blocker {load.p95_blocker_ms:g} ms), "
        f"{total.error_rate:.1%} errors"
    )
    return text if enough else text + f"; short run (< {load.min_samples} samples)"


def _latency_findings(
    load: LoadConfig,
    total: Summary,
    measured: Sequence[Sample],
    routes: Sequence[RouteJudgement],
    enough: bool,
    location: Location,
) -> list[Finding]:
    def over(threshold: float) -> bool:
        if enough:
            return total.p95_ms is not None and total.p95_ms > threshold
        return must_exceed(threshold, measured, load.min_samples)

    numbers = (
        f"p95 {_ms(total.p95_ms)}, p50 {_ms(total.p50_ms)}, p99 {_ms(total.p99_ms)}, "
        f"max {_ms(total.max_ms)} over {total.requests} requests with {load.users} "
        "concurrent users." + _slowest_route(routes)
    )
    if over(load.p95_blocker_ms):
        return [
            make_finding(
                NAME,
                "p95-over-budget",
                Severity.BLOCKER,
                f"p95 latency {_ms(total.p95_ms)} is above the {load.p95_blocker_ms:g} ms "
                "launch budget",
                detail=numbers,
                remedy=SLOW_REMEDY,
                location=location,
            )
        ]
    if over(load.p95_target_ms):
        return [
            make_finding(
                NAME,
                "p95-over-target",
                Severity.IMPORTANT,
                f"p95 latency {_ms(total.p95_ms)} is above the {load.p95_target_ms:g} ms target",
                detail=numbers,
                remedy=SLOW_REMEDY,
                location=location,
            )
        ]
    return []


def _slowest_route(routes: Sequence[RouteJudgement]) -> str:
    if len(routes) < 2:
        return ""
    worst = max(routes, key=lambda r: r.summary.p95_ms or 0.0)
    return (
        f" Slowest route: {worst.name} (p95 {_ms(worst.summary.p95_ms)}, "
        f"{worst.summary.requests} requests)."
    )


# --- logged-in load (load.as) ------------------------------------------------------------------


def _login_metrics(logins: Sequence[LoginEvent], order: Sequence[str]) -> list[dict[str, Any]]:
    """Per identity (in `as` order): users logged in, failed logins, login time (never in the
    p95)."""
    out = []
    for name in dict.fromkeys([*order, *(e.identity for e in logins)]):
        mine = [e for e in logins if e.identity == name]
        times = sorted(e.seconds for e in mine if e.ok)
        out.append(
            {
                "identity": name,
                "users": len(times),
                "failed": sum(not e.ok for e in mine),
                "p50_s": None if not times else round(percentile(times, 0.5) or 0.0, 3),
                "max_s": None if not times else round(times[-1], 3),
            }
        )
    return out


def _login_findings(
    logins: Sequence[LoginEvent], where: Callable[[str], Location]
) -> list[Finding]:
    """`load.login-failed`, once per identity (the first failure's reason; never a password)."""
    findings = []
    for name in dict.fromkeys(e.identity for e in logins if not e.ok):
        failed = [e for e in logins if e.identity == name and not e.ok]
        users = sum(1 for e in logins if e.identity == name)
        first = failed[0]
        reason = (
            LoginReason(first.reason)
            if first.reason in set(LoginReason)
            else LoginReason.UNREACHABLE
        )
        findings.append(
            login_failed_finding(
                NAME,
                LoginFailed(name, reason, first.detail),
                f"the load test (checks.load.as: {len(failed)} of {users} simulated user(s) "
                "could not log in and sent no requests)",
                where(name),
            )
        )
    return findings


def _session_findings(load: LoadConfig, result: RunResult, location: Location) -> list[Finding]:
    """`load.session-ended`, once per identity whose session ended during the run."""
    findings = []
    started = result.started_at or 0.0
    for name in dict.fromkeys(e.identity for e in result.sessions_ended):
        ended = [e for e in result.sessions_ended if e.identity == name]
        users = sum(1 for e in result.logins if e.identity == name and e.ok)
        first = min(ended, key=lambda e: e.t)
        hows = " or ".join(dict.fromkeys(e.how for e in ended))
        findings.append(
            make_finding(
                NAME,
                "session-ended",
                Severity.BLOCKER,
                f"The session of identity {name} ended during the load test",
                detail=f"{len(ended)} of {users} simulated user(s) logged in as {name} were "
                f"{hows} after logging in, the first {max(0.0, first.t - started):.1f}s "
                f"into the run on route {first.route}; each stopped sending requests then "
                "(what it sent next would have measured the login page).",
                remedy="Staff sessions must outlive a working day under concurrent use: check the "
                "session lifetime, the session store under load (a cache or database that "
                "drops sessions), and whether one account's logins end its other sessions "
                "(a single-session policy: give each simulated user its own identity in "
                "checks.load.as).",
                location=location,
                key=name,
            )
        )
    return findings


# --- per route ---------------------------------------------------------------------------------

OK, OVER_TARGET, OVER_BUDGET, TOO_FEW, LOGIN_PAGE, ERRORS = (
    "ok",
    "over target",
    "over budget",
    "too few samples",
    "login page",
    "errors",
)
# A route whose answers were more often the login page than not measured the login page.
LOGIN_PAGE_SHARE = 0.5


@dataclass(frozen=True)
class RouteJudgement:
    name: str
    summary: Summary
    target_ms: float | None  # the budgets this route was judged against (None: not judged)
    blocker_ms: float | None
    min_samples: int
    verdict: str  # OK, OVER_TARGET, OVER_BUDGET, TOO_FEW, LOGIN_PAGE or ERRORS
    finding: Finding | None = None  # its p95 (or the login page)
    error_finding: Finding | None = None  # its own error rate (several routes only)


def judge_routes(
    load: LoadConfig, samples: Mapping[str, Sequence[Sample]], enough: bool, url: str, host: str
) -> list[RouteJudgement]:
    """Every route's own p95 against its budgets: its overrides, else the check's (the seed's
    budget is per admin action, and a mixed p95 hides one slow action among fast ones). With a
    single route, the mixed p95 is the route's: only its overrides add anything."""
    routes = load.routes or default_routes(urllib.parse.urlsplit(url))
    several = len(routes) > 1
    judged = []
    for route in routes:
        got = samples.get(route.name, [])
        # Join with the raw URL, then redact: "[redacted]@host" does not parse as a netloc.
        location = Location(
            url=redact_url(urllib.parse.urljoin(url, route.path)), host=host, path=route.path
        )
        judged.append(_judge_route(load, route, got, several, enough, location))
    return judged


def _judge_route(
    load: LoadConfig,
    route: LoadRoute,
    got: Sequence[Sample],
    several: bool,
    enough: bool,
    location: Location,
) -> RouteJudgement:
    summary = summarize(got)
    target = route.p95_target_ms or (load.p95_target_ms if several else None)
    blocker = route.p95_blocker_ms or (load.p95_blocker_ms if several else None)
    minimum = load.min_route_samples if several else load.min_samples
    judgement = RouteJudgement(route.name, summary, target, blocker, minimum, OK)
    if summary.requests and summary.login_pages > LOGIN_PAGE_SHARE * summary.requests:
        return replace(
            judgement, verdict=LOGIN_PAGE, finding=_login_page_finding(route, summary, location)
        )
    counted = summary.requests >= minimum and (several or enough)
    errors = _route_error_finding(load, route, summary, got, minimum, location) if several else None
    if errors is not None:
        judgement = replace(judgement, verdict=ERRORS, error_finding=errors)
    for budget, slug, severity, verdict, word in (
        (blocker, "route-p95-over-budget", Severity.BLOCKER, OVER_BUDGET, "budget"),
        (target, "route-p95-over-target", Severity.IMPORTANT, OVER_TARGET, "target"),
    ):
        if budget is None:
            continue
        if (
            (summary.p95_ms is not None and summary.p95_ms > budget)
            if counted
            else must_exceed(budget, got, minimum)
        ):
            slow = make_finding(
                NAME,
                slug,
                severity,
                f"{route.name}: p95 {_ms(summary.p95_ms)} is above its {budget:g} ms {word}",
                detail=f"{route.method} {route.path}: p95 {_ms(summary.p95_ms)}, max "
                f"{_ms(summary.max_ms)} over {summary.requests} requests.",
                remedy=SLOW_REMEDY,
                location=location,
                key=route.name,
            )
            # A failing route's verdict stays ERRORS: its p95 is not a working route's.
            return replace(judgement, verdict=ERRORS if errors else verdict, finding=slow)
    if several and summary.requests < minimum and errors is None:
        return replace(judgement, verdict=TOO_FEW)
    return judgement


def _route_error_finding(
    load: LoadConfig,
    route: LoadRoute,
    summary: Summary,
    got: Sequence[Sample],
    minimum: int,
    location: Location,
) -> Finding | None:
    """`load.route-error-rate`: the route's own failed requests above `max_error_rate`. The
    overall rate is not enough: a rare route (a typo in its path, a report that answers 500)
    can fail every time and still stay under 1 % of a mixed run. A route with fewer than
    `minimum` requests counts only when its failures prove the rate whatever the missing
    requests would be."""
    failures, requests = summary.failures, summary.requests
    if not failures or failures / max(requests, minimum) <= load.max_error_rate:
        return None
    top = "; ".join(f"{count}× {why}" for why, count in failure_reasons(got).most_common(3))
    return make_finding(
        NAME,
        "route-error-rate",
        Severity.BLOCKER,
        f"{route.name}: {failures / requests:.0%} of its requests failed (limit "
        f"{load.max_error_rate:.1%})",
        detail=f"{route.method} {route.path}: {failures} of {requests} requests failed. Most "
        f"common: {top}. Its p95 is not a measure of a working route.",
        remedy="Open the route as the load test's user: a 404 is usually a wrong path in "
        "checks.load.routes, a 401/403 a missing login (checks.load.as), a 5xx a bug "
        "under concurrent use.",
        location=location,
        key=route.name,
    )


def _login_page_finding(route: LoadRoute, summary: Summary, location: Location) -> Finding:
    share = summary.login_pages / summary.requests
    return make_finding(
        NAME,
        "measured-login-page",
        Severity.BLOCKER,
        f"{route.name}: {share:.0%} of its answers were the login page: the load test "
        "measured the login page, not this route",
        detail=f"{route.method} {route.path}: {summary.login_pages} of {summary.requests} "
        "answers were a redirect to a login page or a login form. Its p95 "
        f"({_ms(summary.p95_ms)}) is the login page's, so it says nothing about the "
        "route.",
        remedy="Load the route as a logged-in user (checks.load.as: an identity, see "
        "docs/auth.md), or give the load test credentials in headers; if the route "
        "is public, find out why it asks for a login.",
        location=location,
        key=route.name,
    )


def _error_finding(
    load: LoadConfig, total: Summary, measured: Sequence[Sample], enough: bool, location: Location
) -> Finding | None:
    denominator = total.requests if enough else max(total.requests, load.min_samples)
    if denominator == 0 or total.failures / denominator <= load.max_error_rate:
        return None
    reasons = failure_reasons(measured)
    top = "; ".join(f"{count}× {why}" for why, count in reasons.most_common(3))
    return make_finding(
        NAME,
        "error-rate",
        Severity.BLOCKER,
        f"{total.error_rate:.1%} of requests failed under load (limit {load.max_error_rate:.1%})",
        detail=f"{total.failures} of {total.requests} requests failed. Most common: {top}.",
        remedy="Fix the failing requests (server errors under concurrent use, timeouts, "
        "rate limits, missing auth headers for the load test); see the routes table.",
        location=location,
    )


def _unreachable(url: str, load: LoadConfig, ready: Readiness, location: Location) -> Finding:
    title = (
        f"The preview's TLS certificate did not verify ({ready.reason})"
        if ready.final
        else f"The preview did not answer within {load.ready_timeout:g}s"
    )
    return make_finding(
        NAME,
        "unreachable",
        Severity.BLOCKER,
        title,
        detail=f"{url}: {ready.reason}. No load test was run.",
        remedy="Check that the preview deployment finished and is reachable from CI (and "
        "that protection-bypass headers are configured); raise checks.load."
        "ready_timeout if previews take longer to come up.",
        location=location,
    )


def _metrics(
    load: LoadConfig,
    total: Summary,
    routes: Sequence[RouteJudgement],
    excluded: int,
    window_s: float,
) -> dict[str, Any]:
    return {
        "users": load.users,
        "duration_s": load.duration,
        "warmup_s": load.warmup,
        "measured_s": round(window_s, 2),
        "workers": load.workers,
        "requests": total.requests,
        "failures": total.failures,
        "error_rate": round(total.error_rate, 4),
        "rps": round(total.requests / window_s, 2),
        **_percentiles(total),
        "routes": [_route_metrics(r, window_s) for r in routes],
        "samples_excluded_warmup": excluded,
        "min_samples": load.min_samples,
        "min_route_samples": load.min_route_samples,
        "percentile_method": PERCENTILE_METHOD,
        "p95_target_ms": load.p95_target_ms,
        "p95_blocker_ms": load.p95_blocker_ms,
        "note": NOTE.format(users=load.users),
    }


def _route_metrics(route: RouteJudgement, window_s: float) -> dict[str, Any]:
    summary = route.summary
    return {
        "name": route.name,
        "requests": summary.requests,
        "failures": summary.failures,
        "error_rate": round(summary.error_rate, 4),
        "rps": round(summary.requests / window_s, 2),
        **_percentiles(summary),
        "login_pages": summary.login_pages,
        "p95_target_ms": route.target_ms,
        "p95_blocker_ms": route.blocker_ms,
        "min_samples": route.min_samples,
        "verdict": route.verdict,
    }


def _percentiles(summary: Summary) -> dict[str, Any]:
    def r(v: float | None) -> float | None:
        return None if v is None else round(v, 1)

    return {
        "p50_ms": r(summary.p50_ms),
        "p95_ms": r(summary.p95_ms),
        "p95_ci_ms": [r(summary.p95_ci_ms[0]), r(summary.p95_ci_ms[1])],
        "p99_ms": r(summary.p99_ms),
        "max_ms": r(summary.max_ms),
    }


@dataclass(frozen=True)
class Borderline:
    """A threshold inside the p95's 95 % interval: this run cannot tell which side p95 is on.
    `more_s` is the extra load (seconds at this run's rate) that would shrink the interval
    off the threshold if the p95 stays where it is; None when no amount would (p95 on it)."""

    budget_ms: float
    more_s: float | None

    def sentence(self, summary: Summary) -> str:
        lo, hi = summary.p95_ci_ms
        side = "above" if (summary.p95_ms or 0) > self.budget_ms else "under"
        text = (
            f"Borderline: the 95 % interval of the p95 ({_ms(lo)}–{_ms(hi)}) contains the "
            f"{self.budget_ms:g} ms threshold, so this run cannot tell whether p95 is "
            f"really {side} it"
        )
        if self.more_s is None:
            return text + "; the p95 sits on the threshold, and more load will not settle it."
        return text + f"; about {self.more_s:.0f} s more load (checks.load.duration) would."


def borderline(summary: Summary, budget_ms: float, window_s: float) -> Borderline | None:
    """The interval half-width shrinks like 1/sqrt(n): to keep the threshold outside it,
    n must grow by (half-width / distance)^2."""
    lo, hi = summary.p95_ci_ms
    p95 = summary.p95_ms
    if p95 is None or lo is None or hi is None or not lo <= budget_ms < hi:
        return None
    distance = abs(p95 - budget_ms)
    half = (p95 - lo) if p95 > budget_ms else (hi - p95)
    if distance == 0 or summary.requests == 0:
        return Borderline(budget_ms, None)
    needed = summary.requests * (half / distance) ** 2
    rate = summary.requests / window_s
    more = max(needed - summary.requests, 0) / rate
    return Borderline(budget_ms, math.ceil(max(more, 1) / 5) * 5)
