"""Issue 12 items 8 and 9 and the garbage-answer message: a hostile or broken GitHub API (or a
proxy in front of it) cannot leak the token, hold the job, or end it in a KeyError.

The fake GitHub server (tests/support/fakegithub) echoes the Authorization header in its error
messages, drips its answers a byte at a time, or answers 200 with bodies PyGithub cannot read.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from launchgate.github import GitHubClient, GitHubWriteError, RetryPolicy
from tests.conftest import ROOT, assert_no_secret
from tests.support.actionharness import TOKEN, action_env, write_workspace

pytestmark = pytest.mark.timeout(90)
SHA = "d" * 40


def _client(
    github, logs: list[str], *, deadline_s: float = 60.0, attempts: int = 3
) -> GitHubClient:
    return GitHubClient(
        github.url,
        TOKEN,
        github.repository,
        timeout_s=5,
        log=logs.append,
        sleep=lambda _: None,
        deadline_s=deadline_s,
        policy=RetryPolicy(attempts=attempts, base_delay_s=0.01),
    )


# --- 9: API text that echoes the token ----------------------------------------------------------


@pytest.mark.parametrize("status", [422, 502])
def test_an_api_echoing_the_authorization_header_never_prints_the_token(github, status):
    github.faults.echo_authorization_status = status
    logs: list[str] = []
    client = _client(github, logs)
    try:
        with pytest.raises(GitHubWriteError) as info:
            client.set_status(SHA, "success", "fine", context="launchgate", target_url=None)
    finally:
        client.close()
    message = str(info.value)
    assert f"HTTP {status}" in message and "upstream rejected the request" in message
    assert "[redacted]" in message
    for where, text in {"error": message, "log": "\n".join(logs)}.items():
        assert_no_secret(text, TOKEN, where=where)
    assert len(logs) == (2 if status == 502 else 0)  # 5xx is retried, each retry logged


# --- 8: a dripping API has a total deadline -------------------------------------------------------


def test_a_dripping_api_is_timed_out_per_attempt(github):
    github.faults.drip_interval_s = 0.3  # each byte within the 5 s read timeout
    logs: list[str] = []
    client = _client(github, logs, deadline_s=1.0, attempts=2)
    started = time.monotonic()
    try:
        with pytest.raises(
            GitHubWriteError,
            match=r"no complete answer within 1 s after 2 "
            r"attempts",
        ):
            client.set_status(SHA, "success", "fine", context="launchgate", target_url=None)
    finally:
        client.close()
    assert time.monotonic() - started < 5.0
    assert "no complete answer within 1 s" in logs[0]


def test_a_hurried_client_gives_up_within_seconds_on_a_dripping_api(github):
    github.faults.drip_interval_s = 0.3
    client = _client(github, [])
    client.hurry()
    started = time.monotonic()
    try:
        with pytest.raises(GitHubWriteError, match="within 3 s"):
            client.set_status(SHA, "error", "cancelled", context="launchgate", target_url=None)
    finally:
        client.close()
    assert time.monotonic() - started < 7.5  # what the runner allows after its SIGINT


def test_cancelling_the_action_while_the_api_drips_ends_within_bounded_time(tmp_path, github):
    github.faults.drip_interval_s = 0.3
    github.faults.drip_max_s = 60.0
    workspace = write_workspace(tmp_path / "ws", None)
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
            time.sleep(0.05)  # the pending status is written; its answer drips
        assert github.statuses(), "the action never reached the API"
        proc.send_signal(signal.SIGINT)
        cancelled_at = time.monotonic()
        log, _ = proc.communicate(timeout=30)
        elapsed = time.monotonic() - cancelled_at
    finally:
        proc.kill()
    assert proc.returncode == 3, log
    assert elapsed < 8.0, f"cancellation took {elapsed:.1f} s"
    assert "the run was cancelled" in log and "Traceback" not in log
    assert_no_secret(log, TOKEN, where="the action log")


# --- a garbage answer is a clear message ----------------------------------------------------------


def test_a_garbage_identity_answer_is_a_clear_error(github):
    github.token_user = "octo-dev"
    github.faults.garbage_body = {}
    client = _client(github, [])
    try:
        with pytest.raises(GitHubWriteError) as info:
            client.upsert_comment(3, "verdict")
    finally:
        client.close()
    assert str(info.value) == (
        "could not read the token's identity: GET /user answered without an account id"
    )


@pytest.mark.parametrize("body", [{}, [], "garbage", [1, 2], {"id": "x"}])
def test_garbage_answers_are_clear_errors_never_a_crash(github, body):
    github.add_pull(7, SHA)
    github.faults.garbage_body = body
    client = _client(github, [])
    try:
        for call in (
            lambda: client.pull_for_commit(SHA),
            lambda: client.pull_head(7),
            lambda: client.upsert_comment(7, "verdict"),
        ):
            try:
                call()
            except GitHubWriteError as exc:
                assert str(exc).startswith("could not ")
                assert "\n" not in str(exc)
    finally:
        client.close()
