"""The report model: severities, findings, check results, verdict and the v1 JSON form.

The JSON report (`launchgate.report/v1`) is the single source for every output: markdown, SARIF,
the PR comment, the job summary and the commit status are all rendered from it. Keep it stable.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from importlib import resources
from typing import Any, TypeVar

from launchgate import __version__
from launchgate.address import connect_target, normalize_host
from launchgate.redact import Redactor

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
        return {
            "url": self.url,
            "host": self.host,
            "path": self.path,
            "line": self.line,
            "commit": self.commit,
        }


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
    # With a comparison (--compare): True when the base report does not have this fingerprint.
    new: bool | None = None
    # What the fingerprint hashes besides id and location (kept to re-key it to the target).
    key: str = field(default="", compare=False, repr=False)
    # Findings that share a group are places of one thing (one secret value at several
    # places): the markdown lists them under one entry; every other output keeps each.
    group: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "check": self.check,
            "severity": self.severity.value,
            "title": self.title,
            "detail": self.detail,
            "remedy": self.remedy,
            "location": self.location.to_json(),
            "fingerprint": self.fingerprint,
        }
        if self.new is not None:
            data["new"] = self.new
        if self.group is not None:
            data["group"] = self.group
        return data


TARGET = "<target>"
# A build hash in a URL path: 8 or more hex digits mixing digits and letters (webpack's
# `main.3f9a1c2e.js`), or 8 or more letters and digits mixing upper case, lower case and digits
# (Vite's `index-D3x9aB1c.js`, Next's build id). It changes with every build; the finding does
# not. Words with a number (`settings2024`, `q12024`) are neither, and stay.
_BUILD_HASH = re.compile(
    r"(?<![A-Za-z0-9])(?:(?=[a-f]*[0-9])(?=[0-9]*[a-f])[0-9a-f]{8,}"
    r"|(?=[A-Za-z]*[0-9])(?=[a-z0-9]*[A-Z])(?=[A-Z0-9]*[a-z])[A-Za-z0-9]{8,})(?![A-Za-z0-9])"
)


def stable_path(path: str | None) -> str:
    """A URL path (and query) with build hashes replaced by `*`."""
    return _BUILD_HASH.sub("*", path or "")


def _origin(url: str | None) -> tuple[str, int] | None:
    try:
        host, port = connect_target(url or "")
    except ValueError:
        return None
    return (host, port) if host else None


def stable_url(url: str | None, target: str | None = None) -> str:
    """A URL as the fingerprint sees it: the app under test's host and port (however a preview
    deployment is named) become `<target>`, build hashes in the path become `*`."""
    if not url:
        return ""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    here = _origin(url)
    if target and here is not None and here == _origin(target):
        netloc = TARGET
    tail = stable_path(parts.path + (f"?{parts.query}" if parts.query else ""))
    return f"{parts.scheme}://{netloc}{tail}"


def fingerprint(
    finding_id: str, location: Location, key: str = "", target: str | None = None
) -> str:
    """A sha256 that is stable across runs: it hashes what the finding is and where, never
    when it was found or what was measured. Line numbers are left out (an unrelated edit above
    shifts them) and so are build hashes in URLs; with `target` (the configured url), the app
    under test's origin is `<target>`, so a per-PR preview URL matches the base's run. `key`
    distinguishes two findings of one id at one place (e.g. a cookie's name, a secret's own
    hash); it must never be a secret value, a line number or a measurement."""
    host = location.host or ""
    target_origin = _origin(target)
    if (
        target_origin is not None
        and normalize_host(host) == target_origin[0]
        and (not location.url or _origin(location.url) == target_origin)
    ):
        host = TARGET
    # The empty fifth part stands where the line number was: fingerprints of findings that
    # never had a line are unchanged.
    parts = [
        finding_id,
        stable_url(location.url, target),
        host,
        stable_path(location.path),
        "",
        key,
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def make_finding(
    check: str,
    slug: str,
    severity: Severity,
    title: str,
    *,
    detail: str = "",
    remedy: str = "",
    location: Location | None = None,
    key: str = "",
    group: str | None = None,
) -> Finding:
    """Build a finding with the id `<check>.<slug>` and its stable fingerprint."""
    finding_id = f"{check}.{slug}"
    loc = location or Location()
    return Finding(
        id=finding_id,
        check=check,
        severity=severity,
        title=title,
        detail=detail,
        remedy=remedy,
        location=loc,
        fingerprint=fingerprint(finding_id, loc, key),
        key=key,
        group=group,
    )


def relative_to_target(findings: Iterable[Finding], target: str | None) -> tuple[Finding, ...]:
    """Findings re-fingerprinted with the app under test's origin as `<target>`."""
    if not target:
        return tuple(findings)
    return tuple(
        replace(f, fingerprint=fingerprint(f.id, f.location, f.key, target)) for f in findings
    )


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: CheckStatus
    duration_s: float
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "duration_s": round(self.duration_s, 3),
            "summary": self.summary,
        }


@dataclass(frozen=True)
class Target:
    url: str | None = None
    repo: str | None = None
    base: str | None = None
    head: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "repo": self.repo, "base": self.base, "head": self.head}


@dataclass(frozen=True)
class BaseRef:
    """The report a run was compared with; `name` is how outputs call it ("main", "base")."""

    name: str
    head: str | None = None
    verdict: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "head": self.head, "verdict": self.verdict, "url": self.url}


@dataclass(frozen=True)
class FixedFinding:
    """A finding of the base report that this run no longer has."""

    id: str
    title: str
    fingerprint: str
    severity: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "fingerprint": self.fingerprint,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class P95Delta:
    """One p95 against the base's. `significant` is None when it cannot be judged (the base has
    no confidence interval, or the runs are not comparable); otherwise True only when the two
    95 % intervals do not overlap and the change exceeds the practical margin."""

    p95_ms: float  # the base's p95
    delta_ms: float
    delta_pct: float | None
    significant: bool | None
    base_ci_ms: tuple[float | None, float | None] = (None, None)
    name: str | None = None  # a route's name; None for the whole run

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {} if self.name is None else {"name": self.name}
        data.update(
            p95_ms=self.p95_ms,
            delta_ms=self.delta_ms,
            delta_pct=self.delta_pct,
            significant=self.significant,
            base_p95_ci_ms=list(self.base_ci_ms),
        )
        return data


@dataclass(frozen=True)
class LoadComparison:
    overall: P95Delta
    routes: tuple[P95Delta, ...]
    margin_pct: float
    margin_ms: float

    def to_json(self) -> dict[str, Any]:
        return {
            **self.overall.to_json(),
            "margin_pct": self.margin_pct,
            "margin_ms": self.margin_ms,
            "routes": [r.to_json() for r in self.routes],
        }


@dataclass(frozen=True)
class Comparison:
    """What `--compare` found: the base, what is new, inherited and fixed, and how p95 moved.
    `gate_on` says which findings decided the verdict (`new`: only the ones this run added)."""

    base: BaseRef
    fixed: tuple[FixedFinding, ...]
    load: LoadComparison | None
    gate_on: str = "all"
    notes: tuple[str, ...] = ()

    def to_json(self, findings: Iterable[Finding]) -> dict[str, Any]:
        findings = tuple(findings)
        return {
            "base": self.base.to_json(),
            "new": sum(1 for f in findings if f.new),
            "new_counts": count_by_severity(f for f in findings if f.new),
            "inherited_counts": count_by_severity(f for f in findings if f.new is False),
            "fixed": [f.to_json() for f in self.fixed],
            "fixed_counts": {
                s.value: sum(1 for f in self.fixed if f.severity == s.value) for s in SEVERITY_ORDER
            },
            "load": None if self.load is None else self.load.to_json(),
            "gate_on": self.gate_on,
            "notes": list(self.notes),
        }

    def redacted(self, redactor: Redactor) -> Comparison:
        return replace(
            self,
            base=_redact_strings(redactor, self.base),
            fixed=tuple(_redact_strings(redactor, f) for f in self.fixed),
            notes=tuple(redactor.text(n) for n in self.notes),
        )


@dataclass(frozen=True)
class CertificateTrend:
    """One host's certificate against the last watch's (launchgate.watch.changes). `trend`:
    `new` (not seen last time), `renewed` (a later expiry), `replaced` (another certificate,
    not later), `counting down` (the same certificate), `not checked` (not seen this time)."""

    host: str
    issuer: str | None
    not_after: str | None
    days_left: int | None
    previous_days_left: int | None
    change_days: int | None
    trend: str

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "issuer": self.issuer,
            "not_after": self.not_after,
            "days_left": self.days_left,
            "previous_days_left": self.previous_days_left,
            "change_days": self.change_days,
            "trend": self.trend,
        }


@dataclass(frozen=True)
class RecordChange:
    """A DNS answer that differs from the last watch's; each is also a finding (`finding_id`)."""

    name: str  # the name looked up: a host, or the domain for NS/MX/SPF/...
    record: str  # A/AAAA, CNAME, NS, MX, SPF, DMARC, CAA
    before: tuple[str, ...]
    after: tuple[str, ...]
    finding_id: str
    severity: Severity

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "record": self.record,
            "before": list(self.before),
            "after": list(self.after),
            "finding_id": self.finding_id,
            "severity": self.severity.value,
        }


@dataclass(frozen=True)
class WatchSummary:
    """What changed since the last production watch (docs/watch.md): certificates' days left
    and their trend, DNS answers that changed; new findings are marked on the findings (the
    last watch's report is the comparison's base). `previous` is None on the first watch."""

    previous: BaseRef | None
    certificates: tuple[CertificateTrend, ...] = ()
    dns_changes: tuple[RecordChange, ...] = ()
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "previous": None if self.previous is None else self.previous.to_json(),
            "certificates": [c.to_json() for c in self.certificates],
            "dns_changes": [c.to_json() for c in self.dns_changes],
            "notes": list(self.notes),
        }


def watch_from_json(data: Mapping[str, Any]) -> WatchSummary:
    previous = data.get("previous")
    return WatchSummary(
        previous=None if previous is None else BaseRef(**previous),
        certificates=tuple(CertificateTrend(**c) for c in data["certificates"]),
        dns_changes=tuple(
            RecordChange(
                name=c["name"],
                record=c["record"],
                before=tuple(c["before"]),
                after=tuple(c["after"]),
                finding_id=c["finding_id"],
                severity=Severity(c["severity"]),
            )
            for c in data["dns_changes"]
        ),
        notes=tuple(data["notes"]),
    )


@dataclass(frozen=True)
class Report:
    verdict: Verdict
    fail_on: str
    target: Target
    checks: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]
    metrics: Mapping[str, Any] = field(default_factory=dict)
    tool_version: str = __version__
    comparison: Comparison | None = None
    watch: WatchSummary | None = None  # a production watch run (launchgate.watch)
    # Things a reader must know about this run that belong to no check (e.g. why it was not
    # compared with the base branch).
    notes: tuple[str, ...] = ()

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
            "checks": [
                {
                    **c.to_json(),
                    "counts": count_by_severity(f for f in self.findings if f.check == c.name),
                }
                for c in self.checks
            ],
            "findings": [f.to_json() for f in self.findings],
            "metrics": dict(self.metrics),
            **(
                {}
                if self.comparison is None
                else {"comparison": self.comparison.to_json(self.findings)}
            ),
            **({} if self.watch is None else {"watch": self.watch.to_json()}),
            **({"notes": list(self.notes)} if self.notes else {}),
        }

    def redacted(self, redactor: Redactor) -> Report:
        """The report with every secret the redactor knows replaced, in every string."""
        return replace(
            self,
            target=_redact_strings(redactor, self.target),
            checks=tuple(_redact_strings(redactor, c) for c in self.checks),
            findings=tuple(
                replace(
                    f,
                    title=redactor.text(f.title),
                    detail=redactor.text(f.detail),
                    remedy=redactor.text(f.remedy),
                    location=_redact_strings(redactor, f.location),
                )
                for f in self.findings
            ),
            metrics=redactor.value(dict(self.metrics)),
            comparison=None if self.comparison is None else self.comparison.redacted(redactor),
            watch=None
            if self.watch is None
            else watch_from_json(redactor.value(self.watch.to_json())),
            notes=tuple(redactor.text(n) for n in self.notes),
        )

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False) + "\n"


_T = TypeVar("_T", Target, CheckResult, Location, BaseRef, FixedFinding)


def _redact_strings(redactor: Redactor, obj: _T) -> _T:
    changes: dict[str, Any] = {
        f.name: redactor.text(getattr(obj, f.name))
        for f in fields(obj)
        if type(getattr(obj, f.name)) is str
    }
    return replace(obj, **changes)


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


def apply_overrides(
    findings: Iterable[Finding], overrides: Mapping[str, Severity]
) -> tuple[Finding, ...]:
    """Re-grade findings whose id has a configured severity override."""
    return tuple(replace(f, severity=overrides[f.id]) if f.id in overrides else f for f in findings)


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Most severe first, then by check, id and place; the places of one group stay
    together, at the place of its first member."""
    items = tuple(findings)

    def place(f: Finding) -> tuple[str, str, int]:
        return f.location.host or "", f.location.path or "", f.location.line or 0

    first: dict[tuple[str, str], tuple[str, str, int]] = {}
    for f in items:
        if f.group is not None:
            key = (f.id, f.group)
            first[key] = min(first.get(key, place(f)), place(f))
    return tuple(
        sorted(
            items,
            key=lambda f: (
                -f.severity.rank,
                f.check,
                f.id,
                first[(f.id, f.group)] if f.group is not None else place(f),
                f.group or "",
                place(f),
            ),
        )
    )


def decide_verdict(
    findings: Iterable[Finding], checks: Iterable[CheckResult], *, fail_on: str, fail_closed: bool
) -> Verdict:
    """Fail beats error beats pass. A known blocker is a fail even when another
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
        Finding(
            id=f["id"],
            check=f["check"],
            severity=Severity(f["severity"]),
            title=f["title"],
            detail=f["detail"],
            remedy=f["remedy"],
            location=Location(**f["location"]),
            fingerprint=f["fingerprint"],
            new=f.get("new"),
            group=f.get("group"),
        )
        for f in data["findings"]
    )
    checks = tuple(
        CheckResult(
            name=c["name"],
            status=CheckStatus(c["status"]),
            duration_s=c["duration_s"],
            summary=c["summary"],
        )
        for c in data["checks"]
    )
    comparison = data.get("comparison")
    watch = data.get("watch")
    return Report(
        verdict=Verdict(data["verdict"]),
        fail_on=data["fail_on"],
        target=Target(**data["target"]),
        checks=checks,
        findings=findings,
        metrics=data.get("metrics", {}),
        tool_version=data["tool"]["version"],
        comparison=None if comparison is None else _comparison_from_json(comparison),
        watch=None if watch is None else watch_from_json(watch),
        notes=tuple(data.get("notes") or ()),
    )


def _ci_from_json(raw: Any) -> tuple[float | None, float | None]:
    low, high = raw
    return low, high


def _delta_from_json(d: Mapping[str, Any]) -> P95Delta:
    return P95Delta(
        p95_ms=d["p95_ms"],
        delta_ms=d["delta_ms"],
        delta_pct=d["delta_pct"],
        significant=d["significant"],
        base_ci_ms=_ci_from_json(d["base_p95_ci_ms"]),
        name=d.get("name"),
    )


def _comparison_from_json(data: Mapping[str, Any]) -> Comparison:
    load = data["load"]
    return Comparison(
        base=BaseRef(**data["base"]),
        fixed=tuple(FixedFinding(**f) for f in data["fixed"]),
        load=None
        if load is None
        else LoadComparison(
            overall=_delta_from_json(load),
            routes=tuple(map(_delta_from_json, load["routes"])),
            margin_pct=load["margin_pct"],
            margin_ms=load["margin_ms"],
        ),
        gate_on=data["gate_on"],
        notes=tuple(data["notes"]),
    )
