"""Runs entrypoint.py as the runner would: a real subprocess with INPUT_* variables (hyphens
kept), GITHUB_* variables, an event payload file, a workspace, and files for the step summary
and outputs. Shared by the action tests and the container test."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from launchgate.render.comment import COMMENT_MARKER
from tests.conftest import ROOT
from tests.support.fakegithub.server import FakeGitHub

EVENTS = Path(__file__).resolve().parent / "events"
HEAD_SHA = "a" * 40
BASE_SHA = "b" * 40
MERGE_SHA = "c" * 40
RUN_ID = "4242"
SERVER_URL = "https://github.example"
TOKEN = "ghs_" + "T0kenValue" * 4  # the only token the fake GitHub server accepts


@dataclass(frozen=True)
class ActionResult:
    code: int
    log: str
    outputs: dict[str, str]
    summary: str
    workspace: Path


def parse_outputs(text: str) -> dict[str, str]:
    """Read a $GITHUB_OUTPUT file (`name<<DELIM` heredocs and `name=value` lines)."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        match = re.fullmatch(r"([\w-]+)<<(\S+)", line)
        if match:
            name, delimiter = match.groups()
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


def write_workspace(
    workspace: Path,
    url: str | None,
    *,
    steps: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Path:
    workspace.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {"allow_private_targets": True}
    if url:
        config["url"] = url
    if headers:
        config["headers"] = headers
    config["checks"] = {
        "smoke": {
            "steps": steps
            or [
                {
                    "name": "login page",
                    "path": "/login",
                    "expect_status": 200,
                    "expect_text": "Sign in",
                }
            ]
        }
    }
    (workspace / ".launchgate.yml").write_text(
        yaml.safe_dump(config, sort_keys=False), encoding="utf-8"
    )
    return workspace


def action_env(
    tmp: Path,
    workspace: Path,
    api_url: str,
    token: str,
    event: str,
    event_file: str,
    *,
    url_in_event: str = "",
    inputs: dict[str, str] | None = None,
    extra: dict[str, str] | None = None,
    root: Path = ROOT,
    payload_json: dict[str, Any] | None = None,
) -> dict[str, str]:
    """`payload_json` replaces the payload read from `event_file` (e.g. with real SHAs)."""
    payload = (
        json.dumps(payload_json)
        if payload_json is not None
        else (EVENTS / event_file).read_text(encoding="utf-8").replace("__URL__", url_in_event)
    )
    event_path = tmp / f"event-{event_file}"
    event_path.write_text(payload, encoding="utf-8")
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),  # git config --global lands here, not in the real home
        "PYTHONPATH": str(root),
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_SHA": MERGE_SHA if event == "pull_request" else HEAD_SHA,
        "GITHUB_REPOSITORY": "acme/admin",
        "GITHUB_API_URL": api_url,
        "GITHUB_SERVER_URL": SERVER_URL,
        "GITHUB_RUN_ID": RUN_ID,
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        "GITHUB_OUTPUT": str(tmp / "output.txt"),
        "INPUT_GITHUB-TOKEN": token,
        "INPUT_CHECKS": "smoke",
        "INPUT_COMMENT": "true",
        "INPUT_STATUS-CONTEXT": "launchgate",
    }
    for name, value in (inputs or {}).items():
        env[f"INPUT_{name.upper()}"] = value
    env.update(extra or {})
    return env


def run_entrypoint(
    env: dict[str, str], workspace: Path, *, command: list[str] | None = None, timeout: float = 120
) -> ActionResult:
    """Run the entrypoint (or `command`, e.g. inside a container) and collect what it wrote."""
    tmp_summary = Path(env["GITHUB_STEP_SUMMARY"])
    tmp_output = Path(env["GITHUB_OUTPUT"])
    for path in (tmp_summary, tmp_output):
        if path.is_file():
            path.unlink()
    proc = subprocess.run(
        command or [sys.executable, str(ROOT / "entrypoint.py")],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    summary = tmp_summary.read_text(encoding="utf-8") if tmp_summary.is_file() else ""
    outputs = parse_outputs(tmp_output.read_text(encoding="utf-8")) if tmp_output.is_file() else {}
    return ActionResult(proc.returncode, proc.stdout + proc.stderr, outputs, summary, workspace)


def load_report(workspace: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (workspace / "launchgate-report" / "report.json").read_text(encoding="utf-8")
    )
    return data


def marked_comments(github: FakeGitHub, number: int) -> list[dict[str, Any]]:
    """The comments on pull request NUMBER that carry launchgate's marker."""
    return [c for c in github.comments(number) if COMMENT_MARKER in c["body"]]
