"""DMARC policy records (RFC 7489, with the DMARCbis changes of RFC 9989): parsing and the facts
the check grades.

A record is the one TXT record at `_dmarc.<domain>` that starts with `v=DMARC1`. Tags are
`name=value` separated by `;`. `p` is required (none, quarantine, reject); `sp` and `np`
(non-existent subdomains, DMARCbis) take the same values; `adkim`/`aspf` are r or s; `rua`/`ruf`
are comma-separated URIs (mailto:); `psd` is y, n or u and `t` is y or n (DMARCbis). DMARCbis
removed `pct`, `rf` and `ri`: they are reported as ignored, not as errors. Unknown tags are
ignored, as receivers do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POLICIES = frozenset({"none", "quarantine", "reject"})
_TAG = re.compile(r"^[a-z][a-z0-9_]*$", re.IGNORECASE)
REMOVED_TAGS = ("pct", "rf", "ri")
_ENUMS = {
    "sp": POLICIES,
    "np": POLICIES,
    "adkim": {"r", "s"},
    "aspf": {"r", "s"},
    "psd": {"y", "n", "u"},
    "t": {"y", "n"},
}


class DmarcError(ValueError):
    pass


@dataclass(frozen=True)
class DmarcPolicy:
    policy: str
    subdomain_policy: str | None
    rua: tuple[str, ...]
    tags: tuple[tuple[str, str], ...]
    ignored: tuple[str, ...]  # DMARCbis-removed tags present (pct, rf, ri)


def is_dmarc(text: str) -> bool:
    return re.match(r"^\s*v\s*=\s*DMARC1\s*(;|$)", text, re.IGNORECASE) is not None


def parse(text: str) -> DmarcPolicy:
    """Parse one DMARC record; DmarcError says what is wrong."""
    tags: dict[str, str] = {}
    parts = [p.strip() for p in text.split(";")]
    for index, part in enumerate(parts):
        if not part:
            continue
        name, eq, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        if not eq or not _TAG.match(name):
            raise DmarcError(f"'{part}' is not a tag=value pair")
        if index == 0 and (name != "v" or value.upper() != "DMARC1"):
            raise DmarcError("the record must start with v=DMARC1")
        if name in tags:
            raise DmarcError(f"tag '{name}' appears twice")
        tags[name] = value
    policy = tags.get("p", "").lower()
    if not policy:
        raise DmarcError("the required policy tag p= is missing")
    if policy not in POLICIES:
        raise DmarcError(f"p={tags['p']} is not none, quarantine or reject")
    for name, allowed in _ENUMS.items():
        if name in tags and tags[name].lower() not in allowed:
            raise DmarcError(f"{name}={tags[name]} is not one of {', '.join(sorted(allowed))}")
    rua = tuple(u.strip() for u in tags.get("rua", "").split(",") if u.strip())
    for uri in rua + tuple(u.strip() for u in tags.get("ruf", "").split(",") if u.strip()):
        if ":" not in uri:
            raise DmarcError(f"report address {uri!r} is not a URI such as mailto:...")
    return DmarcPolicy(
        policy=policy,
        subdomain_policy=tags.get("sp", "").lower() or None,
        rua=rua,
        tags=tuple(tags.items()),
        ignored=tuple(t for t in REMOVED_TAGS if t in tags),
    )
