"""redirects: every entry point (host × scheme × path) is followed hop by hop, never with
automatic following, each hop through the guarded client, until it ends.

Rules (docs/web.md): a loop, a chain ending in 4xx/5xx and http that never reaches https are
blockers; more than `max_hops` hops, an https -> http downgrade hop and an entry point that
ends on another origin than the canonical one (e.g. apex and www both answering 200) are
important. The canonical origin is `checks.redirects.canonical`, else the origin of `url`.

Hosts default to the url's host and the canonical host. A host written with a port
(`app.example.com:8443`) uses that port for https; http is always tried on port 80. A
plain-http `url` is entered only as written; one on a loopback/private address (a local or CI
preview, not mapped by connect_to) skips the check unless `checks.redirects.hosts` is set. A
chain is followed only while it stays on configured hosts: a hop to anywhere else (an SSO
provider, a CDN) ends the chain there without sending it a request. A Location header that is
not a valid URL ends the chain as a broken hop (blocker).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from launchgate.address import HostPort, host_of, origin, split_host, url_hostport
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.http.pages import LOCAL_PREVIEW_REASON, is_local_preview
from launchgate.http.transport import describe_http_error, is_refused
from launchgate.report import Finding, Location, Severity, make_finding

CHECK = "redirects"
# Browsers give up after 20 redirects; so does the gate.
HARD_LIMIT = 20


@dataclass
class Chain:
    entry: str
    hops: list[tuple[str, int, str]] = field(default_factory=list)  # (url, status, location)
    final_url: str = ""
    final_status: int | None = None
    end: str = "ok"  # ok, loop, error, left, no-location
    error: str = ""
    refused: bool = False


class RedirectsCheck:
    name: ClassVar[str] = "redirects"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        canonical = ctx.config.canonical_url
        if not canonical:
            raise CheckSkipped("no url or checks.redirects.canonical configured")
        if not ctx.config.checks.redirects.hosts and all(
            is_local_preview(ctx.http, u) for u in (ctx.config.url, canonical) if u
        ):
            raise CheckSkipped(LOCAL_PREVIEW_REASON)
        canonical_origin = origin(canonical)
        entries = _entries(ctx, canonical)
        allowed = {host_of(u) for u in (canonical, ctx.config.url, *entries) if u}
        findings: list[Finding] = []
        answered = 0
        canonical_count = 0
        chains: list[dict[str, Any]] = []
        with ctx.http.client(follow_redirects=False) as client:
            for entry in entries:
                ctx.progress.update(f"redirects: {entry}")
                chain = _follow(client, entry, allowed)
                if chain.refused and not chain.hops:
                    raise CheckCannotRun(chain.error, findings=tuple(findings))
                if chain.end != "error" or chain.hops:
                    answered += 1
                if (
                    chain.end == "ok"
                    and (chain.final_status or 0) < 400
                    and origin(chain.final_url) == canonical_origin
                ):
                    canonical_count += 1
                chains.append(_chain_metrics(chain))
                findings.extend(
                    _judge(chain, canonical_origin, ctx.config.checks.redirects.max_hops)
                )
        if not answered:
            raise CheckCannotRun("no entry point answered", findings=tuple(findings))
        summary = f"{len(entries)} entry point(s); {canonical_count} end on {canonical_origin}"
        return CheckOutcome(
            tuple(findings), summary, {"canonical": canonical_origin, "chains": chains}
        )


def _chain_metrics(chain: Chain) -> dict[str, Any]:
    """An entry point's path to where it ends, for the handover document's redirect map."""
    return {
        "entry": chain.entry,
        "hops": [{"url": url, "status": status} for url, status, _ in chain.hops],
        "final_url": chain.final_url,
        "final_status": chain.final_status,
        "end": chain.end,
    }


def _entries(ctx: CheckContext, canonical: str) -> list[str]:
    """Origins to enter by: each configured host over http (port 80) and https; by default
    the url's and the canonical host, except that a plain-http url (a local preview) is
    entered only as written: there is no https side to probe."""
    settings = ctx.config.checks.redirects
    origins: list[str] = []
    if settings.hosts:
        hosts = [split_host(h) for h in settings.hosts]
    else:
        hosts = []
        for url in (ctx.config.url, canonical):
            if url and url.startswith("https:"):
                hosts.append(url_hostport(url))
            elif url:
                origins.append(origin(url))
    for hp in hosts:
        if hp.host:
            origins += [
                f"http://{HostPort(hp.host, None).netloc('http')}",
                f"https://{hp.netloc('https')}",
            ]
    paths = [p if p.startswith("/") else "/" + p for p in settings.paths]
    return list(dict.fromkeys(f"{o}{p}" for o in dict.fromkeys(origins) for p in paths))


def _follow(client: httpx.Client, entry: str, allowed: set[str]) -> Chain:
    chain = Chain(entry=entry, final_url=entry)
    url = entry
    seen = {url}
    while True:
        try:
            response = client.send(client.build_request("GET", url), stream=True)
            response.close()
        except httpx.HTTPError as exc:
            chain.end, chain.error, chain.refused = (
                "error",
                describe_http_error(exc),
                is_refused(exc),
            )
            return chain
        chain.final_url, chain.final_status = url, response.status_code
        if not response.is_redirect:
            if 300 <= response.status_code < 400:
                chain.end = "no-location"
            return chain
        raw_location = response.headers.get("location", "")
        try:
            location = urllib.parse.urljoin(url, raw_location)
            httpx.URL(location)
            urllib.parse.urlsplit(location).port  # noqa: B018 - ValueError for a bad port
        except (ValueError, httpx.InvalidURL):
            chain.hops.append((url, response.status_code, raw_location))
            chain.end, chain.final_url, chain.final_status = "error", raw_location, None
            chain.error = f"its Location header is not a valid URL ({raw_location[:100]!r})"
            return chain
        chain.hops.append((url, response.status_code, location))
        if location in seen or len(chain.hops) >= HARD_LIMIT:
            chain.end, chain.final_url = "loop", location
            return chain
        seen.add(location)
        url = location
        if (
            urllib.parse.urlsplit(url).scheme not in ("http", "https")
            or host_of(url) not in allowed
        ):
            chain.end, chain.final_url, chain.final_status = "left", url, None
            return chain


def _path_of(chain: Chain) -> str:
    steps = [f"{u} -> {s}" for u, s, _ in chain.hops]
    tail = chain.final_url + (f" ({chain.final_status})" if chain.final_status else "")
    return " -> ".join([*steps, tail]) if steps else tail


def _judge(chain: Chain, canonical_origin: str, max_hops: int) -> list[Finding]:
    entry = chain.entry
    scheme = urllib.parse.urlsplit(entry).scheme
    location = Location(
        url=entry, host=host_of(entry), path=urllib.parse.urlsplit(entry).path or "/"
    )
    findings: list[Finding] = []

    def add(slug: str, severity: Severity, title: str, detail: str, remedy: str) -> None:
        findings.append(
            make_finding(
                CHECK, slug, severity, title, detail=detail, remedy=remedy, location=location
            )
        )

    if chain.end == "error":
        if not chain.hops:
            if scheme == "http":
                add(
                    "http-unreachable",
                    Severity.IMPORTANT,
                    f"{entry} does not answer",
                    f"Plain http on this host fails ({chain.error}); visitors who type the "
                    "bare name get an error instead of the site.",
                    "Listen on port 80 and redirect every request to https.",
                )
            else:
                answer = (
                    "fails TLS verification"
                    if chain.error.startswith("TLS certificate")
                    else "does not answer"
                )
                add(
                    "unreachable",
                    Severity.BLOCKER,
                    f"{entry} {answer}",
                    f"The request failed: {chain.error}.",
                    "Make the host serve HTTPS, or remove it from checks.redirects.hosts.",
                )
        else:
            add(
                "broken-hop",
                Severity.BLOCKER,
                f"Redirect from {entry} leads nowhere",
                f"Chain: {_path_of(chain)}; the last hop failed: {chain.error}.",
                "Fix the Location target of the last redirect.",
            )
        return findings
    hops = len(chain.hops)
    if chain.end == "loop":
        add(
            "loop",
            Severity.BLOCKER,
            f"Redirect loop from {entry}",
            f"Chain: {_path_of(chain)} (already visited, or over {HARD_LIMIT} hops). "
            "Browsers show 'too many redirects'.",
            "Fix the redirect rules so every URL ends on one page (check proxy/app "
            "disagreement about http vs https, e.g. X-Forwarded-Proto).",
        )
        return findings
    if chain.end == "no-location" or (chain.final_status or 0) >= 400:
        add(
            "dead-end",
            Severity.BLOCKER,
            f"{entry} ends in {chain.final_status}",
            f"Chain: {_path_of(chain)}.",
            "Point the redirect at a page that exists (old URLs must keep working).",
        )
        return findings
    final_scheme = urllib.parse.urlsplit(chain.final_url).scheme
    if scheme == "http" and final_scheme == "http":
        add(
            "http-not-redirected",
            Severity.BLOCKER,
            f"{entry} is served without HTTPS",
            f"Chain: {_path_of(chain)}; the page is served over plain http, so logins and "
            "data travel unencrypted.",
            "Redirect every http request to https (301), then add HSTS.",
        )
    for source, _status, target in chain.hops:
        if source.startswith("https:") and target.startswith("http:"):
            add(
                "downgrade",
                Severity.IMPORTANT,
                f"{entry} redirects from https to http",
                f"Hop {source} -> {target} drops encryption.",
                "Make redirects keep https (check the app's idea of its own scheme behind the "
                "proxy).",
            )
            break
    if hops > max_hops:
        add(
            "long-chain",
            Severity.IMPORTANT,
            f"{entry} takes {hops} redirects",
            f"Chain: {_path_of(chain)}; more than {max_hops} hops "
            "(checks.redirects.max_hops) slow every first visit and lose SEO weight.",
            f"Redirect straight to {canonical_origin} in one hop.",
        )
    not_https = scheme == "http" and final_scheme == "http"
    if chain.end == "ok" and not not_https and origin(chain.final_url) != canonical_origin:
        add(
            "non-canonical",
            Severity.IMPORTANT,
            f"{entry} ends on {origin(chain.final_url)}, not {canonical_origin}",
            f"Chain: {_path_of(chain)}. Two origins serving the same app split cookies, "
            "logins and search ranking.",
            f"Redirect {origin(chain.final_url)} to {canonical_origin} (301), or set "
            "checks.redirects.canonical if the other origin is the intended one.",
        )
    return findings
