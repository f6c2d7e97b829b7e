"""How the load generator judges one answer, beyond its status: was it really the route, or the
app's login page? (Pure functions: the Locust child calls them per request; the gate never
imports Locust.)

An app that needs a session answers a protected route with a redirect to its login page, or
renders the login form in place with a 200. Counted as a fast success, that measures the login
page instead of the route: the wrong PASS the check exists to prevent (issue 11).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Collection

from launchgate.http.login import is_login_url

# Enough of a page to find its forms: a login form sits near the top of a page.
SNIFF_BYTES = 65_536
PASSWORD_INPUT = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url).path or "/"


def is_login_answer(
    requested: str,
    final_url: str,
    redirected: bool,
    content_type: str,
    body: bytes,
    login_paths: Collection[str] = (),
) -> bool:
    """True when the answer to `requested` (a path) is the app's login page: a redirect that
    ended on a login URL (`http.login.is_login_url`: a login-like path or one of
    `login_paths`), or an HTML page holding a login form (a password field) rendered in place
    with a 200. A route that is itself a login URL is what was asked for.

    Cheap on purpose (the Locust child runs it on every answer, and its CPU time would delay
    the other users' timings): a byte search of the first SNIFF_BYTES, no HTML parsing."""
    asked = _path(requested)
    if is_login_url(asked, login_paths):
        return False
    if redirected and _path(final_url) != asked and is_login_url(final_url, login_paths):
        return True
    if "html" not in content_type.lower():
        return False
    # One password field: a login form. A sign-up or change-password form has two or more.
    return len(PASSWORD_INPUT.findall(body[:SNIFF_BYTES])) == 1


def status_error(status: int, expect_status: int | None) -> str | None:
    """Why an answer's status is a failure, or None. Without `expect_status`, Locust's own rule
    holds (a 4xx/5xx is a failure; the caller leaves it to Locust)."""
    if expect_status is None or status == expect_status or status == 0:
        return None
    return f"HTTP {status}, expected {expect_status}"
