"""Sessions for the checks that act as an identity (smoke flows, access, headers): one login
per identity per check, through the one login implementation (`launchgate.http.login`).

Not a check: a shared building block of the checks layer, like `base`. Every session's
secrets (cookie values, tokens, the password sent) are added to the run's Redactor the moment
the login answers, before anything can print them. An identity whose credentials are missing
on purpose (a fork pull request: `Config.unavailable_identities`) is never logged in with empty
credentials: `IdentityUnavailable` says why, and the check skips what needed it.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Collection

import httpx

from launchgate.checks.base import CheckContext
from launchgate.config.schema import ANONYMOUS, Config
from launchgate.http.login import LoginFailed, Session, anonymous_session, log_in
from launchgate.report import Finding, Location, Severity, make_finding


class IdentityUnavailable(Exception):
    """The identity has no credentials in this run (the message says why)."""


class Sessions:
    def __init__(self, ctx: CheckContext, client: httpx.Client) -> None:
        self.ctx = ctx
        self.client = client
        self.hosts = ctx.config.credential_hosts()
        self._sessions: dict[str, Session] = {}
        self._failures: dict[str, LoginFailed] = {}

    def get(self, name: str) -> Session:
        """The identity's session, logging in the first time; raises LoginFailed (the same
        one again on later calls: never a second login attempt) or IdentityUnavailable."""
        if name == ANONYMOUS:
            return anonymous_session()
        if name in self._sessions:
            return self._sessions[name]
        if name in self._failures:
            raise self._failures[name]
        reason = self.ctx.config.unavailable_identities.get(name)
        if reason is not None:
            raise IdentityUnavailable(unavailable_reason(name, reason))
        base_url = self.ctx.config.url
        assert base_url is not None
        self.ctx.progress.update(f"logging in as {name}")
        try:
            session = log_in(
                self.client, base_url, name, self.ctx.config.identities[name], hosts=self.hosts
            )
        except LoginFailed as failed:
            self._failures[name] = failed
            raise
        self.ctx.redactor.add(session.secrets)
        self._sessions[name] = session
        return session

    def forget(self, name: str) -> None:
        """Drop the identity's session (a flow logged it out): the next `get` logs in again."""
        self._sessions.pop(name, None)

    def login_paths(self) -> Collection[str]:
        """The login pages and paths of every identity: a redirect there is a login page."""
        out = []
        for identity in self.ctx.config.identities.values():
            if identity.login is not None:
                out.append(identity.login.page or identity.login.path or "")
        return tuple(p for p in out if p)


def unavailable_reason(name: str, why: str) -> str:
    return (
        f"identity {name} has no credentials in this run ({why}; fork pull requests get "
        "no secrets), so what needs it was skipped"
    )


def login_location(config: Config, name: str) -> Location:
    identity = config.identities.get(name)
    path = identity.login.page or identity.login.path if identity and identity.login else None
    if not path or not config.url:
        return Location()
    url = urllib.parse.urljoin(config.url, path)
    return Location(url=url, host=urllib.parse.urlsplit(url).hostname, path=path)


def login_failed_finding(
    check: str, failed: LoginFailed, needed_by: str, location: Location
) -> Finding:
    """`<check>.login-failed`: the identity, the reason, what needed it; never a password."""
    return make_finding(
        check,
        "login-failed",
        Severity.BLOCKER,
        f"Identity `{failed.identity}` could not log in ({failed.reason})",
        detail=f"{failed.detail}. Needed by {needed_by}.",
        remedy="Check the identity's credentials (the CI secret behind its ${VAR}) and that "
        "the account exists on this deployment (seed data); docs/auth.md shows how to "
        "give the gate a dedicated low-privilege account.",
        location=location,
        key=failed.identity,
    )
