"""Every finding id a check can report (`<check>.<kebab-case>`). The registry lets
`severity_overrides` reject a typo with a "did you mean" hint, and `make_finding` refuses an
id that is not listed here, so the docs, the config and the checks cannot drift apart."""

from __future__ import annotations

import difflib

FINDING_IDS: frozenset[str] = frozenset(
    {
        # secrets
        "secrets.in-diff",
        "secrets.in-head",
        "secrets.in-history",
        "secrets.shallow-clone",
        "secrets.exposed-to-browser",
        # load
        "load.unreachable",
        "load.p95-over-budget",
        "load.p95-over-target",
        "load.error-rate",
        "load.route-p95-over-budget",
        "load.route-p95-over-target",
        "load.route-error-rate",
        "load.throughput-collapse",
        "load.measured-login-page",
        "load.p95-regressed",
        "load.login-failed",
        "load.session-ended",
        # tls
        "tls.host-unreachable",
        "tls.certificate-expired",
        "tls.certificate-not-yet-valid",
        "tls.certificate-wrong-host",
        "tls.certificate-self-signed",
        "tls.certificate-untrusted",
        "tls.certificate-expires-very-soon",
        "tls.certificate-expires-soon",
        "tls.legacy-protocol-accepted",
        "tls.no-modern-protocol",
        # redirects
        "redirects.loop",
        "redirects.dead-end",
        "redirects.http-not-redirected",
        "redirects.unreachable",
        "redirects.broken-hop",
        "redirects.long-chain",
        "redirects.downgrade",
        "redirects.non-canonical",
        "redirects.http-unreachable",
        # headers
        "headers.hsts-missing",
        "headers.hsts-short-max-age",
        "headers.hsts-not-preload-ready",
        "headers.csp-missing",
        "headers.x-content-type-options-missing",
        "headers.clickjacking-protection-missing",
        "headers.referrer-policy-missing",
        "headers.session-cookie-insecure",
        "headers.session-cookie-script-readable",
        "headers.cookie-without-secure",
        "headers.cookie-without-samesite",
        "headers.compression-missing",
        "headers.static-assets-not-cached",
        # exposure
        "exposure.protected-path-open",
        "exposure.protected-path-unclear",
        "exposure.protected-path-error",
        "exposure.protected-path-not-found",
        "exposure.probe-failed",
        "exposure.staging-public",
        "exposure.cors-reflected-with-credentials",
        "exposure.cors-reflected-origin",
        "exposure.cors-wildcard",
        "exposure.mixed-content-active",
        "exposure.mixed-content-passive",
        "exposure.secret-in-bundle",
        # smoke
        "smoke.unexpected-status",
        "smoke.text-missing",
        "smoke.unreachable",
        "smoke.flow-failed",
        "smoke.login-failed",
        # access
        "access.login-failed",
        "access.denied-role-allowed",
        "access.allowed-role-denied",
        "access.cross-tenant-read",
        # dns
        "dns.host-unresolvable",
        "dns.dangling-cname",
        "dns.takeover-risk",
        "dns.spf-missing",
        "dns.spf-multiple",
        "dns.spf-syntax",
        "dns.spf-too-many-lookups",
        "dns.spf-void-lookups",
        "dns.spf-plus-all",
        "dns.spf-neutral-all",
        "dns.spf-no-all",
        "dns.dmarc-missing",
        "dns.dmarc-invalid",
        "dns.dmarc-p-none",
        "dns.dmarc-no-rua",
        "dns.dkim-missing",
        "dns.dkim-invalid",
        "dns.dkim-weak-key",
        "dns.caa-missing",
        "dns.caa-forbids-issuer",
        "dns.mx-missing",
        # dns, on a production watch: what changed since the last watch (launchgate.watch)
        "dns.ns-changed",
        "dns.apex-changed",
        "dns.record-changed",
    }
)


def closest_finding_id(candidate: str) -> str | None:
    """The registered id a typo most likely meant, if any is close."""
    match = difflib.get_close_matches(candidate, sorted(FINDING_IDS), n=1, cutoff=0.75)
    return match[0] if match else None
