"""The exposure check: runs the probes (protected paths, CORS, mixed content, client-side
bundles, staging hosts) and turns "nothing answered" into a check that could not run."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import httpx

from launchgate.address import host_of
from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.checks.exposure.bundles import scan_bundles
from launchgate.checks.exposure.cors import probe_cors
from launchgate.checks.exposure.mixed_content import mixed_content
from launchgate.checks.exposure.probe import Tally, get, join
from launchgate.checks.exposure.protected import CREDENTIAL_HEADERS, probe_protected
from launchgate.checks.exposure.staging import probe_staging
from launchgate.http.pages import parse_page
from launchgate.http.transport import PrivateTargetError
from launchgate.report import Finding


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
            findings += probe_staging(ctx, tally, parts)
        except PrivateTargetError as exc:
            raise CheckCannotRun(str(exc), findings=tuple(findings)) from None
        if not tally.answered and tally.errors:
            raise CheckCannotRun(
                "nothing answered: " + "; ".join(tally.errors[:3]), findings=tuple(findings)
            )
        return CheckOutcome(tuple(findings), "; ".join(parts) or "nothing to probe")

    def _app(self, ctx: CheckContext, url: str, tally: Tally, parts: list[str]) -> list[Finding]:
        settings = ctx.config.checks.exposure
        findings: list[Finding] = []
        anonymous = dataclasses.replace(
            ctx.http,
            headers={
                k: v for k, v in ctx.http.headers.items() if k.lower() not in CREDENTIAL_HEADERS
            },
        )
        with anonymous.client() as client:
            for path in settings.protected_paths:
                ctx.progress.update(f"exposure: {path} without credentials")
                findings += probe_protected(client, join(url, path), path, tally)
            for path in settings.cors_paths:
                ctx.progress.update(f"exposure: CORS on {path}")
                findings += probe_cors(client, join(url, path), path, tally)
        parts.append(
            f"{len(settings.protected_paths)} protected path(s), "
            f"{len(settings.cors_paths)} CORS path(s)"
        )
        trusted = ctx.config.credential_hosts()
        with ctx.http.client() as client, ctx.http.client(send_headers=False) as bare:

            def client_for(target: str) -> httpx.Client:
                return client if host_of(target) in trusted else bare

            page = get(client_for(url), url, tally)
            if page is None:
                return findings
            links = parse_page(page.text, page.url)
            findings += mixed_content(page, links)
            if settings.scan_bundles:
                ctx.progress.update("exposure: scanning client-side bundles")
                site_hosts = {
                    host_of(u) for u in (url, page.url, ctx.config.checks.redirects.canonical) if u
                }
                scanned, found = scan_bundles(client_for, page, links, site_hosts)
                findings += found
                parts.append(f"{scanned} client-side file(s) scanned")
        return findings
