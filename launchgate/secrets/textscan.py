"""Scan a piece of text (a fetched JS bundle, an HTML page, a source map) for secrets with
detect-secrets' default plugins and filters, through the same fast engine as the git scans.
Returns hits without their values; well-known non-secrets (SRI hashes, placeholders) and
Supabase `anon` JWTs (publishable: made for the browser) are left out; a Supabase
`service_role` JWT is reported once, as what it is. Lines over the engine's length limit (a
minified bundle is one line) are judged in windows around each pre-filter match."""

from __future__ import annotations

import hashlib
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
    lines = text.splitlines()
    hits = {
        (hit.type, line, hit.hashed_secret)
        for line, hit in _ENGINE[0].scan_lines(filename, lines)
        if not hit.noise
    }
    roles: dict[int, dict[str, str]] = {}
    kept = set()
    for secret_type, line, hashed in hits:
        if secret_type == JWT:
            role = roles.setdefault(line, jwt_roles(lines[line - 1])).get(hashed, "")
            if role == "anon":
                continue  # Supabase's anon key is publishable: it belongs in the browser
            if role == "service_role" and any(t == SERVICE_ROLE and n == line for t, n, _h in hits):
                continue  # already reported as what it is
        kept.add((secret_type, line, hashed))
    return tuple(SecretHit(type=t, line=line, hashed_secret=h) for t, line, h in sorted(kept))


JWT = "JSON Web Token"
SERVICE_ROLE = "Supabase service_role Key"  # launchgate's plugin (plugins/cloud.py)


def jwt_roles(line: str) -> dict[str, str]:
    """detect-secrets' hash of each JWT on `line` (the plugin's own regex and hash) -> the
    `role` its payload names ("" when none)."""
    from detect_secrets.plugins.jwt import JwtTokenDetector

    from launchgate.secrets.plugins.cloud import jwt_claims

    roles: dict[str, str] = {}
    for regex in JwtTokenDetector.denylist:
        for match in regex.finditer(line):
            token = match.group(0)
            parts = token.split(".")
            role = jwt_claims(parts[1]).get("role") if len(parts) > 1 else None
            roles[hashlib.sha1(token.encode()).hexdigest()] = role if isinstance(role, str) else ""
    return roles
