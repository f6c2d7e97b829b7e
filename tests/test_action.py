"""The Action end to end: entrypoint.py as a real subprocess, against the fake GitHub server
(PyGithub over HTTP, request bodies validated against GitHub's schemas) and the demo app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from launchgate.demo.app import DemoServer
from launchgate.render.markdown import COMMENT_MARKER
from tests.actionharness import (
    BASE_SHA,
    HEAD_SHA,
    MERGE_SHA,
    RUN_ID,
    SERVER_URL,
    action_env,
    load_report,
    run_entrypoint,
    write_workspace,
)
from tests.conftest import assert_no_secret
from tests.fakegithub.server import FakeGitHub

TOKEN = "ghs_" + "T0kenValue" * 4
BYPASS = "bypass-" + "s3cretHeaderValue" * 3
RUN_URL = f"{SERVER_URL}/acme/admin/actions/runs/{RUN_ID}"


@pytest.fixture
def app():
    with DemoServer() as server:
        yield server


@pytest.fixture
def github():
    with FakeGitHub(token=TOKEN, max_per_page=5) as fake:
        yield fake


def _run(tmp_path: Path, github: FakeGitHub, event: str, event_file: str, *,
         url: str | None = None, url_in_event: str = "", inputs: dict[str, str] | None = None,
         extra: dict[str, str] | None = None, steps: list | None = None,
         headers: dict[str, str] | None = None):
    workspace = write_workspace(tmp_path / "ws", url, steps=steps, headers=headers)
    env = action_env(tmp_path, workspace, github.url, TOKEN, event, event_file,
                     url_in_event=url_in_event, inputs=inputs, extra=extra)
    return run_entrypoint(env, workspace)


def _marked(github: FakeGitHub, number: int) -> list[dict]:
    return [c for c in github.comments(number) if COMMENT_MARKER in c["body"]]


def _no_traceback(log: str) -> None:
    assert "Traceback (most recent call last)" not in log


def test_pull_request_pass_one_sticky_comment_across_pages(tmp_path, app, github):
    for i in range(12):  # the verdict comment lands on page 3 (5 per page)
        github.add_comment(7, f"review comment {i}")
    for attempt in range(2):
        result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
        assert result.code == 0, result.log
        _no_traceback(result.log)
        assert len(_marked(github, 7)) == 1, f"attempt {attempt}"
    assert len(github.comments(7)) == 13
    statuses = github.statuses()
    assert [s["state"] for s in statuses] == ["pending", "success", "pending", "success"]
    assert {s["sha"] for s in statuses} == {HEAD_SHA}  # the PR head, not GITHUB_SHA (merge)
    assert MERGE_SHA not in {s["sha"] for s in statuses}
    final = statuses[-1]
    assert final["context"] == "launchgate"
    assert final["target_url"] == RUN_URL
    assert final["description"].startswith("Ready to launch: 0 blockers")
    assert result.outputs["verdict"] == "pass"
    assert result.outputs["blockers"] == "0"
    assert result.outputs["report"] == "launchgate-report/report.json"
    report = load_report(result.workspace)
    assert report["target"]["base"] == BASE_SHA and report["target"]["head"] == HEAD_SHA
    assert (result.workspace / "launchgate-report" / "report.sarif").is_file()
    assert "launchgate: **PASS**" in result.summary
    assert "PASS" in _marked(github, 7)[0]["body"]
    assert github.violations == []
    # Paging was real: the lookup read pages 2 and 3 through the Link header.
    assert any("page=3" in r.path for r in github.requests)


def test_blocker_fails_status_comment_and_exit_code(tmp_path, app, github):
    steps = [{"name": "client list", "path": "/clients", "expect_status": 200,
              "expect_text": "No such client"}]
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url,
                  steps=steps)
    assert result.code == 1, result.log
    assert result.outputs["verdict"] == "fail"
    assert result.outputs["blockers"] == "1"
    final = github.statuses()[-1]
    assert final["state"] == "failure"
    assert final["description"].startswith("Launch blocked: 1 blocker,")
    assert len(final["description"]) <= 140
    assert "FAIL" in _marked(github, 7)[0]["body"]
    assert "launch blocked" in result.summary
    # The verdict reaches the log as an annotation too.
    assert "::error title=launchgate smoke." in result.log


def test_fail_on_input_decides_the_exit_code(tmp_path, app, github):
    steps = [{"name": "client list", "path": "/clients", "expect_status": 200,
              "expect_text": "No such client"}]
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url,
                  steps=steps, inputs={"fail-on": "never"})
    assert result.code == 0, result.log
    assert result.outputs["verdict"] == "pass"
    assert result.outputs["blockers"] == "1"
    assert github.statuses()[-1]["state"] == "success"


def test_faults_never_make_a_second_comment(tmp_path, app, github):
    github.faults.secondary_rate_limit = 1  # the pending status: 403 + Retry-After: 1
    github.faults.comment_write_502 = 1     # the create is committed, then answers 502
    first = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
    assert first.code == 0, first.log
    assert "retrying in 1s" in first.log
    assert "HTTP 502" in first.log
    assert len(_marked(github, 7)) == 1
    github.faults.comment_write_502 = 1     # now the edit answers 502 after applying it
    second = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
    assert second.code == 0, second.log
    assert len(_marked(github, 7)) == 1
    assert len(github.comments(7)) == 1
    assert [s["state"] for s in github.statuses()] == ["pending", "success"] * 2
    assert github.violations == []


def test_fork_pull_request_degrades_to_summary_and_log(tmp_path, app, github):
    github.faults.fork = True
    result = _run(tmp_path, github, "pull_request", "pull_request_fork.json", url=app.url)
    assert result.code == 0, result.log
    _no_traceback(result.log)
    assert "cannot write to this repository" in result.log
    assert "forks" in result.log
    assert result.log.count("cannot write to this repository") == 1
    assert github.statuses() == [] and github.comments(8) == []
    writes = [r for r in github.requests if r.method != "GET"]
    assert len(writes) == 1  # the first 403 switches publishing off; no retry storm
    assert "launchgate: **PASS**" in result.summary
    assert result.outputs["verdict"] == "pass"


def test_token_without_comment_permission_still_finishes_the_status(tmp_path, app, github):
    github.faults.forbid_comments = True
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
    assert result.code == 0, result.log
    assert "pull-requests: write" in result.log
    assert github.comments(7) == []
    assert [s["state"] for s in github.statuses()] == ["pending", "success"]


def test_no_secret_in_requests_summary_log_or_files(tmp_path, app, github):
    steps = [{"name": "login page", "path": "/login", "expect_status": 200,
              "expect_text": "not on the page"}]
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url,
                  steps=steps, headers={"x-vercel-protection-bypass": "${BYPASS_SECRET}"},
                  extra={"BYPASS_SECRET": BYPASS})
    assert result.code == 1, result.log
    report_dir = result.workspace / "launchgate-report"
    texts = {"log": result.log, "summary": result.summary,
             "outputs": repr(result.outputs),
             **{f"request {r.method} {r.path}": r.path + r.body for r in github.requests},
             **{p.name: p.read_text(encoding="utf-8") for p in report_dir.iterdir()}}
    assert len(texts) > 6
    for where, text in texts.items():
        assert_no_secret(text, TOKEN, where=where)
        assert_no_secret(text, BYPASS, where=where)


def test_deployment_status_uses_environment_url_and_finds_the_pull(tmp_path, app, github):
    github.add_pull(7, HEAD_SHA)
    result = _run(tmp_path, github, "deployment_status", "deployment_status.json",
                  url_in_event=app.url)
    assert result.code == 0, result.log
    assert load_report(result.workspace)["target"]["url"] == app.url
    assert len(_marked(github, 7)) == 1
    assert [s["state"] for s in github.statuses(HEAD_SHA)] == ["pending", "success"]


def test_deployment_status_target_url_fallback(tmp_path, app, github):
    result = _run(tmp_path, github, "deployment_status", "deployment_status_target_url.json",
                  url_in_event=app.url)
    assert result.code == 0, result.log
    assert load_report(result.workspace)["target"]["url"] == app.url
    assert github.comments(7) == []  # no PR for the commit: status only
    assert github.statuses()[-1]["state"] == "success"


def test_deployment_not_yet_successful_is_skipped(tmp_path, github):
    result = _run(tmp_path, github, "deployment_status", "deployment_status_pending.json")
    assert result.code == 0, result.log
    assert "nothing to check" in result.log
    assert result.outputs["verdict"] == "skipped"
    assert github.requests == []


@pytest.mark.parametrize(("event_file", "base"), [
    ("push.json", BASE_SHA), ("push_same.json", HEAD_SHA), ("push_new_branch.json", None)])
def test_push_events(tmp_path, app, github, event_file, base):
    result = _run(tmp_path, github, "push", event_file, url=app.url)
    assert result.code == 0, result.log
    target = load_report(result.workspace)["target"]
    assert target["head"] == HEAD_SHA and target["base"] == base
    assert [s["state"] for s in github.statuses(HEAD_SHA)] == ["pending", "success"]
    assert not any(r.operation == "issues/list-comments" for r in github.requests)


def test_push_deleting_a_branch_is_skipped(tmp_path, github):
    result = _run(tmp_path, github, "push", "push_deleted_branch.json")
    assert result.code == 0 and result.outputs["verdict"] == "skipped"
    assert github.requests == []


@pytest.mark.parametrize(("event", "event_file"), [
    ("workflow_dispatch", "workflow_dispatch.json"), ("schedule", "schedule.json")])
def test_dispatch_and_schedule_set_status_on_github_sha(tmp_path, app, github, event,
                                                        event_file):
    result = _run(tmp_path, github, event, event_file, inputs={"url": app.url,
                                                               "status-context": "prod-watch"})
    assert result.code == 0, result.log
    statuses = github.statuses(HEAD_SHA)
    assert [s["state"] for s in statuses] == ["pending", "success"]
    assert {s["context"] for s in statuses} == {"prod-watch"}
    assert "launchgate: **PASS**" in result.summary


def test_config_error_ends_with_error_status_and_exit_2(tmp_path, app, github):
    workspace = write_workspace(tmp_path / "ws", app.url)
    (workspace / ".launchgate.yml").write_text("url: http://127.0.0.1:1\nchecks:\n  smok: {}\n",
                                               encoding="utf-8")
    env = action_env(tmp_path, workspace, github.url, TOKEN, "pull_request",
                     "pull_request.json")
    result = run_entrypoint(env, workspace)
    assert result.code == 2, result.log
    _no_traceback(result.log)
    assert ".launchgate.yml:3: checks.smok: unknown key; did you mean 'smoke'?" in result.log
    assert [s["state"] for s in github.statuses()] == ["pending", "error"]
    assert github.statuses()[-1]["description"].startswith("configuration error")
    assert result.outputs["verdict"] == "error"


def test_bad_input_is_a_usage_error(tmp_path, app, github):
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url,
                  inputs={"checks": "smoke,nosuchcheck"})
    assert result.code == 2
    assert "input checks: unknown check 'nosuchcheck'" in result.log
    assert github.statuses()[-1]["state"] == "error"


def test_internal_crash_never_leaves_pending(tmp_path, app, github):
    summary_dir = tmp_path / "summary-is-a-directory"
    summary_dir.mkdir()
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url,
                  extra={"GITHUB_STEP_SUMMARY": str(summary_dir)})
    assert result.code == 3, result.log
    _no_traceback(result.log)
    assert "::error title=launchgate internal error::IsADirectoryError" in result.log
    assert [s["state"] for s in github.statuses()] == ["pending", "error"]


def test_without_token_still_writes_summary_and_outputs(tmp_path, app, github):
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url,
                  inputs={"github-token": ""})
    assert result.code == 0, result.log
    assert "no github-token" in result.log
    assert github.requests == []
    assert result.outputs["verdict"] == "pass"
    assert "launchgate: **PASS**" in result.summary


def test_comment_false_sets_only_statuses(tmp_path, app, github):
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url,
                  inputs={"comment": "false"})
    assert result.code == 0, result.log
    assert github.comments(7) == []
    assert [s["state"] for s in github.statuses()] == ["pending", "success"]


def test_safe_directory_is_marked_in_global_git_config(tmp_path, app, github):
    result = _run(tmp_path, github, "workflow_dispatch", "workflow_dispatch.json",
                  url=app.url)
    assert result.code == 0, result.log
    gitconfig = (tmp_path / "home" / ".gitconfig").read_text(encoding="utf-8")
    assert f"directory = {result.workspace.resolve()}" in gitconfig


def test_fork_report_published_by_workflow_run_as_comment_only(tmp_path, app, github):
    github.faults.fork = True
    fork_run = _run(tmp_path / "fork", github, "pull_request", "pull_request_fork.json",
                    url=app.url)
    assert fork_run.code == 0, fork_run.log
    artifact = tmp_path / "trusted" / "ws" / "artifact"
    artifact.mkdir(parents=True)
    for name in ("report.json", "pull.json"):  # what upload-artifact carries over
        (artifact / name).write_bytes((fork_run.workspace / "launchgate-report" / name)
                                      .read_bytes())
    github.faults.fork = False
    github.add_pull(8, HEAD_SHA, associate=False)  # GitHub may not list a fork's commit
    result = _run(tmp_path / "trusted", github, "workflow_run", "workflow_run.json",
                  inputs={"report": "artifact/report.json"})
    assert result.code == 0, result.log
    (comment,) = _marked(github, 8)
    assert "information only" in comment["body"] and "PASS" in comment["body"]
    assert github.statuses() == []  # an untrusted report never sets the required status
    assert result.outputs["verdict"] == "pass"
    assert github.violations == []


def test_forged_report_is_refused(tmp_path, app, github):
    github.add_pull(8, HEAD_SHA)
    first = _run(tmp_path / "a", github, "pull_request", "pull_request.json", url=app.url)
    report = load_report(first.workspace)
    report["checks"][0]["name"] = "<img src=x onerror=alert(1)>"
    workspace = tmp_path / "b" / "ws"
    workspace.mkdir(parents=True)
    (workspace / "forged.json").write_text(json.dumps(report), encoding="utf-8")
    before = len(github.requests)
    result = _run(tmp_path / "b", github, "workflow_run", "workflow_run.json",
                  inputs={"report": "forged.json"})
    assert result.code == 2
    assert "input report: unexpected check" in result.log
    assert github.comments(8) == []
    assert all(r.method == "GET" for r in github.requests[before:])


def test_untrusted_pull_number_must_match_the_trusted_head(tmp_path, app, github):
    first = _run(tmp_path / "a", github, "pull_request", "pull_request.json", url=app.url)
    github.add_pull(9, "f" * 40, associate=False)  # someone else's pull request
    artifact = tmp_path / "b" / "ws" / "artifact"
    artifact.mkdir(parents=True)
    (artifact / "report.json").write_bytes(
        (first.workspace / "launchgate-report" / "report.json").read_bytes())
    (artifact / "pull.json").write_text('{"number": 9}', encoding="utf-8")
    result = _run(tmp_path / "b", github, "workflow_run", "workflow_run.json",
                  inputs={"report": "artifact/report.json"})
    assert result.code == 0, result.log
    assert "no pull request found" in result.log
    assert github.comments(9) == []


def test_github_enterprise_api_url_is_honoured(tmp_path, app):
    with FakeGitHub(token=TOKEN, prefix="/api/v3") as ghes:
        result = _run(tmp_path, ghes, "pull_request", "pull_request.json", url=app.url)
        assert result.code == 0, result.log
        assert [s["state"] for s in ghes.statuses()] == ["pending", "success"]
        assert len(_marked(ghes, 7)) == 1
        assert all(r.path.startswith("/api/v3/") for r in ghes.requests)


def test_cancelled_run_ends_with_error_status(tmp_path, app, github):
    import subprocess
    import sys
    import time

    from tests.actionharness import ROOT

    steps = [{"name": f"monthly report {i}", "path": "/api/reports/monthly",
              "expect_status": 200} for i in range(40)]  # ~18 s of slow requests
    workspace = write_workspace(tmp_path / "ws", app.url, steps=steps)
    env = action_env(tmp_path, workspace, github.url, TOKEN, "pull_request",
                     "pull_request.json")
    proc = subprocess.Popen([sys.executable, str(ROOT / "entrypoint.py")], cwd=workspace,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        deadline = time.monotonic() + 20
        while not github.statuses() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        proc.terminate()
        log, _ = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 3, log
    _no_traceback(log)
    assert "::error title=launchgate::the run was cancelled" in log
    assert [s["state"] for s in github.statuses()] == ["pending", "error"]
    assert github.statuses()[-1]["description"] == "launchgate was cancelled before it finished"


def test_text_from_config_or_targets_cannot_inject_workflow_commands(tmp_path, app, github):
    steps = [{"name": "login\n  ::add-mask::injected\n::set-output name=verdict::pass",
              "path": "/login", "expect_status": 200, "expect_text": "not on the page"}]
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url,
                  steps=steps)
    assert result.code == 1, result.log
    stopped = None
    seen = 0
    for line in result.log.splitlines():
        text = line.strip()
        if stopped is None and text.startswith("::stop-commands::"):
            stopped = text.removeprefix("::stop-commands::")
        elif stopped is not None and text == f"::{stopped}::":
            stopped = None
        elif text.startswith(("::add-mask::", "::set-output")):
            seen += 1
            assert stopped is not None, f"an injected command is live: {text}"
    # The injected text did reach the log (escaped onto one line, or inside stopped commands).
    assert seen >= 1 or "add-mask::injected" in result.log
    assert stopped is None
    assert result.outputs["verdict"] == "fail"
