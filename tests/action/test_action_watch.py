"""The production watch end to end: entrypoint.py as a real subprocess on `schedule` and
`workflow_dispatch`, against the fake GitHub (issue endpoints validated against GitHub's
description) and a loopback site, with a loopback Slack-compatible webhook.

One issue per status context: a failure opens it (label, marker, assignees), a second failing
run with the same blockers only edits its body, a new blocker adds one comment, a pass
comments "recovered" and closes it; a 502 after the create committed leaves one issue; the
webhook hears each state change once and never any secret."""

from __future__ import annotations

import io
import json
import os
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import yaml

from launchgate.demo.serving import LoopbackServer
from launchgate.render.watch import watch_marker
from tests.conftest import assert_no_secret
from tests.support.actionharness import (
    RUN_ID,
    SERVER_URL,
    TOKEN,
    ActionResult,
    action_env,
    load_report,
    run_entrypoint,
)
from tests.support.fakegithub.server import FakeGitHub
from tests.support.loadserver import LoadServer

pytestmark = pytest.mark.slow  # the whole Action in a subprocess, per run

HOOK_SECRET = "T0000/B0000/" + "hookSecret" * 3  # pragma: allowlist secret
MISSING = {"name": "pricing page", "path": "/pricing", "expect_status": 200}
ALSO_MISSING = {"name": "signup page", "path": "/signup-gone", "expect_status": 200}
FINE = {"name": "home", "path": "/fast", "expect_status": 200}
MARKER = watch_marker("launchgate")


class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HookServer

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.received.append((self.path, json.loads(raw)))
        status = self.server.status
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class HookServer(LoopbackServer):
    def __init__(self) -> None:
        super().__init__(Hook, poll_interval_s=0.05)
        self.lock = threading.Lock()
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.status = 200

    def texts(self) -> list[str]:
        with self.lock:
            return [body["text"] for _, body in self.received]


@pytest.fixture
def site() -> Iterator[LoadServer]:
    with LoadServer() as srv:
        yield srv


@pytest.fixture
def hook() -> Iterator[HookServer]:
    with HookServer() as srv:
        yield srv


def watch(
    tmp_path: Path,
    github: FakeGitHub,
    site: LoadServer,
    hook: HookServer | None,
    steps: list[dict[str, Any]],
    *,
    event: str = "schedule",
    assignees: tuple[str, ...] = ("ops-lead",),
) -> ActionResult:
    workspace = tmp_path / "ws"
    workspace.mkdir(exist_ok=True)
    config: dict[str, Any] = {
        "url": site.url,
        "allow_private_targets": True,
        "watch": {"assignees": list(assignees)},
        "checks": {"smoke": {"steps": steps}},
    }
    extra = {
        "GITHUB_REF_NAME": "main",
        "GITHUB_WORKFLOW_REF": "acme/admin/.github/workflows/launchgate.yml@refs/heads/main",
    }
    if hook is not None:
        config["watch"]["webhook"] = "${SLACK_WEBHOOK_URL}"
        extra["SLACK_WEBHOOK_URL"] = f"{hook.url}/services/{HOOK_SECRET}"
    (workspace / ".launchgate.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = action_env(tmp_path, workspace, github.url, TOKEN, event, f"{event}.json", extra=extra)
    result = run_entrypoint(env, workspace)
    assert_no_secret(result.log + result.summary, HOOK_SECRET, where="the Action's output")
    assert github.violations == []
    return result


def watch_issues(github: FakeGitHub, state: str | None = None) -> list[dict[str, Any]]:
    return [i for i in github.issues(state) if i["body"].startswith(MARKER)]


def test_the_issue_is_the_alert_through_its_whole_life(tmp_path, github, site, hook):
    # 1. A failing watch opens one issue: label, marker, assignees; the webhook hears it.
    first = watch(tmp_path, github, site, hook, [MISSING, FINE])
    assert first.code == 1 and first.outputs["verdict"] == "fail"
    (issue,) = watch_issues(github)
    assert issue["state"] == "open" and issue["labels"] == ["launchgate"]
    assert issue["assignees"] == ["ops-lead"]
    assert issue["login"] == "github-actions[bot]"
    assert "pricing page" in issue["body"] and "smoke.unexpected-status" in issue["body"]
    assert f"{SERVER_URL}/acme/admin/actions/runs/{RUN_ID}" in issue["body"]
    assert "opened the watch issue" in first.log
    (opened,) = hook.texts()
    assert "is failing" in opened and "pricing page" in opened and issue["title"]
    assert github.comments(issue["number"]) == []

    # 2. Still failing, same blockers: the body is edited (the new run), no comment, no ping.
    site_body = issue["body"]
    second = watch(tmp_path, github, site, hook, [MISSING, FINE], event="workflow_dispatch")
    assert second.code == 1
    (issue,) = watch_issues(github)
    assert github.comments(issue["number"]) == []
    assert len(hook.texts()) == 1
    assert issue["body"].split("\n", 2)[1] == site_body.split("\n", 2)[1]  # same state line
    updates = [r for r in github.requests if r.operation == "issues/update"]
    assert len(updates) == 1 or issue["body"] == site_body

    # 3. A new blocker: one comment naming it, and one ping.
    third = watch(tmp_path, github, site, hook, [MISSING, ALSO_MISSING, FINE])
    assert third.code == 1
    (issue,) = watch_issues(github)
    (comment,) = github.comments(issue["number"])
    assert "signup page" in comment["body"] and "pricing page" not in comment["body"]
    assert len(hook.texts()) == 2 and "changed" in hook.texts()[1]
    assert "signup page" in issue["body"]

    # 4. One blocker resolved: one more comment, resolved named.
    watch(tmp_path, github, site, hook, [MISSING, FINE])
    comments = github.comments(issue["number"])
    assert len(comments) == 2 and "resolved" in comments[1]["body"]
    assert "signup page" in comments[1]["body"]
    assert len(hook.texts()) == 3

    # 5. The watch passes: "recovered" with how long it was down, and the issue is closed.
    github.backdate_issue(issue["number"], hours=27.5)
    fifth = watch(tmp_path, github, site, hook, [FINE])
    assert fifth.code == 0
    assert watch_issues(github, "open") == []
    (closed,) = watch_issues(github, "closed")
    last = github.comments(closed["number"])[-1]["body"]
    assert "Recovered" in last and "1 day 3 h" in last
    assert len(hook.texts()) == 4 and "recovered" in hook.texts()[3]
    assert "1 day 3 h" in hook.texts()[3]

    # 6. Passing again: nothing to say.
    watch(tmp_path, github, site, hook, [FINE])
    assert len(hook.texts()) == 4 and len(watch_issues(github)) == 1
    for _, body in hook.received:
        assert set(body) == {"text"}
        assert TOKEN not in body["text"] and HOOK_SECRET not in body["text"]
    for posted in [*github.issues(), *github.comments(closed["number"])]:
        assert TOKEN not in posted["body"] and HOOK_SECRET not in posted["body"]
    assert all(path == f"/services/{HOOK_SECRET}" for path, _ in hook.received)


def test_a_502_after_the_create_committed_leaves_exactly_one_issue(tmp_path, github, site, hook):
    github.faults.issue_create_502 = 1
    result = watch(tmp_path, github, site, hook, [MISSING])
    assert result.code == 1
    assert len(watch_issues(github)) == 1
    creates = [r for r in github.requests if r.operation == "issues/create"]
    assert [r.status for r in creates] == [502]  # the retry searched first and found it
    assert len(hook.texts()) == 1  # still announced as opened, once
    watch(tmp_path, github, site, hook, [MISSING])
    assert len(watch_issues(github)) == 1 and len(hook.texts()) == 1


def test_the_search_reads_every_page_and_only_our_issues(tmp_path, github, site):
    # Our issue sits on a later page behind others; a human's issue quoting the marker, and a
    # pull request, are never taken for ours.
    ours = github.add_issue(
        "launchgate watch",
        f"{MARKER}\nold body",
        login="github-actions[bot]",
        labels=("launchgate",),
    )
    github.add_issue(
        "a human quoting", f"{MARKER}\nquoted", login="someone", labels=("launchgate",)
    )
    github.add_issue(
        "a pull request",
        f"{MARKER}\npr",
        login="github-actions[bot]",
        labels=("launchgate",),
        pull_request=True,
    )
    for n in range(12):
        github.add_issue(f"other {n}", "unrelated", labels=("launchgate",))
    watch(tmp_path, github, site, None, [MISSING])
    assert (
        len(
            [
                i
                for i in github.issues()
                if i["login"] == "github-actions[bot]" and not i["pull_request"]
            ]
        )
        == 1
    )
    assert "pricing page" in github.issues()[ours["number"] - 1]["body"]
    pages = [r for r in github.requests if r.operation == "issues/list-for-repo"]
    assert len(pages) >= 3  # five per page in these tests
    assert all("labels=launchgate" in r.path and "state=open" in r.path for r in pages)


def test_assignees_github_refuses_do_not_cost_the_alert(tmp_path, github, site):
    result = watch(tmp_path, github, site, None, [MISSING], assignees=("not-a-member",))
    (issue,) = watch_issues(github)
    assert issue["assignees"] == []
    assert "refused the assignees not-a-member" in result.log


def test_a_failing_webhook_is_a_warning_and_never_shows_its_url(tmp_path, github, site, hook):
    hook.status = 500
    result = watch(tmp_path, github, site, hook, [MISSING])
    assert result.code == 1 and len(watch_issues(github)) == 1
    assert "::warning::launchgate: watch.webhook: the webhook answered HTTP 500" in result.log
    hook.stop()  # gone: the next post cannot connect at all
    opened = watch_issues(github)[0]
    recovered = watch(tmp_path, github, site, hook, [FINE])
    assert recovered.code == 0
    assert watch_issues(github, "closed")[0]["number"] == opened["number"]
    assert "watch.webhook: the webhook could not be reached (ConnectError)" in recovered.log


def test_an_unset_webhook_secret_still_opens_the_issue(tmp_path, github, site, hook):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    config = {
        "url": site.url,
        "allow_private_targets": True,
        "watch": {"webhook": "${SLACK_WEBHOOK_URL}"},
        "checks": {"smoke": {"steps": [MISSING]}},
    }
    (workspace / ".launchgate.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = action_env(
        tmp_path,
        workspace,
        github.url,
        TOKEN,
        "schedule",
        "schedule.json",
        extra={"GITHUB_REF_NAME": "main", "SLACK_WEBHOOK_URL": ""},
    )
    result = run_entrypoint(env, workspace)
    assert result.code == 1
    assert "watch.webhook is empty (is its secret set for this workflow?)" in result.log
    assert len(watch_issues(github)) == 1 and hook.texts() == []


def test_a_watch_that_cannot_start_opens_the_issue(tmp_path, github, site):
    # A broken config (here a typo) on a schedule is a failing watch, not a silent one.
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / ".launchgate.yml").write_text(
        f"url: {site.url}\nallow_private_targets: true\nwatch: {{asignees: [ops-lead]}}\n"
    )
    env = action_env(
        tmp_path,
        workspace,
        github.url,
        TOKEN,
        "schedule",
        "schedule.json",
        extra={"GITHUB_REF_NAME": "main"},
    )
    broken = run_entrypoint(env, workspace)
    assert broken.code == 2
    (issue,) = watch_issues(github)
    assert issue["assignees"] == []
    assert "the watch could not start: configuration error:" in issue["body"]
    assert "did you mean 'assignees'" in issue["body"]
    assert github.violations == []
    fixed = watch(tmp_path, github, site, None, [FINE])
    assert fixed.code == 0
    assert watch_issues(github, "open") == [] and len(watch_issues(github, "closed")) == 1


def test_without_issues_permission_the_webhook_still_hears_the_opening(
    tmp_path, github, site, hook
):
    github.faults.forbid_comments = True  # every issues/* write answers 403
    result = watch(tmp_path, github, site, hook, [MISSING])
    assert result.code == 1 and watch_issues(github) == []
    assert "issues: write" in result.log
    (text,) = hook.texts()
    assert "is failing" in text


def test_the_previous_watch_comes_from_its_artifact(tmp_path, github, site):
    previous = {
        "schema": "launchgate.report/v1",
        "tool": {"name": "launchgate", "version": "0.1.0"},
        "verdict": "pass",
        "fail_on": "blocker",
        "target": {"url": site.url, "head": "d" * 40},
        "checks": [{"name": "smoke", "status": "passed", "duration_s": 0.1, "summary": ""}],
        "findings": [],
        "metrics": {},
    }
    blob = io.BytesIO()
    with zipfile.ZipFile(blob, "w") as archive:
        archive.writestr("report.json", json.dumps(previous))
    # A push run's report, and a newer watch of another workflow, are not this watch's.
    github.add_artifact(
        github.add_run(event="push", head_sha="e" * 40, created_at="2026-01-03T00:00:00Z"),
        b"not used",
    )
    other = github.add_run(event="schedule", head_sha="f" * 40, created_at="2026-01-03T00:00:00Z")
    github.state.runs[-1]["path"] = ".github/workflows/other.yml"
    github.add_artifact(other, b"not used")
    run = github.add_run(event="schedule", head_sha="d" * 40)
    github.add_artifact(run, blob.getvalue())
    result = watch(tmp_path, github, site, None, [MISSING])
    report = load_report(result.workspace)
    assert report["watch"]["previous"] is not None, result.log
    assert report["watch"]["previous"]["head"] == "d" * 40
    assert report["comparison"]["base"]["name"] == "last watch"
    assert [f["new"] for f in report["findings"]] == [True]
    (issue,) = watch_issues(github)
    assert "Since the last watch" in issue["body"]
    assert "since the last watch" in issue["body"]  # "1 new blocker since the last watch"


def test_the_first_watch_is_the_baseline(tmp_path, github, site):
    result = watch(tmp_path, github, site, None, [FINE])
    report = load_report(result.workspace)
    assert result.code == 0 and report["watch"]["previous"] is None
    assert "Not compared with the last watch: no launchgate-report artifact" in result.log
    assert watch_issues(github) == []


def test_what_changed_reaches_the_issue(tmp_path, github):
    """The demo's HTTPS app and DNS zones, watched twice: between the runs the NS set, the apex
    address, a CNAME and the MX move, and a page breaks. The second watch's issue shows the
    certificate's days left and every DNS change, each a finding. (docs/watch.md shows this
    issue; set LAUNCHGATE_WATCH_ISSUE=path to write its body there.)"""
    from launchgate.demo.dnsdemo import DOMAIN, HOSTS, ZONES
    from launchgate.demo.dnsserver import ZoneServer
    from launchgate.demo.tls import DemoFront
    from tests.watch.test_watch_dns import MOVED

    workspace = tmp_path / "ws"
    workspace.mkdir()
    extra = {
        "GITHUB_REF_NAME": "main",
        "GITHUB_WORKFLOW_REF": "acme/admin/.github/workflows/launchgate.yml@refs/heads/main",
    }
    inputs = {"checks": "tls,dns,smoke", "status-context": "launchgate/production"}
    home = {"name": "login page", "path": "/login", "expect_status": 200, "expect_text": "Sign in"}
    broken = {"name": "client list", "path": "/clients-v2", "expect_status": 200}

    def one_watch(zones: dict[str, str], steps: list[dict[str, Any]]) -> ActionResult:
        with DemoFront(workspace / "demo-ca.pem") as app, ZoneServer(zones) as dns_server:
            config = {
                "url": app.url,
                "allow_private_targets": True,
                "ca_bundle": "demo-ca.pem",
                "connect_to": app.connect_to(),
                "watch": {"assignees": ["ops-lead"]},
                "checks": {
                    "smoke": {"steps": steps},
                    "tls": {"hosts": ["app.demo.test"]},
                    "dns": {
                        "domain": DOMAIN,
                        "hosts": [DOMAIN, *HOSTS],
                        "nameservers": [dns_server.nameserver],
                        "timeout": 2,
                    },
                },
            }
            (workspace / ".launchgate.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
            env = action_env(
                tmp_path,
                workspace,
                github.url,
                TOKEN,
                "schedule",
                "schedule.json",
                inputs=inputs,
                extra=extra,
            )
            return run_entrypoint(env, workspace)

    first = one_watch(ZONES, [home])
    assert first.code == 0, first.log
    assert watch_issues(github) == []
    blob = io.BytesIO()
    with zipfile.ZipFile(blob, "w") as archive:
        archive.write(workspace / "launchgate-report" / "report.json", "report.json")
    github.add_artifact(github.add_run(event="schedule", head_sha="d" * 40), blob.getvalue())

    second = one_watch(MOVED, [home, broken])
    assert second.code == 1, second.log
    assert github.violations == []
    (issue,) = [
        i for i in github.issues() if i["body"].startswith(watch_marker("launchgate/production"))
    ]
    body = issue["body"]
    for expected in (
        "client list",
        "dns.ns-changed",
        "dns.apex-changed",
        "dns.record-changed",
        "ns-1.awsdns-01.org",
        "203.0.113.7",
        "acme.netlify.app",
        "mx.fastmail.example",
        "`app.demo.test`",
        "Since the last watch",
    ):
        assert expected in body, expected
    report = load_report(workspace)
    assert {c["record"] for c in report["watch"]["dns_changes"]} == {"NS", "A/AAAA", "CNAME", "MX"}
    # The demo makes a new certificate each time it starts: a later expiry, as after a renewal.
    (cert,) = report["watch"]["certificates"]
    assert cert["trend"] in ("renewed", "counting down") and cert["previous_days_left"] is not None
    assert f"| {cert['trend']}" in body
    out = os.environ.get("LAUNCHGATE_WATCH_ISSUE")
    if out:
        Path(out).write_text(f"# {issue['title']}\n\n{body}", encoding="utf-8")
