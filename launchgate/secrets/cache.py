"""The cache of scanned commits, so a re-run only reads the commits it has not seen.

A commit's added lines never change, so its hits are keyed by commit SHA; the file name
carries the engine's settings key (engine version, detect-secrets version, plugin and filter
settings), so any change there starts a fresh cache. Exclusions and the baseline are applied
after the cache, so changing them needs no rescan. Where it lives (first that applies):
`checks.secrets.cache` (relative to the repository), `$LAUNCHGATE_CACHE_DIR/secrets` (the Action
sets it to `$GITHUB_WORKSPACE/.launchgate-cache` for actions/cache), else `.git/launchgate/`.
The file holds hashes and locations, never a secret value.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import astuple, dataclass, field
from pathlib import Path

from launchgate.secrets.gitlog import AddedHit, git

CACHE_FORMAT = 1


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


@dataclass
class HistoryCache:
    path: Path
    settings_key: str
    scanned: set[str] = field(default_factory=set)
    hits: list[AddedHit] = field(default_factory=list)

    @classmethod
    def load(cls, directory: Path, settings_key: str) -> HistoryCache:
        path = directory / f"secrets-history-{settings_key}.json"
        cache = cls(path=path, settings_key=settings_key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != CACHE_FORMAT or data.get("settings_key") != settings_key:
                return cache
            cache.scanned = set(data["scanned"])
            cache.hits = [AddedHit(*row) for row in data["hits"]]
        except (OSError, ValueError, KeyError, TypeError):
            return cls(path=path, settings_key=settings_key)  # unreadable: start afresh
        return cache

    def add(self, commits: list[str], hits: list[AddedHit]) -> None:
        self.scanned.update(commits)
        self.hits.extend(hits)

    def save(self) -> str | None:
        """Write atomically; returns a reason when the cache could not be written."""
        data = {"format": CACHE_FORMAT, "settings_key": self.settings_key,
                "scanned": sorted(self.scanned),
                "hits": sorted({astuple(h) for h in self.hits})}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".secrets-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError as exc:
            return f"cache not written ({exc.strerror or exc})"
        return None
