"""tls: for each host, a real handshake verified against the system roots plus `ca_bundle`
(honouring `connect_to`: connect to the mapped IP:port, SNI and verification for the real
name), then the leaf certificate parsed with cryptography.

The leaf is read even when verification fails (a second handshake that does not verify), so
the report can say *why*: expired, not yet valid, wrong host, self-signed or untrusted are each
their own blocker. OpenSSL names only the first verification error, so dates and names are
checked on the parsed leaf as well. Protocols below `min_version` are probed with contexts
pinned to TLS 1.0 / 1.1 (`@SECLEVEL=0`, or OpenSSL 3 would not even offer them).

Facts written: `ctx.facts["tls.certificates"] = {host: {"issuer_org", "issuer_cn",
"subject_cn", "sans", "not_before", "not_after", "days_left", "protocol", "verified"}}`
(the dns check reads the issuer for CAA).

A plain-http `url` on a loopback/private address (a local or CI preview) without
`checks.tls.hosts` is skipped: there is no TLS to check there.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import warnings
from dataclasses import dataclass
from typing import Any, ClassVar

import httpcore
from cryptography import x509
from cryptography.x509.oid import NameOID

from launchgate.address import HostPort, split_host, url_hostport
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.http.pages import LOCAL_PREVIEW_REASON, is_local_preview
from launchgate.http.transport import HttpContext, PrivateTargetError
from launchgate.report import Finding, Location, Severity, make_finding

CHECK = "tls"
_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
_LEGACY_PROBES = ("TLSv1", "TLSv1.1", "TLSv1.2")
# X509_V_ERR_* codes that mean "no path to a trusted root".
_UNTRUSTED_CODES = {2, 18, 19, 20, 21, 27}
_DATE_CODES = {9, 10}
_HOSTNAME_CODE = 62


@dataclass(frozen=True)
class Handshake:
    der: bytes
    protocol: str
    address: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    code: int = 0
    message: str = ""
    modern: bool = True  # False: no protocol the default context accepts
    handshake: Handshake | None = None  # the verified handshake, when ok


class HostUnreachable(Exception):
    """Nothing answered a TLS handshake at any address of the host."""


class TlsCheck:
    name: ClassVar[str] = "tls"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        hosts = _hosts(ctx)
        if not hosts and is_local_preview(ctx.http, ctx.config.url):
            raise CheckSkipped(LOCAL_PREVIEW_REASON)
        if not hosts:
            raise CheckSkipped("no https url or checks.tls.hosts configured")
        findings: list[Finding] = []
        facts: dict[str, dict[str, Any]] = ctx.facts.setdefault("tls.certificates", {})
        summaries: list[str] = []
        reached = 0
        for hp in hosts:
            ctx.progress.update(f"tls: {hp.host}")
            try:
                found, fact = _check_host(ctx, hp)
            except PrivateTargetError as exc:
                raise CheckCannotRun(str(exc), findings=tuple(findings)) from None
            except HostUnreachable as exc:
                findings.append(_unreachable(hp, str(exc)))
                summaries.append(f"{hp.host}: no answer")
                continue
            reached += 1
            findings.extend(found)
            facts[hp.host] = fact
            issuer = fact["issuer_org"] or fact["issuer_cn"] or "unknown issuer"
            summaries.append(
                f"{hp.host}: {fact['protocol']}, {issuer}, {fact['days_left']} days left"
            )
        if not reached:
            raise CheckCannotRun(
                "no host answered a TLS handshake: " + "; ".join(summaries),
                findings=tuple(findings),
            )
        return CheckOutcome(
            tuple(findings),
            "; ".join(summaries),
            {
                "certificates": {
                    host: _certificate_metrics(fact) for host, fact in sorted(facts.items())
                }
            },
        )


def _hosts(ctx: CheckContext) -> list[HostPort]:
    config = ctx.config
    if config.checks.tls.hosts:
        hosts = [split_host(h) for h in config.checks.tls.hosts]
    elif config.url and config.url.lower().startswith("https://"):
        hosts = [url_hostport(config.url)]
    else:
        return []
    return list(dict.fromkeys(h for h in hosts if h.host))


def _check_host(ctx: CheckContext, hp: HostPort) -> tuple[list[Finding], dict[str, Any]]:
    settings = ctx.config.checks.tls
    port = hp.for_scheme("https")
    targets = _targets(ctx.http, hp.host, port)
    verification = _verify(ctx.http, hp.host, targets)
    described = verification.handshake or _describe(hp.host, targets)
    cert = x509.load_der_x509_certificate(described.der)
    location = Location(url=f"https://{hp.netloc('https')}/", host=hp.host)
    fact = _facts(cert, described.protocol, verification.ok)
    findings = _certificate_findings(
        cert,
        hp.host,
        verification,
        location,
        fact,
        settings.expiry_blocker_days,
        settings.expiry_important_days,
    )
    legacy = [
        v
        for v in _LEGACY_PROBES
        if _VERSIONS[v] < _VERSIONS[settings.min_version] and _accepts(hp.host, targets, v)
    ]
    if legacy:
        findings.append(
            make_finding(
                CHECK,
                "legacy-protocol-accepted",
                Severity.IMPORTANT,
                f"{hp.host} accepts {', '.join(legacy)}",
                detail=f"The server completes handshakes with {', '.join(legacy)}, below the "
                f"configured minimum {settings.min_version}. These versions have known "
                "weaknesses and fail PCI DSS and most security questionnaires.",
                remedy=f"Disable {', '.join(legacy)} on the server or load balancer (allow "
                f"{settings.min_version} and newer only).",
                location=location,
            )
        )
    if not verification.modern:
        findings.append(
            make_finding(
                CHECK,
                "no-modern-protocol",
                Severity.BLOCKER,
                f"{hp.host} offers no TLS version current browsers accept",
                detail=f"The handshake only succeeded with {described.protocol}; browsers "
                "refuse TLS 1.0 and 1.1, so visitors get a connection error.",
                remedy="Enable TLS 1.2 and TLS 1.3 on the server.",
                location=location,
            )
        )
    return findings, fact


def _targets(http: HttpContext, host: str, port: int) -> list[tuple[str, int]]:
    """(address, port) pairs to connect to, after connect_to and the private-target guard."""
    try:
        endpoints = http.resolve(host, port)
    except PrivateTargetError:
        raise
    except httpcore.ConnectError as exc:
        raise HostUnreachable(str(exc)) from None
    target_port = http.target_port(host, port)
    return [(e.address, target_port) for e in endpoints]


def _connect(
    context: ssl.SSLContext, host: str, targets: list[tuple[str, int]], timeout: float = 10.0
) -> Handshake:
    """A handshake at the first address that answers; SSL errors propagate."""
    last: Exception | None = None
    for address, port in targets:
        try:
            sock = socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            last = exc
            continue
        with sock, context.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True) or b""
            return Handshake(der, tls.version() or "unknown", address)
    raise HostUnreachable(f"cannot connect: {last}" if last else "no address")


def _verify(http: HttpContext, host: str, targets: list[tuple[str, int]]) -> Verification:
    try:
        return Verification(ok=True, handshake=_connect(http.ssl_context(), host, targets))
    except ssl.SSLCertVerificationError as exc:
        return Verification(False, exc.verify_code, exc.verify_message or str(exc))
    except ssl.SSLError:
        pass  # maybe only legacy protocols: verify again with them allowed
    except (ConnectionError, TimeoutError) as exc:
        raise HostUnreachable(f"handshake failed: {exc}") from None
    legacy = http.ssl_context()
    _allow_legacy(legacy)
    try:
        return Verification(ok=True, modern=False, handshake=_connect(legacy, host, targets))
    except ssl.SSLCertVerificationError as exc:
        return Verification(False, exc.verify_code, exc.verify_message or str(exc), modern=False)
    except (ssl.SSLError, ConnectionError, TimeoutError) as exc:
        raise HostUnreachable(f"TLS handshake failed: {_short(exc)}") from None


def _describe(host: str, targets: list[tuple[str, int]]) -> Handshake:
    """A handshake that accepts any certificate, only to read the leaf."""
    context = _unverified_context()
    try:
        handshake = _connect(context, host, targets)
    except (ssl.SSLError, ConnectionError, TimeoutError) as exc:
        raise HostUnreachable(f"TLS handshake failed: {_short(exc)}") from None
    if not handshake.der:
        raise HostUnreachable("the server sent no certificate")
    return handshake


def _accepts(host: str, targets: list[tuple[str, int]], version: str) -> bool:
    context = _unverified_context(pin=_VERSIONS[version])
    try:
        _connect(context, host, targets, timeout=5.0)
    except (ssl.SSLError, OSError, HostUnreachable):
        return False
    return True


def _unverified_context(pin: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    _allow_legacy(context)
    if pin is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.maximum_version = pin
            context.minimum_version = pin
    return context


def _allow_legacy(context: ssl.SSLContext) -> None:
    # OpenSSL 3 (Debian 12) hides TLS 1.0/1.1 behind security level 0.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]


# --- the certificate --------------------------------------------------------------------------


def _name_attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def _sans(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    san = ext.value
    names: list[str] = list(san.get_values_for_type(x509.DNSName))
    names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    return names


def _facts(cert: x509.Certificate, protocol: str, verified: bool) -> dict[str, Any]:
    not_after = cert.not_valid_after_utc
    days_left = (not_after - dt.datetime.now(dt.UTC)).total_seconds() / 86400
    return {
        "issuer_org": _name_attr(cert.issuer, NameOID.ORGANIZATION_NAME),
        "issuer_cn": _name_attr(cert.issuer, NameOID.COMMON_NAME),
        "subject_cn": _name_attr(cert.subject, NameOID.COMMON_NAME),
        "sans": _sans(cert),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": not_after.isoformat(),
        "days_left": int(days_left // 1),
        "protocol": protocol,
        "verified": verified,
    }


def _certificate_metrics(fact: dict[str, Any]) -> dict[str, Any]:
    """What the report keeps of a certificate: enough for the handover document and for a
    production watch to show days left and their trend (never the certificate itself)."""
    return {
        "issuer": fact["issuer_org"] or fact["issuer_cn"],
        "subject_cn": fact["subject_cn"],
        "not_after": fact["not_after"],
        "days_left": fact["days_left"],
        "protocol": fact["protocol"],
        "verified": fact["verified"],
    }


def hostname_matches(host: str, names: list[str]) -> bool:
    """RFC 6125 matching as browsers do it: SANs only, one wildcard label at the left."""
    host = host.lower().rstrip(".")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    for name in names:
        name = name.lower().rstrip(".")
        if ip is not None:
            if name == str(ip):
                return True
            continue
        if name == host:
            return True
        if name.startswith("*.") and "." in host:
            label, rest = host.split(".", 1)
            if label and rest == name[2:]:
                return True
    return False


def _certificate_findings(
    cert: x509.Certificate,
    host: str,
    verification: Verification,
    location: Location,
    fact: dict[str, Any],
    blocker_days: int,
    important_days: int,
) -> list[Finding]:
    now = dt.datetime.now(dt.UTC)
    summary = (
        f"Issuer: {fact['issuer_org'] or fact['issuer_cn'] or 'unknown'}; SANs: "
        f"{', '.join(fact['sans'][:10]) or 'none'}; valid {fact['not_before'][:10]} "
        f"to {fact['not_after'][:10]}; protocol {fact['protocol']}."
    )
    findings: list[Finding] = []

    def add(slug: str, severity: Severity, title: str, why: str, remedy: str) -> None:
        findings.append(
            make_finding(
                CHECK,
                slug,
                severity,
                title,
                detail=f"{why} {summary}",
                remedy=remedy,
                location=location,
            )
        )

    renew = (
        "Renew the certificate now (e.g. fix the ACME/Let's Encrypt renewal job or the "
        "load balancer's managed certificate) and deploy it."
    )
    if cert.not_valid_after_utc < now:
        add(
            "certificate-expired",
            Severity.BLOCKER,
            f"Certificate for {host} has expired",
            f"It expired on {fact['not_after'][:10]}; browsers show a full-page error.",
            renew,
        )
    elif cert.not_valid_before_utc > now:
        add(
            "certificate-not-yet-valid",
            Severity.BLOCKER,
            f"Certificate for {host} is not valid yet",
            f"It becomes valid on {fact['not_before'][:10]}; browsers reject it until then "
            "(or the server clock is wrong).",
            "Serve a certificate that is valid now, and check the clock of the machine that "
            "issued it.",
        )
    elif fact["days_left"] < blocker_days:
        add(
            "certificate-expires-very-soon",
            Severity.BLOCKER,
            f"Certificate for {host} expires in {fact['days_left']} day(s)",
            f"It expires within {blocker_days} days (checks.tls.expiry_blocker_days).",
            renew,
        )
    elif fact["days_left"] < important_days:
        add(
            "certificate-expires-soon",
            Severity.IMPORTANT,
            f"Certificate for {host} expires in {fact['days_left']} days",
            f"It expires within {important_days} days (checks.tls.expiry_important_days).",
            renew,
        )
    if not hostname_matches(host, fact["sans"]):
        add(
            "certificate-wrong-host",
            Severity.BLOCKER,
            f"Certificate does not cover {host}",
            "The host name is not among the certificate's subject alternative names; "
            "browsers show a name-mismatch error.",
            f"Issue a certificate whose SANs include {host} (or a matching wildcard).",
        )
    if not verification.ok and verification.code not in _DATE_CODES | {_HOSTNAME_CODE}:
        self_signed = cert.issuer == cert.subject
        if self_signed:
            add(
                "certificate-self-signed",
                Severity.BLOCKER,
                f"Certificate for {host} is self-signed",
                "No browser trusts it: the certificate signs itself.",
                "Use a certificate from a public CA (e.g. Let's Encrypt), or add your "
                "private CA to ca_bundle if this is an internal preview.",
            )
        else:
            add(
                "certificate-untrusted",
                Severity.BLOCKER,
                f"Certificate for {host} is not trusted",
                f"Verification failed: {verification.message}. The chain does not lead to a "
                "trusted root (system roots plus ca_bundle).",
                "Serve the full chain from a public CA (include the intermediates), or add "
                "your private CA to ca_bundle if this is an internal preview.",
            )
    return findings


def _unreachable(hp: HostPort, reason: str) -> Finding:
    return make_finding(
        CHECK,
        "host-unreachable",
        Severity.BLOCKER,
        f"{hp.host} does not answer HTTPS",
        detail=f"No TLS handshake with {hp.host}:{hp.for_scheme('https')}: {reason}.",
        remedy="Serve HTTPS on this host (or remove it from checks.tls.hosts if it is not "
        "meant to be public).",
        location=Location(url=f"https://{hp.netloc('https')}/", host=hp.host),
    )
