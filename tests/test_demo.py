"""`launchgate demo` runs every check against its own local app, repo and DNS, and stops all it
started: the embedded default a new user sees first."""

from __future__ import annotations

from launchgate.names import CHECK_NAMES


def test_demo_runs_every_check_and_reports(demo_run):
    assert demo_run.result.code == 0, demo_run.result.output
    assert "Traceback" not in demo_run.result.output
    statuses = {c["name"]: c["status"] for c in demo_run.report["checks"]}
    assert set(statuses) == set(CHECK_NAMES)
    assert "skipped" not in statuses.values() and "error" not in statuses.values()
    assert demo_run.report["verdict"] == "fail"
    assert "launchgate FAIL" in demo_run.result.stdout
    assert (demo_run.output / "report.md").read_text().startswith("## ❌ launchgate")


def test_demo_load_test_sees_the_slow_report(demo_run):
    load = demo_run.report["metrics"]["load"]
    assert load["users"] == 10
    assert 300 < load["p95_ms"] < 800  # the 0.45 s monthly report: important, not a blocker
    slow = {r["name"]: r for r in load["routes"]}["monthly report"]
    assert slow["p50_ms"] >= 450
    ids = {(f["id"], f["severity"]) for f in demo_run.report["findings"]}
    assert ("load.p95-over-target", "important") in ids


def test_demo_shows_the_deployment_map(demo_run):
    rows = demo_run.report["metrics"]["dns"]["deployment_map"]
    assert rows and all(set(row) >= {"part", "where"} for row in rows)
    assert "Deployment map" in (demo_run.output / "report.md").read_text()


def test_demo_logs_in_as_staff_and_finds_the_planted_cross_tenant_read(demo_run):
    checks = {c["name"]: c for c in demo_run.report["checks"]}
    assert "1/1 flow(s) passed" in checks["smoke"]["summary"]  # log in ... log out
    assert checks["access"]["status"] == "failed"
    access = [f for f in demo_run.report["findings"] if f["check"] == "access"]
    assert [(f["id"], f["severity"]) for f in access] == [("access.cross-tenant-read",
                                                           "blocker")]
    assert access[0]["location"]["path"] == "/api/app/clients/{{id}}"
    config = (demo_run.output / ".launchgate.yml").read_text()
    assert "${DEMO_ALICE_PASSWORD}" in config  # passed like a CI secret, never written


def test_demo_outputs_show_no_staff_password_or_session(demo_run):
    """The demo's passwords ("demo-" + 16 url-safe characters) and session cookies (43)
    are made inside the demo process; none may reach an output in any form."""
    import re

    texts = [demo_run.result.output, *((demo_run.output / name).read_text()
                                       for name in ("report.json", "report.md", "HANDOVER.md"))]
    for text in texts:
        assert not re.search(r"demo-[A-Za-z0-9_-]{16}(?![A-Za-z0-9_-])", text)
        assert not re.search(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])", text)
