"""smoke: each configured step is one request with an expected status and, optionally, text on
the page. A failed step is a launch blocker. With no steps, the home page must answer 200.

Redirects are followed by hand (`web.fetch_page`) and only while they stay on the configured
host(s) (`url` and `checks.redirects.canonical`): the configured headers (a preview bypass
token, an Authorization header) never reach another host. A redirect that leaves them (to an
SSO provider, say) is where the step ends: the redirect response is its final answer and the
finding says where it pointed. A step that expects a 3xx status is not followed at all.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection
from typing import ClassVar

import httpx

from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.config import SmokeStep
from launchgate.http.pages import MAX_HOPS, credential_hosts, fetch_page, join_path
from launchgate.http.transport import describe_http_error, is_refused, is_tls_failure
from launchgate.report import Finding, Location, Severity, make_finding

DEFAULT_STEPS = (SmokeStep(name="home page", path="/", expect_status=200),)
# Enough of a page to find the expected text; a smoke step never downloads a large file.
MAX_BODY_BYTES = 2_000_000


class SmokeCheck:
    name: ClassVar[str] = "smoke"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        base_url = ctx.config.url
        if not base_url:
            raise CheckSkipped("no url configured")
        steps = ctx.config.checks.smoke.steps or DEFAULT_STEPS
        hosts = credential_hosts(ctx.config)
        findings: list[Finding] = []
        with ctx.http.client(follow_redirects=False) as client:
            for step in steps:
                finding = self._run_step(client, base_url, step, hosts)
                if finding:
                    findings.append(finding)
        passed = len(steps) - len(findings)
        return CheckOutcome(tuple(findings), f"{passed}/{len(steps)} step(s) passed")

    def _run_step(self, client: httpx.Client, base_url: str, step: SmokeStep,
                  hosts: Collection[str]) -> Finding | None:
        try:
            url = join_path(base_url, step.path)
        except ValueError as exc:
            raise CheckCannotRun(f"{step.name}: {exc}") from None
        location = Location(url=url, host=urllib.parse.urlsplit(url).hostname, path=step.path)
        max_hops = 0 if 300 <= step.expect_status < 400 else MAX_HOPS
        try:
            page = fetch_page(client, url, method=step.method, max_hops=max_hops,
                              limit=MAX_BODY_BYTES, hosts=hosts)
        except httpx.ConnectError as exc:
            if is_refused(exc):
                raise CheckCannotRun(describe_http_error(exc)) from None
            answer = "fails TLS verification" if is_tls_failure(exc) else "does not answer"
            return _failure("unreachable", f"{step.name}: {url} {answer}",
                            describe_http_error(exc), location, step)
        except httpx.HTTPError as exc:
            return _failure("unreachable", f"{step.name}: request to {url} failed",
                            describe_http_error(exc), location, step)
        response = page.response
        if response.status_code != step.expect_status:
            detail = f"Final URL: {page.url}"
            if page.not_followed and max_hops:
                detail += f". It answered a redirect that was not followed: {page.not_followed}"
            return _failure("unexpected-status",
                            f"{step.name}: {step.method} {step.path} answered "
                            f"{response.status_code}, expected {step.expect_status}",
                            detail + ".", location, step)
        if step.expect_text and step.expect_text not in page.text:
            return _failure("text-missing",
                            f"{step.name}: {step.path} does not show the expected text",
                            f"Expected the page to contain {step.expect_text!r}.", location,
                            step)
        return None


def _failure(slug: str, title: str, detail: str, location: Location, step: SmokeStep
             ) -> Finding:
    return make_finding(
        "smoke", slug, Severity.BLOCKER, title, detail=detail,
        remedy="Open the page in the preview and fix the route before merging; if the "
               "expectation is out of date, update checks.smoke.steps in .launchgate.yml.",
        location=location, key=step.name)
