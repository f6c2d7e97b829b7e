"""Scan a piece of text (a fetched JS bundle, an HTML page, a source map) for secrets with
detect-secrets' default plugins and filters, through the same fast engine as the git scans.
Returns hits without their values; well-known non-secrets (SRI hashes, placeholders) are left
out. Lines over the engine's length limit (a minified bundle is one line) are judged in windows
around each pre-filter match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from launchgate.secrets.engine import Engine

_ENGINE: list[Engine] = []


@dataclass(frozen=True)
class SecretHit:
    """A secret found in text: its detect-secrets type, 1-based line and sha1 hash (the same
    hash detect-secrets stores in a baseline). The value itself is never kept."""

    type: str
    line: int
    hashed_secret: str


def scan_text(text: str, filename: str = "bundle.js") -> tuple[SecretHit, ...]:
    """Scan `text` as if it were a file named `filename` (the name picks detect-secrets'
    keyword rules and filters, e.g. for .js, .json, .lock)."""
    from launchgate.secrets.engine import Engine

    if not _ENGINE:
        _ENGINE.append(Engine())
    hits = {(hit.type, line, hit.hashed_secret)
            for line, hit in _ENGINE[0].scan_lines(filename, text.splitlines())
            if not hit.noise}
    return tuple(SecretHit(type=t, line=line, hashed_secret=h) for t, line, h in sorted(hits))
