"""exposure: what the public can reach that it should not.

- `protected_paths` are requested WITHOUT credentials and must answer 401/403 or lead to a
  login page; 200 with data -> blocker. The configured global `headers` ARE sent (they open a
  preview's own protection, e.g. a Vercel bypass token, which is not the app's auth), except
  `Authorization`, `Cookie` and `Proxy-Authorization`, which are dropped for these probes.
- `staging_hosts` are requested like a stranger would: no configured headers at all, and a
  broken certificate does not count as protection. Serving the app (anything but 401/403, a
  login page, or a redirect to another host such as an SSO provider) -> blocker. A host that
  does not answer, or resolves to a private address, is not public: no finding.
- CORS on `cors_paths` with a foreign Origin: the origin reflected together with
  `Access-Control-Allow-Credentials: true` -> blocker; reflected without credentials, or `*`
  -> important.
- Mixed content on the https page (`url`): http:// scripts, stylesheets, frames, forms ->
  blocker; http:// images and media -> important.
- Secrets in client-side code (`scan_bundles`): the page's inline scripts, its same-site
  scripts and their source maps (bounded count and size; the configured headers go only to the
  exact configured hosts, never to other subdomains) are scanned with the secrets engine
  (detect-secrets' plugins). Hits -> blocker with type, URL, line and a short fingerprint,
  never the value. Entropy-only detectors are ignored here: minified bundles are full of
  hashes and inline images that look random.

Facts: none written or read.
"""

from __future__ import annotations

import dataclasses
import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from launchgate.address import host_of, split_host
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.http.pages import (
    Page,
    PageLinks,
    absolute_url,
    fetch_page,
    join_path,
    parse_page,
    same_site,
)
from launchgate.http.transport import PrivateTargetError, describe_http_error, is_refused
from launchgate.report import Finding, Location, Severity, make_finding
from launchgate.secrets.textscan import SecretHit, scan_text

CHECK = "exposure"
PROBE_ORIGIN = "https://launchgate-cors-probe.invalid"
CREDENTIAL_HEADERS = {"authorization", "cookie", "proxy-authorization"}
LOGIN_WORDS = re.compile(r"log-?in|sign-?in|auth|sso|session|account", re.IGNORECASE)
PASSWORD_FIELD = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)
ACTIVE_TAGS = {"script", "iframe", "object", "embed", "form"}
PASSIVE_TAGS = {"img", "audio", "video", "source", "track"}
ENTROPY_TYPES = {"Base64 High Entropy String", "Hex High Entropy String"}
MAX_BUNDLE_FILES = 25
MAX_BUNDLE_BYTES = 5_000_000
MAX_TOTAL_BYTES = 30_000_000
_SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL\s*=\s*(\S+)")
_EMPTY_BODIES = {"", "[]", "{}", "null", '""'}


@dataclass
class Tally:
    """Requests that got an answer vs. failed, to tell "nothing reachable" from findings."""

    answered: int = 0
    errors: list[str] = field(default_factory=list)


class ExposureCheck:
    name: ClassVar[str] = "exposure"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        settings = ctx.config.checks.exposure
        url = ctx.config.url
        if not url and not settings.staging_hosts:
            raise CheckSkipped("no url or checks.exposure.staging_hosts configured")
        tally = Tally()
        findings: list[Finding] = []
        parts: list[str] = []
        try:
            if url:
                findings += self._app(ctx, url, tally, parts)
            findings += _staging(ctx, tally, parts)
        except PrivateTargetError as exc:
            raise CheckCannotRun(str(exc), findings=tuple(findings)) from None
        if not tally.answered and tally.errors:
            raise CheckCannotRun("nothing answered: " + "; ".join(tally.errors[:3]),
                                 findings=tuple(findings))
        return CheckOutcome(tuple(findings), "; ".join(parts) or "nothing to probe")

    def _app(self, ctx: CheckContext, url: str, tally: Tally, parts: list[str]
             ) -> list[Finding]:
        settings = ctx.config.checks.exposure
        findings: list[Finding] = []
        anonymous = dataclasses.replace(ctx.http, headers={
            k: v for k, v in ctx.http.headers.items() if k.lower() not in CREDENTIAL_HEADERS})
        with anonymous.client() as client:
            for path in settings.protected_paths:
                ctx.progress.update(f"exposure: {path} without credentials")
                findings += _protected(client, _join(url, path), path, tally)
            for path in settings.cors_paths:
                ctx.progress.update(f"exposure: CORS on {path}")
                findings += _cors(client, _join(url, path), path, tally)
        parts.append(f"{len(settings.protected_paths)} protected path(s), "
                     f"{len(settings.cors_paths)} CORS path(s)")
        trusted = ctx.config.credential_hosts()
        with ctx.http.client() as client, ctx.http.client(send_headers=False) as bare:
            def client_for(target: str) -> httpx.Client:
                return client if host_of(target) in trusted else bare

            page = _get(client_for(url), url, tally)
            if page is None:
                return findings
            links = parse_page(page.text, page.url)
            findings += _mixed_content(page, links)
            if settings.scan_bundles:
                ctx.progress.update("exposure: scanning client-side bundles")
                site_hosts = {host_of(u) for u in (url, page.url,
                                                   ctx.config.checks.redirects.canonical) if u}
                scanned, found = _bundles(client_for, page, links, site_hosts)
                findings += found
                parts.append(f"{scanned} client-side file(s) scanned")
        return findings


def _join(url: str, path: str) -> str:
    try:
        return join_path(url, path)
    except ValueError as exc:
        raise CheckCannotRun(str(exc)) from None


def _get(client: httpx.Client, url: str, tally: Tally, **kwargs: Any) -> Page | None:
    try:
        page = fetch_page(client, url, **kwargs)
    except httpx.HTTPError as exc:
        if is_refused(exc):
            raise PrivateTargetError(describe_http_error(exc)) from None
        tally.errors.append(f"{url}: {describe_http_error(exc)}")
        return None
    tally.answered += 1
    return page


def _finding(slug: str, severity: Severity, title: str, detail: str, remedy: str,
             url: str, key: str = "", line: int | None = None) -> Finding:
    parts = urllib.parse.urlsplit(url)
    return make_finding(CHECK, slug, severity, title, detail=detail, remedy=remedy,
                        location=Location(url=url, host=parts.hostname, path=parts.path or "/",
                                          line=line), key=key)


def _probe_failed(url: str, tally: Tally, what: str) -> list[Finding]:
    return [_finding("probe-failed", Severity.IMPORTANT, f"Could not verify {what}",
                     f"{tally.errors[-1]}", "Make sure the path answers, then re-run.", url)]


def _is_login_wall(page: Page) -> bool:
    if page.history and LOGIN_WORDS.search(urllib.parse.urlsplit(page.url).path):
        return True
    return bool(PASSWORD_FIELD.search(page.text))


def _protected(client: httpx.Client, url: str, path: str, tally: Tally) -> list[Finding]:
    page = _get(client, url, tally)
    if page is None:
        return _probe_failed(url, tally, f"that {path} needs credentials")
    status = page.response.status_code
    if status in (401, 403) or page.response.is_redirect or _is_login_wall(page):
        return []  # a redirect still in hand leads to another host (SSO)
    remedy = ("Require authentication on this route (server side, not just in the UI), and "
              "answer 401/403 without credentials.")
    if 200 <= status < 300:
        body = page.text.strip()
        if body in _EMPTY_BODIES:
            return [_finding("protected-path-unclear", Severity.IMPORTANT,
                             f"{path} answers {status} without credentials",
                             "The response is empty, so nothing leaked this time, but the "
                             "route did not ask for credentials.", remedy, url)]
        return [_finding("protected-path-open", Severity.BLOCKER,
                         f"{path} answers {status} with data, without credentials",
                         f"GET {page.url} without credentials returned {len(page.body)} bytes "
                         f"of {page.response.headers.get('content-type', 'content')}.",
                         remedy, url)]
    if status == 404:
        return [_finding("protected-path-not-found", Severity.LATER,
                         f"{path} answers 404", "The protected path does not exist, so its "
                         "protection could not be verified.", "Fix checks.exposure."
                         "protected_paths (or the route).", url)]
    if status >= 500:
        return [_finding("protected-path-error", Severity.IMPORTANT,
                         f"{path} answers {status} without credentials",
                         "The route fails instead of refusing; errors can leak details.",
                         "Answer 401/403 before doing any work for anonymous requests.", url)]
    return []


def _cors(client: httpx.Client, url: str, path: str, tally: Tally) -> list[Finding]:
    page = _get(client, url, tally, max_hops=0, headers={"Origin": PROBE_ORIGIN})
    if page is None:
        return _probe_failed(url, tally, f"the CORS policy of {path}")
    allow = page.response.headers.get("access-control-allow-origin", "").strip()
    credentials = page.response.headers.get(
        "access-control-allow-credentials", "").strip().lower() == "true"
    remedy = ("Allow only your own front-end origins (an explicit list), never reflect the "
              "request's Origin, and allow credentials only for those origins.")
    if allow == PROBE_ORIGIN and credentials:
        return [_finding("cors-reflected-with-credentials", Severity.BLOCKER,
                         f"{path} lets any website read it with the visitor's cookies",
                         f"A request with Origin: {PROBE_ORIGIN} got it back in "
                         "Access-Control-Allow-Origin together with "
                         "Access-Control-Allow-Credentials: true: any site a logged-in user "
                         "visits can read this API as that user.", remedy, url)]
    if allow == PROBE_ORIGIN:
        return [_finding("cors-reflected-origin", Severity.IMPORTANT,
                         f"{path} reflects any Origin in CORS",
                         f"Origin: {PROBE_ORIGIN} was echoed in Access-Control-Allow-Origin.",
                         remedy, url)]
    if allow == "*":
        return [_finding("cors-wildcard", Severity.IMPORTANT,
                         f"{path} allows every origin (Access-Control-Allow-Origin: *)",
                         "Any website can read these API responses from a visitor's browser "
                         "(without cookies); fine for public data only.", remedy, url)]
    return []


def _mixed_content(page: Page, links: PageLinks) -> list[Finding]:
    if not page.url.startswith("https:"):
        return []
    active = sorted({r.url for r in links.refs if r.url.startswith("http:") and (
        r.tag in ACTIVE_TAGS or (r.tag == "link" and "stylesheet" in r.rel))})
    passive = sorted({r.url for r in links.refs if r.url.startswith("http:")
                      and r.tag in PASSIVE_TAGS})
    findings: list[Finding] = []
    if active:
        findings.append(_finding(
            "mixed-content-active", Severity.BLOCKER,
            f"https page loads {len(active)} script(s)/frame(s)/form(s) over http",
            "Browsers block them (the page breaks), and where they load, a network attacker "
            "controls the page: " + ", ".join(active[:5]),
            "Load every script, stylesheet, frame and form target over https.", page.url))
    if passive:
        findings.append(_finding(
            "mixed-content-passive", Severity.IMPORTANT,
            f"https page loads {len(passive)} image(s)/media over http",
            "The padlock degrades and the content can be swapped: " + ", ".join(passive[:5]),
            "Serve images and media over https.", page.url))
    return findings


# --- secrets in client-side code --------------------------------------------------------------

@dataclass
class _Budget:
    files: int = 0
    bytes: int = 0

    def take(self, size: int) -> bool:
        if self.files >= MAX_BUNDLE_FILES or self.bytes + size > MAX_TOTAL_BYTES:
            return False
        self.files += 1
        self.bytes += size
        return True


def _bundles(client_for: Callable[[str], httpx.Client], page: Page, links: PageLinks,
             site_hosts: set[str]) -> tuple[int, list[Finding]]:
    findings = _scan(page.text, "page.html", page.url)  # inline scripts included
    budget = _Budget(files=1, bytes=len(page.body))
    scripts = [r.url for r in links.refs if r.tag == "script" and same_site(r.url, site_hosts)]
    for script_url in dict.fromkeys(scripts):
        if not budget.take(0):
            break
        script = _fetch_text(client_for(script_url), script_url)
        if script is None:
            continue
        text, response = script
        budget.bytes += len(text)
        findings += _scan(text, _filename(script_url, ".js"), script_url)
        map_url = _source_map_url(text, response, script_url)
        if map_url and same_site(map_url, site_hosts) and budget.take(0):
            source_map = _fetch_text(client_for(map_url), map_url)
            if source_map is not None:
                budget.bytes += len(source_map[0])
                findings += _scan_source_map(source_map[0], map_url)
    return budget.files, findings


def _fetch_text(client: httpx.Client, url: str) -> tuple[str, httpx.Response] | None:
    try:
        page = fetch_page(client, url, max_hops=3, limit=MAX_BUNDLE_BYTES)
    except httpx.HTTPError:
        return None
    if page.response.status_code != 200:
        return None
    return page.text, page.response


def _filename(url: str, default_suffix: str) -> str:
    name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
    return name if "." in name else name + default_suffix


def _source_map_url(text: str, response: httpx.Response, script_url: str) -> str | None:
    header = response.headers.get("sourcemap") or response.headers.get("x-sourcemap")
    matches = _SOURCE_MAP.findall(text[-4096:])
    ref = header or (matches[-1] if matches else None)
    if not ref or ref.startswith("data:"):
        return None
    return absolute_url(script_url, ref)  # None for a malformed reference: nothing to fetch


def _scan_source_map(text: str, map_url: str) -> list[Finding]:
    try:
        data = json.loads(text)
    except ValueError:
        return _scan(text, "map.json", map_url)
    if not isinstance(data, dict):
        return []
    sources = data.get("sources") or []
    contents = data.get("sourcesContent") or []
    findings: list[Finding] = []
    for index, content in enumerate(contents):
        if isinstance(content, str) and content:
            source = sources[index] if index < len(sources) and isinstance(
                sources[index], str) else f"source-{index}.js"
            findings += _scan(content, _filename(source, ".js"), map_url, source)
    return findings


def _scan(text: str, filename: str, url: str, source: str | None = None) -> list[Finding]:
    hits: tuple[SecretHit, ...] = scan_text(text, filename)
    findings: list[Finding] = []
    for hit in hits:
        if hit.type in ENTROPY_TYPES:
            continue
        where = f"{url}, original source {source}" if source else url
        findings.append(_finding(
            "secret-in-bundle", Severity.BLOCKER,
            f"{hit.type} in client-side code",
            f"Found in {where} at line {hit.line} (fingerprint {hit.hashed_secret[:12]}). "
            "Everything shipped to the browser is public: anyone can read this key.",
            "Revoke and rotate the key now; keep it on the server (call the provider from "
            "your backend), and never put it in build-time env vars exposed to the front end "
            "(NEXT_PUBLIC_*, VITE_*, REACT_APP_*).",
            url, key=hit.hashed_secret + (source or ""), line=hit.line))
    return findings


# --- staging hosts ----------------------------------------------------------------------------

def _staging(ctx: CheckContext, tally: Tally, parts: list[str]) -> list[Finding]:
    hosts = ctx.config.checks.exposure.staging_hosts
    if not hosts:
        return []
    findings: list[Finding] = []
    public = 0
    with ctx.http.client(send_headers=False, verify=False) as client:
        for value in hosts:
            hp = split_host(value)
            ctx.progress.update(f"exposure: is {hp.host} public?")
            page = _staging_page(client, f"https://{hp.netloc('https')}/",
                                 f"http://{hp.host}/", tally)
            if page is None or not _serves_app(page):
                continue
            public += 1
            findings.append(_finding(
                "staging-public", Severity.BLOCKER,
                f"Staging host {hp.host} is publicly reachable without protection",
                f"GET {page.url} with no credentials answered {page.response.status_code} "
                f"with {len(page.body)} bytes; staging data, debug pages and unreleased "
                "features are open to anyone who finds the name (certificate transparency "
                "logs list it).",
                "Put staging behind authentication (basic auth, SSO, VPN or an IP allow "
                "list), or take it off the public internet.", page.url))
    parts.append(f"{len(hosts)} staging host(s), {public} public")
    return findings


def _staging_page(client: httpx.Client, https_url: str, http_url: str, tally: Tally
                  ) -> Page | None:
    for url in (https_url, http_url):
        try:
            page = fetch_page(client, url)
        except httpx.HTTPError:
            # No answer (or a private address) is what a staging probe hopes for: not public.
            continue
        tally.answered += 1
        return page
    return None


def _serves_app(page: Page) -> bool:
    status = page.response.status_code
    if status in (401, 403, 407) or page.response.is_redirect:
        return False  # refused, or sent to another host (SSO)
    return 200 <= status < 300 and not _is_login_wall(page)
