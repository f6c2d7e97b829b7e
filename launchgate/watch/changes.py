"""What changed since the last production watch (docs/watch.md): the previous watch's report
metrics against this run's. Pure data in, findings and a summary out.

- Certificates (`metrics.tls.certificates`): days left now and last time, and the trend. A
  certificate close to expiry is not judged here: the tls check escalates at 30/14/7 days.
- DNS (`metrics.dns.records`): the CNAME chain and the addresses of each host, and the
  domain's NS, MX, SPF, DMARC and CAA. Each change is a finding under the `dns` check: not
  wrong in itself, but someone must know. A changed NS set (whoever runs the nameservers runs
  the domain) or a changed apex target is `important`; the others are `later`.

A part that was not looked up in either run (a check that did not run, a host no longer
configured) is not a change. The addresses behind a CNAME belong to whoever the CNAME points
at (a CDN rotates them all day): a CNAME'd host's change is its chain, never its addresses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from launchgate.report import (
    BaseRef,
    CertificateTrend,
    Finding,
    Location,
    RecordChange,
    Severity,
    WatchSummary,
    make_finding,
)

CHECK = "dns"
# The domain's records: (the key in metrics.dns.records, its label, set-valued).
DOMAIN_RECORDS = (("ns", "NS"), ("mx", "MX"), ("spf", "SPF"), ("dmarc", "DMARC"), ("caa", "CAA"))


@dataclass(frozen=True)
class WatchChanges:
    findings: tuple[Finding, ...]
    summary: WatchSummary


def watch_changes(
    previous: Mapping[str, Any] | None, current: Mapping[str, Any], previous_ref: BaseRef | None
) -> WatchChanges:
    """Compare the previous watch's `metrics` (None: this is the first watch) with this run's."""
    if previous is None:
        trends = tuple(
            _trend(host, cert, None) for host, cert in sorted(_certificates(current).items())
        )
        return WatchChanges(
            (),
            WatchSummary(
                previous=None,
                certificates=trends,
                notes=(
                    "no previous watch report: this run is the baseline the next watch "
                    "compares with",
                ),
            ),
        )
    notes: list[str] = []
    certificates = _certificate_trends(_certificates(previous), _certificates(current))
    old_dns, new_dns = _records(previous), _records(current)
    changes: list[RecordChange] = []
    if old_dns is None or new_dns is None:
        notes.append(
            "DNS not compared: the dns check did not run in "
            + (
                "either watch"
                if old_dns is None and new_dns is None
                else "the previous watch"
                if old_dns is None
                else "this watch"
            )
        )
    else:
        changes = _dns_changes(old_dns, new_dns, notes)
    findings = tuple(_finding(change) for change in changes)
    return WatchChanges(
        findings,
        WatchSummary(
            previous=previous_ref,
            certificates=certificates,
            dns_changes=tuple(changes),
            notes=tuple(notes),
        ),
    )


# --- certificates -------------------------------------------------------------------------------


def _certificates(metrics: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    tls = metrics.get("tls")
    certs = tls.get("certificates") if isinstance(tls, Mapping) else None
    if not isinstance(certs, Mapping):
        return {}
    return {str(host): cert for host, cert in certs.items() if isinstance(cert, Mapping)}


def _certificate_trends(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> tuple[CertificateTrend, ...]:
    trends = [_trend(host, cert, old.get(host)) for host, cert in sorted(new.items())]
    trends += [
        CertificateTrend(
            host=host,
            issuer=_text(cert.get("issuer")),
            not_after=None,
            days_left=None,
            previous_days_left=_int(cert.get("days_left")),
            change_days=None,
            trend="not checked",
        )
        for host, cert in sorted(old.items())
        if host not in new
    ]
    return tuple(trends)


def _trend(host: str, cert: Mapping[str, Any], old: Mapping[str, Any] | None) -> CertificateTrend:
    days, before = _int(cert.get("days_left")), None if old is None else _int(old.get("days_left"))
    change = None if days is None or before is None else days - before
    if old is None:
        trend = "new"
    elif cert.get("not_after") == old.get("not_after") and cert.get("issuer") == old.get("issuer"):
        trend = "counting down"
    elif str(cert.get("not_after") or "") > str(old.get("not_after") or ""):
        trend = "renewed"
    else:
        trend = "replaced"
    return CertificateTrend(
        host=host,
        issuer=_text(cert.get("issuer")),
        not_after=_text(cert.get("not_after")),
        days_left=days,
        previous_days_left=before,
        change_days=change,
        trend=trend,
    )


# --- DNS ----------------------------------------------------------------------------------------


def _records(metrics: Mapping[str, Any]) -> Mapping[str, Any] | None:
    dns = metrics.get("dns")
    records = dns.get("records") if isinstance(dns, Mapping) else None
    return records if isinstance(records, Mapping) else None


def _dns_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], notes: list[str]
) -> list[RecordChange]:
    domain = _text(new.get("domain"))
    changes: list[RecordChange] = []
    old_hosts, new_hosts = _mapping(old.get("hosts")), _mapping(new.get("hosts"))
    for host in sorted(set(old_hosts) & set(new_hosts)):
        changes += _host_changes(
            host, _mapping(old_hosts[host]), _mapping(new_hosts[host]), apex=host == domain
        )
    if _text(old.get("domain")) != domain:
        if old.get("domain") and domain:
            notes.append(
                f"the domain changed from {old.get('domain')} to {domain}: its "
                "NS, MX, SPF, DMARC and CAA were not compared"
            )
        return changes
    for key, label in DOMAIN_RECORDS:
        if key not in old or key not in new:
            continue  # not looked up in one of the runs
        before, after = _values(old[key]), _values(new[key])
        if set(before) != set(after):
            changes.append(_change(domain or "", label, before, after))
    return changes


def _host_changes(
    host: str, old: Mapping[str, Any], new: Mapping[str, Any], *, apex: bool
) -> list[RecordChange]:
    old_chain, new_chain = (
        _values(old.get("cname"), keep_order=True),
        _values(new.get("cname"), keep_order=True),
    )
    if old_chain != new_chain:
        return [_change(host, "CNAME", old_chain, new_chain, apex=apex)]
    if new_chain:
        return []  # the CNAME target's provider owns the addresses
    before, after = _values(old.get("addresses")), _values(new.get("addresses"))
    if set(before) != set(after):
        return [_change(host, "A/AAAA", before, after, apex=apex)]
    return []


def _change(
    name: str, record: str, before: Sequence[str], after: Sequence[str], *, apex: bool = False
) -> RecordChange:
    if record == "NS":
        finding_id, severity = "dns.ns-changed", Severity.IMPORTANT
    elif apex:
        finding_id, severity = "dns.apex-changed", Severity.IMPORTANT
    else:
        finding_id, severity = "dns.record-changed", Severity.LATER
    return RecordChange(
        name=name,
        record=record,
        before=tuple(before),
        after=tuple(after),
        finding_id=finding_id,
        severity=severity,
    )


_WHY = {
    "dns.ns-changed": (
        "Whoever runs the nameservers controls the whole domain: the site, "
        "mail and who may get certificates.",
        "If nobody planned a DNS provider move, check the registrar account "
        "now (who changed the delegation, and from where) and lock it with 2FA "
        "and a registrar lock. If it was planned, nothing to do: this finding "
        "goes away on the next watch.",
    ),
    "dns.apex-changed": (
        "The apex is where the domain itself points: the site moved, or "
        "someone pointed it elsewhere.",
        "Confirm the new target is yours (the hosting or CDN account you "
        "deployed to). If nobody planned it, restore the record at the DNS "
        "provider. If it was planned, nothing to do.",
    ),
    "dns.record-changed": (
        "A change is not wrong in itself, but someone should know it happened.",
        "Confirm it was planned (a deploy, a mail provider change). If "
        "not, find who changed it at the DNS provider. Nothing to do "
        "otherwise: this finding goes away on the next watch.",
    ),
}


def _finding(change: RecordChange) -> Finding:
    why, remedy = _WHY[change.finding_id]
    before = ", ".join(change.before) or "nothing"
    after = ", ".join(change.after) or "nothing"
    return make_finding(
        CHECK,
        change.finding_id.split(".", 1)[1],
        change.severity,
        f"{change.record} of {change.name} changed since the last watch",
        detail=f"Last watch: {before}. Now: {after}. {why}",
        remedy=remedy,
        location=Location(host=change.name),
        key=f"{change.record}:{'|'.join(sorted(change.after))}",
    )


# --- plain values -------------------------------------------------------------------------------


def _values(value: Any, *, keep_order: bool = False) -> tuple[str, ...]:
    """A record's answers as text: a string is one answer, a list is several."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    texts = [
        str(v).rstrip(".").lower() if not isinstance(v, str) or " " not in v else str(v)
        for v in items
        if isinstance(v, str | int | float)
    ]
    return tuple(texts) if keep_order else tuple(sorted(set(texts)))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
