"""The Action's `compare` input (DESIGN.md §7): which earlier report this run is compared with.

`auto` (default): on a pull request, the newest `launchgate-report` artifact uploaded by a
`push` run on the PR's base branch (REST: workflow runs -> artifacts -> zip download; the
workflow needs `actions: read`). `off`: no comparison. Anything else is a path to a JSON report
in the workspace. Not finding a base report (none uploaded, expired, no permission, a network
failure) is a one-line note in the comment, never an error; only an explicit path to a file
that is not a launchgate report is a usage error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from launchgate.action.event import Event
from launchgate.comparison import BaseReport, parse_base, read_base
from launchgate.github import ArtifactUnavailable, GitHubClient, report_from_zip

ARTIFACT = "launchgate-report"


@dataclass(frozen=True)
class BaseLookup:
    base: BaseReport | None
    name: str = "base"          # how the outputs call the base ("main")
    note: str | None = None     # why there is no comparison, when one was wanted


def find_base(compare: str, event: Event, workspace: Path,
              client: GitHubClient | None) -> BaseLookup:
    if compare == "off":
        return BaseLookup(None)
    if compare != "auto":
        path = workspace / compare
        if not path.is_file():
            return BaseLookup(None, note=f"Not compared: the compare input's report "
                                         f"{compare} does not exist.")
        return BaseLookup(read_base(path, flag="input compare"))
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
        return BaseLookup(None, branch, f"Not compared with {branch}: "
                                        f"{type(exc).__name__}: {str(exc)[:200]}.")


def _artifact_base(client: GitHubClient, branch: str) -> BaseReport:
    artifact = client.latest_artifact(branch, ARTIFACT)
    if artifact is None:
        raise ArtifactUnavailable(
            f"no {ARTIFACT} artifact from a push run on {branch} was found (the workflow must "
            f"also run on pushes to {branch} and upload it)")
    if artifact.expired:
        raise ArtifactUnavailable(f"the newest {ARTIFACT} artifact of {branch} has expired")
    content = report_from_zip(client.download_artifact(artifact.id))
    try:
        return parse_base(json.loads(content))
    except ValueError as exc:  # JSONDecodeError included
        raise ArtifactUnavailable(f"the {ARTIFACT} artifact of {branch} holds no launchgate "
                                  f"report ({str(exc).splitlines()[0][:120]})") from None
