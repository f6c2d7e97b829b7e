"""`protected_paths`: requested without credentials, they must answer 401/403 or lead to a
login page; 200 with data is a blocker."""

from __future__ import annotations

import httpx

from launchgate.checks.exposure.probe import Tally, finding, get, is_login_wall, probe_failed
from launchgate.report import Finding, Severity

# Dropped from the configured headers for these probes: they are the app's own auth.
CREDENTIAL_HEADERS = {"authorization", "cookie", "proxy-authorization"}
EMPTY_BODIES = {"", "[]", "{}", "null", '""'}


def probe_protected(client: httpx.Client, url: str, path: str, tally: Tally) -> list[Finding]:
    page = get(client, url, tally)
    if page is None:
        return probe_failed(url, tally, f"that {path} needs credentials")
    status = page.response.status_code
    if status in (401, 403) or page.response.is_redirect or is_login_wall(page):
        return []  # a redirect still in hand leads to another host (SSO)
    remedy = (
        "Require authentication on this route (server side, not just in the UI), and "
        "answer 401/403 without credentials."
    )
    if 200 <= status < 300:
        body = page.text.strip()
        if body in EMPTY_BODIES:
            return [
                finding(
                    "protected-path-unclear",
                    Severity.IMPORTANT,
                    f"{path} answers {status} without credentials",
                    "The response is empty, so nothing leaked this time, but the "
                    "route did not ask for credentials.",
                    remedy,
                    url,
                )
            ]
        return [
            finding(
                "protected-path-open",
                Severity.BLOCKER,
                f"{path} answers {status} with data, without credentials",
                f"GET {page.url} without credentials returned {len(page.body)} bytes "
                f"of {page.response.headers.get('content-type', 'content')}.",
                remedy,
                url,
            )
        ]
    if status == 404:
        return [
            finding(
                "protected-path-not-found",
                Severity.LATER,
                f"{path} answers 404",
                "The protected path does not exist, so its protection could not be verified.",
                "Fix checks.exposure.protected_paths (or the route).",
                url,
            )
        ]
    if status >= 500:
        return [
            finding(
                "protected-path-error",
                Severity.IMPORTANT,
                f"{path} answers {status} without credentials",
                "The route fails instead of refusing; errors can leak details.",
                "Answer 401/403 before doing any work for anonymous requests.",
                url,
            )
        ]
    return []
