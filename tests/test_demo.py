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
    routes = {r["name"]: r for r in load["routes"]}
    assert routes["monthly report"]["p50_ms"] >= 450
    ids = {(f["id"], f["severity"]) for f in demo_run.report["findings"]}
    assert ("load.p95-over-target", "important") in ids


def test_demo_load_logs_staff_in_and_judges_each_route(demo_run):
    """The load runs as the two tenants' staff (one login per user, never in the p95), and
    the rare 0.9 s yearly report is a blocker on its own budget while the mixed p95 is not."""
    load = demo_run.report["metrics"]["load"]
    assert {m["identity"]: (m["users"], m["failed"]) for m in load["logins"]} == {
        "alice": (5, 0),
        "bob": (5, 0),
    }
    routes = {r["name"]: r for r in load["routes"]}
    assert all(r["login_pages"] == 0 and r["failures"] == 0 for r in routes.values())
    assert routes["yearly report"]["verdict"] == "over budget"
    assert load["p95_ms"] < 800
    blockers = [f for f in demo_run.report["findings"] if f["id"] == "load.route-p95-over-budget"]
    assert [f["title"].split(":")[0] for f in blockers] == ["yearly report"]
    lines = demo_run.result.stdout.splitlines()
    assert any(
        line.startswith("  load: users logged in as alice (5), bob (5)") for line in lines
    ), demo_run.result.stdout
    assert any("yearly report" in line and line.rstrip().endswith("over budget") for line in lines)


def test_demo_shows_the_deployment_map(demo_run):
    rows = demo_run.report["metrics"]["dns"]["deployment_map"]
    assert rows and all(set(row) >= {"part", "where"} for row in rows)
    assert "Deployment map" in (demo_run.output / "report.md").read_text()


def test_demo_logs_in_as_staff_and_finds_the_planted_cross_tenant_read(demo_run):
    checks = {c["name"]: c for c in demo_run.report["checks"]}
    assert "1/1 flow(s) passed" in checks["smoke"]["summary"]  # log in ... log out
    assert checks["access"]["status"] == "failed"
    access = [f for f in demo_run.report["findings"] if f["check"] == "access"]
    assert [(f["id"], f["severity"]) for f in access] == [("access.cross-tenant-read", "blocker")]
    assert access[0]["location"]["path"] == "/api/app/clients/{{id}}"
    config = (demo_run.output / ".launchgate.yml").read_text()
    assert "${DEMO_ALICE_PASSWORD}" in config  # passed like a CI secret, never written


def test_demo_outputs_show_no_staff_password_or_session(demo_run):
    """The demo's passwords ("demo-" + 16 url-safe characters) and session cookies (43)
    are made inside the demo process; none may reach an output in any form."""
    import re

    texts = [
        demo_run.result.output,
        *(
            (demo_run.output / name).read_text()
            for name in ("report.json", "report.md", "HANDOVER.md")
        ),
    ]
    for text in texts:
        assert not re.search(r"demo-[A-Za-z0-9_-]{16}(?![A-Za-z0-9_-])", text)
        assert not re.search(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])", text)
