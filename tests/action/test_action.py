"""The Action end to end: entrypoint.py as a real subprocess, against the fake GitHub server
(PyGithub over HTTP, request bodies validated against GitHub's schemas) and the demo app."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from launchgate import action
from launchgate.demo.app import DemoServer
from launchgate.render.comment import COMMENT_MARKER, LEGACY_MARKER, comment_marker
from tests.conftest import assert_no_secret
from tests.support.actionharness import (
    BASE_SHA,
    EVENTS,
    HEAD_SHA,
    MERGE_SHA,
    ROOT,
    RUN_ID,
    SERVER_URL,
    TOKEN,
    action_env,
    load_report,
    marked_comments,
    parse_outputs,
    run_entrypoint,
    write_workspace,
)
from tests.support.fakegithub.server import FakeGitHub
from tests.support.secrets_fixture import commit, git

pytestmark = pytest.mark.slow  # the whole Action in a subprocess, per test

BYPASS = "bypass-" + "s3cretHeaderValue" * 3
RUN_URL = f"{SERVER_URL}/acme/admin/actions/runs/{RUN_ID}"


@pytest.fixture
def app():
    with DemoServer() as server:
        yield server


def _run(
    tmp_path: Path,
    github: FakeGitHub,
    event: str,
    event_file: str,
    *,
    url: str | None = None,
    url_in_event: str = "",
    inputs: dict[str, str] | None = None,
    extra: dict[str, str] | None = None,
    steps: list | None = None,
    headers: dict[str, str] | None = None,
):
    workspace = write_workspace(tmp_path / "ws", url, steps=steps, headers=headers)
    env = action_env(
        tmp_path,
        workspace,
        github.url,
        TOKEN,
        event,
        event_file,
        url_in_event=url_in_event,
        inputs=inputs,
        extra=extra,
    )
    return run_entrypoint(env, workspace)


def _no_traceback(log: str) -> None:
    assert "Traceback (most recent call last)" not in log


def test_pull_request_pass_one_sticky_comment_across_pages(tmp_path, app, github):
    for i in range(12):  # the verdict comment lands on page 3 (5 per page)
        github.add_comment(7, f"review comment {i}")
    for attempt in range(2):
        result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
        assert result.code == 0, result.log
        _no_traceback(result.log)
        assert len(marked_comments(github, 7)) == 1, f"attempt {attempt}"
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
    assert "PASS" in marked_comments(github, 7)[0]["body"]
    assert github.violations == []
    # Paging was real: the lookup read pages 2 and 3 through the Link header.
    assert any("page=3" in r.path for r in github.requests)


def test_blocker_fails_status_comment_and_exit_code(tmp_path, app, github):
    steps = [
        {
            "name": "client list",
            "path": "/clients",
            "expect_status": 200,
            "expect_text": "No such client",
        }
    ]
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url, steps=steps)
    assert result.code == 1, result.log
    assert result.outputs["verdict"] == "fail"
    assert result.outputs["blockers"] == "1"
    final = github.statuses()[-1]
    assert final["state"] == "failure"
    assert final["description"].startswith("Launch blocked: 1 blocker,")
    assert len(final["description"]) <= 140
    assert "FAIL" in marked_comments(github, 7)[0]["body"]
    assert "launch blocked" in result.summary
    # The verdict reaches the log as an annotation too.
    assert "::error title=launchgate smoke." in result.log


def test_fail_on_input_decides_the_exit_code(tmp_path, app, github):
    steps = [
        {
            "name": "client list",
            "path": "/clients",
            "expect_status": 200,
            "expect_text": "No such client",
        }
    ]
    result = _run(
        tmp_path,
        github,
        "pull_request",
        "pull_request.json",
        url=app.url,
        steps=steps,
        inputs={"fail-on": "never"},
    )
    assert result.code == 0, result.log
    assert result.outputs["verdict"] == "pass"
    assert result.outputs["blockers"] == "1"
    assert github.statuses()[-1]["state"] == "success"


def test_faults_never_make_a_second_comment(tmp_path, app, github):
    github.faults.secondary_rate_limit = 1  # the pending status: 403 + Retry-After: 1
    github.faults.comment_write_502 = 1  # the create is committed, then answers 502
    first = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
    assert first.code == 0, first.log
    assert "retrying in 1s" in first.log
    assert "HTTP 502" in first.log
    assert len(marked_comments(github, 7)) == 1
    github.faults.comment_write_502 = 1  # now the edit answers 502 after applying it
    second = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
    assert second.code == 0, second.log
    assert len(marked_comments(github, 7)) == 1
    assert len(github.comments(7)) == 1
    assert [s["state"] for s in github.statuses()] == ["pending", "success"] * 2
    assert github.violations == []


def test_human_comments_quoting_the_marker_are_never_edited(tmp_path, app, github):
    human = f"{COMMENT_MARKER}\nI pasted the bot's comment here to discuss it."
    quoted = f"> {COMMENT_MARKER}\n> the verdict said PASS, are we sure?"
    github.add_comment(7, human, login="alice")
    github.add_comment(7, quoted, login="bob")
    for attempt in range(2):
        result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
        assert result.code == 0, result.log
        comments = github.comments(7)
        assert [c["body"] for c in comments[:2]] == [human, quoted], f"attempt {attempt}"
        ours = [c for c in comments if c["user"]["login"] == "github-actions[bot]"]
        assert len(ours) == 1 and ours[0]["body"].startswith(COMMENT_MARKER)
        assert len(comments) == 3
    assert {c["user"]["type"] for c in comments[:2]} == {"User"}
    assert github.violations == []


def test_a_user_token_edits_only_its_own_comment(tmp_path, app):
    with FakeGitHub(token=TOKEN, token_user="release-manager") as github:
        bot = github.add_comment(
            7, f"{COMMENT_MARKER}\nverdict by another token", login="github-actions[bot]"
        )
        for _ in range(2):
            result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
            assert result.code == 0, result.log
        comments = github.comments(7)
        assert comments[0]["body"] == bot["body"]  # not ours: the token is a person's
        mine = [c for c in comments if c["user"]["login"] == "release-manager"]
        assert len(mine) == 1 and len(comments) == 2
        assert any(r.operation == "users/get-authenticated" for r in github.requests)


def test_legacy_marker_is_adopted_and_contexts_keep_separate_comments(tmp_path, app, github):
    github.add_comment(
        7, f"{LEGACY_MARKER}\nverdict of an older version", login="github-actions[bot]"
    )
    first = _run(tmp_path / "a", github, "pull_request", "pull_request.json", url=app.url)
    assert first.code == 0, first.log
    (legacy,) = github.comments(7)  # edited in place, now with the keyed marker
    assert legacy["body"].startswith(COMMENT_MARKER + "\n")
    preview = _run(
        tmp_path / "b",
        github,
        "pull_request",
        "pull_request.json",
        url=app.url,
        inputs={"status-context": "launchgate/preview"},
    )
    assert preview.code == 0, preview.log
    again = _run(
        tmp_path / "c",
        github,
        "pull_request",
        "pull_request.json",
        url=app.url,
        inputs={"status-context": "launchgate/preview"},
    )
    assert again.code == 0, again.log
    bodies = [c["body"] for c in github.comments(7)]
    assert len(bodies) == 2
    assert bodies[0].startswith(COMMENT_MARKER + "\n")
    assert bodies[1].startswith(comment_marker("launchgate/preview") + "\n")
    assert comment_marker("launchgate/preview") != COMMENT_MARKER


def test_read_only_token_on_a_same_repo_pull_names_the_permission(tmp_path, app, github):
    github.faults.fork = True  # every write 403, but the pull request is not from a fork
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url)
    assert result.code == 0, result.log
    (line,) = [ln for ln in result.log.splitlines() if "cannot write" in ln]
    assert "statuses: write" in line
    assert "fork" not in line.lower()


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
    steps = [
        {
            "name": "login page",
            "path": "/login",
            "expect_status": 200,
            "expect_text": "not on the page",
        }
    ]
    result = _run(
        tmp_path,
        github,
        "pull_request",
        "pull_request.json",
        url=app.url,
        steps=steps,
        headers={"x-vercel-protection-bypass": "${BYPASS_SECRET}"},
        extra={"BYPASS_SECRET": BYPASS},
    )
    assert result.code == 1, result.log
    report_dir = result.workspace / "launchgate-report"
    texts = {
        "log": result.log,
        "summary": result.summary,
        "outputs": repr(result.outputs),
        **{f"request {r.method} {r.path}": r.path + r.body for r in github.requests},
        **{p.name: p.read_text(encoding="utf-8") for p in report_dir.iterdir()},
    }
    assert len(texts) > 6
    for where, text in texts.items():
        assert_no_secret(text, TOKEN, where=where)
        assert_no_secret(text, BYPASS, where=where)


def test_deployment_status_uses_environment_url_and_finds_the_pull(tmp_path, app, github):
    github.add_pull(7, HEAD_SHA)
    result = _run(
        tmp_path, github, "deployment_status", "deployment_status.json", url_in_event=app.url
    )
    assert result.code == 0, result.log
    assert load_report(result.workspace)["target"]["url"] == app.url
    assert len(marked_comments(github, 7)) == 1
    assert [s["state"] for s in github.statuses(HEAD_SHA)] == ["pending", "success"]


def test_deployment_status_target_url_fallback(tmp_path, app, github):
    result = _run(
        tmp_path,
        github,
        "deployment_status",
        "deployment_status_target_url.json",
        url_in_event=app.url,
    )
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


@pytest.mark.parametrize(
    ("event_file", "base"),
    [("push.json", BASE_SHA), ("push_same.json", HEAD_SHA), ("push_new_branch.json", None)],
)
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


def _repo_with_commits(path: Path, url: str | None) -> tuple[Path, str, str, str]:
    """A real repository: the base commit (config, app code), then a head commit that adds
    config/settings.py with an AWS key on line 3. Returns (repo, base sha, head sha)."""
    import random
    import string

    repo = write_workspace(path, url)
    git(repo, "init", "-q", "-b", "main")
    (repo / "app.py").write_text("print('hello')\n", encoding="utf-8")
    base = commit(repo, "app", 1)
    secret = "AKIA" + "".join(
        random.choice(string.ascii_uppercase + string.digits) for _ in range(16)
    )
    (repo / "config").mkdir()
    (repo / "config" / "settings.py").write_text(
        f"DEBUG = False\nREGION = 'eu-west-1'\nAWS_ACCESS_KEY_ID = '{secret}'\n", encoding="utf-8"
    )
    head = commit(repo, "settings", 2)
    return repo, base, head, secret


def test_secrets_check_on_a_real_pull_request(tmp_path, github):
    repo, base, head, secret = _repo_with_commits(tmp_path / "ws", None)
    payload = json.loads((EVENTS / "pull_request.json").read_text(encoding="utf-8"))
    payload["pull_request"]["base"]["sha"] = base
    payload["pull_request"]["head"]["sha"] = head
    env = action_env(
        tmp_path,
        repo,
        github.url,
        TOKEN,
        "pull_request",
        "pull_request.json",
        inputs={"checks": "secrets"},
        payload_json=payload,
    )
    result = run_entrypoint(env, repo)
    assert result.code == 1, result.log
    _no_traceback(result.log)
    report = load_report(repo)
    assert (report["target"]["base"], report["target"]["head"]) == (base, head)
    ids = [f["id"] for f in report["findings"]]
    assert ids == ["secrets.in-diff"]
    assert result.outputs["verdict"] == "fail" and result.outputs["blockers"] == "1"
    assert "::error file=config/settings.py,line=3,title=launchgate secrets.in-diff::" in result.log
    assert [s["state"] for s in github.statuses(head)] == ["pending", "failure"]
    assert "FAIL" in marked_comments(github, 7)[0]["body"]
    cache = repo / ".launchgate-cache" / "secrets"
    assert cache.is_dir() and any(cache.iterdir())
    texts = {
        "log": result.log,
        "summary": result.summary,
        **{f"request {r.method} {r.path}": r.path + r.body for r in github.requests},
        **{p.name: p.read_text(encoding="utf-8") for p in (repo / "launchgate-report").iterdir()},
        **{p.name: p.read_text(encoding="utf-8") for p in cache.rglob("*") if p.is_file()},
    }
    for where, text in texts.items():
        assert_no_secret(text, secret, where=where)


def test_force_push_scans_like_a_new_branch(tmp_path, github):
    repo, _base, head, _secret = _repo_with_commits(tmp_path / "ws", None)
    payload = json.loads((EVENTS / "push.json").read_text(encoding="utf-8"))
    payload["before"] = "f" * 40  # the branch's old head, replaced by the force-push
    payload["after"] = head
    env = action_env(
        tmp_path,
        repo,
        github.url,
        TOKEN,
        "push",
        "push.json",
        inputs={"checks": "secrets"},
        payload_json=payload,
        extra={"GITHUB_SHA": head},
    )
    result = run_entrypoint(env, repo)
    _no_traceback(result.log)
    assert "not a commit in this clone" in result.log and "ffffffffffff" in result.log
    report = load_report(repo)
    assert report["target"]["base"] is None and report["target"]["head"] == head
    (check,) = [c for c in report["checks"] if c["name"] == "secrets"]
    assert check["status"] == "failed", check  # decided from history, not `error`
    assert [f["id"] for f in report["findings"]] == ["secrets.in-head"]
    assert result.code == 1 and result.outputs["verdict"] == "fail"
    assert [s["state"] for s in github.statuses(head)] == ["pending", "failure"]


@pytest.mark.parametrize(
    ("event", "event_file"),
    [("workflow_dispatch", "workflow_dispatch.json"), ("schedule", "schedule.json")],
)
def test_dispatch_and_schedule_set_status_on_github_sha(tmp_path, app, github, event, event_file):
    result = _run(
        tmp_path, github, event, event_file, inputs={"url": app.url, "status-context": "prod-watch"}
    )
    assert result.code == 0, result.log
    statuses = github.statuses(HEAD_SHA)
    assert [s["state"] for s in statuses] == ["pending", "success"]
    assert {s["context"] for s in statuses} == {"prod-watch"}
    assert "launchgate: **PASS**" in result.summary


def test_config_error_ends_with_error_status_and_exit_2(tmp_path, app, github):
    workspace = write_workspace(tmp_path / "ws", app.url)
    (workspace / ".launchgate.yml").write_text(
        "url: http://127.0.0.1:1\nchecks:\n  smok: {}\n", encoding="utf-8"
    )
    env = action_env(tmp_path, workspace, github.url, TOKEN, "pull_request", "pull_request.json")
    result = run_entrypoint(env, workspace)
    assert result.code == 2, result.log
    _no_traceback(result.log)
    assert ".launchgate.yml:3: checks.smok: unknown key; did you mean 'smoke'?" in result.log
    assert [s["state"] for s in github.statuses()] == ["pending", "error"]
    assert github.statuses()[-1]["description"].startswith("configuration error")
    assert result.outputs["verdict"] == "error"


def test_bad_input_is_a_usage_error(tmp_path, app, github):
    result = _run(
        tmp_path,
        github,
        "pull_request",
        "pull_request.json",
        url=app.url,
        inputs={"checks": "smoke,nosuchcheck"},
    )
    assert result.code == 2
    assert "input checks: unknown check 'nosuchcheck'" in result.log
    assert github.statuses()[-1]["state"] == "error"


@pytest.mark.parametrize(
    ("inputs", "event", "event_file", "expected"),
    [
        (
            {"duration": "forever"},
            "pull_request",
            "pull_request.json",
            "input duration: expected a duration",
        ),
        ({"users": "500"}, "pull_request", "pull_request.json", "input users: must be at most 100"),
        (
            {"url": "ftp://preview.example.com"},
            "pull_request",
            "pull_request.json",
            "input url: invalid URL",
        ),
        (
            {},
            "deployment_status",
            "deployment_status.json",
            "the deployment's environment_url: invalid URL",
        ),
    ],
)
def test_input_errors_name_the_input(tmp_path, github, inputs, event, event_file, expected):
    result = _run(
        tmp_path, github, event, event_file, url_in_event="ftp://preview.example", inputs=inputs
    )
    assert result.code == 2, result.log
    _no_traceback(result.log)
    assert expected in result.log
    assert "--set" not in result.log
    assert github.statuses()[-1]["state"] == "error"


class _FailsOnceOn(io.StringIO):
    """A log stream with one write error on the first line containing `needle`."""

    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle
        self.failed = False

    def write(self, text: str) -> int:
        if self.needle in text and not self.failed:
            self.failed = True
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return super().write(text)


def test_internal_crash_never_leaves_pending(tmp_path, app, github, monkeypatch):
    # (An unwritable job summary used to be the crash here; it is only a warning now: see
    # tests/action/test_action_runner_files.py.)
    workspace = write_workspace(tmp_path / "ws", app.url)
    env = action_env(tmp_path, workspace, github.url, TOKEN, "pull_request", "pull_request.json")
    monkeypatch.setenv("LAUNCHGATE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", env["HOME"])  # `git config --global` runs in-process here
    monkeypatch.chdir(workspace)
    stream = _FailsOnceOn("pull_request run on")  # the gate's first line, after `pending`
    code = action.main(env, out=stream)
    log = stream.getvalue()
    assert stream.failed and code == 3, log
    _no_traceback(log)
    assert "::error title=launchgate internal error::BlockingIOError" in log
    assert [s["state"] for s in github.statuses()] == ["pending", "error"]


class _FailsOnceAfterTheVerdict(io.StringIO):
    """A log stream with one write error (EAGAIN on a full pipe) once the final status is
    posted: the printed verdict after the status fails."""

    def __init__(self, github: FakeGitHub) -> None:
        super().__init__()
        self.github = github
        self.failed = False

    def write(self, text: str) -> int:
        final = [s for s in self.github.statuses() if s["state"] != "pending"]
        if final and not self.failed:
            self.failed = True
            raise BlockingIOError(11, "Resource temporarily unavailable")
        return super().write(text)


def test_crash_after_the_final_status_keeps_the_verdict(tmp_path, app, github, monkeypatch):
    workspace = write_workspace(tmp_path / "ws", app.url)
    env = action_env(tmp_path, workspace, github.url, TOKEN, "pull_request", "pull_request.json")
    monkeypatch.setenv("LAUNCHGATE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", env["HOME"])  # `git config --global` runs in-process here
    monkeypatch.chdir(workspace)
    stream = _FailsOnceAfterTheVerdict(github)
    code = action.main(env, out=stream)
    log = stream.getvalue()
    assert stream.failed
    assert code == 0, log
    assert "BlockingIOError" in log and "the verdict stands" in log
    assert [s["state"] for s in github.statuses()] == ["pending", "success"]
    outputs = parse_outputs((tmp_path / "output.txt").read_text(encoding="utf-8"))
    assert outputs["verdict"] == "pass"
    assert "PASS" in marked_comments(github, 7)[0]["body"]


def test_without_token_still_writes_summary_and_outputs(tmp_path, app, github):
    result = _run(
        tmp_path,
        github,
        "pull_request",
        "pull_request.json",
        url=app.url,
        inputs={"github-token": ""},
    )
    assert result.code == 0, result.log
    assert "no github-token" in result.log
    assert github.requests == []
    assert result.outputs["verdict"] == "pass"
    assert "launchgate: **PASS**" in result.summary


def test_comment_false_sets_only_statuses(tmp_path, app, github):
    result = _run(
        tmp_path,
        github,
        "pull_request",
        "pull_request.json",
        url=app.url,
        inputs={"comment": "false"},
    )
    assert result.code == 0, result.log
    assert github.comments(7) == []
    assert [s["state"] for s in github.statuses()] == ["pending", "success"]


def test_safe_directory_is_marked_in_global_git_config(tmp_path, app, github):
    result = _run(tmp_path, github, "workflow_dispatch", "workflow_dispatch.json", url=app.url)
    assert result.code == 0, result.log
    gitconfig = (tmp_path / "home" / ".gitconfig").read_text(encoding="utf-8")
    assert f"directory = {result.workspace.resolve()}" in gitconfig


def test_fork_report_published_by_workflow_run_as_comment_only(tmp_path, app, github):
    github.faults.fork = True
    fork_run = _run(
        tmp_path / "fork", github, "pull_request", "pull_request_fork.json", url=app.url
    )
    assert fork_run.code == 0, fork_run.log
    artifact = tmp_path / "trusted" / "ws" / "artifact"
    artifact.mkdir(parents=True)
    for name in ("report.json", "pull.json"):  # what upload-artifact carries over
        (artifact / name).write_bytes(
            (fork_run.workspace / "launchgate-report" / name).read_bytes()
        )
    github.faults.fork = False
    github.add_pull(8, HEAD_SHA, associate=False)  # GitHub may not list a fork's commit
    result = _run(
        tmp_path / "trusted",
        github,
        "workflow_run",
        "workflow_run.json",
        inputs={"report": "artifact/report.json"},
    )
    assert result.code == 0, result.log
    (comment,) = marked_comments(github, 8)
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
    result = _run(
        tmp_path / "b",
        github,
        "workflow_run",
        "workflow_run.json",
        inputs={"report": "forged.json"},
    )
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
        (first.workspace / "launchgate-report" / "report.json").read_bytes()
    )
    (artifact / "pull.json").write_text('{"number": 9}', encoding="utf-8")
    result = _run(
        tmp_path / "b",
        github,
        "workflow_run",
        "workflow_run.json",
        inputs={"report": "artifact/report.json"},
    )
    assert result.code == 0, result.log
    assert "no pull request found" in result.log
    assert github.comments(9) == []


def test_github_enterprise_api_url_is_honoured(tmp_path, app):
    with FakeGitHub(token=TOKEN, prefix="/api/v3") as ghes:
        result = _run(tmp_path, ghes, "pull_request", "pull_request.json", url=app.url)
        assert result.code == 0, result.log
        assert [s["state"] for s in ghes.statuses()] == ["pending", "success"]
        assert len(marked_comments(ghes, 7)) == 1
        assert all(r.path.startswith("/api/v3/") for r in ghes.requests)


@pytest.mark.parametrize(
    "signals",
    [
        (signal.SIGTERM,),
        # What GitHub does on cancel: SIGINT, then SIGTERM 7.5 s later (here sooner).
        (signal.SIGINT, signal.SIGTERM),
    ],
    ids=["sigterm", "sigint-then-sigterm"],
)
def test_cancelled_run_ends_with_error_status(tmp_path, app, github, signals):
    steps = [
        {"name": f"monthly report {i}", "path": "/api/reports/monthly", "expect_status": 200}
        for i in range(40)
    ]  # ~18 s of slow requests
    workspace = write_workspace(tmp_path / "ws", app.url, steps=steps)
    env = action_env(tmp_path, workspace, github.url, TOKEN, "pull_request", "pull_request.json")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "entrypoint.py")],
        cwd=workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not github.statuses() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        for sig in signals:
            proc.send_signal(sig)
            time.sleep(0.05)
        log, _ = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert proc.returncode == 3, log
    _no_traceback(log)
    assert "KeyboardInterrupt" not in log
    assert "::error title=launchgate::the run was cancelled" in log
    assert [s["state"] for s in github.statuses()] == ["pending", "error"]
    assert github.statuses()[-1]["description"] == "launchgate was cancelled before it finished"
    outputs = parse_outputs((tmp_path / "output.txt").read_text(encoding="utf-8"))
    assert outputs["verdict"] == "error"


def test_text_from_config_or_targets_cannot_inject_workflow_commands(tmp_path, app, github):
    steps = [
        {
            "name": "login\n  ::add-mask::injected\n::set-output name=verdict::pass",
            "path": "/login",
            "expect_status": 200,
            "expect_text": "not on the page",
        }
    ]
    result = _run(tmp_path, github, "pull_request", "pull_request.json", url=app.url, steps=steps)
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
