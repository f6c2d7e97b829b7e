"""The code stays lint-clean, formatted and typed: `ruff check`, `ruff format --check` and
`mypy launchgate` pass (config in pyproject.toml). Both tools come with the `test` extra; a
missing tool fails, never skips."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

LINTED = ("launchgate", "tests", "entrypoint.py", "benchmarks")


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff():
    paths = [p for p in LINTED if (ROOT / p).exists()]
    assert "launchgate" in paths and "tests" in paths
    result = run_tool("ruff", "check", "--no-cache", *paths)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format():
    paths = [p for p in LINTED if (ROOT / p).exists()]
    result = run_tool("ruff", "format", "--check", "--no-cache", *paths)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # mypy over the whole package, without its cache
def test_mypy():
    result = run_tool("mypy", "--no-incremental", "--cache-dir", "/dev/null", "launchgate")
    assert result.returncode == 0, result.stdout + result.stderr
