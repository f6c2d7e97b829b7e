"""Scan a piece of text (a fetched JS bundle, an HTML page, a source map) for secrets with
detect-secrets' default plugins and filters. Returns hits without their values."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class SecretHit:
    """A secret found in text: its detect-secrets type, 1-based line and sha1 hash (the same
    hash detect-secrets stores in a baseline). The value itself is never kept."""

    type: str
    line: int
    hashed_secret: str


def scan_text(text: str, filename: str = "bundle.js") -> tuple[SecretHit, ...]:
    """Scan `text` as if it were a file named `filename` (the suffix picks detect-secrets'
    filters, e.g. for .js, .json, .lock)."""
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    suffix = PurePosixPath(filename).suffix[:16] or ".txt"
    with tempfile.TemporaryDirectory(prefix="launchgate-scan-") as tmp:
        path = os.path.join(tmp, "scanned" + suffix)
        with open(path, "w", encoding="utf-8", errors="replace") as handle:
            handle.write(text)
        with default_settings():
            collection = SecretsCollection(root=tmp)
            collection.scan_file(os.path.basename(path))
        hits = {(s.type, s.line_number or 0, s.secret_hash)
                for _name, s in collection}
    return tuple(SecretHit(type=t, line=line, hashed_secret=h) for t, line, h in sorted(hits))
