"""dns: the domain and app hosts resolve, no CNAME dangles or invites a subdomain takeover, and
email authentication (SPF, DMARC, DKIM, MX) and CAA are sound; plus the deployment map.

Config `checks.dns` (domain, hosts, nameservers, dkim_selectors, sends_email, timeout); hosts
default to every host named elsewhere in the config. No domain and no hosts -> skipped. Without
a domain only host resolution runs. A DNS timeout or SERVFAIL (after retries) is "could not
verify": the check ends in `error` with the findings gathered so far, never "record missing".
After a timeout no further lookups are attempted (each would wait just as long).

Facts read (written by other checks, all optional):
- `tls.certificates`: {host: {"issuer_org": str, "issuer_cn": str}} -> CAA vs the live CA.
- `http.response_headers`: {host: {header: value}} -> CDN/host in the deployment map.
Facts written: `dns.deployment_map` (the rows also in metrics.dns.deployment_map).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from launchgate.address import split_host
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.dns import caa, deployment_map, dkim, dmarc, load_data, suffix_match
from launchgate.dns.resolver import BadName, DnsClient, DnsUnavailable, normalize
from launchgate.dns.spf import LOOKUP_LIMIT, VOID_LIMIT, SpfReport, SpfWalker
from launchgate.report import Finding, Location, Severity, make_finding

BLOCKER, IMPORTANT, LATER = Severity.BLOCKER, Severity.IMPORTANT, Severity.LATER
MIN_DKIM_RSA_BITS = 1024
SPECIAL_USE_TLDS = frozenset({"test", "localhost", "invalid", "example", "local"})


class DnsCheck:
    name: ClassVar[str] = "dns"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        cfg = ctx.config.checks.dns
        domain = normalize(cfg.domain) if cfg.domain else None
        hosts, left_out = _hosts_to_check(ctx)
        if not domain and not hosts:
            why = f"; not checked: {', '.join(left_out)}" if left_out else ""
            raise CheckSkipped(f"no domain or hosts configured (checks.dns.domain){why}")
        if domain and not hosts:
            hosts = (domain,)
        try:
            client = DnsClient(cfg.nameservers, cfg.timeout)
        except DnsUnavailable as exc:
            raise CheckCannotRun(str(exc)) from None
        run = _Run(ctx, client, domain, hosts)
        if left_out:
            run.notes.append(f"not checked: {', '.join(left_out)}")
        return run.execute()


def _hosts_to_check(ctx: CheckContext) -> tuple[tuple[str, ...], list[str]]:
    """Configured `checks.dns.hosts` as given. Hosts defaulted from elsewhere in the config are
    left out when `connect_to` maps them (checked before the DNS cutover: their DNS does not
    point at the app yet) or, with the system resolver, when they are special-use names that
    never resolve publicly (RFC 6761: .test, .localhost, .invalid, .example; .local)."""
    cfg = ctx.config.checks.dns
    hosts = tuple(dict.fromkeys(normalize(h) for h in ctx.config.dns_hosts()))
    if cfg.hosts:
        return hosts, []
    mapped = {normalize(split_host(key).host) for key in ctx.config.connect_to}
    kept: list[str] = []
    left_out: list[str] = []
    for host in hosts:
        if host in mapped:
            left_out.append(f"{host} (connect_to)")
        elif not cfg.nameservers and _special_use(host):
            left_out.append(f"{host} (special-use name)")
        else:
            kept.append(host)
    return tuple(kept), left_out


def _special_use(host: str) -> bool:
    return host == "localhost" or host.rsplit(".", 1)[-1] in SPECIAL_USE_TLDS


def _finding(slug: str, severity: Severity, title: str, detail: str, remedy: str,
             host: str | None, key: str = "") -> Finding:
    return make_finding("dns", slug, severity, title, detail=detail, remedy=remedy,
                        location=Location(host=host), key=key)


class _Run:
    """One run of the check: steps add findings, notes and map facts; DNS failures are kept
    as "could not verify" items."""

    def __init__(self, ctx: CheckContext, client: DnsClient, domain: str | None,
                 hosts: tuple[str, ...]) -> None:
        self.ctx = ctx
        self.cfg = ctx.config.checks.dns
        self.client = client
        self.domain = domain
        self.hosts = hosts
        self.findings: list[Finding] = []
        self.notes: list[str] = []
        self.unverified: list[str] = []
        self.host_facts: list[deployment_map.HostFacts] = []
        self.nameservers: list[str] = []
        self.mx_hosts: list[str] = []
        self.spf: SpfReport | None = None
        self.dmarc_policy: str | None = None
        self.dmarc_record: str | None = None
        self.dmarc_rua: tuple[str, ...] = ()
        self.dkim_status: dict[str, str] = {}
        self.caa_set: caa.CaaSet | None = None
        self.dkim_ok = 0
        self.stopped = False

    def execute(self) -> CheckOutcome:
        steps: list[tuple[str, Callable[[], None]]] = [
            (f"host {h}", functools.partial(self.check_host, h)) for h in self.hosts]
        if self.domain:
            steps += [("NS", self.check_ns), ("MX", self.check_mx), ("SPF", self.check_spf),
                      ("DMARC", self.check_dmarc), ("DKIM", self.check_dkim),
                      ("CAA", self.check_caa)]
        else:
            self.notes.append("email and CAA checks need checks.dns.domain")
        for label, step in steps:
            if self.stopped:
                self.unverified.append(f"{label}: not tried after the timeout")
                continue
            self.ctx.progress.update(f"dns: {label}")
            self._guarded(label, step)
        metrics = self.metrics()
        self.ctx.facts["dns.deployment_map"] = metrics["deployment_map"]
        if self.unverified:
            raise CheckCannotRun("could not verify " + "; ".join(self.unverified),
                                 findings=tuple(self.findings), metrics=metrics)
        return CheckOutcome(tuple(self.findings), self.summary(), metrics)

    def _guarded(self, label: str, step: Callable[[], None]) -> None:
        try:
            step()
        except DnsUnavailable as exc:
            self.unverified.append(f"{label} ({exc})")
            self.stopped = exc.timed_out
        except BadName as exc:
            self.notes.append(f"{label}: {exc}")

    # --- hosts ---------------------------------------------------------------------------

    def check_host(self, host: str) -> None:
        v4 = self.client.lookup(host, "A")
        v6 = self.client.lookup(host, "AAAA")
        addresses = tuple(r.address for r in v4.records + v6.records)
        chain = v4.chain or v6.chain
        self.host_facts.append(deployment_map.HostFacts(host, chain, addresses))
        if addresses:
            return
        if not chain:
            why = "does not exist (NXDOMAIN)" if v4.nxdomain else "has no A or AAAA record"
            self.findings.append(_finding(
                "host-unresolvable", BLOCKER, f"{host} does not resolve",
                f"{host} {why}; visitors get a DNS error.",
                f"Add an A/AAAA (or CNAME) record for {host}, or stop linking to it.", host))
            return
        target = chain[-1]
        why = "does not exist (NXDOMAIN)" if v4.nxdomain else "has no address"
        provider = _takeover_provider(chain)
        if provider:
            self.findings.append(_finding(
                "takeover-risk", BLOCKER, f"{host} can be taken over: it points at an unclaimed "
                f"{provider['name']} name",
                f"{host} is a CNAME to {target}, which {why}. At {provider['name']} the "
                f"{provider['how']}: whoever claims {target} serves content on {host}.",
                f"Remove the CNAME for {host} now, or claim {target} again at "
                f"{provider['name']}.", host))
            return
        self.findings.append(_finding(
            "dangling-cname", BLOCKER, f"{host} is a dangling CNAME",
            f"{host} → {' → '.join(chain)}; {target} {why}.",
            f"Point {host} at a live target or delete the record (a dangling CNAME can be "
            "taken over if the target domain is registered by someone else).", host))

    # --- domain-wide records ---------------------------------------------------------------

    def check_ns(self) -> None:
        assert self.domain
        labels = self.domain.split(".")
        for start in range(len(labels) - 1):
            found = self.client.lookup(".".join(labels[start:]), "NS")
            if found.records:
                self.nameservers = sorted(normalize(r.target.to_text()) for r in found.records)
                return

    def check_mx(self) -> None:
        assert self.domain
        found = self.client.lookup(self.domain, "MX")
        names = [normalize(r.exchange.to_text()) for r in
                 sorted(found.records, key=lambda r: r.preference)]
        null_mx = len(names) == 1 and names[0] == ""
        self.mx_hosts = [] if null_mx else names
        if self.cfg.sends_email and not self.mx_hosts:
            what = "publishes a null MX (accepts no mail)" if null_mx else "has no MX record"
            self.findings.append(_finding(
                "mx-missing", IMPORTANT, f"{self.domain} {what}",
                f"{self.domain} sends email (checks.dns.sends_email) but {what}: replies and "
                "bounces are lost and many receivers reject mail from such domains.",
                "Publish MX records for the mailbox provider, or set sends_email: false.",
                self.domain))

    def check_spf(self) -> None:
        assert self.domain
        report = SpfWalker(self.client).walk(self.domain)
        self.spf = report
        for finding in _spf_findings(report, self.cfg.sends_email):
            self.findings.append(finding)
        self.notes.extend(report.warnings[:3])

    def check_dmarc(self) -> None:
        assert self.domain
        name = f"_dmarc.{self.domain}"
        _, texts = self.client.txt(name)
        records = [t for t in texts if dmarc.is_dmarc(t)]
        if not records:
            # Important whether or not the domain sends mail: without a policy anyone can
            # spoof it; a domain that sends nothing should say so with p=reject.
            remedy = (f'Publish TXT at {name}: "v=DMARC1; p=none; '
                      f'rua=mailto:dmarc@{self.domain}", read the reports, then move to '
                      "p=quarantine or p=reject." if self.cfg.sends_email else
                      f'The domain sends no mail: publish TXT at {name}: "v=DMARC1; '
                      'p=reject;" (with SPF "v=spf1 -all") so receivers reject forgeries.')
            self.findings.append(_finding(
                "dmarc-missing", IMPORTANT, f"no DMARC record for {self.domain}",
                f"{name} has no v=DMARC1 record: receivers have no policy for mail that "
                "fails SPF and DKIM, and you get no reports of spoofing.", remedy,
                self.domain))
            return
        if len(records) > 1:
            self.findings.append(_finding(
                "dmarc-invalid", IMPORTANT, f"{len(records)} DMARC records for {self.domain}",
                f"{name} has {len(records)} v=DMARC1 records; receivers then apply none.",
                "Keep exactly one DMARC record.", self.domain))
            return
        try:
            policy = dmarc.parse(records[0])
        except dmarc.DmarcError as exc:
            self.findings.append(_finding(
                "dmarc-invalid", IMPORTANT, f"the DMARC record of {self.domain} is invalid",
                f"{name}: {exc}. Receivers ignore an invalid record.",
                "Fix the record (v=DMARC1; p=none|quarantine|reject; rua=mailto:...).",
                self.domain))
            return
        self.dmarc_policy = policy.policy
        self.dmarc_record = records[0]
        self.dmarc_rua = policy.rua
        if policy.policy == "none":
            self.findings.append(_finding(
                "dmarc-p-none", LATER, f"DMARC policy of {self.domain} is p=none",
                "p=none only monitors: spoofed mail is still delivered. It is the right "
                "first step while you read the aggregate reports.",
                "Once the reports show only your senders, move to p=quarantine, then "
                "p=reject.", self.domain))
        if not policy.rua:
            self.findings.append(_finding(
                "dmarc-no-rua", LATER, f"DMARC of {self.domain} asks for no reports",
                "Without rua= you never learn who sends mail as your domain.",
                f"Add rua=mailto:dmarc@{self.domain} (or a DMARC report service).",
                self.domain))
        if policy.ignored:
            self.notes.append(f"DMARC tags {', '.join(policy.ignored)} are removed by "
                              "DMARCbis (RFC 9989) and ignored")

    def check_dkim(self) -> None:
        assert self.domain
        selectors = self.cfg.dkim_selectors
        if not selectors:
            self.notes.append("DKIM not checked (no checks.dns.dkim_selectors)")
            return
        for selector in selectors:
            self._check_selector(selector)

    def _check_selector(self, selector: str) -> None:
        assert self.domain
        name = f"{selector}._domainkey.{self.domain}"
        _, texts = self.client.txt(name)
        records = [t for t in texts if "p=" in t]
        self.dkim_status[selector] = "missing" if not records else "invalid"
        if not records:
            self.findings.append(_finding(
                "dkim-missing", IMPORTANT, f"no DKIM key for selector {selector!r}",
                f"{name} has no DKIM key record: mail signed with this selector fails DKIM.",
                "Publish the key your mail provider shows for this selector, or remove the "
                "selector from checks.dns.dkim_selectors.", name))
            return
        try:
            key = dkim.parse(records[0])
        except dkim.DkimError as exc:
            self.findings.append(_finding(
                "dkim-invalid", IMPORTANT, f"the DKIM key for selector {selector!r} is unusable",
                f"{name}: {exc}.", "Publish the key again exactly as the provider shows it "
                "(long keys are split into several quoted strings).", name))
            return
        self.dkim_status[selector] = f"{key.key_type} {key.bits} bits" if key.bits \
            else key.key_type
        if key.key_type == "rsa" and key.bits < MIN_DKIM_RSA_BITS:
            self.findings.append(_finding(
                "dkim-weak-key", IMPORTANT, f"the DKIM key for selector {selector!r} is {key.bits} "
                "bits", f"{name} publishes a {key.bits}-bit RSA key; keys under 1024 bits "
                "can be factored and receivers treat them as failing (RFC 8301).",
                "Rotate to a 2048-bit RSA key (or add an ed25519 selector).", name))
            return
        self.dkim_ok += 1

    def check_caa(self) -> None:
        assert self.domain
        apex = caa.relevant_set(self.client, self.domain)
        self.caa_set = apex
        if apex.owner is None:
            self.findings.append(_finding(
                "caa-missing", LATER, f"no CAA record for {self.domain}",
                "Any certificate authority may issue certificates for the domain.",
                f'Add CAA records naming your CA, e.g. {self.domain}. CAA 0 issue '
                '"letsencrypt.org".', self.domain))
        certificates = self.ctx.facts.get("tls.certificates")
        if not isinstance(certificates, Mapping) or not certificates:
            self.notes.append("CAA not compared with the live certificate (no TLS facts)")
            return
        for host, issuer in sorted(certificates.items()):
            name = normalize(split_host(str(host)).host)
            if isinstance(issuer, Mapping) and suffix_match(name, self.domain):
                self._check_issuer(name, issuer)

    def _check_issuer(self, host: str, issuer: Mapping[str, Any]) -> None:
        ca_domains = caa.issuer_domains(issuer)
        label = issuer.get("issuer_org") or issuer.get("issuer_cn") or "unknown CA"
        if not ca_domains:
            self.notes.append(f"CAA for {host}: issuer {label!r} not in the CA list")
            return
        relevant = caa.relevant_set(self.client, host)
        if relevant.owner is None or not caa.forbids(relevant, ca_domains):
            return
        allowed = caa.allowed_issuers(relevant) or ()
        self.findings.append(_finding(
            "caa-forbids-issuer", BLOCKER, f"CAA of {relevant.owner} forbids the CA that issued "
            f"{host}'s certificate",
            f"The live certificate comes from {label} ({', '.join(ca_domains[:2])}); CAA at "
            f"{relevant.owner} allows only: {', '.join(allowed) or 'no CA'}. The next "
            "renewal will fail and the site will serve an expired certificate.",
            f'Add {relevant.owner}. CAA 0 issue "{ca_domains[0]}" (or switch CA).', host))

    # --- report -------------------------------------------------------------------------

    def metrics(self) -> dict[str, Any]:
        rows = deployment_map.build(
            self.nameservers, self.host_facts, self.mx_hosts,
            self.spf.includes if self.spf else [], bool(self.spf and self.spf.records),
            _mapping(self.ctx.facts.get("http.response_headers")))
        metrics: dict[str, Any] = {"queries": self.client.queries, "deployment_map": rows,
                                   "records": self.records()}
        if self.spf is not None:
            metrics["spf_lookups"] = self.spf.lookups
            metrics["spf_void_lookups"] = self.spf.void_lookups
        return metrics

    def records(self) -> dict[str, Any]:
        """The DNS answers themselves, for the handover document and for a production watch
        to say what changed since its last run. A part that was not looked up is absent."""
        records: dict[str, Any] = {"hosts": {
            f.host: {"cname": list(f.chain), "addresses": sorted(f.addresses)}
            for f in self.host_facts}}
        if not self.domain:
            return records
        records.update(domain=self.domain, ns=self.nameservers, mx=self.mx_hosts,
                       dkim=dict(sorted(self.dkim_status.items())))
        if self.spf is not None:
            records.update(spf=list(self.spf.records), spf_lookups=self.spf.lookups)
        if self.dmarc_record is not None:
            records.update(dmarc=self.dmarc_record, dmarc_policy=self.dmarc_policy,
                           dmarc_rua=list(self.dmarc_rua))
        if self.caa_set is not None:
            records["caa"] = sorted(f"{p.flags} {p.tag} \"{p.value}\""
                                    for p in self.caa_set.properties)
        return records

    def summary(self) -> str:
        parts = [f"{len(self.hosts)} host(s) checked"]
        if self.spf is not None and len(self.spf.records) == 1:
            parts.append(f"SPF {self.spf.lookups}/{LOOKUP_LIMIT} lookups")
        if self.dmarc_policy:
            parts.append(f"DMARC p={self.dmarc_policy}")
        if self.cfg.dkim_selectors and self.domain:
            parts.append(f"DKIM {self.dkim_ok}/{len(self.cfg.dkim_selectors)} "
                         "selector(s) ok")
        return "; ".join(parts + self.notes)


def _mapping(value: Any) -> Mapping[str, Mapping[str, str]] | None:
    return value if isinstance(value, Mapping) else None


def _takeover_provider(chain: tuple[str, ...]) -> dict[str, Any] | None:
    for name in chain:
        for provider in load_data("takeover.json")["providers"]:
            if any(suffix_match(name, s) for s in provider["suffixes"]):
                return dict(provider)
    return None


def _spf_findings(report: SpfReport, sends_email: bool) -> list[Finding]:
    domain = report.domain
    if not report.records:
        severity = IMPORTANT if sends_email else LATER
        remedy = ("Publish one TXT record listing every service that sends as the domain, "
                  'e.g. "v=spf1 include:_spf.google.com -all".' if sends_email else
                  'The domain sends no mail: publish "v=spf1 -all" so nobody can.')
        return [_finding("spf-missing", severity, f"no SPF record for {domain}",
                         f"{domain} has no v=spf1 TXT record: receivers cannot tell your "
                         "mail from forgeries.", remedy, domain)]
    if len(report.records) > 1:
        return [_finding("spf-multiple", IMPORTANT,
                         f"{domain} has {len(report.records)} SPF records",
                         "RFC 7208 §4.5: more than one v=spf1 record is a permanent error; "
                         "receivers treat the domain as having no valid SPF.",
                         "Merge them into one record (one v=spf1, all mechanisms, one all).",
                         domain)]
    found: list[Finding] = []
    problems = report.syntax_errors + report.include_errors
    if problems:
        found.append(_finding("spf-syntax", IMPORTANT, f"the SPF record of {domain} has errors",
                              "Permanent error (RFC 7208): " + "; ".join(problems[:5]),
                              "Fix the terms named; every include/redirect target must "
                              "publish exactly one SPF record.", domain))
    if report.lookups > LOOKUP_LIMIT:
        count = f"at least {report.lookups}" if report.capped else str(report.lookups)
        found.append(_finding(
            "spf-too-many-lookups", IMPORTANT,
            f"SPF of {domain} needs {count} DNS lookups (limit {LOOKUP_LIMIT})",
            f"Evaluating the record takes {count} DNS-querying terms (include, a, mx, ptr, "
            f"exists, redirect, counted through nested includes); over {LOOKUP_LIMIT} is a "
            "permanent error: receivers treat SPF as failed.",
            "Remove unused includes, replace a/mx with ip4/ip6 ranges, or flatten includes.",
            domain))
    if report.void_lookups > VOID_LIMIT:
        found.append(_finding(
            "spf-void-lookups", IMPORTANT,
            f"SPF of {domain} has {report.void_lookups} void lookups (limit {VOID_LIMIT})",
            "These names return no records: " + ", ".join(report.void_names[:5]) +
            f". More than {VOID_LIMIT} is a permanent error (RFC 7208 §4.6.4).",
            "Remove the terms whose names do not exist.", domain))
    found += _all_findings(report)
    return found


def _all_findings(report: SpfReport) -> list[Finding]:
    domain, qualifier = report.domain, report.all_qualifier
    if qualifier == "+":
        return [_finding("spf-plus-all", BLOCKER, f"SPF of {domain} allows every server (+all)",
                         "+all authorises the whole internet to send mail as the domain.",
                         "End the record with -all (or ~all while rolling out).", domain)]
    if report.plus_all_includes:
        names = ", ".join(dict.fromkeys(report.plus_all_includes))
        return [_finding("spf-plus-all", BLOCKER,
                         f"SPF of {domain} allows every server (an include ends with +all)",
                         f"The included record of {names} ends with +all: the include matches "
                         "every sender, so the whole internet may send mail as the domain.",
                         f"Remove include:{names.split(', ')[0]} (or have its owner end it "
                         "with -all / ~all).", domain)]
    if qualifier == "?":
        return [_finding("spf-neutral-all", IMPORTANT, f"SPF of {domain} ends with ?all",
                         "?all (neutral) says nothing about servers not listed: forged mail "
                         "is not marked.", "End the record with -all (or ~all).", domain)]
    if qualifier is None and not report.syntax_errors and not report.include_errors \
            and not report.capped:
        return [_finding("spf-no-all", IMPORTANT, f"SPF of {domain} has no all mechanism",
                         "Without all (or a redirect) unlisted servers get a neutral result, "
                         "like ?all.", "End the record with -all (or ~all).", domain)]
    return []
