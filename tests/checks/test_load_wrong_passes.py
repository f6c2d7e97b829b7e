"""The load check never passes on what it did not measure (issue 11): routes answered by the
login page, a POST that re-renders its form with a 200, one slow admin action hidden in a fast
mixed p95, a rare route that always fails hidden in a low overall error rate, a route with too
few samples. Real Locust runs against a real loopback server."""

from __future__ import annotations

import pytest

from launchgate.render.text import render_text
from tests.support.loadserver import gate, load_result

pytestmark = pytest.mark.slow  # real Locust runs


def routes_by_name(metrics):
    return {r["name"]: r for r in metrics["routes"]}


def test_routes_answered_by_the_login_page_are_a_blocker(server, tmp_path):
    """A redirect to the login page, and a login form rendered in place with a 200, are not
    fast successes: each such route is reported, and the verdict fails."""
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/",
        {
            "min_samples": 30,
            "min_route_samples": 5,
            "duration": "2s",
            "routes": [
                {"name": "clients", "path": "/private"},
                {"name": "monthly report", "path": "/reports"},
                {"name": "sign up", "path": "/signup"},
                {"name": "health", "path": "/fast"},
            ],
        },
    )
    status, ids, metrics = load_result(report)
    assert (status, report["verdict"]) == ("failed", "fail"), report["checks"]
    assert sorted(ids) == ["load.measured-login-page"] * 2
    titles = sorted(f["title"] for f in report["findings"])
    assert titles[0].startswith("clients: 100% of its answers were the login page")
    assert titles[1].startswith("monthly report: 100% of its answers were the login page")
    assert server.paths["/accounts/login/"] > 0  # it really followed the redirect
    routes = routes_by_name(metrics)
    assert routes["clients"]["verdict"] == routes["monthly report"]["verdict"] == "login page"
    assert routes["clients"]["login_pages"] == routes["clients"]["requests"] > 0
    # A page with two password fields (sign-up) is not a login page; /fast is JSON.
    assert routes["sign up"]["login_pages"] == routes["health"]["login_pages"] == 0
    assert routes["sign up"]["verdict"] == routes["health"]["verdict"] == "ok"
    text = render_text(report)
    assert any(
        "clients" in line and line.rstrip().endswith("login page") for line in text.splitlines()
    ), text


def test_expect_status_fails_a_post_that_re_renders_its_form(server, tmp_path):
    """A POST that answers 200 with its form again did not save: with expect_status it is a
    failed request. A 3xx expect_status judges the redirect itself, unfollowed."""
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/",
        {
            "min_samples": 30,
            "min_route_samples": 5,
            "duration": "2s",
            "routes": [
                {
                    "name": "save note",
                    "method": "POST",
                    "path": "/notes/new",
                    "json": {"text": "hi"},
                    "expect_status": 303,
                },
                {"name": "to login", "path": "/private", "expect_status": 302},
            ],
        },
    )
    status, ids, metrics = load_result(report)
    assert sorted(ids) == ["load.error-rate", "load.route-error-rate"], report["checks"]
    assert (status, report["verdict"]) == ("failed", "fail")
    routes = routes_by_name(metrics)
    assert routes["save note"]["failures"] == routes["save note"]["requests"] > 0
    assert routes["save note"]["verdict"] == "errors"
    assert routes["to login"]["failures"] == 0 and routes["to login"]["login_pages"] == 0
    assert all("HTTP 200, expected 303" in f["detail"] for f in report["findings"])
    assert server.paths["/accounts/login/"] == 0  # the expected 302 was not followed


def test_one_slow_route_is_judged_on_its_own_p95(server, tmp_path):
    """A one-second admin action among many fast requests: the mixed p95 is fast, but every
    route is judged against the budgets by default, so the verdict fails."""
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/",
        {
            "min_samples": 100,
            "min_route_samples": 8,
            "duration": "3s",
            "routes": [
                {"name": "clients", "path": "/fast", "weight": 60},
                {"name": "monthly report", "path": "/second", "weight": 1},
            ],
        },
    )
    status, ids, metrics = load_result(report)
    assert metrics["p95_ms"] < 300, metrics  # the mixed p95 alone would have passed
    assert ids == ["load.route-p95-over-budget"], report["checks"]
    assert (status, report["verdict"]) == ("failed", "fail")
    finding = report["findings"][0]
    assert finding["title"].startswith("monthly report: p95 ")
    assert "above its 800 ms budget" in finding["title"]
    routes = routes_by_name(metrics)
    assert routes["monthly report"]["p95_ms"] >= 1000
    assert routes["monthly report"]["verdict"] == "over budget"
    assert (routes["clients"]["p95_target_ms"], routes["clients"]["p95_blocker_ms"]) == (300, 800)
    lines = render_text(report).splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["route", "requests"])
    assert lines[header + 1].split()[0] == "clients"
    assert lines[header + 2].startswith("    monthly report")
    assert lines[header + 2].rstrip().endswith("300/800 ms  over budget")


def test_a_rare_route_that_always_fails_is_a_blocker_not_hidden_in_the_overall_rate(
    server, tmp_path
):
    """A typo in a rare route's path (404 every time) stays under 1 % of the mixed run: the
    overall error rate passes, the route's own rate does not, and its verdict is not 'ok'."""
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/",
        {
            "min_samples": 100,
            "min_route_samples": 3,
            "duration": "3s",
            "routes": [
                {"name": "clients", "path": "/fast", "weight": 300},
                {"name": "yearly report", "path": "/reprots/yearly", "weight": 1},
            ],
        },
    )
    status, ids, metrics = load_result(report)
    routes = routes_by_name(metrics)
    rare = routes["yearly report"]
    assert rare["failures"] == rare["requests"] >= 3, metrics
    assert metrics["error_rate"] <= 0.01, metrics  # the overall rate alone would have passed
    assert ids == ["load.route-error-rate"], report["checks"]
    assert (status, report["verdict"]) == ("failed", "fail")
    assert rare["verdict"] == "errors" and routes["clients"]["verdict"] == "ok"
    finding = report["findings"][0]
    assert finding["title"] == "yearly report: 100% of its requests failed (limit 1.0%)"
    assert "HTTP 404" in finding["detail"] and finding["location"]["path"] == "/reprots/yearly"
    lines = render_text(report).splitlines()
    assert any(
        line.startswith("    yearly report") and line.rstrip().endswith("errors") for line in lines
    ), lines


def test_a_route_with_too_few_samples_is_inconclusive_not_a_pass(server, tmp_path):
    report = gate(
        tmp_path,
        f"http://127.0.0.1:{server.port}/",
        {
            "min_samples": 20,
            "min_route_samples": 1_000_000,
            "duration": "1.5s",
            "routes": [
                {"name": "clients", "path": "/fast", "weight": 50},
                {"name": "rare", "path": "/fast?rare", "weight": 1},
            ],
        },
    )
    status, ids, metrics = load_result(report)
    assert (status, ids, report["verdict"]) == ("error", [], "error"), report["checks"]
    summary = next(c["summary"] for c in report["checks"] if c["name"] == "load")
    assert "inconclusive" in summary and "min_route_samples (1000000)" in summary
    assert "rare (" in summary and "clients (" in summary
    assert {r["verdict"] for r in metrics["routes"]} == {"too few samples"}
