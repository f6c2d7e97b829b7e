"""The report model: severities, findings, check results, verdict and the v1 JSON form.

The JSON report (`launchgate.report/v1`) is the single source for every output: markdown, SARIF,
the PR comment, the job summary and the commit status are all rendered from it. Keep it stable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib import resources
from typing import Any

from launchgate import __version__

SCHEMA = "launchgate.report/v1"


class Severity(StrEnum):
    """The seed's three severities, most severe first."""

    BLOCKER = "blocker"
    IMPORTANT = "important"
    LATER = "later"

    @property
    def rank(self) -> int:
        """Higher is more severe: blocker 3, important 2, later 1."""
        return {"blocker": 3, "important": 2, "later": 1}[self.value]


SEVERITY_ORDER: tuple[Severity, ...] = (Severity.BLOCKER, Severity.IMPORTANT, Severity.LATER)


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"

    @property
    def exit_code(self) -> int:
        return {"pass": 0, "fail": 1, "error": 3}[self.value]


@dataclass(frozen=True)
class Location:
    url: str | None = None
    host: str | None = None
    path: str | None = None
    line: int | None = None
    commit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "host": self.host, "path": self.path, "line": self.line,
                "commit": self.commit}


@dataclass(frozen=True)
class Finding:
    """One problem found by a check. `detail` never contains a secret value."""

    id: str
    check: str
    severity: Severity
    title: str
    detail: str
    remedy: str
    location: Location
    fingerprint: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "check": self.check, "severity": self.severity.value,
                "title": self.title, "detail": self.detail, "remedy": self.remedy,
                "location": self.location.to_json(), "fingerprint": self.fingerprint}


def fingerprint(finding_id: str, location: Location, key: str = "") -> str:
    """A sha256 that is stable across runs: it hashes what the finding is and where, never
    when it was found. `key` distinguishes two findings of one id at one place (e.g. a secret's
    own hash), and must itself never be a secret value."""
    parts = [finding_id, location.url or "", location.host or "", location.path or "",
             "" if location.line is None else str(location.line), key]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def make_finding(check: str, slug: str, severity: Severity, title: str, *, detail: str = "",
                 remedy: str = "", location: Location | None = None,
                 key: str = "") -> Finding:
    """Build a finding with the id `<check>.<slug>` and its stable fingerprint."""
    finding_id = f"{check}.{slug}"
    loc = location or Location()
    return Finding(id=finding_id, check=check, severity=severity, title=title, detail=detail,
                   remedy=remedy, location=loc, fingerprint=fingerprint(finding_id, loc, key))


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: CheckStatus
    duration_s: float
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status.value,
                "duration_s": round(self.duration_s, 3), "summary": self.summary}


@dataclass(frozen=True)
class Target:
    url: str | None = None
    repo: str | None = None
    base: str | None = None
    head: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "repo": self.repo, "base": self.base, "head": self.head}


@dataclass(frozen=True)
class Report:
    verdict: Verdict
    fail_on: str
    target: Target
    checks: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]
    metrics: Mapping[str, Any] = field(default_factory=dict)
    tool_version: str = __version__

    @property
    def counts(self) -> dict[str, int]:
        return count_by_severity(self.findings)

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "tool": {"name": "launchgate", "version": self.tool_version},
            "verdict": self.verdict.value,
            "fail_on": self.fail_on,
            "target": self.target.to_json(),
            "counts": self.counts,
            "checks": [c.to_json() for c in self.checks],
            "findings": [f.to_json() for f in self.findings],
            "metrics": dict(self.metrics),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n"


def count_by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {s.value: 0 for s in SEVERITY_ORDER}
    for f in findings:
        counts[f.severity.value] += 1
    return counts


def at_or_above(severity: Severity, fail_on: str) -> bool:
    """True when `severity` reaches the `fail_on` threshold (never: nothing does)."""
    if fail_on == "never":
        return False
    return severity.rank >= Severity(fail_on).rank


def apply_overrides(findings: Iterable[Finding],
                    overrides: Mapping[str, Severity]) -> tuple[Finding, ...]:
    """Re-grade findings whose id has a configured severity override."""
    return tuple(replace(f, severity=overrides[f.id]) if f.id in overrides else f
                 for f in findings)


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (-f.severity.rank, f.check, f.id,
                                                 f.location.host or "", f.location.path or "",
                                                 f.location.line or 0)))


def decide_verdict(findings: Iterable[Finding], checks: Iterable[CheckResult], *, fail_on: str,
                   fail_closed: bool) -> Verdict:
    """DESIGN.md §2: fail beats error beats pass. A known blocker is a fail even when another
    check could not run."""
    if any(at_or_above(f.severity, fail_on) for f in findings):
        return Verdict.FAIL
    if fail_closed and any(c.status is CheckStatus.ERROR for c in checks):
        return Verdict.ERROR
    return Verdict.PASS


def check_status(findings: Iterable[Finding], fail_on: str) -> CheckStatus:
    """A check `failed` when one of its findings reaches the gate's threshold (blocker when the
    gate never fails), otherwise it `passed` even if it left lesser findings."""
    threshold = "blocker" if fail_on == "never" else fail_on
    if any(at_or_above(f.severity, threshold) for f in findings):
        return CheckStatus.FAILED
    return CheckStatus.PASSED


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `launchgate.report/v1`, shipped with the package."""
    text = resources.files("launchgate").joinpath("schema/report-v1.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def report_from_json(data: Mapping[str, Any]) -> Report:
    """Rebuild a Report from its v1 JSON (used by the Action and by tests). Anything that is
    not a well-formed v1 report raises ValueError with one line saying what is wrong."""
    if not isinstance(data, Mapping) or data.get("schema") != SCHEMA:
        raise ValueError(f"not a {SCHEMA} document")
    try:
        return _report_from_json(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        raise ValueError(f"malformed {SCHEMA} document: {detail}") from None


def _report_from_json(data: Mapping[str, Any]) -> Report:
    findings = tuple(
        Finding(id=f["id"], check=f["check"], severity=Severity(f["severity"]), title=f["title"],
                detail=f["detail"], remedy=f["remedy"], location=Location(**f["location"]),
                fingerprint=f["fingerprint"])
        for f in data["findings"])
    checks = tuple(CheckResult(name=c["name"], status=CheckStatus(c["status"]),
                               duration_s=c["duration_s"], summary=c["summary"])
                   for c in data["checks"])
    return Report(verdict=Verdict(data["verdict"]), fail_on=data["fail_on"],
                  target=Target(**data["target"]), checks=checks, findings=findings,
                  metrics=data.get("metrics", {}), tool_version=data["tool"]["version"])
