"""A small sample git repository for the demo, with two planted (generated, fake) secrets:
one added by the `feature` branch (a launch blocker in the change) and one added and deleted
on `main` (only in history: rotate it). Built fresh on every demo run, in under a second."""

from __future__ import annotations

import os
import random
import shutil
import string
import subprocess
from pathlib import Path


def _fake(rng: random.Random, prefix: str, alphabet: str, n: int) -> str:
    return prefix + "".join(rng.choice(alphabet) for _ in range(n))


def _git(repo: Path, *args: str, day: int = 1) -> None:
    date = f"2025-03-{day:02d}T09:00:00+00:00"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Demo",
        "GIT_AUTHOR_EMAIL": "demo@example.invalid",
        "GIT_COMMITTER_NAME": "Demo",
        "GIT_COMMITTER_EMAIL": "demo@example.invalid",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def build_sample_repo(directory: Path) -> tuple[Path, str, str]:
    """Create the repo in `directory` (replacing an earlier demo's); returns (path, base,
    head) for a gate run over the `feature` branch."""
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    rng = random.Random(2025)
    history_key = _fake(rng, "AKIA", string.ascii_uppercase + string.digits, 16)
    branch_token = _fake(rng, "sk_live_", string.ascii_letters + string.digits, 24)
    _git(directory, "init", "-q", "-b", "main")
    (directory / "app.py").write_text("def index():\n    return 'Client list'\n")
    _git(directory, "add", "-A")
    _git(directory, "commit", "-q", "-m", "Initial admin app", day=1)
    (directory / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{history_key}"\n')
    _git(directory, "add", "-A")
    _git(directory, "commit", "-q", "-m", "Add S3 upload settings", day=2)
    (directory / "settings.py").write_text('import os\nAWS_ACCESS_KEY_ID = os.environ["AWS_KEY"]\n')
    _git(directory, "add", "-A")
    _git(directory, "commit", "-q", "-m", "Read the AWS key from the environment", day=3)
    _git(directory, "checkout", "-q", "-b", "feature")
    (directory / "billing.py").write_text(f'import stripe\n\nstripe.api_key = "{branch_token}"\n')
    _git(directory, "add", "-A")
    _git(directory, "commit", "-q", "-m", "Add monthly invoicing", day=4)
    return directory, "main", "feature"
