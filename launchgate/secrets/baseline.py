"""detect-secrets baselines: read the hashes a repo already accepted, write a slim one.

A secret whose sha1 is in the repository's `.secrets.baseline` is known and not reported
again (detect-secrets' own rule). `write_baseline` produces the detect-secrets 1.5.0 format in
its `--slim` shape (no timestamp, no line numbers), sorted, so two runs give the same bytes
and a re-run over an unchanged repo causes no churn.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from launchgate.errors import LaunchgateError


class BaselineError(LaunchgateError):
    """The baseline file exists but is not a detect-secrets baseline."""


def load_baseline(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"{path}: not a readable detect-secrets baseline ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results", {}), dict):
        raise BaselineError(f"{path}: not a detect-secrets baseline (no `results` mapping)")
    return data


def known_hashes(data: dict[str, Any] | None) -> frozenset[str]:
    if not data:
        return frozenset()
    return frozenset(entry["hashed_secret"]
                     for entries in data.get("results", {}).values() if isinstance(entries, list)
                     for entry in entries
                     if isinstance(entry, dict) and isinstance(entry.get("hashed_secret"), str))


def baseline_document(entries: Iterable[tuple[str, str, str]],
                      existing: dict[str, Any] | None,
                      settings: dict[str, Any]) -> str:
    """`entries` are (path, type, hashed secret); entries of an existing baseline are kept."""
    from detect_secrets.__version__ import VERSION

    results: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}
    for path, entry_list in (existing or {}).get("results", {}).items():
        for old in entry_list if isinstance(entry_list, list) else ():
            if isinstance(old, dict) and "hashed_secret" in old and "type" in old:
                _put(results, path, old["type"], old["hashed_secret"],
                     bool(old.get("is_verified", False)))
    for path, secret_type, hashed in entries:
        _put(results, path, secret_type, hashed, False)
    document = {
        "version": VERSION,
        "plugins_used": settings["plugins_used"],
        "filters_used": settings["filters_used"],
        "results": {path: [results[path][key] for key in sorted(results[path])]
                    for path in sorted(results)},
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def _put(results: dict[str, dict[tuple[str, str], dict[str, Any]]], path: str,
         secret_type: str, hashed: str, verified: bool) -> None:
    results.setdefault(path, {}).setdefault((hashed, secret_type), {
        "type": secret_type, "filename": path, "hashed_secret": hashed,
        "is_verified": verified})
