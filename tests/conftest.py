"""Shared fixtures: run the real CLI in a subprocess, and never leak a secret in a failure."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent

# CI replays a fixed set of generated examples, so a landing is never decided by the draw of
# the day; local runs keep exploring new ones (and a counterexample found there becomes an
# explicit regression test).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    *args: str,
    cwd: Path | str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> CliResult:
    """Run `python -m launchgate ARGS` from this checkout (not an installed copy).

    Without `cwd` it runs in an empty scratch directory, so a gate never scans this project's
    own git repository by accident (`--repo` defaults to the working directory)."""
    if cwd is None:
        with tempfile.TemporaryDirectory(prefix="launchgate-cwd-") as scratch:
            return run_cli(*args, cwd=scratch, env=env, timeout=timeout)
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.pop("LAUNCHGATE_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "launchgate", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli


def assert_no_secret(text: str, secret: str, *, where: str = "output") -> None:
    """Fail without printing the secret (nor any 12-character piece of it)."""
    pieces = (
        {secret[i : i + 12] for i in range(max(1, len(secret) - 11))}
        if len(secret) >= 12
        else {secret}
    )
    leaked = [p for p in pieces if p and p in text]
    if leaked:
        pytest.fail(
            f"a secret value (or a 12-character piece of it) appears in {where}", pytrace=False
        )


@dataclass(frozen=True)
class DemoRun:
    result: CliResult
    output: Path
    report: dict


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the demo (every check, a Locust run included) is `slow`."""
    for item in items:
        if "demo_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """`launchgate demo` run once per session (it includes a short real load test)."""
    import json

    output = tmp_path_factory.mktemp("demo") / "out"
    result = run_cli("demo", "--output", str(output))
    report = (
        json.loads((output / "report.json").read_text())
        if (output / "report.json").exists()
        else {}
    )
    return DemoRun(result, output, report)


@pytest.fixture(scope="session")
def real_reports(tmp_path_factory: pytest.TempPathFactory):
    """The pass/fail/error reports of real `launchgate check` runs
    (tests/support/real_reports.py)."""
    from tests.support.real_reports import build

    return build(tmp_path_factory.getbasetemp() / "real-reports")


@pytest.fixture(scope="module")
def lab():
    """The web lab (tests/support/weblab.py), one per test module."""
    from tests.support.weblab import start_lab

    with start_lab() as running:
        yield running


@pytest.fixture
def server():
    """A loopback HTTP server with known per-path latency (tests/support/loadserver.py)."""
    from tests.support.loadserver import LoadServer

    with LoadServer() as srv:
        yield srv
