"""Comparing a run with an earlier report (`--compare`, the Action's `compare`): which findings
are new, which of the base's are fixed, and whether p95 really moved (docs/report.md).

Findings match on their fingerprint (see report.fingerprint and docs/report.md). A p95 moved
*significantly* only when both 95 % intervals (metrics.load.p95_ci_ms, order statistics, see
launchgate.load.stats) are disjoint **and** the change is larger than a practical margin:
max(MARGIN_MS, MARGIN_PCT of the base's p95). Only a significant rise raises
`load.p95-regressed`. A base report that is old or incomplete is compared as far as it goes,
and every gap is a note; only a file that is not a launchgate report at all is an error.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from launchgate import __version__
from launchgate.errors import UsageError
from launchgate.report import (
    SCHEMA,
    BaseRef,
    CheckResult,
    CheckStatus,
    Comparison,
    Finding,
    FixedFinding,
    LoadComparison,
    Location,
    P95Delta,
    Severity,
    make_finding,
)

MARGIN_PCT = 10.0
MARGIN_MS = 5.0
_RAN = (CheckStatus.PASSED, CheckStatus.FAILED)
# Tuples, not sets: a base report's value may be a list, and `[] in set()` raises.
_RAN_NAMES = tuple(s.value for s in _RAN)
_SEVERITIES = tuple(s.value for s in Severity)


@dataclass(frozen=True)
class BaseFinding:
    id: str
    title: str
    fingerprint: str
    severity: str | None
    check: str


@dataclass(frozen=True)
class BaseReport:
    """What a comparison reads from an earlier report; None where the report lacks it."""

    head: str | None
    verdict: str | None
    url: str | None
    version: str | None
    findings: tuple[BaseFinding, ...] | None
    ran: frozenset[str] | None  # checks that passed or failed in the base
    load: Mapping[str, Any] | None
    notes: tuple[str, ...] = ()
    # All its metrics: a production watch compares certificates and DNS answers with them.
    metrics: Mapping[str, Any] | None = None


def read_base(path: str | Path, flag: str = "--compare") -> BaseReport:
    """Read an earlier report. A file that is missing, not JSON, or not a launchgate report
    is a UsageError (one line); anything else is read as far as it goes."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{flag} {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"{flag} {path}: cannot read it: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{flag} {path}: not a launchgate report (not JSON: {exc.msg} at line {exc.lineno})"
        ) from None
    try:
        return parse_base(data)
    except ValueError as exc:
        raise UsageError(f"{flag} {path}: {exc}") from None


def parse_base(data: Any) -> BaseReport:
    """Leniently read a report's JSON. ValueError only when it is not a launchgate report."""
    if not isinstance(data, Mapping):
        raise ValueError("not a launchgate report (expected a JSON object)")
    schema = data.get("schema")
    tool = _object(data.get("tool"))
    if (
        not (isinstance(schema, str) and schema.startswith("launchgate.report/"))
        and tool.get("name") != "launchgate"
    ):
        raise ValueError(f'not a launchgate report (no "schema": "{SCHEMA}")')
    notes: list[str] = []
    if schema != SCHEMA:
        notes.append(
            f"the base report's schema is {schema or 'missing'}, not {SCHEMA}: "
            "compared as far as it goes"
        )
    version = tool.get("version") if isinstance(tool.get("version"), str) else None
    if version and version != __version__:
        notes.append(
            f"the base report was made by launchgate {version} (this is "
            f"{__version__}); findings whose fingerprint rules changed in between "
            "show as new and fixed"
        )
    target = _object(data.get("target"))
    findings = _base_findings(data.get("findings"), notes)
    load = _object(_object(data.get("metrics")).get("load")) or None
    return BaseReport(
        head=_text(target.get("head")),
        verdict=_text(data.get("verdict")),
        url=_text(target.get("url")),
        version=version,
        findings=findings,
        ran=_ran(data.get("checks")),
        load=load,
        notes=tuple(notes),
        metrics=_object(data.get("metrics")) or None,
    )


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _base_findings(raw: Any, notes: list[str]) -> tuple[BaseFinding, ...] | None:
    if not isinstance(raw, list):
        notes.append("the base report lists no findings: new and fixed are not known")
        return None
    kept: list[BaseFinding] = []
    unusable = 0
    for item in raw:
        if (
            not isinstance(item, Mapping)
            or not isinstance(item.get("fingerprint"), str)
            or not isinstance(item.get("id"), str)
        ):
            unusable += 1
            continue
        severity, check = item.get("severity"), item.get("check")
        kept.append(
            BaseFinding(
                id=item["id"],
                title=str(item.get("title") or item["id"]),
                fingerprint=item["fingerprint"],
                severity=severity if severity in _SEVERITIES else None,
                check=check if isinstance(check, str) and check else item["id"].split(".", 1)[0],
            )
        )
    if unusable:
        notes.append(
            f"{unusable} finding(s) of the base report have no id or fingerprint: "
            "findings that match them show as new"
        )
    return tuple(kept)


def _ran(raw: Any) -> frozenset[str] | None:
    if not isinstance(raw, list):
        return None
    return frozenset(
        c["name"]
        for c in raw
        if isinstance(c, Mapping)
        and isinstance(c.get("name"), str)
        and c.get("status") in _RAN_NAMES
    )


# --- the comparison -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Compared:
    findings: tuple[Finding, ...]  # marked new/inherited, plus any p95-regressed
    comparison: Comparison


def compare(
    findings: Sequence[Finding],
    checks: Sequence[CheckResult],
    metrics: Mapping[str, Any],
    base: BaseReport,
    *,
    name: str = "base",
    gate_on: str = "all",
    location: Location | None = None,
) -> Compared:
    """Mark `findings` new or inherited against `base`, list what it fixed, compare p95 and
    add `load.p95-regressed` findings for significant rises (marked new: the base cannot
    have had them)."""
    notes = list(base.notes)
    ran_now = {c.name for c in checks if c.status in _RAN}
    marked = _mark(findings, base, ran_now, notes)
    fixed = _fixed(findings, base, ran_now)
    load, regressed = _load(metrics.get("load"), base, name, location or Location(), notes)
    if gate_on == "new" and base.findings is None:
        notes.append("gate_on: new needs the base's findings: this run gates on all findings")
        gate_on = "all"
    comparison = Comparison(
        base=BaseRef(name=name, head=base.head, verdict=base.verdict, url=base.url),
        fixed=fixed,
        load=load,
        gate_on=gate_on,
        notes=tuple(notes),
    )
    return Compared(marked + tuple(replace(f, new=True) for f in regressed), comparison)


def _mark(
    findings: Sequence[Finding], base: BaseReport, ran_now: set[str], notes: list[str]
) -> tuple[Finding, ...]:
    if base.findings is None:
        return tuple(findings)
    # A finding is inherited only when the base had it at the same place, from a check the
    # base ran, at least as severe: a base that had it as `later` (or with an unreadable
    # severity) does not make a blocker inherited under `gate_on: new`.
    worst: dict[str, int] = {}
    for old in base.findings:
        if base.ran is not None and old.check not in base.ran:
            continue
        rank = Severity(old.severity).rank if old.severity is not None else -1
        worst[old.fingerprint] = max(rank, worst.get(old.fingerprint, -1))
    if base.ran is not None:
        not_run = sorted({f.check for f in findings} - set(base.ran))
        if not_run:
            notes.append(
                f"the base did not run {', '.join(not_run)}: every finding of "
                f"{'that check' if len(not_run) == 1 else 'those checks'} counts as "
                "new"
            )
    return tuple(replace(f, new=worst.get(f.fingerprint, -1) < f.severity.rank) for f in findings)


def _fixed(
    findings: Sequence[Finding], base: BaseReport, ran_now: set[str]
) -> tuple[FixedFinding, ...]:
    """Base findings this run no longer has, among the checks that ran to the end this time
    (a skipped or failing-to-run check fixes nothing)."""
    if base.findings is None:
        return ()
    present = {f.fingerprint for f in findings}
    seen: set[str] = set()
    fixed: list[FixedFinding] = []
    for old in base.findings:
        if old.fingerprint in present or old.fingerprint in seen or old.check not in ran_now:
            continue
        seen.add(old.fingerprint)
        fixed.append(
            FixedFinding(
                id=old.id, title=old.title, fingerprint=old.fingerprint, severity=old.severity
            )
        )
    return tuple(fixed)


# --- p95 --------------------------------------------------------------------------------------


def margin_ms(base_p95: float, margin_pct: float = MARGIN_PCT) -> float:
    """The practical margin: a change smaller than this is never called significant."""
    return max(MARGIN_MS, base_p95 * margin_pct / 100)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _ci(scope: Mapping[str, Any]) -> tuple[float | None, float | None]:
    raw = scope.get("p95_ci_ms")
    if isinstance(raw, list | tuple) and len(raw) == 2:
        return _num(raw[0]), _num(raw[1])
    return None, None


def p95_delta(
    this: Mapping[str, Any],
    base: Mapping[str, Any],
    *,
    name: str | None = None,
    comparable: bool = True,
    margin_pct: float = MARGIN_PCT,
) -> P95Delta | None:
    """This scope's p95 against the base's (None when either has no p95). `margin_pct` is
    for the benchmark that chose MARGIN_PCT."""
    now, before = _num(this.get("p95_ms")), _num(base.get("p95_ms"))
    if now is None or before is None:
        return None
    delta = round(now - before, 1)
    pct = round(100 * delta / before, 1) if before > 0 else None
    (lo, hi), (base_lo, base_hi) = _ci(this), _ci(base)
    significant: bool | None = None
    # The intervals are apart when this run's low end is above the base's high end (a rise)
    # or its high end below the base's low end (a fall): a rise needs only those two ends, so
    # a run too slow to get the samples that bound the top of its interval is still judged.
    above, below = (lo, base_hi) if delta > 0 else (base_lo, hi)
    if comparable and delta == 0 and None not in (lo, hi, base_lo, base_hi):
        significant = False
    elif comparable and delta != 0 and above is not None and below is not None:
        significant = above > below and abs(delta) > margin_ms(before, margin_pct)
    return P95Delta(
        p95_ms=before,
        delta_ms=delta,
        delta_pct=pct,
        significant=significant,
        base_ci_ms=(base_lo, base_hi),
        name=name,
    )


def _load(
    this: Any, base: BaseReport, name: str, location: Location, notes: list[str]
) -> tuple[LoadComparison | None, list[Finding]]:
    if not isinstance(this, Mapping) or _num(this.get("p95_ms")) is None:
        return None, []
    if base.load is None or _num(base.load.get("p95_ms")) is None:
        notes.append("the base report has no load p95: p95 not compared")
        return None, []
    comparable = True
    if this.get("users") != base.load.get("users"):
        comparable = False
        notes.append(
            f"the base ran the load test with {base.load.get('users')} users, this "
            f"run with {this.get('users')}: p95 deltas shown, significance not judged"
        )
    overall = p95_delta(this, base.load, comparable=comparable)
    assert overall is not None
    if comparable and overall.significant is None:
        notes.append(
            "the base report has no p95 confidence interval (an older launchgate, "
            "or too few samples): significance not judged"
        )
    raw_routes = base.load.get("routes")
    base_routes = {
        r["name"]: r
        for r in (raw_routes if isinstance(raw_routes, list) else [])
        if isinstance(r, Mapping) and isinstance(r.get("name"), str)
    }
    routes: list[P95Delta] = []
    for route in this.get("routes") or []:
        old = base_routes.get(route.get("name"))
        delta = (
            p95_delta(route, old, name=str(route.get("name")), comparable=comparable)
            if old is not None
            else None
        )
        if delta is not None:
            routes.append(delta)
    load = LoadComparison(
        overall=overall, routes=tuple(routes), margin_pct=MARGIN_PCT, margin_ms=MARGIN_MS
    )
    return load, _regressions(this, load, name, location)


def _regressions(
    this: Mapping[str, Any], load: LoadComparison, name: str, location: Location
) -> list[Finding]:
    findings: list[Finding] = []
    scopes: list[tuple[P95Delta, Mapping[str, Any]]] = [(load.overall, this)]
    routes = {r.get("name"): r for r in this.get("routes") or [] if isinstance(r, Mapping)}
    if len(routes) > 1:  # with one route, the route is the run
        scopes += [(r, routes[r.name]) for r in load.routes if r.name in routes]
    for delta, scope in scopes:
        if not delta.significant or delta.delta_ms <= 0:
            continue
        now = _num(scope.get("p95_ms")) or 0.0
        lo, hi = _ci(scope)
        label = "p95" if delta.name is None else f"{delta.name}: p95"
        pct = "" if delta.delta_pct is None else f", +{delta.delta_pct:g} %"
        findings.append(
            make_finding(
                "load",
                "p95-regressed",
                Severity.IMPORTANT,
                f"{label} rose from {_ms(delta.p95_ms)} on {name} to {_ms(now)}{pct}",
                detail=(
                    f"95 % intervals: this run {_ms(lo)}–{_ms(hi)}, {name} "
                    f"{_ms(delta.base_ci_ms[0])}–{_ms(delta.base_ci_ms[1])}. They do not "
                    f"overlap and the rise ({_ms(delta.delta_ms)}) is above the "
                    f"{_ms(margin_ms(delta.p95_ms))} margin (the larger of {MARGIN_MS:g} ms "
                    f"and {MARGIN_PCT:g} % of {name}'s p95), so it is not noise."
                ),
                remedy=(
                    "Find what this change made slower (a new query, a missing index, work "
                    "moved into the request); compare the per-route table with the base."
                ),
                location=location,
                key=delta.name or "",
            )
        )
    return findings


def _ms(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.0f} ms" if abs(value) >= 10 else f"{value:.1f} ms"


def gating(findings: Iterable[Finding], gate_on: str) -> tuple[Finding, ...]:
    """The findings that decide the verdict: all of them, or with `gate_on: new` only the new
    ones (a finding whose newness is unknown counts, so nothing slips through)."""
    if gate_on != "new":
        return tuple(findings)
    return tuple(f for f in findings if f.new is not False)


def target_location(url: str | None) -> Location:
    """Where a p95-regressed finding points: the app under test."""
    if not url:
        return Location()
    return Location(url=url, host=urllib.parse.urlsplit(url).hostname)
