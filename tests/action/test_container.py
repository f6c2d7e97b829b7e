"""The Action's image builds from the project's Dockerfile and its ENTRYPOINT works: buildah
(vfs storage, chroot isolation: no Docker engine, no Docker Hub) builds it on a local Debian
base image made by debootstrap (cached, see tests/support/containerbase.py), then runs the image's
own
entrypoint against the fake GitHub server and the demo app on loopback (chroot isolation shares
the host's network). As on a runner, the workspace is mounted at /github/workspace and owned by
another uid (so git's safe.directory handling is exercised too) and HOME is /github/home, a
mounted directory. The workspace is a real repository whose pull request adds a secret: the
secrets check runs inside the image with real base/head SHAs.

Slow on the first run (debootstrap + image build: minutes); later runs reuse the base image.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import string
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from launchgate.demo.app import DemoServer
from tests.conftest import assert_no_secret
from tests.support import containerbase, secrets_fixture
from tests.support.actionharness import (
    EVENTS,
    ROOT,
    TOKEN,
    action_env,
    load_report,
    marked_comments,
    run_entrypoint,
    write_workspace,
)
from tests.support.fakegithub.server import FakeGitHub

pytestmark = pytest.mark.slow  # builds and runs the container image

HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
RUNNER_UID = 1001  # the runner's user owns the workspace, not the container's root


def _require(tool: str) -> None:
    assert shutil.which(tool) or Path("/usr/sbin", tool).exists(), (
        f"{tool} is missing: run scripts/install-test-deps"
    )


@pytest.fixture(scope="module")
def image():
    for tool in ("buildah", "debootstrap"):
        _require(tool)
    assert os.geteuid() == 0, "buildah with vfs storage and chroot isolation needs root"
    started = time.monotonic()
    base = containerbase.ensure_base_image()
    base_s = time.monotonic() - started
    tag = f"localhost/launchgate-action-test:{uuid.uuid4().hex[:12]}"
    started = time.monotonic()
    proc = containerbase.buildah(
        "bud",
        "--isolation",
        "chroot",
        "--layers=false",
        "--force-rm",
        "--build-arg",
        f"BASE_IMAGE={base}",
        "-v",
        f"{HOST_CA}:{HOST_CA}:ro",
        "-t",
        tag,
        "-f",
        str(ROOT / "Dockerfile"),
        str(ROOT),
        check=False,
        timeout=1800,
    )
    build_s = time.monotonic() - started
    assert proc.returncode == 0, f"image build failed:\n{proc.stderr[-4000:]}"
    print(f"\ncontainer timings: base image {base_s:.1f}s, project image build {build_s:.1f}s")
    try:
        yield tag
    finally:
        containerbase.buildah("rmi", "-f", tag, check=False, timeout=300)


@pytest.fixture
def container(image):
    proc = containerbase.buildah("from", image, timeout=600)
    name = proc.stdout.strip().splitlines()[-1]
    try:
        yield name
    finally:
        containerbase.buildah("rm", name, check=False, timeout=300)


def _entrypoint(image: str) -> list[str]:
    proc = containerbase.buildah("inspect", "--type", "image", image, timeout=120)
    command: list[str] = json.loads(proc.stdout)["OCIv1"]["config"]["Entrypoint"]
    return command


@pytest.mark.timeout(3600)
def test_image_runs_the_action_against_fake_github(tmp_path, image, container):
    with DemoServer() as app, FakeGitHub(token=TOKEN) as github:
        workspace = write_workspace(tmp_path / "ws", app.url)
        secrets_fixture.git(workspace, "init", "-q", "-b", "main", timeout=60)
        secrets_fixture.git(workspace, "add", ".launchgate.yml", timeout=60)
        secrets_fixture.git(workspace, "commit", "-q", "-m", "config", timeout=60)
        base = secrets_fixture.git(workspace, "rev-parse", "HEAD", timeout=60).strip()
        secret = "AKIA" + "".join(
            random.choice(string.ascii_uppercase + string.digits) for _ in range(16)
        )
        (workspace / "settings.py").write_text(
            f"DEBUG = False\nAWS_KEY = '{secret}'\n", encoding="utf-8"
        )
        secrets_fixture.git(workspace, "add", "settings.py", timeout=60)
        secrets_fixture.git(workspace, "commit", "-q", "-m", "settings", timeout=60)
        head = secrets_fixture.git(workspace, "rev-parse", "HEAD", timeout=60).strip()
        subprocess.run(["chown", "-R", f"{RUNNER_UID}:{RUNNER_UID}", str(workspace)], check=True)
        home = tmp_path / "github-home"  # the runner mounts its own HOME at /github/home
        home.mkdir()
        payload = json.loads((EVENTS / "pull_request.json").read_text(encoding="utf-8"))
        payload["pull_request"]["base"]["sha"] = base
        payload["pull_request"]["head"]["sha"] = head
        env = action_env(
            tmp_path,
            workspace,
            github.url,
            TOKEN,
            "pull_request",
            "pull_request.json",
            payload_json=payload,
            inputs={"checks": "smoke,secrets"},
        )
        inner = {k: v for k, v in env.items() if k not in ("PATH", "PYTHONPATH", "HOME")}
        inner["GITHUB_WORKSPACE"] = "/github/workspace"
        inner["HOME"] = "/github/home"
        mounts = ["-v", f"{workspace}:/github/workspace", "-v", f"{home}:/github/home"]
        entrypoint = _entrypoint(image)
        assert entrypoint == ["/opt/launchgate/bin/python", "/app/entrypoint.py"]
        command = [
            *containerbase.buildah_args(),
            "run",
            "--isolation",
            "chroot",
            "--workingdir",
            "/github/workspace",
            *mounts,
            "-v",
            f"{tmp_path}:{tmp_path}",
            *[arg for k, v in inner.items() for arg in ("--env", f"{k}={v}")],
            container,
            "--",
            *entrypoint,
        ]
        started = time.monotonic()
        result = run_entrypoint(env, workspace, command=command, timeout=600)
        print(f"container run: {time.monotonic() - started:.1f}s")
        assert result.code == 1, result.log[-4000:]
        assert "Traceback" not in result.log
        assert result.outputs["verdict"] == "fail"
        assert "launchgate: **FAIL**" in result.summary
        report = load_report(workspace)
        assert report["checks"][-1]["name"] == "load"
        assert {c["name"]: c["status"] for c in report["checks"]}["smoke"] == "passed"
        assert [f["id"] for f in report["findings"]] == ["secrets.in-diff"]
        assert "::error file=settings.py,line=2,title=launchgate secrets.in-diff::" in result.log
        assert (workspace / ".launchgate-cache" / "secrets").is_dir()
        assert [s["state"] for s in github.statuses(head)] == ["pending", "failure"]
        assert len(marked_comments(github, 7)) == 1
        assert github.violations == []
        for request in github.requests:
            assert_no_secret(request.body, TOKEN, where="a request body")
            assert_no_secret(request.body, secret, where="a request body")
        assert_no_secret(result.log, TOKEN, where="the log")
        assert_no_secret(result.log, secret, where="the log")
        assert_no_secret(result.summary, secret, where="the summary")
        # The entrypoint marked the runner-owned workspace safe in $HOME/.gitconfig, in the
        # mounted home: git reads the workspace as root with that HOME.
        gitconfig = (home / ".gitconfig").read_text(encoding="utf-8")
        assert "directory = /github/workspace" in gitconfig
        git = containerbase.buildah(
            "run",
            "--isolation",
            "chroot",
            *mounts,
            "--env",
            "HOME=/github/home",
            container,
            "--",
            "git",
            "-C",
            "/github/workspace",
            "rev-parse",
            "HEAD",
            check=False,
            timeout=300,
        )
        assert git.returncode == 0, git.stderr
        assert git.stdout.strip() == head
