"""Deploy and rollback detection on workflow fixtures."""

from __future__ import annotations

from pathlib import Path

from launchgate.repo.workflows import scan_deploys

DEPLOY = """name: Deploy
on:
  push:
    branches: [main]
  workflow_dispatch:
    inputs:
      ref: {description: version to deploy, required: false}
jobs:
  production:
    runs-on: ubuntu-latest
    environment: {name: production, url: https://app.example.com}
    steps:
      - uses: actions/checkout@v4
      - run: npx vercel deploy --prod --token "$VERCEL_TOKEN"
"""
TESTS = """name: Tests
on: [pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
"""
FLY = """on: push
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - uses: superfly/flyctl-actions/setup-flyctl@master
      - run: flyctl deploy --remote-only
"""


def write(root: Path, files: dict[str, str]) -> Path:
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return root


def test_deploy_workflows_are_found_with_triggers_targets_and_rollback(tmp_path):
    inventory = scan_deploys(
        write(
            tmp_path,
            {"deploy.yml": DEPLOY, "test.yml": TESTS, "fly.yml": FLY, "broken.yml": "on: [\n"},
        )
    )
    by_file = {w.file: w for w in inventory.workflows}
    assert set(by_file) == {".github/workflows/deploy.yml", ".github/workflows/fly.yml"}
    deploy = by_file[".github/workflows/deploy.yml"]
    assert deploy.triggers == ("push (main)", "workflow_dispatch")
    assert deploy.environments == ("production",)
    assert deploy.targets == ("Vercel",)
    assert deploy.rollback is not None and "`ref`" in deploy.rollback
    fly = by_file[".github/workflows/fly.yml"]
    assert fly.targets == ("Fly.io",) and fly.triggers == ("push",) and fly.rollback is None
    assert inventory.unreadable == (".github/workflows/broken.yml",)


def test_a_rollback_workflow_is_recognised_by_name(tmp_path):
    rollback = FLY.replace("on: push", "name: Roll back production\non: workflow_dispatch")
    inventory = scan_deploys(write(tmp_path, {"rollback.yml": rollback}))
    assert inventory.workflows[0].rollback == "this workflow is named for it (Roll back production)"


def test_no_workflows_folder_is_an_empty_inventory(tmp_path):
    inventory = scan_deploys(tmp_path)
    assert inventory.workflows == () and inventory.unreadable == ()
