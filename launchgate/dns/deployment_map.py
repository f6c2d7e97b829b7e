"""The deployment map (seed, stage 1): who runs DNS, where the app hosts resolve (and a CDN or
proxy seen in DNS or in HTTP response headers), and who handles mail in (MX) and out (SPF).

Built only from answers the checks already have: NS, A/AAAA/CNAME, MX and SPF includes from the
dns check, and response headers another check shared (`http.response_headers`). No network.
Rows are `{"part": ..., "where": ...}` for the report's `metrics.dns.deployment_map`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from launchgate.dns import load_data, suffix_match

MAX_LISTED = 3


@dataclass(frozen=True)
class HostFacts:
    host: str
    chain: tuple[str, ...]  # CNAME targets, in order
    addresses: tuple[str, ...]


def _by_suffix(names: Iterable[str], table: str) -> list[str]:
    found: list[str] = []
    for name in names:
        for entry in load_data("providers.json")[table]:
            hit = (
                entry["suffix"] in name.lower()
                if entry.get("contains")
                else suffix_match(name, entry["suffix"])
            )
            if hit and entry["name"] not in found:
                found.append(entry["name"])
                break
    return found


def _by_network(addresses: Iterable[str]) -> list[str]:
    found: list[str] = []
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        for entry in load_data("providers.json")["networks"]:
            network = ipaddress.ip_network(entry["cidr"])
            if (
                address.version == network.version
                and address in network
                and entry["name"] not in found
            ):
                found.append(entry["name"])
    return found


def by_headers(headers: Mapping[str, str]) -> list[str]:
    lowered = {str(k).lower(): str(v).lower() for k, v in headers.items()}
    found: list[str] = []
    for entry in load_data("providers.json")["headers"]:
        value = lowered.get(entry["header"])
        if value is None or (entry.get("contains") and entry["contains"] not in value):
            continue
        if entry["name"] not in found:
            found.append(entry["name"])
    return found


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def _with_evidence(providers: list[str], evidence: str, fallback: str) -> str:
    if providers:
        return f"{', '.join(providers)} ({evidence})"
    return fallback


def dns_row(nameservers: Sequence[str]) -> dict[str, str]:
    if not nameservers:
        return {"part": "DNS provider", "where": "unknown (no NS records seen)"}
    names = sorted(nameservers)
    return {
        "part": "DNS provider",
        "where": _with_evidence(_by_suffix(names, "nameservers"), _listed(names), _listed(names)),
    }


def host_row(facts: HostFacts, headers: Mapping[str, str] | None) -> dict[str, str]:
    providers = _by_suffix(facts.chain, "hosts")
    providers += [p for p in _by_network(facts.addresses) if p not in providers]
    if facts.chain:
        evidence = "CNAME " + " → ".join(facts.chain)
    else:
        evidence = _listed(facts.addresses) if facts.addresses else "does not resolve"
    where = _with_evidence(providers, evidence, evidence)
    seen = by_headers(headers or {})
    if seen:
        where += f"; response headers show {', '.join(seen)}"
    return {"part": f"app host {facts.host}", "where": where}


def mail_rows(
    mx_hosts: Sequence[str], spf_includes: Sequence[str], has_spf: bool
) -> list[dict[str, str]]:
    rows = []
    if mx_hosts:
        rows.append(
            {
                "part": "mail in (MX)",
                "where": _with_evidence(
                    _by_suffix(mx_hosts, "mail_mx"), _listed(mx_hosts), _listed(mx_hosts)
                ),
            }
        )
    else:
        rows.append({"part": "mail in (MX)", "where": "none (no MX records)"})
    senders = _by_suffix(spf_includes, "mail_spf")
    if senders:
        where = ", ".join(senders) + " (SPF include)"
    elif spf_includes:
        where = "SPF includes " + _listed(list(spf_includes))
    else:
        where = "own servers only (SPF lists addresses)" if has_spf else "unknown (no SPF)"
    rows.append({"part": "mail out (SPF)", "where": where})
    return rows


def build(
    nameservers: Sequence[str],
    hosts: Sequence[HostFacts],
    mx_hosts: Sequence[str],
    spf_includes: Sequence[str],
    has_spf: bool,
    response_headers: Mapping[str, Mapping[str, str]] | None,
) -> list[dict[str, str]]:
    headers = {str(h).lower().rstrip("."): v for h, v in (response_headers or {}).items()}
    rows = [dns_row(nameservers)]
    rows += [host_row(f, headers.pop(f.host, None)) for f in hosts]
    for host, seen in sorted(headers.items()):
        providers = by_headers(seen)
        if providers:
            rows.append(
                {
                    "part": f"app host {host}",
                    "where": f"response headers show {', '.join(providers)}",
                }
            )
    return rows + mail_rows(mx_hosts, spf_includes, has_spf)
