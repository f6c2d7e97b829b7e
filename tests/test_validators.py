"""The Action's files pass the offline validators GitHub users rely on: action.yml against the
github-actions schema, every workflow against the github-workflows schema, the Dockerfile
against hadolint; and action.yml declares exactly the inputs entrypoint.py reads."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = sorted(
    [
        *(ROOT / "examples" / "workflows").glob("*.yml"),
        *(ROOT / ".github" / "workflows").glob("*.yml"),
    ]
)


def _tool(name: str) -> str:
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    assert found, f"{name} is not installed (pip install -e '.[test]')"
    return found


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_action_yml_validates():
    proc = _run(
        _tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", "action.yml"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_validate(workflow):
    proc = _run(
        _tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_expected_workflows_exist():
    names = {p.name for p in WORKFLOWS}
    assert {
        "pull-request.yml",
        "preview-deployment.yml",
        "production-watch.yml",
        "release.yml",
    } <= names


def test_dockerfile_passes_hadolint():
    proc = _run(_tool("hadolint"), "Dockerfile")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_action_inputs_match_the_entrypoint():
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert set(action["inputs"]) == {
        "config",
        "url",
        "github-token",
        "checks",
        "fail-on",
        "comment",
        "status-context",
        "p95-budget-ms",
        "users",
        "duration",
        "report",
        "allow-private-targets",
        "compare",
    }
    assert all("description" in spec and "default" in spec for spec in action["inputs"].values())
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(action["outputs"]) >= {
        "verdict",
        "blockers",
        "important",
        "later",
        "p95-ms",
        "report",
    }
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in sorted((ROOT / "launchgate" / "action").glob("*.py"))
    )
    for name in action["inputs"]:
        assert f'"{name}"' in source, f"entrypoint never reads input {name}"


def test_pull_request_example_has_the_exact_permissions():
    workflow = yaml.safe_load((ROOT / "examples/workflows/pull-request.yml").read_text())
    assert workflow["permissions"] == {
        "contents": "read",
        "statuses": "write",
        "pull-requests": "write",
        "actions": "read",
    }
    # main's run uploads the report pull requests are compared with
    assert workflow[True]["push"] == {"branches": ["main"]}
    checkout = workflow["jobs"]["gate"]["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0
    for path in WORKFLOWS:
        assert "pull_request_target" not in path.read_text(encoding="utf-8")


def test_dockerfile_is_exec_form_with_a_base_image_argument():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "\nARG BASE_IMAGE=python:3.11" in text
    entrypoint = [ln for ln in text.splitlines() if ln.startswith("ENTRYPOINT")]
    assert entrypoint == ['ENTRYPOINT ["/opt/launchgate/bin/python", "/app/entrypoint.py"]']


def test_example_workflows_pass_a_vendor_bypass_secret_only_as_a_commented_option():
    """A Vercel-only env line, live in a generic example, is copied into apps it does not fit."""
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                assert "VERCEL_BYPASS" not in (step.get("env") or {}), path.name
        text = path.read_text(encoding="utf-8")
        if "VERCEL_BYPASS" in text:
            assert "# Only for a protected preview" in text, path.name
