"""Names: every app host resolves (no dangling CNAME, no CNAME to an unclaimed provider name:
a subdomain takeover), and the domain's nameservers (for the deployment map)."""

from __future__ import annotations

from typing import Any

from launchgate.checks.dns.state import BLOCKER, DnsRun, finding
from launchgate.dns import deployment_map, load_data, suffix_match
from launchgate.dns.resolver import normalize


def check_host(run: DnsRun, host: str) -> None:
    v4 = run.client.lookup(host, "A")
    v6 = run.client.lookup(host, "AAAA")
    addresses = tuple(r.address for r in v4.records + v6.records)
    chain = v4.chain or v6.chain
    run.host_facts.append(deployment_map.HostFacts(host, chain, addresses))
    if addresses:
        return
    if not chain:
        why = "does not exist (NXDOMAIN)" if v4.nxdomain else "has no A or AAAA record"
        run.findings.append(
            finding(
                "host-unresolvable",
                BLOCKER,
                f"{host} does not resolve",
                f"{host} {why}; visitors get a DNS error.",
                f"Add an A/AAAA (or CNAME) record for {host}, or stop linking to it.",
                host,
            )
        )
        return
    target = chain[-1]
    why = "does not exist (NXDOMAIN)" if v4.nxdomain else "has no address"
    provider = _takeover_provider(chain)
    if provider:
        run.findings.append(
            finding(
                "takeover-risk",
                BLOCKER,
                f"{host} can be taken over: it points at an unclaimed {provider['name']} name",
                f"{host} is a CNAME to {target}, which {why}. At {provider['name']} the "
                f"{provider['how']}: whoever claims {target} serves content on {host}.",
                f"Remove the CNAME for {host} now, or claim {target} again at {provider['name']}.",
                host,
            )
        )
        return
    run.findings.append(
        finding(
            "dangling-cname",
            BLOCKER,
            f"{host} is a dangling CNAME",
            f"{host} → {' → '.join(chain)}; {target} {why}.",
            f"Point {host} at a live target or delete the record (a dangling CNAME can be "
            "taken over if the target domain is registered by someone else).",
            host,
        )
    )


def check_ns(run: DnsRun) -> None:
    assert run.domain
    labels = run.domain.split(".")
    for start in range(len(labels) - 1):
        found = run.client.lookup(".".join(labels[start:]), "NS")
        if found.records:
            run.nameservers = sorted(normalize(r.target.to_text()) for r in found.records)
            return


def _takeover_provider(chain: tuple[str, ...]) -> dict[str, Any] | None:
    for name in chain:
        for provider in load_data("takeover.json")["providers"]:
            if any(suffix_match(name, s) for s in provider["suffixes"]):
                return dict(provider)
    return None
