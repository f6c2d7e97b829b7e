"""The cache of scanned commits, so a re-run only reads the commits it has not seen.

A commit's added lines never change, so its hits are keyed by commit SHA (and a file's
content never changes, so the secrets in head's files are kept by blob and path); the file
name carries the engine's settings key (engine and launchgate versions, a digest of launchgate's
rule tables, the detect-secrets version, and the plugin and filter settings, a baseline's
included), so any change there starts a fresh cache. Exclusions and the baseline's entries are
applied after the cache, so changing them needs no rescan. Where it lives (first that applies):
`checks.secrets.cache` (relative to the repository), `$LAUNCHGATE_CACHE_DIR/secrets` (the Action
sets it to `$GITHUB_WORKSPACE/.launchgate-cache` for actions/cache), else `.git/launchgate/`.
The file holds hashes and locations, never a secret value (the per-value id is a salted
sha256, see `engine.secret_id`). A cache that cannot be read or is not what this version
wrote (wrong shape, truncated, garbage) counts as empty; the scan notes it in one line.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import astuple, dataclass, field, fields
from pathlib import Path

from launchgate.secrets.gitlog import AddedHit, git
from launchgate.secrets.tree import HeadPlace

CACHE_FORMAT = 3  # 3: a private key is identified by its body


def cache_dir(repo: str, configured: str | None) -> Path:
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else Path(repo) / path
    env = os.environ.get("LAUNCHGATE_CACHE_DIR")
    if env:
        return Path(env) / "secrets"
    common = git(repo, "rev-parse", "--git-common-dir").strip()
    base = Path(common) if Path(common).is_absolute() else Path(repo) / common
    return base / "launchgate"


def _hit(row: object) -> AddedHit:
    if (
        not isinstance(row, list)
        or len(row) != len(fields(AddedHit))
        or not all(isinstance(x, str) for i, x in enumerate(row) if i != 3)
        or not isinstance(row[3], int)
    ):
        raise ValueError("bad hit row")
    return AddedHit(*row)


def _tree_entry(key: object, rows: object) -> tuple[str, list[HeadPlace]]:
    if not isinstance(key, str) or ":" not in key or not isinstance(rows, list):
        raise ValueError("bad tree entry")
    path = key.split(":", 1)[1]
    places = []
    for row in rows:
        if (
            not isinstance(row, list)
            or len(row) != 5
            or not isinstance(row[0], int)
            or not all(isinstance(x, str) for x in row[1:4])
            or not isinstance(row[4], bool)
        ):
            raise ValueError("bad tree row")
        places.append(HeadPlace(path, *row))
    return key, places


@dataclass
class HistoryCache:
    path: Path
    settings_key: str
    scanned: set[str] = field(default_factory=set)
    hits: list[AddedHit] = field(default_factory=list)
    # the secrets in head's files, by "<blob>:<path>" (the last scanned head's files only)
    tree: dict[str, list[HeadPlace]] = field(default_factory=dict)

    problem: str = ""

    @classmethod
    def load(cls, directory: Path, settings_key: str) -> HistoryCache:
        path = directory / f"secrets-history-{settings_key}.json"
        cache = cls(path=path, settings_key=settings_key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cache
        except (OSError, ValueError) as exc:
            cache.problem = f"cache {path.name} unreadable ({type(exc).__name__}); rescanned"
            return cache
        try:
            data = json.loads(text)
            if (
                not isinstance(data, dict)
                or data.get("format") != CACHE_FORMAT
                or data.get("settings_key") != settings_key
            ):
                raise ValueError("not a cache of this version")
            scanned = data["scanned"]
            if not isinstance(scanned, list) or not all(isinstance(c, str) for c in scanned):
                raise ValueError("bad commit list")
            hits = [_hit(row) for row in data["hits"]]
            if not isinstance(data.get("tree"), dict):
                raise ValueError("bad tree")
            tree = dict(_tree_entry(k, v) for k, v in data["tree"].items())
        except (ValueError, KeyError, TypeError) as exc:
            cache.problem = (
                f"cache {path.name} invalid ({str(exc)[:60] or type(exc).__name__}); rescanned"
            )
            return cache
        cache.scanned = set(scanned)
        cache.hits = hits
        cache.tree = tree
        return cache

    def add(self, commits: list[str], hits: list[AddedHit]) -> None:
        self.scanned.update(commits)
        self.hits.extend(hits)

    def save(self) -> str | None:
        """Write atomically; returns a reason when the cache could not be written."""
        data = {
            "format": CACHE_FORMAT,
            "settings_key": self.settings_key,
            "scanned": sorted(self.scanned),
            "hits": sorted({astuple(h) for h in self.hits}),
            "tree": {
                key: [[p.line, p.type, p.hashed_secret, p.value_id, p.allowlisted] for p in places]
                for key, places in sorted(self.tree.items())
            },
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".secrets-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError as exc:
            return f"cache not written ({exc.strerror or exc})"
        return None
