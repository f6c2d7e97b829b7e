"""The alert issue's state machine in-process (launchgate.action.watch.alert) against the fake
GitHub: an `error` verdict opens the issue naming the check that could not run, a run that
stopped between the change comment and the body edit is completed without a second comment,
a 503 on every write is a warning (never an exception), and the downtime reads well."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from launchgate.action.watch import AlertContext, _duration, alert, blockers_of
from launchgate.config import WatchConfig
from launchgate.github import GitHubClient, RetryPolicy
from launchgate.redact import Redactor
from launchgate.render.watch import watch_marker
from tests.support.actionharness import TOKEN


def finding(title: str, fingerprint: str, severity: str = "blocker") -> dict[str, Any]:
    return {
        "id": "smoke.unexpected-status",
        "title": title,
        "severity": severity,
        "fingerprint": fingerprint * 64,
        "check": "smoke",
        "detail": "",
        "remedy": "",
        "location": {"url": None, "host": None, "path": None, "line": None, "commit": None},
    }


def report(
    verdict: str, findings: list[dict[str, Any]], errored: tuple[str, ...] = ()
) -> dict[str, Any]:
    counts = {
        s: sum(1 for f in findings if f["severity"] == s) for s in ("blocker", "important", "later")
    }
    checks = [
        {
            "name": name,
            "status": "error",
            "duration_s": 1.0,
            "summary": "could not run: DNS timeout",
            "counts": counts,
        }
        for name in errored
    ]
    return {
        "schema": "launchgate.report/v1",
        "tool": {"name": "launchgate", "version": "0"},
        "verdict": verdict,
        "fail_on": "blocker",
        "target": {"url": "https://app.example.com", "repo": None, "base": None, "head": None},
        "counts": counts,
        "checks": checks,
        "findings": findings,
        "metrics": {},
    }


@pytest.fixture
def client(github):
    gh = GitHubClient(
        github.url,
        TOKEN,
        github.repository,
        timeout_s=2,
        log=lambda _: None,
        sleep=lambda _: None,
        policy=RetryPolicy(attempts=3, base_delay_s=0.01),
    )
    yield gh
    gh.close()


def run(client: GitHubClient | None, data: dict[str, Any], logs: list[str]) -> str | None:
    return alert(
        client,
        AlertContext(
            report=data,
            context="launchgate",
            settings=WatchConfig(),
            run_url=None,
            previous_verdict=None,
            log=logs.append,
            redactor=Redactor(),
        ),
    )


def test_an_error_verdict_opens_the_issue_naming_the_check(github, client):
    logs: list[str] = []
    assert run(client, report("error", [], errored=("dns",)), logs) == "opened"
    (issue,) = github.issues()
    assert "the dns check could not run: could not run: DNS timeout" in issue["body"]
    assert blockers_of(report("error", [], errored=("dns",)))[0].key == "check:dns"


def test_a_change_comment_is_never_written_twice(github, client):
    logs: list[str] = []
    a, b = finding("page a", "a"), finding("page b", "b")
    run(client, report("fail", [a]), logs)
    (issue,) = github.issues()
    opened_body = issue["body"]
    assert run(client, report("fail", [a, b]), logs) == "changed"
    assert len(github.comments(issue["number"])) == 1
    # The run stopped after its comment, before the body edit: the body still shows {a}.
    github.state.issues[issue["number"]]["body"] = opened_body
    assert run(client, report("fail", [a, b]), logs) == "changed"
    assert len(github.comments(issue["number"])) == 1  # found by its marker, not re-posted
    assert "rev=1" in github.issues()[0]["body"]
    assert run(client, report("fail", [a, b]), logs) is None


def test_a_503_on_every_write_is_a_warning(github, client):
    github.faults.write_503 = 100
    logs: list[str] = []
    assert run(client, report("fail", [finding("page a", "a")]), logs) == "opened"
    assert any(
        "the watch issue could not be kept" in line
        and "HTTP 503" in line
        and "issues: write" not in line
        for line in logs
    )
    assert github.issues() == []


def test_without_a_client_the_previous_verdict_decides_the_webhook(github):
    logs: list[str] = []
    assert run(None, report("pass", []), logs) is None
    assert github.issues() == []


def test_human_issue_with_the_marker_is_left_alone(github, client):
    github.add_issue(
        "mine", f"{watch_marker('launchgate')}\nby hand", login="someone", labels=("launchgate",)
    )
    logs: list[str] = []
    assert run(client, report("pass", []), logs) is None
    assert github.issues()[0]["state"] == "open"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "less than a minute"),
        (5, "5 min"),
        (65, "1 h 5 min"),
        (60 * 27 + 30, "1 day 3 h"),
        (60 * 24 * 3, "3 days"),
    ],
)
def test_downtime_reads_well(minutes, text):
    end = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
    assert _duration(end - dt.timedelta(minutes=minutes), end) == text


def test_the_search_costs_one_request_per_page_not_per_issue(github, client):
    for n in range(12):
        github.add_issue(f"other {n}", "unrelated", labels=("launchgate",))
    logs: list[str] = []
    run(client, report("fail", [finding("page a", "a")]), logs)
    github.requests.clear()
    assert run(client, report("fail", [finding("page a", "a")]), logs) is None
    operations = [r.operation for r in github.requests]
    assert operations == ["issues/list-for-repo"] * 3  # 13 issues, five per page


def _with_check(data: dict[str, Any], name: str, status: str) -> dict[str, Any]:
    data["checks"].append(
        {"name": name, "status": status, "duration_s": 0.0, "summary": "", "counts": data["counts"]}
    )
    return data


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("dns", "error"),  # fail_closed: false lets a check that could not run pass
        ("smoke", "skipped"),  # the check that blocked did not run this time
    ],
)
def test_a_pass_that_did_not_check_the_blocker_does_not_recover(github, client, name, status):
    logs: list[str] = []
    assert run(client, report("fail", [finding("page a is down", "a")]), logs) == "opened"
    assert run(client, _with_check(report("pass", []), name, status), logs) is None
    (issue,) = github.issues()
    assert issue["state"] == "open" and github.comments(issue["number"]) == []
    assert any(f"the {name} check" in line and "stays open" in line for line in logs), logs


def test_a_pass_with_an_unrelated_check_skipped_recovers(github, client):
    logs: list[str] = []
    run(client, report("fail", [finding("page a is down", "a")]), logs)
    assert run(client, _with_check(report("pass", []), "load", "skipped"), logs) == "recovered"
