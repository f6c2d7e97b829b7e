"""Walking a working tree the way the repository scans need it: source files only, bounded in
number and size, skipping dependency and build folders (a vendored `node_modules` would
drown the app's own names)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

SKIPPED_DIRS = frozenset(
    {
        ".git",
        "node_modules",
        ".venv",
        "venv",
        "env",
        "__pycache__",
        "vendor",
        "dist",
        "build",
        ".next",
        ".nuxt",
        ".svelte-kit",
        ".output",
        "coverage",
        ".tox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "target",
        "site-packages",
    }
)
MAX_FILE_BYTES = 512 * 1024
MAX_FILES = 20_000


def walk(root: Path, suffixes: frozenset[str]) -> Iterator[Path]:
    """Files under `root` whose suffix is in `suffixes`, at most MAX_FILES of them, each
    smaller than MAX_FILE_BYTES; symlinks are not followed (they may point out of the repo)."""
    seen = 0
    for directory, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(names):
            path = Path(directory, name)
            if path.suffix not in suffixes or path.is_symlink():
                continue
            try:
                if path.stat().st_size > MAX_FILE_BYTES:
                    continue
            except OSError:
                continue
            seen += 1
            if seen > MAX_FILES:
                return
            yield path


def read_text(path: Path) -> str | None:
    """The file as text (undecodable bytes replaced), or None when it cannot be read."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
