"""Login answers read as they are (review of issue 11): a failure after the login's redirect
names the page it led to, not the login page, and a login page configured with a query string
(`?next=`) is still recognised as the login page when an app redirects there."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from launchgate.config.schema import IdentityConfig, LoginConfig
from launchgate.http.login import LoginFailed, LoginReason, is_login_url, log_in
from tests.support.scriptapp import PASSWORDS, ScriptApp, page, script_app


@pytest.fixture
def app() -> Iterator[ScriptApp]:
    with script_app() as running:
        yield running


def test_a_missing_landing_page_is_named_not_blamed_on_the_login_page(app: ScriptApp) -> None:
    """Django's LOGIN_REDIRECT_URL defaults to /accounts/profile/, which most apps lack."""
    app.routes["/home"] = lambda user: page(404, "<h1>Not Found</h1>")
    identity = IdentityConfig(
        LoginConfig(page="/login", fields={"username": "alice", "password": PASSWORDS["alice"]})
    )
    with httpx.Client(timeout=10) as client, pytest.raises(LoginFailed) as failed:
        log_in(client, app.url, "alice", identity)
    assert failed.value.reason is LoginReason.SERVER_ERROR
    assert (
        "302 from /login, then GET /home (where the login led) answered 404" in failed.value.detail
    )
    assert "?next=/" in failed.value.detail
    assert PASSWORDS["alice"] not in str(failed.value)


def test_a_login_page_with_a_query_string_is_still_the_login_page() -> None:
    assert is_login_url("http://app.test/staff/entrar/?next=/x", ["/staff/entrar/?next=/"])
    assert not is_login_url("http://app.test/staff/", ["/staff/entrar/?next=/"])


@pytest.mark.parametrize(
    "url",
    [
        "https://idp.test/realms/acme/protocol/openid-connect/auth?client_id=x",
        "https://acme.okta.test/oauth2/default/v1/authorize?state=x",
        "https://login.microsoftonline.test/acme/oauth2/v2.0/authorize",
        "https://team.cloudflareaccess.test/cdn-cgi/access/login/app.acme.test?kid=x",
        "https://vercel.test/sso-api?url=x",
        "https://app.test/oauth2/start?rd=/",
        "https://app.test/users/sign_in",
        "https://app.test/admin/login/?next=/admin/",
    ],
)
def test_sso_and_framework_login_urls_are_login_urls(url: str) -> None:
    assert is_login_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://app.test/auth/users/",
        "https://app.test/sso/settings",
        "https://app.test/login/history",
        "https://app.test/oauth/apps",
    ],
)
def test_pages_under_a_login_like_prefix_are_not(url: str) -> None:
    assert not is_login_url(url)
