"""smoke: each configured step is one request with an expected status and, optionally, text on
the page. A failed step is a launch blocker. With no steps, the home page must answer 200."""

from __future__ import annotations

import urllib.parse
from typing import ClassVar

import httpx

from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.config import SmokeStep
from launchgate.net import describe_http_error, is_refused
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
        findings: list[Finding] = []
        with ctx.http.client(follow_redirects=True) as client:
            for step in steps:
                finding = self._run_step(client, base_url, step)
                if finding:
                    findings.append(finding)
        passed = len(steps) - len(findings)
        return CheckOutcome(tuple(findings), f"{passed}/{len(steps)} step(s) passed")

    def _run_step(self, client: httpx.Client, base_url: str, step: SmokeStep
                  ) -> Finding | None:
        url = urllib.parse.urljoin(base_url, step.path)
        location = Location(url=url, host=urllib.parse.urlsplit(url).hostname, path=step.path)
        follow = not 300 <= step.expect_status < 400
        try:
            with client.stream(step.method, url, follow_redirects=follow) as response:
                body = _read_limited(response)
        except httpx.ConnectError as exc:
            if is_refused(exc):
                raise CheckCannotRun(describe_http_error(exc)) from None
            return _failure("unreachable", f"{step.name}: {url} does not answer",
                            describe_http_error(exc), location, step)
        except httpx.HTTPError as exc:
            return _failure("unreachable", f"{step.name}: request to {url} failed",
                            describe_http_error(exc), location, step)
        if response.status_code != step.expect_status:
            return _failure("unexpected-status",
                            f"{step.name}: {step.method} {step.path} answered "
                            f"{response.status_code}, expected {step.expect_status}",
                            f"Final URL: {response.url}", location, step)
        if step.expect_text and step.expect_text not in body:
            return _failure("text-missing",
                            f"{step.name}: {step.path} does not show the expected text",
                            f"Expected the page to contain {step.expect_text!r}.", location,
                            step)
        return None


def _read_limited(response: httpx.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= MAX_BODY_BYTES:
            break
    return b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")


def _failure(slug: str, title: str, detail: str, location: Location, step: SmokeStep
             ) -> Finding:
    return make_finding(
        "smoke", slug, Severity.BLOCKER, title, detail=detail,
        remedy="Open the page in the preview and fix the route before merging; if the "
               "expectation is out of date, update checks.smoke.steps in .launchgate.yml.",
        location=location, key=step.name)
