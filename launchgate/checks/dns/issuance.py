"""CAA: which certificate authorities may issue for the domain, and whether CAA forbids the one
that issued a live certificate (from the tls check's facts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from launchgate.address import split_host
from launchgate.checks.dns.state import BLOCKER, LATER, DnsRun, finding
from launchgate.dns import caa, suffix_match
from launchgate.dns.resolver import normalize


def check_caa(run: DnsRun) -> None:
    assert run.domain
    apex = caa.relevant_set(run.client, run.domain)
    run.caa_set = apex
    if apex.owner is None:
        run.findings.append(
            finding(
                "caa-missing",
                LATER,
                f"no CAA record for {run.domain}",
                "Any certificate authority may issue certificates for the domain.",
                f"Add CAA records naming your CA, e.g. {run.domain}. CAA 0 issue "
                '"letsencrypt.org".',
                run.domain,
            )
        )
    certificates = run.ctx.facts.get("tls.certificates")
    if not isinstance(certificates, Mapping) or not certificates:
        run.notes.append("CAA not compared with the live certificate (no TLS facts)")
        return
    for host, issuer in sorted(certificates.items()):
        name = normalize(split_host(str(host)).host)
        if isinstance(issuer, Mapping) and suffix_match(name, run.domain):
            _check_issuer(run, name, issuer)


def _check_issuer(run: DnsRun, host: str, issuer: Mapping[str, Any]) -> None:
    ca_domains = caa.issuer_domains(issuer)
    label = issuer.get("issuer_org") or issuer.get("issuer_cn") or "unknown CA"
    if not ca_domains:
        run.notes.append(f"CAA for {host}: issuer {label!r} not in the CA list")
        return
    relevant = caa.relevant_set(run.client, host)
    if relevant.owner is None or not caa.forbids(relevant, ca_domains):
        return
    allowed = caa.allowed_issuers(relevant) or ()
    run.findings.append(
        finding(
            "caa-forbids-issuer",
            BLOCKER,
            f"CAA of {relevant.owner} forbids the CA that issued {host}'s certificate",
            f"The live certificate comes from {label} ({', '.join(ca_domains[:2])}); CAA at "
            f"{relevant.owner} allows only: {', '.join(allowed) or 'no CA'}. The next "
            "renewal will fail and the site will serve an expired certificate.",
            f'Add {relevant.owner}. CAA 0 issue "{ca_domains[0]}" (or switch CA).',
            host,
        )
    )
