"""The one login implementation against real ones: Django's auth views (CSRF middleware,
database sessions) and a FastAPI OAuth2 password flow, both on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from launchgate.config import IdentityConfig, LoginConfig
from launchgate.http.login import (
    LoginFailed,
    LoginReason,
    Session,
    exchange_is_login_page,
    log_in,
    looks_like_login_page,
)
from launchgate.http.transport import HttpContext
from launchgate.redact import Redactor
from tests.conftest import assert_no_secret
from tests.support.authapps import (
    ALICE_PASSWORD,
    ANN_PASSWORD,
    DjangoApp,
    TokenApp,
    django_app,
    token_app,
)

HTTP = HttpContext(allow_private_targets=True, timeout_s=10)


@pytest.fixture(scope="module")
def django() -> Iterator[DjangoApp]:
    with django_app() as app:
        yield app


@pytest.fixture(scope="module")
def tokens() -> Iterator[TokenApp]:
    with token_app() as app:
        yield app


def form_identity(
    page: str = "/accounts/login/", password: str = ALICE_PASSWORD, **login: object
) -> IdentityConfig:
    return IdentityConfig(
        login=LoginConfig(page=page, fields={"username": "alice", "password": password}, **login)
    )  # type: ignore[arg-type]


def failure(app_url: str, identity: IdentityConfig) -> LoginFailed:
    with HTTP.client() as client, pytest.raises(LoginFailed) as caught:
        log_in(client, app_url, "alice", identity)
    assert_no_secret(str(caught.value), ALICE_PASSWORD)
    return caught.value


def test_django_form_login_keeps_the_csrf_token_and_yields_the_session(django: DjangoApp) -> None:
    with HTTP.client() as client:
        session = log_in(client, django.url, "alice", form_identity())
        assert client.cookies == {} or not dict(client.cookies)  # the session is not shared
        page = session.browser(client, django.url).request("GET", "/clients/")
    assert "sessionid" in session.cookies and "csrftoken" in session.cookies
    assert page.status == 200 and "Clients of alice" in page.text
    assert session.login_s > 0 and session.login_path == "/accounts/login/"
    assert any(h.startswith("sessionid=") and "HttpOnly" in h for h in session.set_cookies)
    assert session.cookies["sessionid"] in session.secrets
    assert ALICE_PASSWORD in session.secrets  # what filled the password input
    assert "Session" in repr(session) and session.cookies["sessionid"] not in repr(session)


def test_without_the_session_the_protected_page_is_the_login_page(django: DjangoApp) -> None:
    with HTTP.client() as client:
        answer = (
            Session("anonymous", {}, {}, 0).browser(client, django.url).request("GET", "/clients/")
        )
    assert answer.status == 200 and answer.hops  # followed to /accounts/login/?next=...
    assert exchange_is_login_page(answer)
    assert looks_like_login_page(answer.status, answer.url, text=answer.text)
    assert looks_like_login_page(
        302, django.url + "/clients/", location="/accounts/login/?next=/clients/"
    )
    assert not looks_like_login_page(200, django.url + "/clients/", text="<h1>Clients</h1>")
    assert not looks_like_login_page(302, django.url + "/clients/new/", location="/clients/")
    change = (
        '<form method="post"><input type="password" name="old"><input type="password" '
        'name="new1"><input type="password" name="new2"></form>'
    )
    assert not looks_like_login_page(200, django.url + "/account/password/", text=change)


def test_wrong_password_is_wrong_credentials(django: DjangoApp) -> None:
    failed = failure(django.url, form_identity(password="not-" + ALICE_PASSWORD))
    assert failed.reason is LoginReason.WRONG_CREDENTIALS
    assert failed.identity == "alice"


def test_a_login_form_answered_again_with_422_is_wrong_credentials_not_csrf(
    django: DjangoApp,
) -> None:
    """The re-rendered form carries its CSRF field: that is no CSRF refusal."""
    wrong = "not-" + ALICE_PASSWORD  # pragma: allowlist secret
    failed = failure(django.url, form_identity(page="/accounts/login-422/", password=wrong))
    assert failed.reason is LoginReason.WRONG_CREDENTIALS and "422" in failed.detail
    with HTTP.client() as client:
        assert log_in(client, django.url, "alice", form_identity(page="/accounts/login-422/"))


def test_expect_text_decides_when_given(django: DjangoApp) -> None:
    with HTTP.client() as client:
        session = log_in(client, django.url, "alice", form_identity(expect_text="Clients of"))
    assert session.cookies
    failed = failure(django.url, form_identity(expect_text="Welcome aboard"))
    assert failed.reason is LoginReason.TEXT_MISSING


def test_a_form_without_its_csrf_token_is_csrf_refused(django: DjangoApp) -> None:
    failed = failure(django.url, form_identity(page="/accounts/login-nocsrf/"))
    assert failed.reason is LoginReason.CSRF_REFUSED
    assert "403" in failed.detail


def test_a_page_without_a_password_form_is_form_not_found(django: DjangoApp) -> None:
    assert failure(django.url, form_identity(page="/plain/")).reason is LoginReason.FORM_NOT_FOUND
    wrong_field = IdentityConfig(
        login=LoginConfig(
            page="/accounts/login/", fields={"email": "alice@acme.test", "password": ALICE_PASSWORD}
        )
    )
    failed = failure(django.url, wrong_field)
    assert failed.reason is LoginReason.FORM_NOT_FOUND and "'email'" in failed.detail
    assert "username" in failed.detail  # what the form does have


def test_credentials_never_reach_another_host(django: DjangoApp) -> None:
    """`localhost` is the same server under another name: whatever leads there (the login
    page, the form's action, the redirect after logging in) ends the login, and no password
    and no cookie is ever sent to it."""
    django.requests.clear()
    for page in ("/go-elsewhere/", "/accounts/login-offhost-form/", "/accounts/login-offhost/"):
        failed = failure(django.url, form_identity(page=page))
        assert failed.reason is LoginReason.OFF_HOST, (page, failed.reason)
    assert django.other_host_requests() == []
    posted = [r for r in django.requests if r.password]
    assert [r.path for r in posted] == ["/accounts/login-offhost/"]  # its own host only


def test_unreachable(django: DjangoApp) -> None:
    with HTTP.client() as client:
        closed = socket_port_closed()
        with pytest.raises(LoginFailed) as caught:
            log_in(client, f"http://127.0.0.1:{closed}", "alice", form_identity())
    assert caught.value.reason is LoginReason.UNREACHABLE


def socket_port_closed() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def token_identity(password: str = ANN_PASSWORD) -> IdentityConfig:
    return IdentityConfig(
        login=LoginConfig(
            path="/token", form={"username": "ann", "password": password}, token="access_token"
        )
    )


def test_oauth2_password_flow_yields_a_bearer_token(tokens: TokenApp) -> None:
    with HTTP.client() as client:
        session = log_in(client, tokens.url, "ann", token_identity())
        me = session.browser(client, tokens.url).request("GET", "/users/me")
        anonymous = (
            Session("anonymous", {}, {}, 0).browser(client, tokens.url).request("GET", "/users/me")
        )
    assert session.headers == {"Authorization": f"Bearer {tokens.token}"}
    assert tokens.token in session.secrets
    assert me.status == 200 and me.json() == {"username": "ann"}
    assert anonymous.status == 401


def test_oauth2_wrong_password_and_missing_token(tokens: TokenApp) -> None:
    with HTTP.client() as client:
        with pytest.raises(LoginFailed) as caught:
            log_in(client, tokens.url, "ann", token_identity("nope-" + ANN_PASSWORD))
        assert caught.value.reason is LoginReason.WRONG_CREDENTIALS
        assert_no_secret(str(caught.value), ANN_PASSWORD)
        wrong_path = IdentityConfig(
            login=LoginConfig(
                path="/token", form={"username": "ann", "password": ANN_PASSWORD}, token="jwt"
            )
        )
        with pytest.raises(LoginFailed) as caught:
            log_in(client, tokens.url, "ann", wrong_path)
        assert caught.value.reason is LoginReason.NO_SESSION and "`jwt`" in caught.value.detail
        missing = IdentityConfig(
            login=LoginConfig(path="/nowhere", json={"u": "ann"}, token="access_token")
        )
        with pytest.raises(LoginFailed) as caught:
            log_in(client, tokens.url, "ann", missing)
        assert caught.value.reason is LoginReason.FORM_NOT_FOUND


def test_static_headers_identity_needs_no_request() -> None:
    with httpx.Client() as client:
        session = log_in(
            client,
            "http://127.0.0.1:9",
            "bot",
            IdentityConfig(headers={"Authorization": "Bearer static-token-1"}),
        )
    assert session.headers == {"Authorization": "Bearer static-token-1"}
    assert "static-token-1" in session.secrets and session.login_s == 0


def test_redactor_learns_what_a_login_yields(django: DjangoApp) -> None:
    redactor = Redactor(["configured-secret"])
    with HTTP.client() as client:
        session = log_in(client, django.url, "alice", form_identity())
    cookie = session.cookies["sessionid"]
    line = f"configured-secret sessionid={cookie}"
    assert cookie in redactor.text(line)
    redactor.add(session.secrets)
    assert redactor.text(line) == "[redacted] sessionid=[redacted]"
