"""What the exposure probes share: the tally of answers, fetching a page, and the finding
with its location."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import httpx

from launchgate.checks.base import CheckCannotRun
from launchgate.http.pages import Page, fetch_page, join_path
from launchgate.http.transport import PrivateTargetError, describe_http_error, is_refused
from launchgate.report import Finding, Location, Severity, make_finding

CHECK = "exposure"
LOGIN_WORDS = re.compile(r"log-?in|sign-?in|auth|sso|session|account", re.IGNORECASE)
PASSWORD_FIELD = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)


@dataclass
class Tally:
    """Requests that got an answer vs. failed, to tell "nothing reachable" from findings."""

    answered: int = 0
    errors: list[str] = field(default_factory=list)


def join(url: str, path: str) -> str:
    try:
        return join_path(url, path)
    except ValueError as exc:
        raise CheckCannotRun(str(exc)) from None


def get(client: httpx.Client, url: str, tally: Tally, **kwargs: Any) -> Page | None:
    try:
        page = fetch_page(client, url, **kwargs)
    except httpx.HTTPError as exc:
        if is_refused(exc):
            raise PrivateTargetError(describe_http_error(exc)) from None
        tally.errors.append(f"{url}: {describe_http_error(exc)}")
        return None
    tally.answered += 1
    return page


def finding(
    slug: str,
    severity: Severity,
    title: str,
    detail: str,
    remedy: str,
    url: str,
    key: str = "",
    line: int | None = None,
) -> Finding:
    parts = urllib.parse.urlsplit(url)
    return make_finding(
        CHECK,
        slug,
        severity,
        title,
        detail=detail,
        remedy=remedy,
        location=Location(url=url, host=parts.hostname, path=parts.path or "/", line=line),
        key=key,
    )


def probe_failed(url: str, tally: Tally, what: str) -> list[Finding]:
    return [
        finding(
            "probe-failed",
            Severity.IMPORTANT,
            f"Could not verify {what}",
            f"{tally.errors[-1]}",
            "Make sure the path answers, then re-run.",
            url,
        )
    ]


def is_login_wall(page: Page) -> bool:
    if page.history and LOGIN_WORDS.search(urllib.parse.urlsplit(page.url).path):
        return True
    return bool(PASSWORD_FIELD.search(page.text))
