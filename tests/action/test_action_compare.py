"""The Action's `compare` input against the fake GitHub: on a pull request it finds the newest
`launchgate-report` artifact of a push run on the base branch (workflow runs -> artifacts ->
302 to the zip), marks new and inherited findings and lists what is fixed; every way of not
finding a base report (none, expired, 410, no `actions: read`) is a one-line note, never an
error; `off` and a path override it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from launchgate.demo.app import DemoServer
from tests.support.actionharness import (
    TOKEN,
    action_env,
    load_report,
    marked_comments,
    run_entrypoint,
    write_workspace,
)
from tests.support.fakegithub.server import FakeGitHub

OLD = {"name": "old page", "path": "/old-missing", "expect_status": 200}
GONE = {"name": "gone page", "path": "/gone-missing", "expect_status": 200}
NEW = {"name": "new page", "path": "/new-missing", "expect_status": 200}


@pytest.fixture(scope="module")
def app():
    with DemoServer() as server:
        yield server


def _run(
    tmp_path: Path,
    github: FakeGitHub,
    app: DemoServer,
    event: str,
    event_file: str,
    steps: list,
    inputs: dict[str, str] | None = None,
    name: str = "ws",
):
    workspace = write_workspace(tmp_path / name, app.url, steps=steps)
    env = action_env(tmp_path, workspace, github.url, TOKEN, event, event_file, inputs=inputs)
    return run_entrypoint(env, workspace)


def _zip(report_dir: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # as upload-artifact does: the dir's files
        for path in sorted(report_dir.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def main_zip(tmp_path_factory, app) -> bytes:
    """main's report, made by a real push run of the Action: two failing steps."""
    tmp = tmp_path_factory.mktemp("main")
    with FakeGitHub(token=TOKEN) as github:
        result = _run(tmp, github, app, "push", "push.json", [OLD, GONE])
    assert result.code == 1, result.log
    return _zip(result.workspace / "launchgate-report")


def _publish_main(github: FakeGitHub, data: bytes, **artifact: bool) -> None:
    older = github.add_run(created_at="2026-01-01T00:00:00Z")
    github.add_artifact(older, b"not the newest")
    # A pull request's run reports its head branch, which a fork may call main: never read.
    fork = github.add_run(event="pull_request", created_at="2026-01-03T00:00:00Z")
    github.add_artifact(fork, b"untrusted")
    newest = github.add_run(created_at="2026-01-02T00:00:00Z")
    github.add_artifact(newest, data, **artifact)


def test_pull_request_is_compared_with_the_base_branch_artifact(tmp_path, app, github, main_zip):
    _publish_main(github, main_zip)
    result = _run(tmp_path, github, app, "pull_request", "pull_request.json", [OLD, NEW])
    assert result.code == 1, result.log
    report = load_report(result.workspace)
    assert "comparison" in report, result.log
    comparison = report["comparison"]
    assert comparison["base"]["name"] == "main"
    marks = {f["location"]["path"]: f["new"] for f in report["findings"]}
    assert marks == {"/old-missing": False, "/new-missing": True}
    assert [f["id"] for f in comparison["fixed"]] == ["smoke.unexpected-status"]
    body = marked_comments(github, 7)[0]["body"]
    assert "**1 new blocker in this PR; 1 blocker inherited from main; 1 fixed since main**" in body
    assert "- 🆕 **new page" in body and "*inherited from main*" in body
    assert "<details><summary><b>✅ Fixed since main (1)</b></summary>" in body
    assert "comparing with main" in result.log
    # The signed storage URL got no token; every request matched GitHub's description.
    assert github.state.blob_auth == []
    assert github.violations == []
    downloads = [r for r in github.requests if r.operation == "actions/download-artifact"]
    assert [r.status for r in downloads] == [302]


@pytest.mark.parametrize(
    ("setup", "note"),
    [
        (lambda gh, data: None, "no launchgate-report artifact from a push run on main was found"),
        (
            lambda gh, data: _publish_main(gh, data, expired=True),
            "the newest launchgate-report artifact of main has expired",
        ),
        (
            lambda gh, data: (_publish_main(gh, data), setattr(gh.faults, "artifact_gone", True)),
            "the base report artifact has expired",
        ),
        (
            lambda gh, data: (_publish_main(gh, data), setattr(gh.faults, "forbid_actions", True)),
            "add `actions: read` to the workflow's permissions",
        ),
        (lambda gh, data: _publish_main(gh, b"PK not a zip"), "not a readable zip"),
    ],
)
def test_no_base_report_is_a_note_never_an_error(tmp_path, app, github, main_zip, setup, note):
    setup(github, main_zip)
    result = _run(tmp_path, github, app, "pull_request", "pull_request.json", [OLD])
    assert result.code == 1, result.log  # the verdict of the checks, nothing else
    assert "Traceback" not in result.log
    report = load_report(result.workspace)
    assert "comparison" not in report
    assert len(report["notes"]) == 1 and note in report["notes"][0], report["notes"]
    body = marked_comments(github, 7)[0]["body"]
    line = next(li for li in body.splitlines() if li.startswith("> ℹ️ Not compared with main: "))
    assert note.replace("`", "") in line.replace("\\", "").replace("`", ""), line
    assert github.violations == []


def test_compare_off_and_a_path_override_auto(tmp_path, app, github, main_zip):
    _publish_main(github, main_zip)
    off = _run(
        tmp_path,
        github,
        app,
        "pull_request",
        "pull_request.json",
        [OLD],
        inputs={"compare": "off"},
        name="off",
    )
    assert "comparison" not in load_report(off.workspace) and not any(
        r.operation and r.operation.startswith("actions/") for r in github.requests
    )
    workspace = write_workspace(tmp_path / "path", app.url, steps=[OLD, NEW])
    with zipfile.ZipFile(io.BytesIO(main_zip)) as archive:
        (workspace / "base.json").write_bytes(archive.read("report.json"))
    env = action_env(
        tmp_path,
        workspace,
        github.url,
        TOKEN,
        "pull_request",
        "pull_request.json",
        inputs={"compare": "base.json"},
    )
    result = run_entrypoint(env, workspace)
    report = load_report(result.workspace)
    assert report["comparison"]["new"] == 1 and report["comparison"]["base"]["name"] == "base"
    (workspace / "base.json").write_text(json.dumps({"name": "not a report"}))
    bad = run_entrypoint(env, workspace)
    assert bad.code == 2 and "input compare" in bad.log and "not a launchgate report" in bad.log


def test_client_reads_artifacts_on_github_enterprise_paths():
    from launchgate.github import GitHubClient, report_from_zip

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.json", '{"schema": "launchgate.report/v1"}')
    with FakeGitHub(token=TOKEN, prefix="/api/v3") as github:
        run = github.add_run()
        github.add_artifact(run, buffer.getvalue())
        client = GitHubClient(github.url, TOKEN, github.repository, log=lambda _: None)
        try:
            artifact = client.latest_artifact("main", "launchgate-report")
            assert artifact is not None and artifact.run_id == run and not artifact.expired
            assert (
                report_from_zip(client.download_artifact(artifact.id))
                == b'{"schema": "launchgate.report/v1"}'
            )
            assert client.latest_artifact("release", "launchgate-report") is None
        finally:
            client.close()
        assert github.violations == [] and github.state.blob_auth == []
        assert all(r.path.startswith(("/api/v3/", "/_blob/")) for r in github.requests)


def test_status_description_of_a_gate_on_new_pass_with_inherited_blockers():
    from launchgate.action.publisher import status_description

    data = {
        "verdict": "pass",
        "fail_on": "blocker",
        "metrics": {},
        "checks": [{"name": "smoke", "status": "passed"}],
        "counts": {"blocker": 1, "important": 0, "later": 0},
        "comparison": {
            "new": 0,
            "gate_on": "new",
            "base": {"name": "main"},
            "inherited_counts": {"blocker": 1, "important": 0, "later": 0},
        },
    }
    assert status_description(data) == "Nothing new blocks: 1 blocker, 0 important, 0 later (0 new)"
    data["comparison"]["gate_on"] = "all"
    data["comparison"]["inherited_counts"]["blocker"] = 0
    assert status_description(data).startswith("Ready to launch: ")
