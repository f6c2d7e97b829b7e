"""headers: the security and delivery headers of the canonical page (`checks.redirects.
canonical`, else `url`), same-host redirects followed. The configured headers are sent only to
the exact configured hosts (`url`, `canonical`); same-site assets on other subdomains are fetched
without them.

- HSTS missing or disabled (max-age=0) -> important; max-age under `hsts_min_max_age` -> later;
  present but not preload-eligible (hstspreload.org: max-age >= 31536000, includeSubDomains,
  preload) -> later.
- CSP, X-Content-Type-Options: nosniff, clickjacking protection (CSP frame-ancestors or
  X-Frame-Options), Referrer-Policy missing -> later each.
- Cookies set on the way (redirect hops included): a session cookie without Secure -> blocker,
  without HttpOnly -> important (anti-CSRF cookies such as XSRF-TOKEN/csrftoken are not session
  cookies: scripts must read them); other cookies without Secure or SameSite -> later. Only
  cookie NAMES are ever shown, never values. The session cookie is usually set only by the
  login answer: with `identities`, the check logs in once as the first identity that has a
  login (`checks.sessions`) and judges the cookies that answer set too (Django's `sessionid`).
- Text responses over 1 KB without compression -> later; same-site scripts and stylesheets
  (the first few) without a cache lifetime -> later.

Facts written: `ctx.facts["http.response_headers"] = {host: {header: value}}` (lower-case
names, Set-Cookie left out) for the DNS deployment map (server, via, cf-ray, ...).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import httpx

from launchgate.address import host_of
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.checks.sessions import IdentityUnavailable, Sessions
from launchgate.http.login import LoginFailed
from launchgate.http.pages import (
    Page,
    fetch_page,
    is_local_preview,
    is_text_type,
    parse_page,
    same_site,
)
from launchgate.http.transport import describe_http_error
from launchgate.report import Finding, Location, Severity, make_finding

CHECK = "headers"
PRELOAD_MIN_MAX_AGE = 31536000
COMPRESSION_MIN_BYTES = 1024
MAX_ASSETS = 5
MAX_ASSET_BYTES = 5_000_000
SESSION_COOKIE = re.compile(r"sess|sid|auth|token|jwt|remember|login", re.IGNORECASE)
# Anti-CSRF cookies (XSRF-TOKEN, csrftoken) must be readable by scripts: not session cookies.
CSRF_COOKIE = re.compile(r"csrf|xsrf", re.IGNORECASE)
_MAX_AGE = re.compile(r"(?:^|[\s,])(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Cookie:
    name: str
    attributes: frozenset[str]  # lower-case attribute names (secure, httponly, samesite, ...)
    samesite: str


def parse_set_cookie(header: str) -> Cookie | None:
    parts = [p.strip() for p in header.split(";")]
    name = parts[0].split("=", 1)[0].strip() if parts and "=" in parts[0] else ""
    if not name:
        return None
    attrs: dict[str, str] = {}
    for part in parts[1:]:
        key, _, value = part.partition("=")
        attrs[key.strip().lower()] = value.strip()
    return Cookie(name, frozenset(attrs), attrs.get("samesite", "").lower())


HTTPS_ONLY_FINDINGS = frozenset(
    {"headers.hsts-missing", "headers.session-cookie-insecure", "headers.cookie-without-secure"}
)


class HeadersCheck:
    name: ClassVar[str] = "headers"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        url = ctx.config.canonical_url
        if not url:
            raise CheckSkipped("no url or checks.redirects.canonical configured")
        ctx.progress.update(f"headers: {url}")
        trusted = ctx.config.credential_hosts()
        with ctx.http.client() as client, ctx.http.client(send_headers=False) as bare:
            try:
                page = fetch_page(client if host_of(url) in trusted else bare, url)
            except httpx.HTTPError as exc:
                raise CheckCannotRun(f"{url}: {describe_http_error(exc)}") from None
            findings = self._page_findings(ctx, page)
            findings += _asset_findings(lambda u: client if host_of(u) in trusted else bare, page)
            findings += _login_cookie_findings(ctx, client, page)
        facts = ctx.facts.setdefault("http.response_headers", {})
        facts[host_of(page.url)] = {
            k.lower(): v for k, v in page.response.headers.items() if k.lower() != "set-cookie"
        }
        summary = (
            f"{page.url} answered {page.response.status_code}; {len(findings)} header finding(s)"
        )
        if is_local_preview(ctx.http, page.url):
            # Like tls and redirects: https-only rules say nothing about a plain-http preview.
            findings = [f for f in findings if f.id not in HTTPS_ONLY_FINDINGS]
            summary = (
                f"{page.url} answered {page.response.status_code}; {len(findings)} "
                "header finding(s); HSTS and cookie Secure flags not judged on a "
                "plain-http local preview"
            )
        return CheckOutcome(tuple(findings), summary)

    def _page_findings(self, ctx: CheckContext, page: Page) -> list[Finding]:
        location = Location(
            url=page.url, host=host_of(page.url), path=urllib.parse.urlsplit(page.url).path or "/"
        )
        headers = page.response.headers
        findings = _hsts(
            headers.get("strict-transport-security"),
            page.url,
            location,
            ctx.config.checks.headers.hsts_min_max_age,
        )
        findings += _security_headers(headers, location)
        findings += _cookies(page, location)
        findings += _compression(page.response, page.body, page.url, location)
        return findings


def _finding(
    slug: str,
    severity: Severity,
    title: str,
    detail: str,
    remedy: str,
    location: Location,
    key: str = "",
) -> Finding:
    return make_finding(
        CHECK, slug, severity, title, detail=detail, remedy=remedy, location=location, key=key
    )


def _hsts(value: str | None, url: str, location: Location, min_age: int) -> list[Finding]:
    preload_rules = (
        "max-age of at least 31536000 (one year), includeSubDomains and preload (hstspreload.org)"
    )
    if not url.startswith("https:"):
        return [
            _finding(
                "hsts-missing",
                Severity.IMPORTANT,
                "HSTS missing: page served over http",
                f"{url} is not served over https, so no HSTS can apply.",
                "Serve the page over https and add Strict-Transport-Security.",
                location,
            )
        ]
    directives = {
        d.strip().split("=", 1)[0].lower(): d.strip() for d in (value or "").split(";") if d.strip()
    }
    match = re.search(r"max-age\s*=\s*\"?(\d+)", value or "", re.IGNORECASE)
    remedy = (
        "Send `Strict-Transport-Security: max-age=63072000; includeSubDomains; preload` "
        "on every https response (start lower if subdomains are not all on https yet)."
    )
    if not value or not match:
        why = "is missing" if not value else f"has no valid max-age ({value[:80]!r})"
        return [
            _finding(
                "hsts-missing",
                Severity.IMPORTANT,
                "HSTS (Strict-Transport-Security) missing",
                f"The header {why}: a first visit over http (a typed URL, an old "
                "link) can be intercepted before the redirect to https.",
                remedy,
                location,
            )
        ]
    max_age = int(match.group(1))
    if max_age == 0:
        return [
            _finding(
                "hsts-missing",
                Severity.IMPORTANT,
                "HSTS is disabled (max-age=0)",
                "Strict-Transport-Security: max-age=0 tells browsers to forget the "
                "https-only rule: HSTS is disabled, and a first visit over http "
                "can be intercepted before the redirect to https.",
                remedy,
                location,
            )
        ]
    if max_age < min_age:
        return [
            _finding(
                "hsts-short-max-age",
                Severity.LATER,
                f"HSTS max-age is short ({max_age} s)",
                f"max-age={max_age} is under checks.headers.hsts_min_max_age "
                f"({min_age}); browsers forget the https-only rule quickly. Preload "
                f"needs {preload_rules}.",
                remedy,
                location,
            )
        ]
    if (
        max_age < PRELOAD_MIN_MAX_AGE
        or "includesubdomains" not in directives
        or "preload" not in directives
    ):
        return [
            _finding(
                "hsts-not-preload-ready",
                Severity.LATER,
                "HSTS is not eligible for the preload list",
                f"Current header: {value[:120]}. Preload needs {preload_rules}.",
                remedy,
                location,
            )
        ]
    return []


def _security_headers(headers: httpx.Headers, location: Location) -> list[Finding]:
    findings: list[Finding] = []
    csp = headers.get("content-security-policy", "")
    if not csp:
        report_only = (
            " (only Content-Security-Policy-Report-Only is set)"
            if headers.get("content-security-policy-report-only")
            else ""
        )
        findings.append(
            _finding(
                "csp-missing",
                Severity.LATER,
                "Content-Security-Policy missing",
                f"No CSP{report_only}: an injected script runs with the page's full rights.",
                "Add a Content-Security-Policy (start with `default-src 'self'` in Report-Only "
                "mode, then enforce).",
                location,
            )
        )
    if headers.get("x-content-type-options", "").strip().lower() != "nosniff":
        findings.append(
            _finding(
                "x-content-type-options-missing",
                Severity.LATER,
                "X-Content-Type-Options: nosniff missing",
                "Browsers may guess content types and run uploaded files as scripts.",
                "Send `X-Content-Type-Options: nosniff` on every response.",
                location,
            )
        )
    xfo = headers.get("x-frame-options", "").strip().lower()
    if "frame-ancestors" not in csp.lower() and xfo not in ("deny", "sameorigin"):
        findings.append(
            _finding(
                "clickjacking-protection-missing",
                Severity.LATER,
                "No clickjacking protection (frame-ancestors / X-Frame-Options)",
                "Any site can frame the admin pages and trick staff into clicks.",
                "Add `frame-ancestors 'none'` (or 'self') to the CSP, or `X-Frame-Options: DENY`.",
                location,
            )
        )
    if not headers.get("referrer-policy"):
        findings.append(
            _finding(
                "referrer-policy-missing",
                Severity.LATER,
                "Referrer-Policy missing",
                "Full admin URLs (with ids and search terms) leak to third parties in Referer.",
                "Send `Referrer-Policy: strict-origin-when-cross-origin` (or stricter).",
                location,
            )
        )
    return findings


def _cookies(page: Page, location: Location) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    for response in page.responses():
        for header in response.headers.get_list("set-cookie"):
            cookie = parse_set_cookie(header)
            if cookie is None or cookie.name in seen:
                continue
            seen.add(cookie.name)
            findings += _cookie_findings(cookie, location)
    return findings


def _login_cookie_findings(ctx: CheckContext, client: httpx.Client, page: Page) -> list[Finding]:
    """The session cookie is set by the login answer, which the page fetch never sees: log
    in once as the first identity with a login and judge the cookies it set. A login that
    fails is reported by the checks that need it (smoke, access), not here."""
    name = next(
        (
            n
            for n, i in ctx.config.identities.items()
            if i.login is not None and n not in ctx.config.unavailable_identities
        ),
        None,
    )
    if name is None or not ctx.config.url:
        return []
    try:
        session = Sessions(ctx, client).get(name)
    except (LoginFailed, IdentityUnavailable):
        return []
    judged = {
        c.name
        for r in page.responses()
        for h in r.headers.get_list("set-cookie")
        if (c := parse_set_cookie(h)) is not None
    }
    location = Location(
        url=session.login_url, host=host_of(session.login_url), path=session.login_path
    )
    findings: list[Finding] = []
    for header in session.set_cookies:
        cookie = parse_set_cookie(header)
        if cookie is not None and cookie.name not in judged:
            judged.add(cookie.name)
            findings += _cookie_findings(cookie, location)
    return findings


def _cookie_findings(cookie: Cookie, location: Location) -> list[Finding]:
    findings: list[Finding] = []
    session = bool(SESSION_COOKIE.search(cookie.name)) and not CSRF_COOKIE.search(cookie.name)
    name = cookie.name
    if session and "secure" not in cookie.attributes:
        findings.append(
            _finding(
                "session-cookie-insecure",
                Severity.BLOCKER,
                f"Session cookie `{name}` is sent without Secure",
                "Without the Secure attribute the browser also sends it over plain http, where "
                "anyone on the network can copy the session.",
                "Set Secure (and HttpOnly, SameSite=Lax) on the session cookie.",
                location,
                name,
            )
        )
    elif "secure" not in cookie.attributes:
        findings.append(
            _finding(
                "cookie-without-secure",
                Severity.LATER,
                f"Cookie `{name}` lacks Secure",
                "It may travel over plain http.",
                "Set the Secure attribute.",
                location,
                name,
            )
        )
    if session and "httponly" not in cookie.attributes:
        findings.append(
            _finding(
                "session-cookie-script-readable",
                Severity.IMPORTANT,
                f"Session cookie `{name}` is readable by scripts (no HttpOnly)",
                "Any XSS can steal the session.",
                "Set HttpOnly on the session cookie.",
                location,
                name,
            )
        )
    if not cookie.samesite:
        findings.append(
            _finding(
                "cookie-without-samesite",
                Severity.LATER,
                f"Cookie `{name}` has no SameSite",
                "Browsers default to Lax, but older ones send it on cross-site requests (CSRF).",
                "Set SameSite=Lax (or Strict).",
                location,
                name,
            )
        )
    return findings


def _needs_compression(response: httpx.Response, body: bytes) -> bool:
    return (
        is_text_type(response.headers.get("content-type", ""))
        and len(body) >= COMPRESSION_MIN_BYTES
        and not response.headers.get("content-encoding")
    )


def _compression(
    response: httpx.Response, body: bytes, url: str, location: Location
) -> list[Finding]:
    if not _needs_compression(response, body):
        return []
    return [
        _finding(
            "compression-missing",
            Severity.LATER,
            "Text response served uncompressed",
            f"{url} ({len(body)} bytes, {response.headers.get('content-type')}) was "
            "sent without gzip/brotli although the request accepted it.",
            "Enable gzip or brotli for text/html, CSS, JS and JSON at the server or CDN.",
            location,
        )
    ]


def _asset_findings(client_for: Callable[[str], httpx.Client], page: Page) -> list[Finding]:
    """Same-site assets (subdomains included) are fetched, but with the configured headers
    only on the exact configured hosts (`client_for`)."""
    links = parse_page(page.text, page.url)
    host = host_of(page.url)
    assets = [
        r.url
        for r in links.refs
        if (r.tag == "script" or (r.tag == "link" and "stylesheet" in r.rel))
        and same_site(r.url, [host])
    ][:MAX_ASSETS]
    uncached: list[str] = []
    findings: list[Finding] = []
    for url in assets:
        try:
            asset = fetch_page(client_for(url), url, max_hops=3, limit=MAX_ASSET_BYTES)
        except httpx.HTTPError:
            continue  # a broken asset is the smoke/exposure checks' business
        if asset.response.status_code != 200:
            continue
        location = Location(url=url, host=host_of(url), path=urllib.parse.urlsplit(url).path)
        findings += _compression(asset.response, asset.body, url, location)
        cache = asset.response.headers.get("cache-control", "")
        ages = [int(a) for a in _MAX_AGE.findall(cache)]
        if "immutable" not in cache.lower() and not any(a > 0 for a in ages):
            uncached.append(url)
    if uncached:
        findings.append(
            _finding(
                "static-assets-not-cached",
                Severity.LATER,
                f"{len(uncached)} static asset(s) without a cache lifetime",
                "No Cache-Control max-age on: "
                + ", ".join(uncached[:5])
                + ". Every page view downloads them again.",
                "Serve fingerprinted assets with `Cache-Control: public, max-age=31536000, "
                "immutable`.",
                Location(url=page.url, host=host),
            )
        )
        # The fingerprint is the page and the kind, not the asset list: hashed asset names
        # change with every build, the finding does not.
    return findings
