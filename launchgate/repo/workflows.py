"""How the app gets deployed and rolled back, as far as its GitHub workflows show it.

A workflow deploys when one of its jobs names a deployment environment, uses a known deploy
action, or runs a known deploy command. Roll back is visible when a workflow is named for it,
runs a provider's rollback command, or can be started by hand with a ref/version input (re-run
the deploy of an older commit). What is not visible is said, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from launchgate.repo.envvars import load_workflow, workflow_files
from launchgate.repo.files import read_text, relative

# `uses:` prefixes -> the platform they deploy to.
_DEPLOY_ACTIONS: tuple[tuple[str, str], ...] = (
    ("amondnet/vercel-action", "Vercel"),
    ("vercel/", "Vercel"),
    ("superfly/flyctl-actions", "Fly.io"),
    ("nwtgck/actions-netlify", "Netlify"),
    ("netlify/", "Netlify"),
    ("cloudflare/wrangler-action", "Cloudflare"),
    ("cloudflare/pages-action", "Cloudflare Pages"),
    ("aws-actions/", "AWS"),
    ("google-github-actions/deploy", "Google Cloud"),
    ("azure/webapps-deploy", "Azure"),
    ("azure/", "Azure"),
    ("akhileshns/heroku-deploy", "Heroku"),
    ("actions/deploy-pages", "GitHub Pages"),
    ("peaceiris/actions-gh-pages", "GitHub Pages"),
    ("appleboy/ssh-action", "a server over SSH"),
    ("docker/build-push-action", "a registry"),
)
# `run:` commands -> the platform.
_DEPLOY_COMMANDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bvercel\b.*(--prod|deploy)"), "Vercel"),
    (re.compile(r"\bflyctl? deploy\b"), "Fly.io"),
    (re.compile(r"\bnetlify deploy\b"), "Netlify"),
    (re.compile(r"\bwrangler (pages )?(deploy|publish)\b"), "Cloudflare"),
    (re.compile(r"\bgit push .*heroku\b|\bheroku (container:release|releases)\b"), "Heroku"),
    (re.compile(r"\brailway up\b"), "Railway"),
    (re.compile(r"\brender deploy\b"), "Render"),
    (re.compile(r"\bkubectl (apply|rollout|set image)\b"), "Kubernetes"),
    (re.compile(r"\bhelm upgrade\b"), "Kubernetes (Helm)"),
    (re.compile(r"\baws (ecs update-service|s3 sync|deploy)\b"), "AWS"),
    (re.compile(r"\bgcloud (run deploy|app deploy)\b"), "Google Cloud"),
    (re.compile(r"\baz webapp\b"), "Azure"),
    (re.compile(r"\bdocker push\b"), "a registry"),
    (re.compile(r"\b(rsync|scp)\b.*@"), "a server over SSH"),
)
_ROLLBACK_COMMANDS = re.compile(
    r"\bvercel (rollback|promote)\b|\bfly(ctl)? (releases|deploy --image)\b|"
    r"\bkubectl rollout undo\b|\bhelm rollback\b|\bheroku (rollback|releases:rollback)\b|"
    r"\bnetlify .*--prod.*--deploy-id\b|\bwrangler rollback\b"
)
_REF_INPUTS = frozenset(
    {"ref", "sha", "version", "tag", "release", "commit", "image", "image_tag", "revision"}
)


@dataclass(frozen=True)
class DeployWorkflow:
    file: str
    name: str
    triggers: tuple[str, ...]  # push (branches), pull_request, workflow_dispatch, ...
    environments: tuple[str, ...]  # deployment environments its jobs name
    targets: tuple[str, ...]  # platforms it deploys to, as far as the steps show
    rollback: str | None  # how this workflow can roll back, if it shows a way


@dataclass(frozen=True)
class DeployInventory:
    workflows: tuple[DeployWorkflow, ...]
    unreadable: tuple[str, ...]  # workflow files that are not YAML we could read

    def to_json(self) -> dict[str, Any]:
        return {
            "unreadable": list(self.unreadable),
            "workflows": [
                {
                    "file": w.file,
                    "name": w.name,
                    "triggers": list(w.triggers),
                    "environments": list(w.environments),
                    "targets": list(w.targets),
                    "rollback": w.rollback,
                }
                for w in self.workflows
            ],
        }


def scan_deploys(root: Path) -> DeployInventory:
    found: list[DeployWorkflow] = []
    unreadable: list[str] = []
    for path in workflow_files(root):
        where = relative(root, path)
        workflow = load_workflow(read_text(path) or "")
        if not isinstance(workflow, Mapping):
            unreadable.append(where)
            continue
        deploy = describe(where, workflow)
        if deploy is not None:
            found.append(deploy)
    return DeployInventory(tuple(found), tuple(unreadable))


def describe(file: str, workflow: Mapping[Any, Any]) -> DeployWorkflow | None:
    """The workflow as a deploy, or None when nothing in it deploys."""
    name = str(workflow.get("name") or file.rsplit("/", 1)[-1])
    jobs = workflow.get("jobs")
    jobs = jobs if isinstance(jobs, Mapping) else {}
    environments: list[str] = []
    targets: list[str] = []
    commands: list[str] = []
    for job_id, job in jobs.items():
        if not isinstance(job, Mapping):
            continue
        environment = _environment_name(job.get("environment"))
        if environment:
            environments.append(environment)
        for step in job.get("steps") or ():
            if not isinstance(step, Mapping):
                continue
            uses = str(step.get("uses") or "").lower()
            run = str(step.get("run") or "")
            commands.append(run)
            targets += [t for prefix, t in _DEPLOY_ACTIONS if uses.startswith(prefix)]
            targets += [t for pattern, t in _DEPLOY_COMMANDS if pattern.search(run)]
        if re.search(r"deploy|release", str(job_id), re.IGNORECASE) and not targets:
            targets.append(f"unknown (job {job_id!s})")
    if not environments and not targets:
        return None
    return DeployWorkflow(
        file,
        name,
        _triggers(_on(workflow)),
        tuple(dict.fromkeys(environments)),
        tuple(dict.fromkeys(targets)),
        _rollback(name, file, _on(workflow), commands),
    )


def _on(workflow: Mapping[Any, Any]) -> Any:
    # YAML 1.1 reads a bare `on:` key as the boolean True.
    return workflow.get("on", workflow.get(True))


def _environment_name(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("name")
    return str(value) if isinstance(value, str | int) and str(value) else None


def _triggers(on: Any) -> tuple[str, ...]:
    if isinstance(on, str):
        return (on,)
    if isinstance(on, list):
        return tuple(str(e) for e in on)
    if not isinstance(on, Mapping):
        return ()
    out: list[str] = []
    for event, spec in on.items():
        branches = spec.get("branches") if isinstance(spec, Mapping) else None
        if isinstance(branches, list) and branches:
            out.append(f"{event} ({', '.join(str(b) for b in branches)})")
        else:
            out.append(str(event))
    return tuple(out)


def _rollback(name: str, file: str, on: Any, commands: list[str]) -> str | None:
    if re.search(r"roll\s*back|revert", f"{name} {file}", re.IGNORECASE):
        return f"this workflow is named for it ({name})"
    for run in commands:
        match = _ROLLBACK_COMMANDS.search(run)
        if match:
            return f"it runs `{match.group(0)}`"
    dispatch = on.get("workflow_dispatch") if isinstance(on, Mapping) else None
    inputs = dispatch.get("inputs") if isinstance(dispatch, Mapping) else None
    if isinstance(inputs, Mapping):
        wanted = sorted(str(k) for k in inputs if str(k).lower() in _REF_INPUTS)
        if wanted:
            return (
                f"start it by hand (workflow_dispatch) with input `{wanted[0]}` set to "
                "the last good version"
            )
    return None
