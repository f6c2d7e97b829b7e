"""The state of one dns check run, shared by its steps: the answers gathered so far (for the
deployment map, the records and the summary), the findings, notes, and what could not be
verified. A step module adds findings; `check.py` runs the steps and reports."""

from __future__ import annotations

from dataclasses import dataclass, field

from launchgate.checks.base import CheckContext
from launchgate.config import DnsConfig
from launchgate.dns import caa, deployment_map
from launchgate.dns.resolver import DnsClient
from launchgate.dns.spf import SpfReport
from launchgate.report import Finding, Location, Severity, make_finding

BLOCKER, IMPORTANT, LATER = Severity.BLOCKER, Severity.IMPORTANT, Severity.LATER


@dataclass
class DnsRun:
    """One run of the check: steps add findings, notes and map facts; DNS failures are kept
    as "could not verify" items."""

    ctx: CheckContext
    client: DnsClient
    domain: str | None
    hosts: tuple[str, ...]
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    host_facts: list[deployment_map.HostFacts] = field(default_factory=list)
    nameservers: list[str] = field(default_factory=list)
    mx_hosts: list[str] = field(default_factory=list)
    spf: SpfReport | None = None
    dmarc_policy: str | None = None
    dmarc_record: str | None = None
    dmarc_rua: tuple[str, ...] = ()
    dkim_status: dict[str, str] = field(default_factory=dict)
    caa_set: caa.CaaSet | None = None
    dkim_ok: int = 0
    stopped: bool = False

    @property
    def cfg(self) -> DnsConfig:
        return self.ctx.config.checks.dns


def finding(
    slug: str,
    severity: Severity,
    title: str,
    detail: str,
    remedy: str,
    host: str | None,
    key: str = "",
) -> Finding:
    return make_finding(
        "dns",
        slug,
        severity,
        title,
        detail=detail,
        remedy=remedy,
        location=Location(host=host),
        key=key,
    )
