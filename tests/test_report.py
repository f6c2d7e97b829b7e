"""The report model: verdict and per-check status rules (docs/report.md), fingerprints, overrides,
the shipped JSON Schema of `launchgate.report/v1` (real reports validate, wrong ones do not) and
the JSON round trip."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from launchgate.report import (
    SCHEMA,
    CheckResult,
    CheckStatus,
    Location,
    Report,
    Severity,
    Target,
    Verdict,
    apply_overrides,
    check_status,
    decide_verdict,
    make_finding,
    report_from_json,
    report_schema,
    sort_findings,
)

B, IMP, L = Severity.BLOCKER, Severity.IMPORTANT, Severity.LATER


def finding(severity: Severity, slug: str = "x", check: str = "smoke"):
    return make_finding(check, slug, severity, f"{slug} title", location=Location(path="/a"))


def result(status: CheckStatus, name: str = "tls") -> CheckResult:
    return CheckResult(name, status, 0.1, "summary")


@pytest.fixture(scope="module")
def validator():
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


# --- verdict --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severities", "statuses", "fail_on", "fail_closed", "verdict"),
    [
        ((), (), "blocker", True, Verdict.PASS),
        ((IMP, L), (), "blocker", True, Verdict.PASS),
        ((B,), (), "blocker", True, Verdict.FAIL),
        ((IMP,), (), "important", True, Verdict.FAIL),
        ((L,), (), "important", True, Verdict.PASS),
        ((L,), (), "later", True, Verdict.FAIL),
        ((B,), (), "never", True, Verdict.PASS),
        ((), (CheckStatus.ERROR,), "blocker", True, Verdict.ERROR),
        ((), (CheckStatus.ERROR,), "blocker", False, Verdict.PASS),
        ((), (CheckStatus.ERROR,), "never", True, Verdict.ERROR),
        # A known blocker is a fail even when another check could not run.
        ((B,), (CheckStatus.ERROR,), "blocker", True, Verdict.FAIL),
        ((IMP,), (CheckStatus.SKIPPED, CheckStatus.PASSED), "blocker", True, Verdict.PASS),
    ],
)
def test_verdict(severities, statuses, fail_on, fail_closed, verdict):
    findings = [finding(s, slug=f"f{i}") for i, s in enumerate(severities)]
    checks = [result(s) for s in statuses]
    assert decide_verdict(findings, checks, fail_on=fail_on, fail_closed=fail_closed) is verdict


def test_exit_codes():
    assert [v.exit_code for v in (Verdict.PASS, Verdict.FAIL, Verdict.ERROR)] == [0, 1, 3]


@pytest.mark.parametrize(
    ("severities", "fail_on", "status"),
    [
        ((), "blocker", CheckStatus.PASSED),
        ((IMP, L), "blocker", CheckStatus.PASSED),
        ((IMP,), "important", CheckStatus.FAILED),
        ((B,), "never", CheckStatus.FAILED),
        ((IMP,), "never", CheckStatus.PASSED),
    ],
)
def test_check_status(severities, fail_on, status):
    assert check_status([finding(s) for s in severities], fail_on) is status


def test_overrides_regrade_by_id_only():
    found = [finding(B, "csp-missing", "headers"), finding(B, "hsts-missing", "headers")]
    regraded = apply_overrides(found, {"headers.csp-missing": L})
    assert [f.severity for f in regraded] == [L, B]
    assert regraded[0].fingerprint == found[0].fingerprint


def test_fingerprint_is_stable_and_means_what_and_where():
    loc = Location(url="https://a.example.com/x", host="a.example.com", path="/x")
    one = make_finding("tls", "expired", B, "Title", detail="at 10:00", location=loc)
    two = make_finding("tls", "expired", B, "Other title", detail="at 11:00", location=loc)
    assert one.fingerprint == two.fingerprint
    assert len(one.fingerprint) == 64 and int(one.fingerprint, 16) >= 0
    moved = make_finding("tls", "expired", B, "Title", location=Location(host="b.example.com"))
    keyed = make_finding("tls", "expired", B, "Title", location=loc, key="other")
    assert len({one.fingerprint, moved.fingerprint, keyed.fingerprint}) == 3
    # Pinned: the v1 fingerprint must not change between releases.
    assert (
        make_finding("smoke", "x", B, "t").fingerprint
        == "b9e97a295776c18813ed1e81d12fcbe1c2e85afbdfcd1c0e5f4880b0d9ffb2d1"
    )


def test_findings_sort_most_severe_first():
    ordered = sort_findings([finding(L, "a"), finding(B, "b"), finding(IMP, "c")])
    assert [f.severity for f in ordered] == [B, IMP, L]


def test_counts_in_json():
    report = Report(
        Verdict.FAIL, "blocker", Target(), (), (finding(B, "a"), finding(B, "b"), finding(L, "c"))
    )
    assert report.to_json()["counts"] == {"blocker": 2, "important": 0, "later": 1}


# --- schema and round trip on real reports ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "verdict"), [("pass", 0, "pass"), ("fail", 1, "fail"), ("error", 3, "error")]
)
def test_real_reports_validate(real_reports, validator, name, code, verdict):
    made = real_reports[name]
    assert made.code == code, made.stderr
    data = json.loads(made.json.read_text())
    validator.validate(data)
    assert data["schema"] == SCHEMA and data["verdict"] == verdict
    assert [c["name"] for c in data["checks"]] == [
        "secrets",
        "tls",
        "redirects",
        "headers",
        "exposure",
        "smoke",
        "access",
        "dns",
        "load",
    ]


def test_real_report_has_each_severity(real_reports):
    data = json.loads(real_reports["fail"].json.read_text())
    assert data["counts"] == {"blocker": 1, "important": 1, "later": 1}
    assert [(f["id"], f["severity"]) for f in data["findings"]] == [
        ("smoke.unexpected-status", "blocker"),
        ("smoke.text-missing", "important"),
        ("smoke.unreachable", "later"),
    ]


@pytest.mark.parametrize("name", ["pass", "fail", "error"])
def test_round_trip(real_reports, name):
    data = json.loads(real_reports[name].json.read_text())
    rebuilt = report_from_json(data)
    assert rebuilt.to_json() == data
    assert json.loads(rebuilt.dumps()) == data


def test_report_from_json_refuses_other_documents(real_reports):
    with pytest.raises(ValueError, match=r"not a launchgate\.report/v1 document"):
        report_from_json({"schema": "something/v2"})
    with pytest.raises(ValueError, match=r"not a launchgate\.report/v1 document"):
        report_from_json([])  # type: ignore[arg-type]
    data = json.loads(real_reports["fail"].json.read_text())
    del data["findings"][0]["title"]
    with pytest.raises(ValueError, match=r"malformed launchgate\.report/v1 document: missing"):
        report_from_json(data)
    data = json.loads(real_reports["fail"].json.read_text())
    data["findings"][0]["severity"] = "critical"
    with pytest.raises(ValueError, match="malformed"):
        report_from_json(data)


def _mutations():
    def extra_top(d):
        d["extra"] = 1

    def bad_verdict(d):
        d["verdict"] = "maybe"

    def bad_fail_on(d):
        d["fail_on"] = "critical"

    def bad_severity(d):
        d["findings"][0]["severity"] = "critical"

    def bad_status(d):
        d["checks"][0]["status"] = "ok"

    def no_fingerprint(d):
        del d["findings"][0]["fingerprint"]

    def short_fingerprint(d):
        d["findings"][0]["fingerprint"] = "abc"

    def bad_id(d):
        d["findings"][0]["id"] = "Smoke.Bad_Id"

    def extra_finding_key(d):
        d["findings"][0]["secret"] = "x"

    def extra_location_key(d):
        d["findings"][0]["location"]["column"] = 3

    def negative_count(d):
        d["counts"]["later"] = -1

    def missing_count(d):
        del d["counts"]["important"]

    def bad_schema(d):
        d["schema"] = "launchgate.report/v2"

    def load_p95_text(d):
        d["metrics"]["load"] = {"p95_ms": "fast"}

    def metrics_not_object(d):
        d["metrics"]["smoke"] = [1]

    return [
        extra_top,
        bad_verdict,
        bad_fail_on,
        bad_severity,
        bad_status,
        no_fingerprint,
        short_fingerprint,
        bad_id,
        extra_finding_key,
        extra_location_key,
        negative_count,
        missing_count,
        bad_schema,
        load_p95_text,
        metrics_not_object,
    ]


@pytest.mark.parametrize("mutate", _mutations(), ids=lambda f: f.__name__)
def test_schema_is_strict(real_reports, validator, mutate):
    data = json.loads(real_reports["fail"].json.read_text())
    validator.validate(data)
    broken = copy.deepcopy(data)
    mutate(broken)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def test_schema_leaves_metrics_open(real_reports, validator):
    data = json.loads(real_reports["pass"].json.read_text())
    data["metrics"] = {
        "load": {
            "users": 10,
            "duration_s": 30,
            "requests": 900,
            "failures": 0,
            "rps": 30.1,
            "p50_ms": 12.5,
            "p95_ms": 301.2,
            "p99_ms": 455,
            "max_ms": 470,
            "routes": [{"name": "clients", "requests": 600, "p95_ms": 20.4}],
            "samples_after_warmup": 850,
        },
        "secrets": {
            "commits_scanned": 3,
            "lines_scanned": 40,
            "bytes_scanned": 900,
            "duration_s": 0.2,
        },
        "dns": {"deployment_map": [{"part": "web", "where": "Vercel"}], "resolver": "x"},
        "tls": {"anything": ["a check may add"]},
    }
    validator.validate(data)
