"""The few git questions several parts ask (the runner, the CLI, the secrets scan): which
commit a revision names, and whether the clone is shallow. Light on purpose: no imports beyond
the standard library, and no exceptions for a missing git or a slow one (the answer is None or
False, and the caller reports what that means)."""

from __future__ import annotations

import subprocess

TIMEOUT_S = 30


def resolve_commit(repo: str, rev: str | None) -> str | None:
    """The full SHA of the commit `rev` names in `repo`, or None."""
    if not rev:
        return None
    proc = _run(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if proc is None or proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def is_shallow(repo: str) -> bool:
    proc = _run(repo, "rev-parse", "--is-shallow-repository")
    return proc is not None and proc.stdout.strip() == "true"


def _run(repo: str, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", repo, *args], capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
