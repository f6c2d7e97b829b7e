"""Runs the selected checks in order, times them, contains their failures, and builds the
report: overrides, per-check status, verdict, deduplicated findings, redaction."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from launchgate import checks as registry
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckSkipped
from launchgate.comparison import BaseReport, compare, gating, target_location
from launchgate.config import Config
from launchgate.findings import FINDING_IDS
from launchgate.git import resolve_commit
from launchgate.names import CHECK_NAMES
from launchgate.progress import Progress
from launchgate.redact import Redactor
from launchgate.report import (
    BaseRef,
    CheckResult,
    CheckStatus,
    Comparison,
    Finding,
    Report,
    Target,
    WatchSummary,
    apply_overrides,
    check_status,
    decide_verdict,
    relative_to_target,
    sort_findings,
)
from launchgate.watch.changes import watch_changes


def selected_checks(only: Iterable[str] = (), skip: Iterable[str] = ()) -> dict[str, str | None]:
    """Each check name mapped to None when it runs, or to the reason it does not."""
    only, skip = set(only), set(skip)
    reasons: dict[str, str | None] = {}
    for name in CHECK_NAMES:
        if only and name not in only:
            reasons[name] = "not selected (--only)"
        elif name in skip:
            reasons[name] = "skipped on request (--skip)"
        else:
            reasons[name] = None
    return reasons


# Why a production watch leaves out what would change production (docs/watch.md).
WATCH_NO_LOAD = "a production watch sends no load test unless the config opts in (watch.load: true)"
WATCH_NO_WRITES = (
    "a production watch runs no flow that writes unless the config opts in (watch.writes: true)"
)
WATCH_GATES_ON_ALL = (
    "gate_on: new does not apply to a production watch: every blocker keeps its alert open"
)


def run_gate(
    config: Config,
    target: Target,
    *,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    progress: Progress | None = None,
    base: BaseReport | None = None,
    base_name: str = "base",
    watch: bool = False,
    notes: Iterable[str] = (),
) -> Report:
    """Run the selected checks; with `base` (an earlier report), mark what is new and fixed
    and compare p95 (launchgate.comparison), gating on `config.gate_on`.

    `watch`: a production watch run. It is read-only unless `config.watch` opts in (no load
    test, no smoke flow that writes), and with `base` (the previous watch's report) it also
    says what changed since then (launchgate.watch.changes)."""
    from launchgate.http.transport import http_context_from_config

    # One Redactor for the progress lines and the report: secrets a login yields at run time
    # are added to it (`Redactor.add`) and then hidden from both.
    redactor = progress.redactor if progress is not None else Redactor()
    redactor.add(config.secret_values)
    progress = progress or Progress(quiet=True, redactor=redactor)
    target = resolve_revisions(target)
    read_only = WATCH_NO_WRITES if watch and not config.watch.writes else None
    ctx = CheckContext(
        config=config,
        target=target,
        http=http_context_from_config(config),
        progress=progress,
        redactor=redactor,
        read_only=read_only,
    )
    reasons = selected_checks(only, skip)
    if watch and not config.watch.load and reasons["load"] is None:
        reasons["load"] = WATCH_NO_LOAD
    results: list[CheckResult] = []
    findings: list[Finding] = []
    metrics: dict[str, Any] = {}
    for name, reason in reasons.items():
        result, found, check_metrics = _run_one(name, reason, ctx)
        results.append(result)
        findings.extend(found)
        if check_metrics:
            metrics[name] = check_metrics
        if result.status is not CheckStatus.SKIPPED:
            progress.info(
                f"  {name:<10} {result.status.value:<8} {result.duration_s:6.1f}s  {result.summary}"
            )
    watch_summary: WatchSummary | None = None
    if watch:
        changes = watch_changes(
            None if base is None else dict(base.metrics or {}),
            metrics,
            None
            if base is None
            else BaseRef(name=base_name, head=base.head, verdict=base.verdict, url=base.url),
        )
        findings.extend(apply_overrides(changes.findings, config.severity_overrides))
        watch_summary = changes.summary
        results = [
            _restated(r, findings, config.fail_on) if r.name == "dns" else r for r in results
        ]
    unique = {f.fingerprint: f for f in relative_to_target(findings, config.url)}
    found = tuple(unique.values())
    comparison: Comparison | None = None
    if base is not None:
        compared = compare(
            found,
            results,
            metrics,
            base,
            name=base_name,
            # A watch's base is the previous watch: with `new`, a blocker that stays would be
            # "inherited", pass, and close the alert while production is still broken.
            gate_on="all" if watch else config.gate_on,
            location=target_location(target.url),
        )
        found = apply_overrides(compared.findings, config.severity_overrides)
        comparison = compared.comparison
        if watch and config.gate_on == "new":
            comparison = dataclasses.replace(
                comparison, notes=(*comparison.notes, WATCH_GATES_ON_ALL)
            )
        decisive = gating(found, comparison.gate_on)
        results = [_restated(r, decisive, config.fail_on) for r in results]
    else:
        decisive = found
    ordered = sort_findings(found)
    verdict = decide_verdict(
        decisive, results, fail_on=config.fail_on, fail_closed=config.fail_closed
    )
    report = Report(
        verdict=verdict,
        fail_on=config.fail_on,
        target=target,
        checks=tuple(results),
        findings=ordered,
        metrics=metrics,
        comparison=comparison,
        watch=watch_summary,
        notes=tuple(notes),
    )
    return report.redacted(redactor)


def _restated(result: CheckResult, decisive: Iterable[Finding], fail_on: str) -> CheckResult:
    """A check's status once the comparison decided which findings gate (`gate_on: new`) and
    added any p95 regression."""
    if result.status not in (CheckStatus.PASSED, CheckStatus.FAILED):
        return result
    status = check_status((f for f in decisive if f.check == result.name), fail_on)
    return dataclasses.replace(result, status=status)


def resolve_revisions(target: Target) -> Target:
    """The report names commits by SHA (docs/report.md): `--base origin/main` becomes the SHA it
    points at, and a missing head is HEAD's. A revision git cannot resolve is kept as given; the
    secrets check reports it."""
    if not target.repo or not Path(target.repo, ".git").exists():
        return target
    head = target.head or "HEAD"
    return dataclasses.replace(
        target,
        base=resolve_commit(target.repo, target.base) or target.base,
        head=resolve_commit(target.repo, head) or target.head,
    )


def _run_one(
    name: str, reason: str | None, ctx: CheckContext
) -> tuple[CheckResult, tuple[Finding, ...], Any]:
    section = getattr(ctx.config.checks, name)
    if reason is None and not section.enabled:
        reason = "disabled in config"
    if reason is None and not registry.is_available(name):
        reason = "not available in this version of launchgate"
    if reason is not None:
        return CheckResult(name, CheckStatus.SKIPPED, 0.0, reason), (), None
    started = time.monotonic()
    overrides = ctx.config.severity_overrides
    try:
        outcome = registry.load_check(name).run(ctx)
    except CheckSkipped as skipped:
        return (
            CheckResult(name, CheckStatus.SKIPPED, time.monotonic() - started, str(skipped)),
            (),
            None,
        )
    except CheckCannotRun as cannot:
        found = apply_overrides(cannot.findings, overrides)
        return (
            CheckResult(
                name, CheckStatus.ERROR, time.monotonic() - started, f"could not run: {cannot}"
            ),
            found,
            dict(cannot.metrics) if cannot.metrics else None,
        )
    except Exception as exc:  # a bug in one check must not take the gate down
        message = str(exc).splitlines()[0][:300] if str(exc) else ""
        return (
            CheckResult(
                name,
                CheckStatus.ERROR,
                time.monotonic() - started,
                f"internal error: {type(exc).__name__}: {message}",
            ),
            (),
            None,
        )
    unregistered = sorted({f.id for f in outcome.findings} - FINDING_IDS)
    if unregistered:  # a check bug: the id would escape severity_overrides and the docs
        return (
            CheckResult(
                name,
                CheckStatus.ERROR,
                time.monotonic() - started,
                f"internal error: unregistered finding id {unregistered[0]}",
            ),
            (),
            None,
        )
    found = apply_overrides(outcome.findings, overrides)
    status = check_status(found, ctx.config.fail_on)
    summary = outcome.summary or ("no problems found" if not found else f"{len(found)} finding(s)")
    return (
        CheckResult(name, status, time.monotonic() - started, summary),
        found,
        dict(outcome.metrics) if outcome.metrics else None,
    )
