"""The GitHub client and the Action's pure helpers, in-process against the fake GitHub server:
retries that never duplicate the comment (502 after commit, timeout after commit, exhausted
5xx), Retry-After, 403 from a read-only token, GitHub's size limits, annotations, outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchgate.action.commands import annotation, write_outputs
from launchgate.action.event import parse_event
from launchgate.action.gate import load_action_config
from launchgate.action.inputs import read_inputs
from launchgate.action.publisher import status_description
from launchgate.action.run import Run
from launchgate.errors import ConfigError, UsageError
from launchgate.github import GitHubClient, GitHubWriteError, RetryPolicy, WriteForbidden
from launchgate.render.comment import COMMENT_MARKER, MAX_COMMENT_CHARS, fit_comment
from tests.support.actionharness import TOKEN, marked_comments, parse_outputs

SHA = "d" * 40


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(github, sleeps):
    gh = GitHubClient(
        github.url,
        TOKEN,
        github.repository,
        timeout_s=1,
        log=lambda _: None,
        sleep=sleeps.append,
        policy=RetryPolicy(attempts=4, base_delay_s=0.01),
    )
    yield gh
    gh.close()


def test_timeout_after_a_committed_create_edits_instead_of_duplicating(github, client):
    github.faults.comment_write_delay_s = 2.5  # longer than the client's 1 s timeout
    assert client.upsert_comment(3, "first verdict") == "updated"
    assert len(marked_comments(github, 3)) == 1
    assert marked_comments(github, 3)[0]["body"].endswith("first verdict")


def test_committed_502_is_not_written_twice(github, client, sleeps):
    github.faults.comment_write_502 = 10  # every write is applied, then answered 502
    assert client.upsert_comment(3, "verdict") == "updated"
    assert len(sleeps) == 1  # the retry found the applied comment: nothing left to write
    assert len(marked_comments(github, 3)) == 1


def test_exhausted_5xx_fails_clearly(github, client, sleeps):
    github.faults.write_503 = 10
    with pytest.raises(GitHubWriteError, match="HTTP 503"):
        client.upsert_comment(3, "verdict")
    assert len(sleeps) == 3  # four attempts, with growing waits
    assert sleeps == sorted(sleeps) and sleeps[0] < sleeps[-1]
    assert marked_comments(github, 3) == []


def test_secondary_rate_limit_honours_retry_after(github, client, sleeps):
    github.faults.secondary_rate_limit = 1
    github.faults.retry_after_s = 7
    client.set_status(SHA, "success", "fine", context="launchgate", target_url=None)
    assert sleeps == [7.0]
    assert [s["state"] for s in github.statuses(SHA)] == ["success"]


def test_read_only_token_raises_write_forbidden_without_retrying(github, client, sleeps):
    github.faults.fork = True
    with pytest.raises(WriteForbidden, match="403"):
        client.set_status(SHA, "pending", "checking", context="launchgate", target_url=None)
    assert sleeps == []


def test_sticky_comment_is_found_on_a_later_page_and_edited(github, client):
    for i in range(7):
        github.add_comment(3, f"chatter {i}")
    github.add_comment(3, f"{COMMENT_MARKER}\nold verdict", login="github-actions[bot]")
    github.add_comment(3, "later chatter")
    assert client.upsert_comment(3, "new verdict") == "updated"
    assert (
        len(marked_comments(github, 3)) == 1
        and "new verdict" in marked_comments(github, 3)[0]["body"]
    )
    assert len(github.comments(3)) == 9


def test_long_comment_is_cut_below_the_limit_with_a_pointer(github, client):
    body = f"{COMMENT_MARKER}\n" + "\n".join(f"- finding {i} " + "x" * 80 for i in range(2000))
    with pytest.raises(GitHubWriteError, match="422"):  # the fake enforces GitHub's limit
        client.upsert_comment(3, body)
    github.violations.clear()
    fitted = fit_comment(body, "The full verdict is in the job summary.")
    assert len(fitted) < MAX_COMMENT_CHARS
    assert fitted.rstrip().endswith("The full verdict is in the job summary.")
    client.upsert_comment(3, fitted)
    assert len(marked_comments(github, 3)) == 1 and github.violations == []
    assert fit_comment("short", "pointer") == "short"


def test_status_description_is_cut_to_140(github, client):
    client.set_status(
        SHA, "failure", "word " * 100, context="launchgate", target_url="https://example.com/run"
    )
    (status,) = github.statuses(SHA)
    assert len(status["description"]) <= 140 and status["description"].endswith("…")
    assert github.violations == []


def test_pull_for_commit_prefers_the_open_pull_with_that_head(github, client):
    github.add_pull(4, SHA, state="closed")
    github.add_pull(5, SHA)
    assert client.pull_for_commit(SHA) == 5
    assert client.pull_for_commit("e" * 40) is None


def test_annotation_escapes_workflow_command_syntax():
    finding = {
        "id": "secrets.aws-key",
        "severity": "blocker",
        "title": "AWS key 100%\nadded",
        "remedy": "rotate it",
        "location": {"path": "conf/a,b:c.env", "line": 12, "url": None},
    }
    line = annotation(finding)
    assert line == (
        "::error file=conf/a%2Cb%3Ac.env,line=12,title=launchgate "
        "secrets.aws-key::AWS key 100%25%0Aadded. Fix: rotate it"
    )
    assert "\n" not in line
    later = {**finding, "severity": "later", "location": {"url": "https://x", "path": "/"}}
    assert annotation(later).startswith("::notice title=")


def test_outputs_are_multiline_safe(tmp_path: Path):
    path = tmp_path / "out"
    write_outputs(str(path), {"verdict": "fail", "note": "two\nlines\nEOF"})
    assert parse_outputs(path.read_text()) == {"verdict": "fail", "note": "two\nlines\nEOF"}


def test_status_description_counts_and_p95():
    data = {
        "verdict": "fail",
        "counts": {"blocker": 2, "important": 1, "later": 0},
        "metrics": {"load": {"p95_ms": 912.4}},
        "checks": [],
    }
    assert (
        status_description(data) == "Launch blocked: 2 blockers, 1 important, 0 later · p95 912 ms"
    )
    error = {
        "verdict": "error",
        "counts": {"blocker": 0, "important": 0, "later": 0},
        "metrics": {},
        "checks": [{"name": "dns", "status": "error"}],
    }
    assert status_description(error).endswith("· dns could not run")


def test_load_inputs_map_to_config(tmp_path: Path):
    env = {
        "INPUT_P95-BUDGET-MS": "250",
        "INPUT_USERS": "5",
        "INPUT_DURATION": "2m",
        "INPUT_URL": "https://preview.example.com",
        "INPUT_FAIL-ON": "important",
    }
    inputs = read_inputs(env)
    run = Run(env=env, out=None, workspace=tmp_path, log=print)  # type: ignore[arg-type]
    event = parse_event("workflow_dispatch", {}, SHA)
    config = load_action_config(run, inputs, event)
    load = config.checks.load
    assert (load.p95_blocker_ms, load.p95_target_ms, load.users, load.duration) == (
        250.0,
        250.0,
        5,
        120.0,
    )
    assert config.url == "https://preview.example.com" and config.fail_on == "important"


def test_allow_private_targets_input_and_fork_identities(tmp_path: Path):
    """`allow-private-targets` overrides the config; on a fork's pull request an identity
    whose secret is empty is skipped with the reason, elsewhere it is a config error."""
    (tmp_path / ".launchgate.yml").write_text(
        "url: http://db.internal:8000\nidentities:\n  alice:\n    login: {page: /login, "
        'fields: {username: alice, password: "${ALICE_PASSWORD}"}}\n'
    )
    env = {"INPUT_ALLOW-PRIVATE-TARGETS": "true", "ALICE_PASSWORD": ""}
    logged: list[str] = []
    run = Run(env=env, out=None, workspace=tmp_path, log=logged.append)  # type: ignore[arg-type]
    fork = parse_event(
        "pull_request",
        {
            "number": 7,
            "pull_request": {
                "number": 7,
                "head": {"sha": SHA, "repo": {"fork": True}},
                "base": {"sha": SHA},
            },
        },
        SHA,
    )
    assert fork.fork
    config = load_action_config(run, read_inputs(env), fork)
    assert config.allow_private_targets is True
    assert config.unavailable_identities == {"alice": "${ALICE_PASSWORD} is empty"}
    assert any("identity alice is skipped on this fork pull request" in line for line in logged)
    same_repo = parse_event("workflow_dispatch", {}, SHA)
    with pytest.raises(ConfigError, match=r"\$\{ALICE_PASSWORD\} is empty"):
        load_action_config(run, read_inputs(env), same_repo)
    assert read_inputs({}).allow_private_targets is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"INPUT_ALLOW-PRIVATE-TARGETS": "yes"}, "input allow-private-targets: expected true"),
        ({"INPUT_USERS": "many"}, "input users: expected a number"),
        ({"INPUT_FAIL-ON": "sometimes"}, "input fail-on: expected one of"),
        ({"INPUT_COMMENT": "yes"}, "input comment: expected true or false"),
    ],
)
def test_bad_inputs(env, message):
    with pytest.raises(UsageError, match=message):
        read_inputs(env)


def test_fake_server_validates_bodies_against_github_schemas(github):
    import httpx

    url = f"{github.url}/repos/{github.repository}/statuses/{SHA}"
    headers = {"Authorization": f"token {TOKEN}"}
    bad = httpx.post(url, json={"state": "ok"}, headers=headers)
    typo = httpx.post(url, json={"state": "success", "descripton": "x"}, headers=headers)
    good = httpx.post(url, json={"state": "success", "target_url": None}, headers=headers)
    assert (bad.status_code, typo.status_code, good.status_code) == (422, 422, 201)
    assert len(github.violations) == 2
    anonymous = httpx.post(url, json={"state": "success"})
    assert anonymous.status_code == 401


def test_cut_inside_details_closes_it_before_the_pointer():
    body = (
        f"{COMMENT_MARKER}\n## verdict\n\n<details><summary><b>Worth doing later</b>"
        "</summary>\n\n"
        + "\n".join(f"- later {i} " + "y" * 80 for i in range(2000))
        + "\n\n</details>\n"
    )
    fitted = fit_comment(body, "The full verdict is in the job summary.")
    assert len(fitted) < MAX_COMMENT_CHARS
    head, _, tail = fitted.rpartition("**Truncated.**")
    assert "job summary" in tail
    assert head.count("<details>") == head.count("</details>") == 1
    assert head.rstrip().removesuffix("---").rstrip().endswith("</details>")
    closed = body[:70_000].replace("- later", "- ok")  # nothing open at the cut: no extra tag
    assert (
        fit_comment(closed.replace("<details>", "").replace("</details>", ""), "p").count(
            "</details>"
        )
        == 0
    )
