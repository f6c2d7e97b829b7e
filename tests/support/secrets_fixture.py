"""A generated git repository with labelled secrets, for the secrets tests.

Every value is generated here (random, never a real credential) and returned by label so
tests can assert that none of them ever reaches an output. Layout (HEAD = `feature`):

main:    c1 app code + hard negatives (lockfiles, SRI hashes, UUIDs, templates, placeholders)
         c2 settings.py adds HISTORY (AWS key)        c3 settings.py deletes it
         c4 deploy.py adds IN_HEAD (Stripe key)       c5 allowlisted lines (pragmas)
         c6 known.py adds KNOWN + .secrets.baseline with its hash
feature: c7 feature.py adds IN_DIFF (GitHub token), and a binary file
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SecretsRepo:
    path: Path
    secrets: dict[str, str]  # label -> value (never printed)
    base: str = "main"
    head: str = "feature"


ALNUM = string.ascii_letters + string.digits
AWS_KEY_ALPHABET = string.ascii_uppercase + "234567"


def random_string(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    """N characters of ALPHABET drawn from RNG: a made-up value, never a real credential."""
    return "".join(rng.choice(alphabet) for _ in range(n))


def aws_key_id(rng: random.Random) -> str:
    """A made-up AWS access key id (AKIA + 16 base32 characters)."""
    return "AKIA" + random_string(rng, 16, AWS_KEY_ALPHABET)


def supabase_jwt(rng: random.Random, role: str) -> str:
    """A made-up Supabase API key: a JWT (random signature) whose payload names `role`
    (`anon`: the publishable one, `service_role`: the secret one)."""

    def segment(data: dict[str, object]) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    claims = {
        "iss": "supabase",
        "ref": random_string(rng, 20, string.ascii_lowercase),
        "role": role,
        "iat": 1700000000,
        "exp": 2015000000,
    }
    return (
        f"{segment({'alg': 'HS256', 'typ': 'JWT'})}.{segment(claims)}."
        f"{random_string(rng, 43, ALNUM + '-_')}"
    )


def made_up_pem(rng: random.Random, *, kind: str = "RSA ", lines: int = 6) -> str:
    """A PEM block of random base64: shaped like a private key, not one."""
    body = "\n".join(random_string(rng, 64, ALNUM + "+/") for _ in range(lines))
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----\n"


def scan_with_cache(repo: Path, tmp_path: Path, engine: Any, **kwargs: Any) -> Any:
    """`scan_repository` with defaults and a commit cache in `tmp_path`, as the check runs it."""
    from launchgate.secrets.scan import ScanOptions, scan_repository

    return scan_repository(
        str(repo), ScanOptions(cache=str(tmp_path / "cache")), engine=engine, **kwargs
    )


def git(
    repo: Path, *args: str, date: str = "2024-01-01T10:00:00+00:00", timeout: float | None = None
) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Fixture",
        "GIT_AUTHOR_EMAIL": "f@example.invalid",
        "GIT_COMMITTER_NAME": "Fixture",
        "GIT_COMMITTER_EMAIL": "f@example.invalid",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    ).stdout


def new_repo(tmp_path: Path, name: str = "repo") -> Path:
    """An empty repository (branch main) in TMP_PATH/NAME."""
    repo = tmp_path / name
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


def commit(repo: Path, message: str, day: int) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=f"2024-01-{day:02d}T10:00:00+00:00")
    return git(repo, "rev-parse", "HEAD").strip()


def make_secrets(seed: int = 7) -> dict[str, str]:
    rng = random.Random(seed)
    upper = string.ascii_uppercase + string.digits
    alnum = string.ascii_letters + string.digits
    return {
        "HISTORY": "AKIA" + random_string(rng, 16, upper),
        "IN_HEAD": "sk_live_" + random_string(rng, 24, alnum),
        "IN_DIFF": "ghp_" + random_string(rng, 36, alnum),
        "KNOWN": random_string(rng, 40, "0123456789abcdef"),
        "ALLOW_SAME_LINE": "ghp_" + random_string(rng, 36, alnum),
        "ALLOW_NEXTLINE_NEW": "ghp_" + random_string(rng, 36, alnum),
        "ALLOW_NEXTLINE_MODIFIED": "ghp_" + random_string(rng, 36, alnum),
        "EXCLUDED": "AKIA" + random_string(rng, 16, upper),
    }


def build_repo(root: Path, seed: int = 7) -> SecretsRepo:
    s = make_secrets(seed)
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    rng = random.Random(seed + 1)
    b64 = string.ascii_letters + string.digits + "+/"
    sri = "sha384-" + random_string(rng, 64, b64)
    (repo / "app.py").write_text("def main():\n    return 'hello'\n")
    (repo / "index.html").write_text(
        f'<script src="https://cdn.example.com/lib.js" integrity="{sri}" '
        'crossorigin="anonymous"></script>\n'
    )
    (repo / "package-lock.json").write_text(
        json.dumps(
            {
                "packages": {
                    "node_modules/x": {"integrity": "sha512-" + random_string(rng, 86, b64) + "=="}
                }
            },
            indent=2,
        )
        + "\n"
    )
    (repo / "pnpm-lock.yaml").write_text(
        "packages:\n  /x@1.0.0:\n    resolution: {integrity: 'sha512-"
        + random_string(rng, 86, b64)
        + "=='}\n"
    )
    (repo / "config.py").write_text(
        'REQUEST_ID = "550e8400-e29b-41d4-a716-446655440000"\n'
        'password = "${DB_PASSWORD}"\n'
        'secret = "{{ vault_secret }}"\n'
        'api_key = "your-api-key-here"\n'
        'db_password = "changeme"\n'
    )
    (repo / "README.md").write_text("# fixture\n\nline two\nline three\n")
    commit(repo, "c1 app and hard negatives", 1)

    (repo / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{s["HISTORY"]}"\n')
    commit(repo, "c2 add settings", 2)
    (repo / "settings.py").write_text('AWS_ACCESS_KEY_ID = os.environ["AWS_KEY"]\n')
    commit(repo, "c3 remove key", 3)

    (repo / "deploy.py").write_text(f'import os\nSTRIPE = "{s["IN_HEAD"]}"\n')
    commit(repo, "c4 deploy", 4)

    (repo / "allowed.py").write_text(
        f'TOKEN = "{s["ALLOW_SAME_LINE"]}"  # pragma: allowlist secret\n'
        "# pragma: allowlist nextline secret\n"
        f'OTHER = "{s["ALLOW_NEXTLINE_NEW"]}"\n'
    )
    (repo / "README.md").write_text(
        "# fixture\n\n# pragma: allowlist nextline secret\nline three\n"
    )
    commit(repo, "c5a allowlisted lines", 5)
    # A modified file: the pragma line is unchanged context, the secret line is added.
    (repo / "README.md").write_text(
        f"# fixture\n\n# pragma: allowlist nextline secret\ntoken: {s['ALLOW_NEXTLINE_MODIFIED']}\n"
    )
    commit(repo, "c5b allowlisted line in a modified file", 6)

    (repo / "known.py").write_text(f'signature = "{s["KNOWN"]}"\n')
    (repo / "vendor").mkdir()
    (repo / "vendor" / "lib.py").write_text(f'KEY = "{s["EXCLUDED"]}"\n')
    known_hash = hashlib.sha1(s["KNOWN"].encode()).hexdigest()
    (repo / ".secrets.baseline").write_text(
        json.dumps(
            {
                "version": "1.5.0",
                "plugins_used": [],
                "filters_used": [],
                "results": {
                    "known.py": [
                        {
                            "type": "Hex High Entropy String",
                            "filename": "known.py",
                            "hashed_secret": known_hash,
                            "is_verified": False,
                            "line_number": 1,
                        }
                    ]
                },
            },
            indent=2,
        )
        + "\n"
    )
    commit(repo, "c6 known secret and baseline", 7)

    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "feature.py").write_text(
        f'def connect():\n    token = "{s["IN_DIFF"]}"\n    return token\n'
    )
    (repo / "logo.bin").write_bytes(bytes(range(256)) * 8)
    commit(repo, "c7 feature", 8)
    return SecretsRepo(path=repo, secrets=s)
