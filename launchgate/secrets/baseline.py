"""detect-secrets baselines: read the entries a repo already accepted, extend one safely.

A secret is known when the repository's `.secrets.baseline` holds an entry with the same
file name, type and sha1 (detect-secrets' own rule: it compares PotentialSecret objects, whose
identity is exactly that triple). The baseline's settings (`plugins_used`, `filters_used`)
configure the engine (see `Engine(baseline)`).

`baseline_document` never damages an existing baseline: its top-level keys, settings and
every key of every existing entry (`is_secret`, `line_number`, ...) are kept as they are; new
entries are only appended, in detect-secrets' `--slim` shape (no line numbers), sorted, so a
re-run over an unchanged repository writes the same bytes. A new baseline gets the engine's
settings and the detect-secrets version.
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
    for key in ("plugins_used", "filters_used"):
        if key in data and not (
            isinstance(data[key], list) and all(isinstance(x, dict) for x in data[key])
        ):
            raise BaselineError(f"{path}: `{key}` is not a list of settings")
    return data


def known_entries(data: dict[str, Any] | None) -> frozenset[tuple[str, str, str]]:
    """(filename, type, hashed_secret) of every entry: what detect-secrets matches on."""
    if not data:
        return frozenset()
    return frozenset(
        (str(entry.get("filename", path)), entry["type"], entry["hashed_secret"])
        for path, entries in data.get("results", {}).items()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get("hashed_secret"), str)
        and isinstance(entry.get("type"), str)
    )


def baseline_document(
    entries: Iterable[tuple[str, str, str]],
    existing: dict[str, Any] | None,
    settings: dict[str, Any],
) -> tuple[str, int]:
    """(the baseline text, how many entries are new). `entries` are (path, type, hashed
    secret) of the current findings; an existing baseline is extended, never rewritten."""
    from detect_secrets.__version__ import VERSION

    if existing:
        document = dict(existing)
    else:
        document = {
            "version": VERSION,
            "plugins_used": settings["plugins_used"],
            "filters_used": settings["filters_used"],
            "results": {},
        }
    old_results = document.get("results") or {}
    known = known_entries(existing)
    additions: dict[str, list[dict[str, Any]]] = {}
    for path, secret_type, hashed in sorted(set(entries)):
        if (path, secret_type, hashed) in known:
            continue
        additions.setdefault(path, []).append(
            {"type": secret_type, "filename": path, "hashed_secret": hashed, "is_verified": False}
        )
    results: dict[str, Any] = {}
    for path in sorted(set(old_results) | set(additions)):
        kept = old_results.get(path)
        if path not in additions:
            results[path] = kept
        else:
            results[path] = (list(kept) if isinstance(kept, list) else []) + additions[path]
    document["results"] = results
    added = sum(len(v) for v in additions.values())
    return json.dumps(document, indent=2) + "\n", added
