"""The event that started the workflow (pull_request, push, deployment_status,
workflow_run, workflow_dispatch, schedule): which commit gets the status, which revisions
the secrets scan compares, which pull request gets the comment, and the run's own URL."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchgate.errors import UsageError

ZERO_SHA = "0" * 40


@dataclass(frozen=True)
class Event:
    name: str
    sha: str | None          # where the commit status goes (the PR head, not the merge commit)
    base: str | None = None
    head: str | None = None
    pull_number: int | None = None
    url: str | None = None   # the preview URL a deployment_status event carries
    url_source: str = ""     # where `url` came from, for error messages
    find_pull: bool = False  # deployment_status: look the PR up through the commit
    skip_reason: str | None = None
    fork: bool = False       # pull_request.head.repo.fork: a read-only token is expected
    base_ref: str | None = None  # pull_request.base.ref: the branch the comparison reads


def parse_event(name: str, payload: Mapping[str, Any], github_sha: str | None) -> Event:
    if name in ("pull_request", "pull_request_target"):
        pull = payload.get("pull_request") or {}
        head = (pull.get("head") or {}).get("sha") or github_sha
        fork = ((pull.get("head") or {}).get("repo") or {}).get("fork") is True
        return Event(name, head, base=(pull.get("base") or {}).get("sha"), head=head,
                     pull_number=pull.get("number") or payload.get("number"), fork=fork,
                     base_ref=(pull.get("base") or {}).get("ref") or None)
    if name == "push":
        after = payload.get("after") or github_sha
        before = payload.get("before")
        if after == ZERO_SHA:
            return Event(name, None, skip_reason="the push deleted a branch")
        base = None if not before or before == ZERO_SHA else before
        return Event(name, after, base=base, head=after)
    if name == "deployment_status":
        status = payload.get("deployment_status") or {}
        deployment = payload.get("deployment") or {}
        sha = deployment.get("sha") or github_sha
        state = status.get("state")
        if state != "success":
            return Event(name, None, skip_reason=f"the deployment state is {state!r}; "
                                                 "launchgate runs once it is 'success'")
        source = "environment_url" if status.get("environment_url") else "target_url"
        url = status.get(source) or None
        return Event(name, sha, head=sha, url=url, url_source=f"the deployment's {source}",
                     find_pull=True)
    if name == "workflow_run":
        # Publishing a fork PR's report from a trusted workflow (see docs/action.md).
        workflow_run = payload.get("workflow_run") or {}
        sha = workflow_run.get("head_sha") or github_sha
        pulls = workflow_run.get("pull_requests") or []
        return Event(name, sha, head=sha, pull_number=pulls[0].get("number") if pulls else None,
                     find_pull=not pulls)
    # workflow_dispatch, schedule and anything else: the checked-out commit, no PR.
    return Event(name, github_sha, head=github_sha)


def read_event(env: Mapping[str, str]) -> Event:
    """The event of this job, from GITHUB_EVENT_NAME and the payload at GITHUB_EVENT_PATH."""
    payload: dict[str, Any] = {}
    path = env.get("GITHUB_EVENT_PATH")
    if path and Path(path).is_file():
        try:
            payload = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the event payload {path}: {exc}") from None
    return parse_event(env.get("GITHUB_EVENT_NAME", ""), payload, env.get("GITHUB_SHA"))


def run_url(env: Mapping[str, str]) -> str | None:
    """This workflow run's page (the status's target URL, the comment's pointer)."""
    server, repo, run_id = (env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"),
                            env.get("GITHUB_RUN_ID"))
    if server and repo and run_id:
        return f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"
    return None
