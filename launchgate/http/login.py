"""The one login implementation (docs/auth.md), shared by smoke flows, the access check,
the headers check and the load test (in its gevent-patched child too: plain sync httpx).

- HTML form login (`login: {page, fields}`): GET the page, take the form that has a password
  input, keep its hidden inputs (CSRF tokens), fill `fields`, submit it to its action with its
  method, with Referer/Origin like a browser; follow redirects on the app's own host(s) only.
- API login (`login: {path, json | form, token}`): POST the body; `token` is the dotted path
  of a bearer token in the JSON answer (sent as `Authorization: Bearer ...`), else the
  cookies set are the session.
- Static credentials (`headers:` only): no request at all.

Success: `expect_text` on the final page when given; otherwise not back on a page with a
password form, and a session cookie set or changed (or the token found). A failure raises
`LoginFailed` with a `LoginReason`; no message ever contains a credential.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import httpx

from launchgate.config.schema import ANONYMOUS, IdentityConfig, LoginConfig
from launchgate.http import jsonpath
from launchgate.http.browser import CREDENTIALS_STAY, Browser, Exchange
from launchgate.http.forms import choose_form, has_login_form, has_password_form, parse_forms
from launchgate.http.transport import describe_http_error, is_refused


class LoginReason(StrEnum):
    WRONG_CREDENTIALS = "wrong credentials"
    FORM_NOT_FOUND = "form not found"
    CSRF_REFUSED = "CSRF refused"
    BACK_TO_LOGIN = "redirected back to login"
    UNREACHABLE = "unreachable"
    OFF_HOST = "redirected to another host"
    NO_SESSION = "no session set up"
    TEXT_MISSING = "expected text not shown"
    SERVER_ERROR = "server error"


class LoginFailed(Exception):
    """An identity could not log in. `reason` is one of `LoginReason`; `detail` says what
    came back (statuses, URLs, field names), never a credential or a page body."""

    def __init__(
        self, identity: str, reason: LoginReason, detail: str, *, refused: bool = False
    ) -> None:
        super().__init__(f"identity {identity!r} could not log in ({reason}): {detail}")
        self.identity = identity
        self.reason = reason
        self.detail = detail
        # The private-target guard refused the address: the gate could not try at all.
        self.refused = refused


@dataclass(frozen=True)
class Session:
    """What a login yields. Every cookie value and header value here is a secret: add
    `secrets` to the run's Redactor as soon as the session exists."""

    identity: str
    cookies: Mapping[str, str] = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    login_s: float
    # The login page or path: a later redirect there means the session ended.
    login_url: str = ""
    # The Set-Cookie headers the login answered with (the session cookie's flags live there).
    set_cookies: tuple[str, ...] = field(default=(), repr=False)
    # Other values sent to log in (the password field's value): redacted as well.
    sent_secrets: frozenset[str] = field(default=frozenset(), repr=False)

    @property
    def secrets(self) -> frozenset[str]:
        values = {*self.cookies.values(), *self.headers.values(), *self.sent_secrets}
        for value in self.headers.values():  # `Bearer <token>`: the token alone too
            scheme, _, token = value.partition(" ")
            if token and scheme.lower() in ("bearer", "token", "basic"):
                values.add(token)
        return frozenset(v for v in values if v)

    @property
    def is_anonymous(self) -> bool:
        return not self.cookies and not self.headers

    def browser(
        self,
        client: httpx.Client,
        base_url: str,
        hosts: Collection[str] | None = None,
        *,
        learn: Callable[[Iterable[str]], None] | None = None,
    ) -> Browser:
        """A browser carrying this session; `learn` (the run's `Redactor.add`) is told the
        cookie values set from now on."""
        return Browser(
            client, base_url, hosts=hosts, cookies=self.cookies, headers=self.headers, learn=learn
        )

    @property
    def login_path(self) -> str:
        return urllib.parse.urlsplit(self.login_url).path if self.login_url else ""


def anonymous_session() -> Session:
    return Session(ANONYMOUS, {}, {}, 0.0)


def log_in(
    client: httpx.Client,
    base_url: str,
    name: str,
    identity: IdentityConfig,
    *,
    hosts: Collection[str] | None = None,
) -> Session:
    """Log `name` in on the app at `base_url`; requests go only to `hosts` (default: the
    base URL's host; pass `config.credential_hosts()`). The client's own cookie jar is
    not used (it is emptied after each answer): give each identity its own Session."""
    started = time.monotonic()
    login = identity.login
    if login is None:
        return Session(name, {}, dict(identity.headers), 0.0)
    browser = Browser(client, base_url, hosts=hosts, headers=identity.headers)
    if login.page is not None:
        final, sent = _form_login(browser, name, login)
    else:
        final, sent = _api_login(browser, name, login)
    headers = dict(identity.headers)
    if login.token is not None:
        headers["Authorization"] = f"Bearer {_token(final, name, login.token)}"
    return Session(
        name,
        dict(browser.cookies),
        headers,
        time.monotonic() - started,
        login_url=browser.url(login.page or login.path or "/"),
        set_cookies=final.set_cookies,
        sent_secrets=sent,
    )


def _send(browser: Browser, name: str, method: str, url: str, **kwargs: object) -> Exchange:
    try:
        answer = browser.request(method, url, **kwargs)  # type: ignore[arg-type]
    except ValueError as exc:
        raise LoginFailed(name, LoginReason.OFF_HOST, str(exc)) from None
    except httpx.HTTPError as exc:
        raise LoginFailed(
            name,
            LoginReason.UNREACHABLE,
            f"{method} {_path(url)}: {describe_http_error(exc)}",
            refused=is_refused(exc),
        ) from None
    if answer.not_followed:
        reason = (
            LoginReason.OFF_HOST
            if CREDENTIALS_STAY in answer.not_followed
            else LoginReason.UNREACHABLE
        )
        raise LoginFailed(
            name,
            reason,
            f"{method} {_path(url)} answered {answer.status}, a "
            f"redirect that was not followed: {answer.not_followed}",
        )
    return answer


def _form_login(browser: Browser, name: str, login: LoginConfig) -> tuple[Exchange, frozenset[str]]:
    assert login.page is not None
    page = _send(browser, name, "GET", login.page)
    if not 200 <= page.status < 300:
        raise LoginFailed(
            name, LoginReason.FORM_NOT_FOUND, f"the login page {login.page} answered {page.status}"
        )
    form = choose_form(parse_forms(page.text, page.url), login.fields, need_password=True)
    if form is None:
        raise LoginFailed(
            name, LoginReason.FORM_NOT_FOUND, f"no form with a password field on {_path(page.url)}"
        )
    missing = [f for f in login.fields if f not in form.types]
    if missing:
        raise LoginFailed(
            name,
            LoginReason.FORM_NOT_FOUND,
            f"the login form on {_path(page.url)} has no field "
            f"{', '.join(repr(m) for m in missing)} (it has: "
            f"{', '.join(form.types) or 'none'})",
        )
    refusal = browser.refusal(form.action)
    if refusal:
        raise LoginFailed(
            name,
            LoginReason.OFF_HOST,
            f"the login form on {_path(page.url)} posts off the app: {refusal}",
        )
    before = dict(browser.cookies)
    data = form.filled(login.fields)
    sent = frozenset(str(login.fields[n]) for n in form.password_names if n in login.fields)
    if form.method == "GET":
        query = urllib.parse.urlencode(data)
        answer = _send(
            browser, name, "GET", f"{form.action.split('?', 1)[0]}?{query}", referer=page.url
        )
    else:
        answer = _send(browser, name, "POST", form.action, data=data, referer=page.url)
    _judge(answer, name, login, before, browser.cookies)
    return answer, sent


def _api_login(browser: Browser, name: str, login: LoginConfig) -> tuple[Exchange, frozenset[str]]:
    assert login.path is not None
    before = dict(browser.cookies)
    answer = _send(
        browser,
        name,
        "POST",
        login.path,
        json=login.json,
        data=None if login.form is None else {k: str(v) for k, v in login.form.items()},
        headers={"Accept": "application/json"},
    )
    if answer.status in (404, 405):
        raise LoginFailed(
            name,
            LoginReason.FORM_NOT_FOUND,
            f"POST {login.path} answered {answer.status}: no login there",
        )
    if login.token is None:
        _judge(answer, name, login, before, browser.cookies)
    else:
        _judge_status(answer, name, login.path)
        if login.expect_text and login.expect_text not in answer.text:
            raise LoginFailed(
                name,
                LoginReason.TEXT_MISSING,
                f"POST {login.path} answered {answer.status} without the expected text",
            )
    return answer, frozenset()


_CSRF_MARKERS = re.compile(
    r"csrf|xsrf|authenticity.?token|page expired|token mismatch", re.IGNORECASE
)
_CSRF_COOKIE = re.compile(r"csrf|xsrf", re.IGNORECASE)


def _judge_status(answer: Exchange, name: str, path: str) -> None:
    where = f"{answer.method} {path} answered {answer.status}"
    if answer.hops:  # the status is the landing page's, not the login's
        where = (
            f"{answer.hops[0].status} from {path}, then {answer.method} "
            f"{_path(answer.url)} (where the login led) answered {answer.status}"
        )
        if answer.status == 404:
            where += (
                " (no page there: point the login at an existing page, e.g. "
                "`page: /accounts/login/?next=/` for Django, whose LOGIN_REDIRECT_URL "
                "defaults to /accounts/profile/)"
            )
    if answer.status == 419 or (
        answer.status in (400, 403, 422) and _CSRF_MARKERS.search(answer.text[:20_000])
    ):
        raise LoginFailed(
            name, LoginReason.CSRF_REFUSED, f"{where}: the server refused the anti-CSRF token"
        )
    if answer.status in (400, 401, 403, 422):
        raise LoginFailed(name, LoginReason.WRONG_CREDENTIALS, where)
    if answer.status >= 400:
        raise LoginFailed(name, LoginReason.SERVER_ERROR, where)


def _judge(
    answer: Exchange,
    name: str,
    login: LoginConfig,
    before: Mapping[str, str],
    after: Mapping[str, str],
) -> None:
    path = login.page or login.path or "/"
    # The login form again (200, or 4xx like Rails/Turbo's 422): the credentials were refused.
    # Checked before the CSRF markers: a re-rendered form carries its own CSRF field.
    relogin = (
        200 <= answer.status < 300 or answer.status in (400, 401, 403, 422)
    ) and has_password_form(answer.text, answer.url)
    if relogin and answer.hops and 200 <= answer.status < 300:
        raise LoginFailed(
            name,
            LoginReason.BACK_TO_LOGIN,
            f"after submitting, {_path(answer.url)} shows a password form again",
        )
    if relogin:
        raise LoginFailed(
            name,
            LoginReason.WRONG_CREDENTIALS,
            f"{answer.method} {_path(answer.url)} answered {answer.status} with "
            "the login form again",
        )
    _judge_status(answer, name, path)
    if login.expect_text:
        if login.expect_text not in answer.text:
            raise LoginFailed(
                name,
                LoginReason.TEXT_MISSING,
                f"the page after logging in ({_path(answer.url)}, "
                f"{answer.status}) does not show the expected text",
            )
        return
    changed = [k for k, v in after.items() if before.get(k) != v and not _CSRF_COOKIE.search(k)]
    if not changed:
        raise LoginFailed(
            name,
            LoginReason.NO_SESSION,
            f"{answer.method} {path} answered {answer.status} but set no "
            "session cookie (set `expect_text:` to say what a logged-in page "
            "shows, or `token:` for a token login)",
        )


def _token(answer: Exchange, name: str, path: str) -> str:
    try:
        value = _json_first(answer, path)
    except (KeyError, ValueError):
        raise LoginFailed(
            name,
            LoginReason.NO_SESSION,
            f"the login answer ({answer.status}) has no `{path}` in its JSON",
        ) from None
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value):
        raise LoginFailed(
            name, LoginReason.NO_SESSION, f"`{path}` in the login answer is not a token"
        )
    return str(value)


def _json_first(answer: Exchange, path: str) -> object:
    return jsonpath.first(answer.json(), path)


def _path(url: str) -> str:
    """Path only: a query string may carry what was just submitted."""
    parts = urllib.parse.urlsplit(url)
    return parts.path or "/"


# --- is this the login page? ---------------------------------------------------------------

# The login word must END the path (`/accounts/login/`, `/users/sign_in`, `/auth`,
# `/oauth2/authorize`, `/login.php`): `/auth/users/` or `/sso/settings` are pages under such
# a prefix, and a redirect to one of them is no login page (djoser serves its user list at
# `/auth/users/`; taking it for the login page made a leaked list look denied).
_LOGIN_PATH = re.compile(
    r"(^|/)(log-?in|log-?on|sign-?in|sign_in|signin|auth|authenticate|authorize|sso|saml2?|"
    r"oauth2?|sessions?/new|oauth2/start|cas/login|sso-api)(\.[a-z]{2,5})?/?(;[^/]*)?$"
    # Cloudflare Access puts the protected host after its login path.
    r"|/cdn-cgi/access/login(/|$)",
    re.IGNORECASE,
)


def is_login_url(url: str, login_paths: Collection[str] = ()) -> bool:
    """A URL (or path) that points at a login page: one of `login_paths`, or a login-like
    path that ends in a login word (`/login`, `/accounts/login/`, `/users/sign_in`, `/auth`)."""
    path = urllib.parse.urlsplit(url).path or "/"
    wanted = {urllib.parse.urlsplit(p).path.rstrip("/") or "/" for p in login_paths if p}
    return (path.rstrip("/") or "/") in wanted or bool(_LOGIN_PATH.search(path))


def looks_like_login_page(
    status: int,
    url: str,
    *,
    location: str | None = None,
    text: str | None = None,
    login_paths: Collection[str] = (),
) -> bool:
    """True when an answer is the login page rather than what was asked for: a redirect to a
    login URL, or a 2xx that really is a password form (the status alone is not trusted),
    or a 2xx at a login URL after redirects. Works on primitives, so any HTTP client can ask
    (httpx here, Locust's session in the load test)."""
    if 300 <= status < 400:
        return bool(location) and is_login_url(
            urllib.parse.urljoin(url, location or ""), login_paths
        )
    if not 200 <= status < 300:
        return False
    if text is not None and has_login_form(text[:MAX_LOGIN_SCAN], url):
        return True
    return bool(login_paths) and is_login_url(url, login_paths) and text is None


# A login form sits near the top of its page; a huge page is not scanned whole.
MAX_LOGIN_SCAN = 500_000


def exchange_is_login_page(answer: Exchange, login_paths: Collection[str] = ()) -> bool:
    """`looks_like_login_page` for a browser answer: its final response, or redirects that
    ENDED on a login URL. A chain that only passed through one (`/sso?return=/reports`, then
    back to `/reports` with the page) ended on the page: that is no login page."""
    if answer.hops and is_login_url(answer.url, login_paths):
        return True
    return looks_like_login_page(
        answer.status,
        answer.url,
        location=answer.location or None,
        text=answer.text,
        login_paths=login_paths,
    )
