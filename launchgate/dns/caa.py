"""CAA (RFC 8659): the relevant record set of a name, and whether it lets a given CA issue.

The relevant set is found by climbing from the name to its parents until a non-empty CAA set
appears (CNAMEs are followed at each step by the resolver, as RFC 8659 §3 asks). Within it,
`issue` properties (or `issuewild` for wildcard names, falling back to `issue`) list the CA
domains allowed; `issue ";"` allows none; a critical flag on a property a CA does not know
forbids issuance. The CA of the live certificate is mapped to its CAA domains with data
(`data/caa_issuers.json`) from the issuer organisation or common name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from launchgate.dns import load_data
from launchgate.dns.resolver import DnsClient, normalize

KNOWN_TAGS = frozenset(
    {"issue", "issuewild", "iodef", "contactemail", "contactphone", "issuemail", "issuevmc"}
)
CRITICAL = 128


@dataclass(frozen=True)
class CaaProperty:
    flags: int
    tag: str
    value: str


@dataclass(frozen=True)
class CaaSet:
    owner: str | None  # where the relevant set was found; None: nowhere
    properties: tuple[CaaProperty, ...]


def relevant_set(client: DnsClient, host: str) -> CaaSet:
    labels = normalize(host).split(".")
    for start in range(len(labels) - 1):
        name = ".".join(labels[start:])
        found = client.lookup(name, "CAA")
        if found.records:
            return CaaSet(name, tuple(_property(r) for r in found.records))
    return CaaSet(None, ())


def _property(rdata: Any) -> CaaProperty:
    tag = rdata.tag.decode("ascii", errors="replace").lower()
    value = rdata.value.decode("utf-8", errors="replace")
    return CaaProperty(int(rdata.flags), tag, value)


def issuer_domains(issuer: Mapping[str, Any]) -> tuple[str, ...]:
    """The CAA domains of the CA named in a certificate's issuer; () when not known."""
    names = " ".join(str(issuer.get(k) or "") for k in ("issuer_org", "issuer_cn")).lower()
    if not names.strip():
        return ()
    for entry in load_data("caa_issuers.json")["issuers"]:
        if any(m in names for m in entry["match"]):
            return tuple(entry["caa"])
    return ()


def allowed_issuers(caa: CaaSet, *, wildcard: bool = False) -> tuple[str, ...] | None:
    """The CA domains allowed to issue; None means any CA may (no restriction)."""
    if any(p.flags & CRITICAL and p.tag not in KNOWN_TAGS for p in caa.properties):
        return ()
    tags = (
        ("issuewild",)
        if wildcard and any(p.tag == "issuewild" for p in caa.properties)
        else ("issue",)
    )
    issue = [p for p in caa.properties if p.tag in tags]
    if not issue:
        return None
    domains = (p.value.split(";", 1)[0].strip().lower().rstrip(".") for p in issue)
    return tuple(d for d in domains if d)


def forbids(caa: CaaSet, ca_domains: tuple[str, ...], *, wildcard: bool = False) -> bool:
    allowed = allowed_issuers(caa, wildcard=wildcard)
    return allowed is not None and not set(allowed) & set(ca_domains)
