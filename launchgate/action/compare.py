"""The Action's `compare` input (docs/action.md): which earlier report this run is compared with.

`auto` (default): on a pull request, the newest `launchgate-report` artifact uploaded by a
`push` run on the PR's base branch (REST: workflow runs -> artifacts -> zip download; the
workflow needs `actions: read`); on a production watch (`schedule`, `workflow_dispatch`), the
newest one uploaded by an earlier watch run of the same workflow on the same branch. `off`: no
comparison. Anything else is a path to a JSON report in the workspace. Not finding a base
report (none uploaded, expired, no permission, a network failure) is a one-line note in the
comment, never an error; only an explicit path to a file that is not a launchgate report is a
usage error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from launchgate.action.event import Event
from launchgate.action.watch import PREVIOUS_NAME, WATCH_EVENTS
from launchgate.comparison import BaseReport, parse_base, read_base
from launchgate.github import ArtifactUnavailable, GitHubClient, report_from_zip

ARTIFACT = "launchgate-report"


@dataclass(frozen=True)
class BaseLookup:
    base: BaseReport | None
    name: str = "base"  # how the outputs call the base ("main")
    note: str | None = None  # why there is no comparison, when one was wanted


@dataclass(frozen=True)
class WatchScope:
    """Where the previous watch ran: the branch (GITHUB_REF_NAME) and the workflow file
    (from GITHUB_WORKFLOW_REF, `owner/repo/.github/workflows/x.yml@refs/heads/main`)."""

    branch: str | None
    workflow_path: str | None


def watch_scope(env: Mapping[str, str]) -> WatchScope:
    ref = env.get("GITHUB_WORKFLOW_REF") or ""
    path = ref.split("@", 1)[0]
    path = path[path.find(".github/workflows/") :] if ".github/workflows/" in path else ""
    return WatchScope(env.get("GITHUB_REF_NAME") or None, path or None)


def find_base(
    compare: str,
    event: Event,
    workspace: Path,
    client: GitHubClient | None,
    scope: WatchScope | None = None,
) -> BaseLookup:
    if compare == "off":
        return BaseLookup(None)
    if compare != "auto":
        path = workspace / compare
        if not path.is_file():
            return BaseLookup(
                None, note=f"Not compared: the compare input's report {compare} does not exist."
            )
        return BaseLookup(read_base(path, flag="input compare"))
    if event.name in WATCH_EVENTS:
        return _previous_watch(client, scope or WatchScope(None, None))
    branch = event.base_ref
    if event.name not in ("pull_request", "pull_request_target") or not branch:
        return BaseLookup(None)  # auto compares pull requests only
    if client is None:
        return BaseLookup(None, branch, f"Not compared with {branch}: no github-token.")
    try:
        return BaseLookup(_artifact_base(client, branch), branch)
    except ArtifactUnavailable as exc:
        return BaseLookup(None, branch, f"Not compared with {branch}: {exc}.")
    except Exception as exc:  # a lookup bug must not cost the verdict
        return BaseLookup(
            None, branch, f"Not compared with {branch}: {type(exc).__name__}: {str(exc)[:200]}."
        )


def _previous_watch(client: GitHubClient | None, scope: WatchScope) -> BaseLookup:
    """The last watch's report; none found (the first watch, expired, no `actions: read`) is
    a note: this watch is then the baseline."""
    what = "Not compared with the last watch"
    if client is None:
        return BaseLookup(None, PREVIOUS_NAME, f"{what}: no github-token.")
    if not scope.branch:
        return BaseLookup(None, PREVIOUS_NAME, f"{what}: GITHUB_REF_NAME is not set.")
    try:
        artifact = client.latest_artifact(
            scope.branch,
            ARTIFACT,
            events=tuple(sorted(WATCH_EVENTS)),
            workflow_path=scope.workflow_path,
        )
        if artifact is None:
            raise ArtifactUnavailable(
                f"no {ARTIFACT} artifact from an earlier watch run on {scope.branch} was found "
                "(this watch is the baseline the next one compares with)"
            )
        if artifact.expired:
            raise ArtifactUnavailable(f"the last watch's {ARTIFACT} artifact has expired")
        return BaseLookup(_parsed(client, artifact.id, "the last watch"), PREVIOUS_NAME)
    except ArtifactUnavailable as exc:
        return BaseLookup(None, PREVIOUS_NAME, f"{what}: {exc}.")
    except Exception as exc:  # a lookup bug must not cost the verdict
        return BaseLookup(None, PREVIOUS_NAME, f"{what}: {type(exc).__name__}: {str(exc)[:200]}.")


def _parsed(client: GitHubClient, artifact_id: int, whose: str) -> BaseReport:
    content = report_from_zip(client.download_artifact(artifact_id))
    try:
        return parse_base(json.loads(content))
    except ValueError as exc:  # JSONDecodeError included
        raise ArtifactUnavailable(
            f"the {ARTIFACT} artifact of {whose} holds no launchgate "
            f"report ({str(exc).splitlines()[0][:120]})"
        ) from None


def _artifact_base(client: GitHubClient, branch: str) -> BaseReport:
    artifact = client.latest_artifact(branch, ARTIFACT)
    if artifact is None:
        raise ArtifactUnavailable(
            f"no {ARTIFACT} artifact from a push run on {branch} was found (the workflow must "
            f"also run on pushes to {branch} and upload it)"
        )
    if artifact.expired:
        raise ArtifactUnavailable(f"the newest {ARTIFACT} artifact of {branch} has expired")
    return _parsed(client, artifact.id, branch)
