"""smoke: each configured step is one request with an expected status and, optionally, text on
the page. A failed step is a launch blocker. With no steps, the home page must answer 200.

Redirects are followed by hand (`web.fetch_page`) and only while they stay on the configured
host(s) (`url` and `checks.redirects.canonical`): the configured headers (a preview bypass
token, an Authorization header) never reach another host. A redirect that leaves them (to an
SSO provider, say) is where the step ends: the redirect response is its final answer and the
finding says where it pointed. A step that expects a 3xx status is not followed at all.

Flows (`checks.smoke.flows`, docs/auth.md) run after the steps, each as its identity (one
login per identity for the whole check, `checks.sessions`): `launchgate.http.flow` runs the
steps and stops at the first failure, reported as `smoke.flow-failed` with what was sent
(method and path, never a body), what came back and what the flow wrote before it failed.
An identity that cannot log in is one `smoke.login-failed`; its flows do not run.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection
from typing import ClassVar

import httpx

from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.checks.sessions import (
    IdentityUnavailable,
    Sessions,
    login_failed_finding,
    login_location,
)
from launchgate.config import SmokeFlow, SmokeStep
from launchgate.http.browser import Browser
from launchgate.http.flow import FlowResult, run_flow
from launchgate.http.login import LoginFailed
from launchgate.http.pages import MAX_HOPS, fetch_page, join_path
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
        settings = ctx.config.checks.smoke
        steps = settings.steps or (() if settings.flows else DEFAULT_STEPS)
        hosts = ctx.config.credential_hosts()
        findings: list[Finding] = []
        with ctx.http.client(follow_redirects=False) as client:
            for step in steps:
                finding = self._run_step(client, base_url, step, hosts)
                if finding:
                    findings.append(finding)
        summary = [f"{len(steps) - len(findings)}/{len(steps)} step(s) passed"] if steps else []
        if settings.flows:
            flow_findings, flow_summary, skipped = self._run_flows(ctx, base_url, settings.flows)
            if not steps and len(skipped) == len(settings.flows):
                raise CheckSkipped("; ".join(skipped))  # a fork PR: nothing could run
            findings += flow_findings
            summary.append(flow_summary)
        return CheckOutcome(tuple(findings), "; ".join(summary))

    def _run_flows(
        self, ctx: CheckContext, base_url: str, flows: tuple[SmokeFlow, ...]
    ) -> tuple[list[Finding], str, list[str]]:
        findings: list[Finding] = []
        passed, skipped = 0, []
        reported: set[str] = set()  # identities whose failed login is already a finding
        browsers: dict[str, Browser] = {}
        with ctx.http.client(follow_redirects=False) as client:
            sessions = Sessions(ctx, client)
            for flow in flows:
                if flow.writes and ctx.read_only:
                    skipped.append(f"flow {flow.name!r} skipped: {ctx.read_only}")
                    continue
                try:
                    session = sessions.get(flow.as_)
                except IdentityUnavailable as unavailable:
                    skipped.append(f"flow {flow.name!r} skipped: {unavailable}")
                    continue
                except LoginFailed as failed:
                    if failed.refused:
                        raise CheckCannotRun(failed.detail) from None
                    if failed.identity not in reported:
                        reported.add(failed.identity)
                        users = [f.name for f in flows if f.as_ == flow.as_]
                        findings.append(
                            login_failed_finding(
                                "smoke",
                                failed,
                                "flow(s) " + ", ".join(map(repr, users)),
                                login_location(ctx.config, flow.as_),
                            )
                        )
                    continue
                ctx.progress.update(f"smoke: flow {flow.name}")
                # One browser per identity across its flows: a session cookie the app
                # rotates (refusing the old value) carries on to the next flow.
                browser = browsers.get(flow.as_) or session.browser(
                    client, base_url, sessions.hosts, learn=ctx.redactor.add
                )
                browsers[flow.as_] = browser
                result = run_flow(
                    browser,
                    flow,
                    logged_in=not session.is_anonymous,
                    login_paths=sessions.login_paths(),
                )
                if any(step.logout for step in flow.steps[: result.steps_run]):
                    # It logged out on purpose: the identity's next flow logs in again.
                    browsers.pop(flow.as_, None)
                    sessions.forget(flow.as_)
                if result.failure is not None and result.failure.refused:
                    raise CheckCannotRun(result.failure.problem)
                if result.passed:
                    passed += 1
                else:
                    findings.append(_flow_finding(base_url, result))
        for note in skipped:
            ctx.progress.info(f"  smoke: {note}")
        summary = f"{passed}/{len(flows)} flow(s) passed"
        if skipped:
            summary += f" ({len(skipped)} skipped: " + "; ".join(skipped) + ")"
        return findings, summary, skipped

    def _run_step(
        self, client: httpx.Client, base_url: str, step: SmokeStep, hosts: Collection[str]
    ) -> Finding | None:
        try:
            url = join_path(base_url, step.path)
        except ValueError as exc:
            raise CheckCannotRun(f"{step.name}: {exc}") from None
        location = Location(url=url, host=urllib.parse.urlsplit(url).hostname, path=step.path)
        max_hops = 0 if 300 <= step.expect_status < 400 else MAX_HOPS
        try:
            page = fetch_page(
                client,
                url,
                method=step.method,
                max_hops=max_hops,
                limit=MAX_BODY_BYTES,
                hosts=hosts,
            )
        except httpx.ConnectError as exc:
            if is_refused(exc):
                raise CheckCannotRun(describe_http_error(exc)) from None
            answer = "fails TLS verification" if is_tls_failure(exc) else "does not answer"
            return _failure(
                "unreachable",
                f"{step.name}: {url} {answer}",
                describe_http_error(exc),
                location,
                step,
            )
        except httpx.HTTPError as exc:
            return _failure(
                "unreachable",
                f"{step.name}: request to {url} failed",
                describe_http_error(exc),
                location,
                step,
            )
        response = page.response
        if response.status_code != step.expect_status:
            detail = f"Final URL: {page.url}"
            if page.not_followed and max_hops:
                detail += f". It answered a redirect that was not followed: {page.not_followed}"
            return _failure(
                "unexpected-status",
                f"{step.name}: {step.method} {step.path} answered "
                f"{response.status_code}, expected {step.expect_status}",
                detail + ".",
                location,
                step,
            )
        if step.expect_text and step.expect_text not in page.text:
            return _failure(
                "text-missing",
                f"{step.name}: {step.path} does not show the expected text",
                f"Expected the page to contain {step.expect_text!r}.",
                location,
                step,
            )
        return None


def _failure(slug: str, title: str, detail: str, location: Location, step: SmokeStep) -> Finding:
    return make_finding(
        "smoke",
        slug,
        Severity.BLOCKER,
        title,
        detail=detail,
        remedy="Open the page in the preview and fix the route before merging; if the "
        "expectation is out of date, update checks.smoke.steps in .launchgate.yml.",
        location=location,
        key=step.name,
    )


def _flow_finding(base_url: str, result: FlowResult) -> Finding:
    failure = result.failure
    assert failure is not None
    if failure.session_ended:
        title = (
            f"Flow `{result.flow}`: the session of identity {result.identity} ended at "
            f"step `{failure.step}`"
        )
    else:
        title = f"Flow `{result.flow}` failed at step `{failure.step}`: {failure.problem}"
    detail = f"Sent {failure.method} {failure.path}."
    if failure.status is not None:
        detail += f" It answered {failure.status} at {failure.final_url}."
    if failure.session_ended:
        detail += f" {failure.problem[0].upper()}{failure.problem[1:]}."
    if failure.excerpt:
        detail += f" Start of the answer: \u201c{failure.excerpt}\u201d."
    if result.writes:
        detail += (
            " Before it failed, the flow wrote: "
            + "; ".join(result.writes)
            + ". Remove what it created."
        )
    remedy = (
        "A logged-in flow that ends means the session was dropped (a new deploy "
        "rotating its secret key, a too short session lifetime, a cookie the browser "
        "would not send back): fix that before staff hit it."
        if failure.session_ended
        else "Run the flow in the preview by hand and fix the step; if the expectation "
        "is out of date, update checks.smoke.flows in .launchgate.yml."
    )
    url = failure.final_url or urllib.parse.urljoin(base_url, failure.path)
    return make_finding(
        "smoke",
        "flow-failed",
        Severity.BLOCKER,
        title,
        detail=detail,
        remedy=remedy,
        location=Location(url=url, host=urllib.parse.urlsplit(url).hostname, path=failure.path),
        key=result.flow,
    )
