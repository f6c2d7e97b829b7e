"""The dns check: which hosts to look up, the steps in order (hosts, NS, MX, SPF, DMARC, DKIM,
CAA), and the outcome: findings, the deployment map, the records and the summary."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from launchgate.address import split_host
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.checks.dns.email import check_dkim, check_dmarc, check_mx
from launchgate.checks.dns.hosts import check_host, check_ns
from launchgate.checks.dns.issuance import check_caa
from launchgate.checks.dns.spf import check_spf
from launchgate.checks.dns.state import DnsRun
from launchgate.dns import deployment_map
from launchgate.dns.resolver import BadName, DnsClient, DnsUnavailable, normalize
from launchgate.dns.spf import LOOKUP_LIMIT

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
        run = DnsRun(ctx, client, domain, hosts)
        if left_out:
            run.notes.append(f"not checked: {', '.join(left_out)}")
        return _execute(run)


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


def _execute(run: DnsRun) -> CheckOutcome:
    steps: list[tuple[str, Callable[[], None]]] = [
        (f"host {h}", functools.partial(check_host, run, h)) for h in run.hosts
    ]
    if run.domain:
        steps += [
            ("NS", functools.partial(check_ns, run)),
            ("MX", functools.partial(check_mx, run)),
            ("SPF", functools.partial(check_spf, run)),
            ("DMARC", functools.partial(check_dmarc, run)),
            ("DKIM", functools.partial(check_dkim, run)),
            ("CAA", functools.partial(check_caa, run)),
        ]
    else:
        run.notes.append("email and CAA checks need checks.dns.domain")
    for label, step in steps:
        if run.stopped:
            run.unverified.append(f"{label}: not tried after the timeout")
            continue
        run.ctx.progress.update(f"dns: {label}")
        _guarded(run, label, step)
    metrics = _metrics(run)
    run.ctx.facts["dns.deployment_map"] = metrics["deployment_map"]
    if run.unverified:
        raise CheckCannotRun(
            "could not verify " + "; ".join(run.unverified),
            findings=tuple(run.findings),
            metrics=metrics,
        )
    return CheckOutcome(tuple(run.findings), _summary(run), metrics)


def _guarded(run: DnsRun, label: str, step: Callable[[], None]) -> None:
    try:
        step()
    except DnsUnavailable as exc:
        run.unverified.append(f"{label} ({exc})")
        run.stopped = exc.timed_out
    except BadName as exc:
        run.notes.append(f"{label}: {exc}")


def _metrics(run: DnsRun) -> dict[str, Any]:
    rows = deployment_map.build(
        run.nameservers,
        run.host_facts,
        run.mx_hosts,
        run.spf.includes if run.spf else [],
        bool(run.spf and run.spf.records),
        _mapping(run.ctx.facts.get("http.response_headers")),
    )
    metrics: dict[str, Any] = {
        "queries": run.client.queries,
        "deployment_map": rows,
        "records": _records(run),
    }
    if run.spf is not None:
        metrics["spf_lookups"] = run.spf.lookups
        metrics["spf_void_lookups"] = run.spf.void_lookups
    return metrics


def _records(run: DnsRun) -> dict[str, Any]:
    """The DNS answers themselves, for the handover document and for a production watch
    to say what changed since its last run. A part that was not looked up is absent."""
    records: dict[str, Any] = {
        "hosts": {
            f.host: {"cname": list(f.chain), "addresses": sorted(f.addresses)}
            for f in run.host_facts
        }
    }
    if not run.domain:
        return records
    records.update(
        domain=run.domain,
        ns=run.nameservers,
        mx=run.mx_hosts,
        dkim=dict(sorted(run.dkim_status.items())),
    )
    if run.spf is not None:
        records.update(spf=list(run.spf.records), spf_lookups=run.spf.lookups)
    if run.dmarc_record is not None:
        records.update(
            dmarc=run.dmarc_record, dmarc_policy=run.dmarc_policy, dmarc_rua=list(run.dmarc_rua)
        )
    if run.caa_set is not None:
        records["caa"] = sorted(f'{p.flags} {p.tag} "{p.value}"' for p in run.caa_set.properties)
    return records


def _summary(run: DnsRun) -> str:
    parts = [f"{len(run.hosts)} host(s) checked"]
    if run.spf is not None and len(run.spf.records) == 1:
        parts.append(f"SPF {run.spf.lookups}/{LOOKUP_LIMIT} lookups")
    if run.dmarc_policy:
        parts.append(f"DMARC p={run.dmarc_policy}")
    if run.cfg.dkim_selectors and run.domain:
        parts.append(f"DKIM {run.dkim_ok}/{len(run.cfg.dkim_selectors)} selector(s) ok")
    return "; ".join(parts + run.notes)


def _mapping(value: Any) -> Mapping[str, Mapping[str, str]] | None:
    return value if isinstance(value, Mapping) else None
