"""The runner contains check failures: an exception becomes a check `error` (never a crash),
CheckSkipped/CheckCannotRun map to their statuses, --only/--skip and `enabled` select, findings
are deduplicated, facts are shared, and every string is redacted."""

from __future__ import annotations

from typing import ClassVar

import pytest

from launchgate import checks as registry
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.config import load_config
from launchgate.names import CHECK_NAMES
from launchgate.report import CheckStatus, Location, Severity, Target, Verdict, make_finding
from launchgate.runner import run_gate, selected_checks
from tests.support.secrets_fixture import git

SECRET = "runner-secret-value-123"


class BoomCheck:
    name: ClassVar[str] = "tls"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        ctx.facts["tls.issuer"] = "Test CA"
        raise RuntimeError(f"boom with {SECRET}\nsecond line")


class SkipCheck:
    name: ClassVar[str] = "redirects"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        raise CheckSkipped("no hosts configured")


class CannotCheck:
    name: ClassVar[str] = "exposure"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        found = make_finding("exposure", "probe-failed", Severity.LATER, "seen before the timeout")
        raise CheckCannotRun("timed out", findings=(found,), metrics={"probed": 1})


class DuplicateCheck:
    name: ClassVar[str] = "headers"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        issuer = ctx.facts.get("tls.issuer", "none")
        one = make_finding(
            "headers",
            "csp-missing",
            Severity.IMPORTANT,
            f"CSP missing ({issuer}, {SECRET})",
            location=Location(host="a.example.com"),
        )
        return CheckOutcome((one, one), summary=f"checked with {SECRET}", metrics={"token": SECRET})


@pytest.fixture
def fakes(monkeypatch):
    monkeypatch.setitem(registry._IMPLEMENTATIONS, "tls", "tests.test_runner:BoomCheck")
    monkeypatch.setitem(registry._IMPLEMENTATIONS, "redirects", "tests.test_runner:SkipCheck")
    monkeypatch.setitem(registry._IMPLEMENTATIONS, "exposure", "tests.test_runner:CannotCheck")
    monkeypatch.setitem(registry._IMPLEMENTATIONS, "headers", "tests.test_runner:DuplicateCheck")


def gate(only=(), skip=(), **overrides):
    config = load_config(None, env={}, overrides={"headers.x-token": SECRET, **overrides})
    report = run_gate(config, Target(url=None), only=only, skip=skip)
    return report, {c.name: c for c in report.checks}


def test_check_failures_are_contained(fakes):
    report, checks = gate(only=("tls", "redirects", "exposure", "headers"))
    assert checks["tls"].status is CheckStatus.ERROR
    assert checks["tls"].summary.startswith("internal error: RuntimeError: boom with")
    assert "\n" not in checks["tls"].summary
    assert checks["redirects"].status is CheckStatus.SKIPPED
    assert checks["redirects"].summary == "no hosts configured"
    assert checks["exposure"].status is CheckStatus.ERROR
    assert checks["exposure"].summary == "could not run: timed out"
    assert report.metrics["exposure"] == {"probed": 1}
    assert report.verdict is Verdict.ERROR


def test_findings_deduplicated_facts_shared_and_redacted(fakes):
    report, _ = gate(only=("tls", "headers", "exposure"))
    assert [f.id for f in report.findings] == ["headers.csp-missing", "exposure.probe-failed"]
    assert "Test CA" in report.findings[0].title
    text = report.dumps()
    assert SECRET not in text and "[redacted]" in text


def test_fail_closed_false_and_overrides(fakes):
    report, _ = gate(
        only=("tls", "headers"),
        fail_closed=False,
        severity_overrides={"headers.csp-missing": "blocker"},
    )
    assert report.verdict is Verdict.FAIL
    report, _ = gate(only=("tls",), fail_closed=False)
    assert report.verdict is Verdict.PASS


def test_only_skip_and_disabled(fakes):
    _, checks = gate(skip=("tls", "exposure"), **{"checks.headers.enabled": False})
    assert checks["tls"].summary == "skipped on request (--skip)"
    assert checks["headers"].summary == "disabled in config"
    assert checks["redirects"].status is CheckStatus.SKIPPED
    assert {c.status for c in checks.values()} == {CheckStatus.SKIPPED}


def test_selected_checks_reasons():
    reasons = selected_checks(only=("smoke", "dns"), skip=("dns",))
    assert reasons["smoke"] is None
    assert reasons["dns"] == "skipped on request (--skip)"
    assert reasons["load"] == "not selected (--only)"
    assert list(reasons) == list(CHECK_NAMES)


def test_report_names_base_and_head_by_sha(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "one")
    git(tmp_path, "branch", "feature")
    sha = git(tmp_path, "rev-parse", "HEAD").strip()
    config = load_config(None, env={})
    report = run_gate(
        config, Target(repo=str(tmp_path), base="main", head="feature"), only=("smoke",)
    )
    assert (report.target.base, report.target.head) == (sha, sha)
    report = run_gate(config, Target(repo=str(tmp_path), base="no-such-rev"), only=("smoke",))
    assert (report.target.base, report.target.head) == ("no-such-rev", sha)


class UnregisteredCheck:
    name: ClassVar[str] = "smoke"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        return CheckOutcome((make_finding("smoke", "no-such-thing", Severity.BLOCKER, "x"),))


def test_an_unregistered_finding_id_is_a_check_error(monkeypatch):
    monkeypatch.setitem(registry._IMPLEMENTATIONS, "smoke", "tests.test_runner:UnregisteredCheck")
    report, checks = gate(only=("smoke",))
    assert checks["smoke"].status is CheckStatus.ERROR
    assert "unregistered finding id smoke.no-such-thing" in checks["smoke"].summary
    assert report.findings == ()
