"""The handover document's content: what a founder needs to operate the app, derived from a
launchgate report and the repository, each part saying where it came from.

This module decides everything (which hosts, whether mail can be spoofed, which env vars are
undocumented, which questions only people can answer) and returns plain data;
`launchgate.render.handover` only formats it. Nothing here is invented: a part the report does
not cover says so and names the setting that would fill it in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from launchgate.repo.envvars import EnvInventory, scan_env
from launchgate.repo.workflows import DeployInventory, scan_deploys

SEVERITY_ORDER = ("blocker", "important", "later")
_TLS_ORDER_WORDS = {"blocker": "launch blocker", "important": "important", "later": "later"}


def build_handover(
    report: Mapping[str, Any], repo: Path | None, *, report_source: str
) -> dict[str, Any]:
    """The whole document as plain data. `report_source` says which report it came from (a
    file path, or "a fresh `launchgate check` run")."""
    env = scan_env(repo) if repo else None
    deploys = scan_deploys(repo) if repo else None
    checks = {c["name"]: c for c in report.get("checks", [])}
    metrics = report.get("metrics", {})
    return {
        "source": _source(report, repo, report_source),
        "hosts": _hosts(checks, metrics),
        "tls": _tls(checks, metrics),
        "email": _email(checks, metrics, report.get("findings", [])),
        "env": _env(env),
        "deploy": _deploy(deploys),
        "risks": _risks(report.get("findings", [])),
        "good": _good(report, metrics),
        "questions": _questions(metrics, deploys, env),
    }


def _source(report: Mapping[str, Any], repo: Path | None, report_source: str) -> dict[str, Any]:
    target = report.get("target", {})
    return {
        "report": report_source,
        "url": target.get("url"),
        "head": (target.get("head") or "")[:12] or None,
        "verdict": report.get("verdict"),
        "tool": f"launchgate {report.get('tool', {}).get('version', '?')}",
        "repo": repo.name if repo else None,
    }


def _not_covered(checks: Mapping[str, Any], name: str, setting: str) -> str:
    """Why a part is empty: the check was skipped (its own reason), failed to run, or absent."""
    check = checks.get(name)
    if check is None:
        return f"the report has no `{name}` check; set `{setting}` and run it"
    if check["status"] == "skipped":
        return f"the `{name}` check was skipped ({check['summary']}); set `{setting}`"
    if check["status"] == "error":
        return f"the `{name}` check could not run ({check['summary']})"
    return f"the `{name}` check recorded nothing here"


def _hosts(checks: Mapping[str, Any], metrics: Mapping[str, Any]) -> dict[str, Any]:
    dns = metrics.get("dns", {})
    records = dns.get("records")
    redirects = metrics.get("redirects", {})
    out: dict[str, Any] = {
        "deployment_map": list(dns.get("deployment_map", [])),
        "records": [],
        "ns": [],
        "canonical": redirects.get("canonical"),
        "redirects": [_chain_text(c) for c in redirects.get("chains", [])],
        "dns_missing": None if records else _not_covered(checks, "dns", "checks.dns.domain"),
        "redirects_missing": None
        if redirects.get("chains")
        else _not_covered(checks, "redirects", "url or checks.redirects.canonical"),
    }
    if records:
        out["ns"] = list(records.get("ns", []))
        for host, facts in sorted(records.get("hosts", {}).items()):
            out["records"].append({"host": host, "points_to": _points_to(facts)})
    return out


def _points_to(facts: Mapping[str, Any]) -> str:
    parts = [f"CNAME {' → '.join(facts.get('cname', []))}"] if facts.get("cname") else []
    if facts.get("addresses"):
        parts.append(", ".join(facts["addresses"]))
    return " → ".join(parts) if parts else "does not resolve"


def _chain_text(chain: Mapping[str, Any]) -> dict[str, Any]:
    steps = [f"{hop['url']} ({hop['status']})" for hop in chain.get("hops", [])]
    end = chain.get("final_url") or "?"
    status = chain.get("final_status")
    steps.append(f"{end} ({status})" if status else f"{end} ({chain.get('end')})")
    return {"entry": chain.get("entry"), "path": " → ".join(steps), "ok": chain.get("end") == "ok"}


def _tls(checks: Mapping[str, Any], metrics: Mapping[str, Any]) -> dict[str, Any]:
    certificates = metrics.get("tls", {}).get("certificates", {})
    caa = metrics.get("dns", {}).get("records", {}).get("caa")
    return {
        "certificates": [
            {
                "host": host,
                "issuer": c.get("issuer") or "unknown issuer",
                "expires": str(c.get("not_after", ""))[:10],
                "days_left": c.get("days_left"),
                "verified": c.get("verified"),
            }
            for host, c in sorted(certificates.items())
        ],
        "missing": None
        if certificates
        else _not_covered(checks, "tls", "an https url or checks.tls.hosts"),
        "caa": list(caa) if caa is not None else None,
    }


def _email(
    checks: Mapping[str, Any], metrics: Mapping[str, Any], findings: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    records = metrics.get("dns", {}).get("records", {})
    if "domain" not in records:
        return {"missing": _not_covered(checks, "dns", "checks.dns.domain")}
    dns_ids = {f["id"] for f in findings if f.get("check") == "dns"}
    dkim = records.get("dkim", {})
    return {
        "missing": None,
        "domain": records["domain"],
        "mx": list(records.get("mx", [])),
        "spf": list(records.get("spf", [])),
        "spf_lookups": records.get("spf_lookups"),
        "dkim": [{"selector": s, "state": state} for s, state in sorted(dkim.items())],
        "dmarc": records.get("dmarc"),
        "dmarc_policy": records.get("dmarc_policy"),
        "dmarc_rua": list(records.get("dmarc_rua", [])),
        "spoofing": _spoofing(records, dns_ids),
    }


def _spoofing(records: Mapping[str, Any], dns_ids: set[str]) -> str:
    """Whether someone else can send mail as the domain today, in plain words."""
    domain = records["domain"]
    if "dns.spf-plus-all" in dns_ids:
        return (
            f"Yes. The SPF record of {domain} ends in +all: it authorises every server "
            "on the internet to send as the domain."
        )
    policy = records.get("dmarc_policy")
    if policy is None:
        return (
            f"Yes. {domain} publishes no valid DMARC policy, so receivers deliver mail "
            "that fails SPF and DKIM; anyone can send mail that shows your domain as "
            "the sender."
        )
    if policy == "none":
        return (
            f"Yes, for now. DMARC at {domain} is p=none: forged mail is reported to you but "
            "still delivered. Move to p=quarantine, then p=reject."
        )
    if not records.get("spf"):
        return (
            f"Mostly not: DMARC p={policy} asks receivers to refuse forged mail, but "
            f"{domain} has no SPF record, so your own mail relies on DKIM alone."
        )
    return (
        f"Not easily. DMARC p={policy} tells receivers to "
        f"{'reject' if policy == 'reject' else 'quarantine'} mail that fails SPF and DKIM."
    )


def _env(env: EnvInventory | None) -> dict[str, Any]:
    if env is None:
        return {"missing": "no repository was given (--repo)"}
    variables = env.variables
    return {
        "missing": None,
        "example_file": env.example_file,
        "variables": [
            {
                "name": v.name,
                "read_in": list(v.read_in[:3]),
                "more_files": max(0, len(v.read_in) - 3),
                "set_in": list(v.set_in),
                "documented": v.documented,
                "public": v.public,
                "undocumented": v.undocumented,
            }
            for v in variables
        ],
        "undocumented": [v.name for v in variables if v.undocumented],
        "public": [v.name for v in variables if v.public],
        "documented_only": list(env.documented_only),
    }


def _deploy(deploys: DeployInventory | None) -> dict[str, Any]:
    if deploys is None:
        return {"missing": "no repository was given (--repo)"}
    workflows = [
        {
            "file": w.file,
            "name": w.name,
            "triggers": ", ".join(w.triggers) or "?",
            "environments": ", ".join(w.environments) or "–",
            "targets": ", ".join(w.targets) or "–",
            "rollback": w.rollback,
        }
        for w in deploys.workflows
    ]
    return {
        "missing": None,
        "workflows": workflows,
        "unreadable": list(deploys.unreadable),
        "rollback_found": any(w["rollback"] for w in workflows),
    }


def _risks(findings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    ranked = sorted(findings, key=lambda f: (SEVERITY_ORDER.index(f["severity"]), f["id"]))
    return [
        {
            "severity": f["severity"],
            "id": f["id"],
            "title": f["title"],
            "remedy": f.get("remedy") or "",
            "where": _where(f.get("location", {})),
        }
        for f in ranked
    ]


def _where(location: Mapping[str, Any]) -> str | None:
    path = location.get("path")
    if path:
        return f"{path}:{location['line']}" if location.get("line") else path
    return location.get("host") or location.get("url")


def _good(report: Mapping[str, Any], metrics: Mapping[str, Any]) -> dict[str, Any]:
    load = metrics.get("load")
    certificates = metrics.get("tls", {}).get("certificates", {})
    watch = report.get("watch")
    return {
        "verdict": report.get("verdict"),
        # A production watch's report: this is the last watch, and what it saw change.
        "is_watch": watch is not None,
        "watch_previous": (watch or {}).get("previous") is not None,
        "dns_changes": len((watch or {}).get("dns_changes", [])),
        "certificate_trends": [
            {"host": c["host"], "trend": c["trend"]} for c in (watch or {}).get("certificates", [])
        ],
        "p95_ms": load.get("p95_ms") if load else None,
        "users": load.get("users") if load else None,
        "routes": [
            {"name": r["name"], "p95_ms": r.get("p95_ms"), "requests": r.get("requests")}
            for r in (load or {}).get("routes", [])
        ],
        "certificate_days": [
            {"host": h, "days_left": c.get("days_left")} for h, c in sorted(certificates.items())
        ],
    }


def _questions(
    metrics: Mapping[str, Any], deploys: DeployInventory | None, env: EnvInventory | None
) -> list[str]:
    """What only people can answer. Asked, never filled in with a guess."""
    rows = {r["part"]: r["where"] for r in metrics.get("dns", {}).get("deployment_map", [])}
    dns_provider = rows.get("DNS provider")
    questions = [
        "Who owns the domain registration, and in whose account is it (renewal date, "
        "auto-renew on)?",
        f"Who can log in to the DNS provider{f' ({dns_provider})' if dns_provider else ''}, "
        "and is two-factor authentication on for every such login?",
        "Who can log in to the hosting account, and who pays for it?",
        "Who can log in to the email provider, and who receives the DMARC reports?",
        "Who gets paged when the production watch fails (watch.assignees, watch.webhook), "
        "and who is their backup?",
        "Where are the production secrets kept, and who can rotate them?",
        "Where are the database backups, how often are they taken, and when was a restore "
        "last tried?",
    ]
    if deploys is not None and not any(w.rollback for w in deploys.workflows):
        questions.append("How do you roll back a bad deploy (write the exact steps down)?")
    if env is not None and any(v.undocumented for v in env.variables):
        questions.append(
            "What are the values (and owners) of the undocumented environment "
            "variables listed above? Add them to the example env file."
        )
    return questions
