"""The event that started the workflow (pull_request, push, deployment_status,
workflow_run, workflow_dispatch, schedule): which commit gets the status, which revisions
the secrets scan compares, which pull request gets the comment, and the run's own URL."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchgate.errors import UsageError

ZERO_SHA = "0" * 40


@dataclass(frozen=True)
class Event:
    name: str
    sha: str | None  # where the commit status goes (the PR head, not the merge commit)
    base: str | None = None
    head: str | None = None
    pull_number: int | None = None
    url: str | None = None  # the preview URL a deployment_status event carries
    url_source: str = ""  # where `url` came from, for error messages
    find_pull: bool = False  # deployment_status: look the PR up through the commit
    skip_reason: str | None = None
    fork: bool = False  # pull_request.head.repo.fork: a read-only token is expected
    base_ref: str | None = None  # pull_request.base.ref: the branch the comparison reads


def parse_event(name: str, payload: Any, github_sha: str | None) -> Event:
    """The Event of a payload; a payload whose fields have the wrong type (a list or null at
    the top, `pull_request: "text"`) is a UsageError naming the field."""
    event = _Fields(payload)
    if name in ("pull_request", "pull_request_target"):
        head = event.text("pull_request.head.sha") or github_sha
        return Event(
            name,
            head,
            base=event.text("pull_request.base.sha"),
            head=head,
            pull_number=event.number("pull_request.number") or event.number("number"),
            fork=event.flag("pull_request.head.repo.fork"),
            base_ref=event.text("pull_request.base.ref") or None,
        )
    if name == "push":
        after = event.text("after") or github_sha
        before = event.text("before")
        if after == ZERO_SHA:
            return Event(name, None, skip_reason="the push deleted a branch")
        base = None if not before or before == ZERO_SHA else before
        return Event(name, after, base=base, head=after)
    if name == "deployment_status":
        sha = event.text("deployment.sha") or github_sha
        state = event.text("deployment_status.state")
        if state != "success":
            return Event(
                name,
                None,
                skip_reason=f"the deployment state is {state!r}; "
                "launchgate runs once it is 'success'",
            )
        source = (
            "environment_url" if event.text("deployment_status.environment_url") else "target_url"
        )
        url = event.text(f"deployment_status.{source}") or None
        return Event(
            name, sha, head=sha, url=url, url_source=f"the deployment's {source}", find_pull=True
        )
    if name == "workflow_run":
        # Publishing a fork PR's report from a trusted workflow (see docs/action.md).
        sha = event.text("workflow_run.head_sha") or github_sha
        pulls = event.items("workflow_run.pull_requests")
        number = event.number("workflow_run.pull_requests[0].number") if pulls else None
        return Event(name, sha, head=sha, pull_number=number, find_pull=not pulls)
    # workflow_dispatch, schedule and anything else: the checked-out commit, no PR.
    return Event(name, github_sha, head=github_sha)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


class _Fields:
    """Typed reads of dotted fields (`pull_request.head.sha`, `a.b[0].c`): a missing field or
    null is None; a field of another type is a UsageError naming it."""

    def __init__(self, payload: Any) -> None:
        if not isinstance(payload, dict):
            what = "null" if payload is None else _kind(payload)
            raise UsageError(f"the event payload is {what}, expected a JSON object")
        self._payload = payload

    def _get(self, dotted: str) -> Any:
        value: Any = self._payload
        walked = ""
        for part in re.findall(r"[^.\[\]]+|\[\d+\]", dotted):
            if part.startswith("["):
                if not isinstance(value, list):
                    raise UsageError(
                        f"the event payload's {walked} is {_kind(value)}, expected a list"
                    )
                index = int(part[1:-1])
                value = value[index] if index < len(value) else None
            else:
                if not isinstance(value, dict):
                    raise UsageError(
                        f"the event payload's {walked} is {_kind(value)}, expected an object"
                    )
                value = value.get(part)
            walked += part if part.startswith("[") or not walked else f".{part}"
            if value is None:
                return None
        return value

    def _typed(self, dotted: str, kinds: tuple[type, ...], expected: str) -> Any:
        value = self._get(dotted)
        if value is None:
            return None
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise UsageError(f"the event payload's {dotted} is {_kind(value)}, expected {expected}")
        return value

    def text(self, dotted: str) -> str | None:
        value: str | None = self._typed(dotted, (str,), "a string")
        return value

    def number(self, dotted: str) -> int | None:
        value: int | None = self._typed(dotted, (int,), "a number")
        return value

    def flag(self, dotted: str) -> bool:
        return self._typed(dotted, (bool,), "true or false") is True

    def items(self, dotted: str) -> list[Any]:
        value: list[Any] | None = self._typed(dotted, (list,), "a list")
        return value or []


def read_event(env: Mapping[str, str]) -> Event:
    """The event of this job, from GITHUB_EVENT_NAME and the payload at GITHUB_EVENT_PATH.
    Inside Actions (GITHUB_ACTIONS=true) the payload must exist: without it the commit, the
    revisions and the pull request are unknown, and a gate that went on would check nothing
    it was meant to."""
    path = env.get("GITHUB_EVENT_PATH")
    in_actions = env.get("GITHUB_ACTIONS") == "true"
    payload: Any = {}
    if not path:
        if in_actions:
            raise UsageError(
                "GITHUB_EVENT_PATH is not set, so the event that started this "
                "workflow is unknown; run launchgate as a workflow step (the "
                "runner sets it)"
            )
    elif not Path(path).is_file():
        if in_actions:
            raise UsageError(
                f"GITHUB_EVENT_PATH points at {path}, which is not a file; the "
                "event that started this workflow is unknown (is the step's "
                "environment overridden?)"
            )
    else:
        try:
            payload = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the event payload {path}: {exc}") from None
    try:
        return parse_event(env.get("GITHUB_EVENT_NAME", ""), payload, env.get("GITHUB_SHA"))
    except UsageError as exc:
        raise UsageError(f"{exc} ({path})" if path else str(exc)) from None


def run_url(env: Mapping[str, str]) -> str | None:
    """This workflow run's page (the status's target URL, the comment's pointer)."""
    server, repo, run_id = (
        env.get("GITHUB_SERVER_URL"),
        env.get("GITHUB_REPOSITORY"),
        env.get("GITHUB_RUN_ID"),
    )
    if server and repo and run_id:
        return f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"
    return None
