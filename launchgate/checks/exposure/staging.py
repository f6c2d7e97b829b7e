"""`staging_hosts`: requested like a stranger would (no configured headers, a broken
certificate is no protection). Serving the app is a blocker; no answer is not public."""

from __future__ import annotations

import httpx

from launchgate.address import split_host
from launchgate.checks.base import CheckContext
from launchgate.checks.exposure.probe import Tally, finding, is_login_wall
from launchgate.http.pages import Page, fetch_page
from launchgate.report import Finding, Severity


def probe_staging(ctx: CheckContext, tally: Tally, parts: list[str]) -> list[Finding]:
    hosts = ctx.config.checks.exposure.staging_hosts
    if not hosts:
        return []
    findings: list[Finding] = []
    public = 0
    with ctx.http.client(send_headers=False, verify=False) as client:
        for value in hosts:
            hp = split_host(value)
            ctx.progress.update(f"exposure: is {hp.host} public?")
            page = _staging_page(
                client, f"https://{hp.netloc('https')}/", f"http://{hp.host}/", tally
            )
            if page is None or not _serves_app(page):
                continue
            public += 1
            findings.append(
                finding(
                    "staging-public",
                    Severity.BLOCKER,
                    f"Staging host {hp.host} is publicly reachable without protection",
                    f"GET {page.url} with no credentials answered {page.response.status_code} "
                    f"with {len(page.body)} bytes; staging data, debug pages and unreleased "
                    "features are open to anyone who finds the name (certificate transparency "
                    "logs list it).",
                    "Put staging behind authentication (basic auth, SSO, VPN or an IP allow "
                    "list), or take it off the public internet.",
                    page.url,
                )
            )
    parts.append(f"{len(hosts)} staging host(s), {public} public")
    return findings


def _staging_page(client: httpx.Client, https_url: str, http_url: str, tally: Tally) -> Page | None:
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
    return 200 <= status < 300 and not is_login_wall(page)
