"""SPF of the domain: one record, valid syntax, within the lookup and void-lookup limits, and
an `all` that does not authorise every server."""

from __future__ import annotations

from launchgate.checks.dns.state import BLOCKER, IMPORTANT, LATER, DnsRun, finding
from launchgate.dns.spf import LOOKUP_LIMIT, VOID_LIMIT, SpfReport, SpfWalker
from launchgate.report import Finding


def check_spf(run: DnsRun) -> None:
    assert run.domain
    report = SpfWalker(run.client).walk(run.domain)
    run.spf = report
    run.findings.extend(spf_findings(report, run.cfg.sends_email))
    run.notes.extend(report.warnings[:3])


def spf_findings(report: SpfReport, sends_email: bool) -> list[Finding]:
    domain = report.domain
    if not report.records:
        severity = IMPORTANT if sends_email else LATER
        remedy = (
            "Publish one TXT record listing every service that sends as the domain, "
            'e.g. "v=spf1 include:_spf.google.com -all".'
            if sends_email
            else 'The domain sends no mail: publish "v=spf1 -all" so nobody can.'
        )
        return [
            finding(
                "spf-missing",
                severity,
                f"no SPF record for {domain}",
                f"{domain} has no v=spf1 TXT record: receivers cannot tell your "
                "mail from forgeries.",
                remedy,
                domain,
            )
        ]
    if len(report.records) > 1:
        return [
            finding(
                "spf-multiple",
                IMPORTANT,
                f"{domain} has {len(report.records)} SPF records",
                "RFC 7208 §4.5: more than one v=spf1 record is a permanent error; "
                "receivers treat the domain as having no valid SPF.",
                "Merge them into one record (one v=spf1, all mechanisms, one all).",
                domain,
            )
        ]
    found: list[Finding] = []
    problems = report.syntax_errors + report.include_errors
    if problems:
        found.append(
            finding(
                "spf-syntax",
                IMPORTANT,
                f"the SPF record of {domain} has errors",
                "Permanent error (RFC 7208): " + "; ".join(problems[:5]),
                "Fix the terms named; every include/redirect target must "
                "publish exactly one SPF record.",
                domain,
            )
        )
    if report.lookups > LOOKUP_LIMIT:
        count = f"at least {report.lookups}" if report.capped else str(report.lookups)
        found.append(
            finding(
                "spf-too-many-lookups",
                IMPORTANT,
                f"SPF of {domain} needs {count} DNS lookups (limit {LOOKUP_LIMIT})",
                f"Evaluating the record takes {count} DNS-querying terms (include, a, mx, ptr, "
                f"exists, redirect, counted through nested includes); over {LOOKUP_LIMIT} is a "
                "permanent error: receivers treat SPF as failed.",
                "Remove unused includes, replace a/mx with ip4/ip6 ranges, or flatten includes.",
                domain,
            )
        )
    if report.void_lookups > VOID_LIMIT:
        found.append(
            finding(
                "spf-void-lookups",
                IMPORTANT,
                f"SPF of {domain} has {report.void_lookups} void lookups (limit {VOID_LIMIT})",
                "These names return no records: "
                + ", ".join(report.void_names[:5])
                + f". More than {VOID_LIMIT} is a permanent error (RFC 7208 §4.6.4).",
                "Remove the terms whose names do not exist.",
                domain,
            )
        )
    found += _all_findings(report)
    return found


def _all_findings(report: SpfReport) -> list[Finding]:
    domain, qualifier = report.domain, report.all_qualifier
    if qualifier == "+":
        return [
            finding(
                "spf-plus-all",
                BLOCKER,
                f"SPF of {domain} allows every server (+all)",
                "+all authorises the whole internet to send mail as the domain.",
                "End the record with -all (or ~all while rolling out).",
                domain,
            )
        ]
    if report.plus_all_includes:
        names = ", ".join(dict.fromkeys(report.plus_all_includes))
        return [
            finding(
                "spf-plus-all",
                BLOCKER,
                f"SPF of {domain} allows every server (an include ends with +all)",
                f"The included record of {names} ends with +all: the include matches "
                "every sender, so the whole internet may send mail as the domain.",
                f"Remove include:{names.split(', ')[0]} (or have its owner end it "
                "with -all / ~all).",
                domain,
            )
        ]
    if qualifier == "?":
        return [
            finding(
                "spf-neutral-all",
                IMPORTANT,
                f"SPF of {domain} ends with ?all",
                "?all (neutral) says nothing about servers not listed: forged mail is not marked.",
                "End the record with -all (or ~all).",
                domain,
            )
        ]
    if (
        qualifier is None
        and not report.syntax_errors
        and not report.include_errors
        and not report.capped
    ):
        return [
            finding(
                "spf-no-all",
                IMPORTANT,
                f"SPF of {domain} has no all mechanism",
                "Without all (or a redirect) unlisted servers get a neutral result, like ?all.",
                "End the record with -all (or ~all).",
                domain,
            )
        ]
    return []
