"""Issue 12 item 7 and the event-payload messages: what the runner hands the Action cannot flip
its verdict. An unwritable job summary used to turn a PASS into exit 3 with no comment; a
payload that is a list, null or `pull_request: "text"` ended in AttributeError (exit 3); a
missing GITHUB_EVENT_PATH inside Actions went on silently and passed.

entrypoint.py runs as a real subprocess against the fake GitHub server and the demo app."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchgate.demo.app import DemoServer
from tests.support.actionharness import (
    TOKEN,
    action_env,
    marked_comments,
    run_entrypoint,
    write_workspace,
)

pytestmark = pytest.mark.slow  # the whole Action in a subprocess, per test


@pytest.fixture
def app():
    with DemoServer() as server:
        yield server


def _env(tmp_path: Path, github, url: str | None, **kwargs) -> tuple[dict[str, str], Path]:
    workspace = write_workspace(tmp_path / "ws", url)
    return action_env(
        tmp_path, workspace, github.url, TOKEN, "pull_request", "pull_request.json", **kwargs
    ), workspace


def _assert_published_pass(result, github) -> None:
    assert result.code == 0, result.log
    assert "Traceback" not in result.log
    assert [s["state"] for s in github.statuses()] == ["pending", "success"]
    assert len(marked_comments(github, 7)) == 1


# --- runner files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"])
def test_an_unwritable_runner_file_warns_and_the_verdict_is_published(
    tmp_path, app, github, variable
):
    env, workspace = _env(tmp_path, github, app.url)
    unwritable = tmp_path / "a-directory"
    unwritable.mkdir()
    env[variable] = str(unwritable)
    result = run_entrypoint(env, workspace)
    _assert_published_pass(result, github)
    warnings = [
        line
        for line in result.log.splitlines()
        if line.startswith("::warning::launchgate: could not write")
    ]
    assert len(warnings) == 1 and f"({variable})" in warnings[0], result.log
    assert warnings[0].endswith("the verdict is published anyway")
    if variable == "GITHUB_STEP_SUMMARY":
        assert result.outputs["verdict"] == "pass"


def test_an_unwritable_report_directory_warns_and_the_verdict_is_published(tmp_path, app, github):
    env, workspace = _env(tmp_path, github, app.url)
    (workspace / "launchgate-report").write_text("a file where the directory goes\n")
    result = run_entrypoint(env, workspace)
    _assert_published_pass(result, github)
    assert "::warning::launchgate: could not write a report file" in result.log
    assert result.outputs["verdict"] == "pass" and result.outputs["report"] == ""
    assert "launchgate: **PASS**" in result.summary


# --- the event payload ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("[1, 2]", "the event payload is a list, expected a JSON object"),
        ("null", "the event payload is null, expected a JSON object"),
        (
            '{"pull_request": "str"}',
            "the event payload's pull_request is a string, expected an object",
        ),
        (
            '{"pull_request": {"head": {"sha": 5}}}',
            "the event payload's pull_request.head.sha is a number, expected a string",
        ),
        (
            '{"pull_request": {"number": "7"}}',
            "the event payload's pull_request.number is a string, expected a number",
        ),
    ],
)
def test_a_malformed_event_payload_is_a_usage_error_naming_the_field(
    tmp_path, github, payload, message
):
    env, workspace = _env(tmp_path, github, None)
    Path(env["GITHUB_EVENT_PATH"]).write_text(payload, encoding="utf-8")
    result = run_entrypoint(env, workspace)
    assert result.code == 2, result.log
    assert "Traceback" not in result.log and "AttributeError" not in result.log
    errors = [line for line in result.log.splitlines() if line.startswith("::error")]
    assert len(errors) == 1 and message in errors[0], result.log
    assert github.statuses() == []


@pytest.mark.parametrize("where", ["unset", "missing file"])
def test_a_missing_event_payload_inside_actions_is_an_error_not_a_pass(
    tmp_path, app, github, where
):
    env, workspace = _env(tmp_path, github, app.url)
    if where == "unset":
        del env["GITHUB_EVENT_PATH"]
        expected = "GITHUB_EVENT_PATH is not set"
    else:
        env["GITHUB_EVENT_PATH"] = str(tmp_path / "no-such-event.json")
        expected = "GITHUB_EVENT_PATH points at"
    result = run_entrypoint(env, workspace)
    assert result.code == 2, result.log
    assert expected in result.log and "Traceback" not in result.log
    assert result.outputs["verdict"] == "error"
    assert "success" not in [s["state"] for s in github.statuses()]
