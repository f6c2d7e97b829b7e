"""access: who may see what (docs/access.md). GET only, never a write.

Rules: each identity in `allow` must be allowed (a 2xx that is not the login page) and each in
`deny` must be denied: 401, 403, 404, a redirect to a login page (on the app or an SSO host),
or a 200 that really is the login form (the status alone is not trusted). Tenant probes:
`owner` lists its records, the `ids` found fill `item`, and `other` GETs up to `max` of them;
a 2xx carrying the owner's record (mostly the same JSON, or the same page) is a cross-tenant
read. Findings name identities and path patterns, never a record's content or its ids.

Bounded: one login per identity (`checks.sessions`), one GET per rule and identity, at most
2 + 2 x `max` GETs per probe (the last only to tell whether `other` is still logged in), and
the whole check within `checks.access.timeout`. A probe that cannot prove anything (the
owner's list fails or is empty, or `other` turns out not to be logged in) makes the check
`error`: silence there would be a wrong pass.
"""

from __future__ import annotations

import difflib
import time
import urllib.parse
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx

from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.checks.sessions import (
    IdentityUnavailable,
    Sessions,
    login_failed_finding,
    login_location,
)
from launchgate.config.schema import ANONYMOUS, AccessRule, TenantProbe
from launchgate.http import jsonpath
from launchgate.http.browser import MAX_BODY_BYTES, Browser, Exchange
from launchgate.http.flow import DENIED_STATUSES, excerpt, fill, placeholders
from launchgate.http.login import LoginFailed, exchange_is_login_page, is_login_url
from launchgate.http.transport import describe_http_error, is_refused
from launchgate.report import Finding, Location, Severity, make_finding

# Two pages this alike (visible text) show the same record.
SAME_PAGE_RATIO = 0.9


class _OutOfTime(Exception):
    pass


@dataclass
class _Run:
    ctx: CheckContext
    sessions: Sessions
    client: httpx.Client
    base_url: str
    deadline: float
    findings: list[Finding]
    notes: list[str]
    problems: list[str]
    requests: int = 0
    failed_logins: set[str] = field(default_factory=set)
    # One browser per identity for the whole check: a session cookie the app rotates (and
    # whose old value it then refuses) carries on, as in a browser. A fresh browser per rule
    # sent the stale cookie, was shown the login page, and a `deny` rule passed on it.
    browsers: dict[str, Browser] = field(default_factory=dict)

    def browser(self, name: str, needed_by: str) -> Browser | None:
        """The identity's browser, or None (login failed: a finding; unavailable: a note)."""
        if name in self.browsers:
            return self.browsers[name]
        try:
            session = self.sessions.get(name)
        except IdentityUnavailable as unavailable:
            note = f"{needed_by} skipped for {name}: {unavailable}"
            if note not in self.notes:
                self.notes.append(note)
            return None
        except LoginFailed as failed:
            if failed.refused:
                raise CheckCannotRun(failed.detail) from None
            if name not in self.failed_logins:
                self.failed_logins.add(name)
                self.findings.append(
                    login_failed_finding(
                        "access", failed, needed_by, login_location(self.ctx.config, name)
                    )
                )
            return None
        browser = session.browser(
            self.client, self.base_url, self.sessions.hosts, learn=self.ctx.redactor.add
        )
        self.browsers[name] = browser
        return browser

    def get(self, browser: Browser, path: str) -> Exchange:
        if time.monotonic() > self.deadline:
            raise _OutOfTime
        self.requests += 1
        try:
            return browser.request("GET", path)
        except httpx.HTTPError as exc:
            if is_refused(exc):
                raise CheckCannotRun(describe_http_error(exc)) from None
            raise


class AccessCheck:
    name: ClassVar[str] = "access"

    def run(self, ctx: CheckContext) -> CheckOutcome:
        settings = ctx.config.checks.access
        base_url = ctx.config.url
        if not base_url:
            raise CheckSkipped("no url configured")
        if not settings.rules and not settings.tenants:
            raise CheckSkipped("no access rules or tenant probes configured")
        started = time.monotonic()
        with ctx.http.client(
            follow_redirects=False, timeout_s=min(ctx.http.timeout_s, settings.timeout)
        ) as client:
            run = _Run(
                ctx, Sessions(ctx, client), client, base_url, started + settings.timeout, [], [], []
            )
            try:
                for rule in settings.rules:
                    _check_rule(run, rule)
                for probe in settings.tenants:
                    _probe_tenants(run, probe)
            except _OutOfTime:
                raise CheckCannotRun(
                    f"not finished within checks.access.timeout ({settings.timeout:g} s) "
                    f"after {run.requests} request(s)",
                    findings=tuple(run.findings),
                ) from None
            except httpx.HTTPError as exc:
                raise CheckCannotRun(
                    f"a request failed: {describe_http_error(exc)}", findings=tuple(run.findings)
                ) from None
        for note in run.notes:
            ctx.progress.info(f"  access: {note}")
        if run.problems:
            raise CheckCannotRun("; ".join(run.problems), findings=tuple(run.findings))
        if run.requests == 0 and run.notes and not run.findings:
            raise CheckSkipped("; ".join(run.notes))  # a fork PR: nothing could run
        summary = (
            f"{len(settings.rules)} rule(s), {len(settings.tenants)} tenant probe(s), "
            f"{run.requests} request(s)"
        )
        if run.notes:
            summary += f"; {len(run.notes)} skipped: " + "; ".join(run.notes)
        return CheckOutcome(tuple(run.findings), summary)


def _denied(answer: Exchange, login_paths: Collection[str]) -> bool:
    if answer.status in DENIED_STATUSES or exchange_is_login_page(answer, login_paths):
        return True
    # A redirect to an SSO provider's login, which the gate does not follow.
    return bool(
        answer.not_followed
        and answer.location
        and is_login_url(urllib.parse.urljoin(answer.url, answer.location))
    )


def _allowed(answer: Exchange, login_paths: Collection[str]) -> bool:
    return 200 <= answer.status < 300 and not exchange_is_login_page(answer, login_paths)


def _describe(answer: Exchange, login_paths: Collection[str]) -> str:
    if exchange_is_login_page(answer, login_paths):
        return f"{answer.status}, the login page ({_path(answer.url)})"
    if answer.not_followed:
        return f"{answer.status}, a redirect that was not followed ({answer.not_followed})"
    return f"{answer.status} at {_path(answer.url)}"


def _check_rule(run: _Run, rule: AccessRule) -> None:
    login_paths = run.sessions.login_paths()
    location = _location(run.base_url, rule.path)
    allowed: list[Exchange] = []  # the page as the identities allowed to see it get it
    allow_findings: list[Finding] = []
    for name in rule.allow:
        browser = run.browser(name, f"the access rule for {rule.path}")
        if browser is None:
            continue
        answer = run.get(browser, rule.path)
        if _allowed(answer, login_paths):
            allowed.append(answer)
            continue
        allow_findings.append(
            make_finding(
                "access",
                "allowed-role-denied",
                Severity.BLOCKER,
                f"`{name}` cannot open {rule.path}, which it needs",
                detail=f"GET {rule.path} as {name} answered {_describe(answer, login_paths)}; "
                "allowed means a 2xx that is not the login page.",
                remedy="Staff with this role will be locked out of this page: check the role "
                "and the permission, or the rule if it is out of date.",
                location=location,
                key=f"{rule.path}|{name}",
            )
        )
    for name in rule.deny:
        browser = run.browser(name, f"the access rule for {rule.path}")
        if browser is None:
            continue
        answer = run.get(browser, rule.path)
        what = _describe(answer, login_paths)
        if _denied(answer, login_paths):
            if not _content_with_a_login_box(answer, allowed, login_paths):
                continue
            what = (
                f"{answer.status} at {_path(answer.url)}: the page the allowed "
                "identities see, with a sign-in form on it"
            )
        run.findings.append(
            make_finding(
                "access",
                "denied-role-allowed",
                Severity.BLOCKER,
                f"`{name}` can open {rule.path}, which should be denied to it",
                detail=f"GET {rule.path} as {name} answered {what}; "
                "denied means 401, 403, 404 or the login page.",
                remedy="Check the permission on this route (a decorator, a policy or a "
                "middleware that was left out), then re-run the gate.",
                location=location,
                key=f"{rule.path}|{name}",
            )
        )
    run.findings.extend(allow_findings)


def _content_with_a_login_box(
    answer: Exchange, allowed: list[Exchange], login_paths: Collection[str]
) -> bool:
    """A 2xx that counts as the login page only for the login form on it (no redirect to a
    login URL) but shows what an allowed identity sees: the page itself, with a sign-in box
    in its header for visitors. A login page rendered in place shows the form, not the
    page."""
    if not 200 <= answer.status < 300 or is_login_url(answer.url, login_paths):
        return False
    return any(_same_record(mine, answer) for mine in allowed)


def _probe_tenants(run: _Run, probe: TenantProbe) -> None:
    label = f"the tenant probe {probe.owner} -> {probe.other} on {probe.item}"
    owner = run.browser(probe.owner, label)
    other = run.browser(probe.other, label)
    if owner is None or other is None:
        return
    listing = run.get(owner, probe.list)
    ids = _ids(listing, probe.ids)
    if ids is None:
        cut = (
            f" (the answer was cut at {MAX_BODY_BYTES // 1_000_000} MB: list fewer, e.g. "
            "with a page size in the query)"
            if len(listing.body) >= MAX_BODY_BYTES
            else ""
        )
        run.problems.append(
            f"{label}: {probe.owner}'s list {probe.list} answered "
            f"{listing.status} without JSON ids at `{probe.ids}`{cut}, so "
            "nothing could be probed"
        )
        return
    if not ids:
        run.problems.append(
            f"{label}: {_no_ids(listing, probe.owner, probe.list, probe.ids)}"
            ", so nothing could be probed"
        )
        return
    login_paths = run.sessions.login_paths()
    compared, leaked, logged_out = 0, 0, 0
    unproven: list[str] = []  # answers that are neither the record nor a denial
    for ident in ids[: probe.max]:
        quoted = urllib.parse.quote(str(ident), safe="")
        path = fill(probe.item, {name: quoted for name in placeholders(probe.item)})
        mine = run.get(owner, path)
        if not _allowed(mine, login_paths):
            continue  # the owner cannot read it either: nothing to compare
        compared += 1
        theirs = run.get(other, path)
        if _allowed(theirs, login_paths) and _same_record(mine, theirs):
            leaked += 1
        elif theirs.status == 401 or exchange_is_login_page(theirs, login_paths):
            logged_out += 1
        elif not _denied(theirs, login_paths) and not _allowed(theirs, login_paths):
            unproven.append(str(theirs.status))
    if compared == 0:
        run.problems.append(
            f"{label}: {probe.owner} could not open any of its own records "
            f"at {probe.item}, so nothing could be compared"
        )
        return
    if (
        logged_out
        and not leaked
        and probe.other != ANONYMOUS
        and not _session_live(run, other, probe.list, login_paths)
    ):
        # A 401 or the login page proves a denial only while `other` is logged in: a session
        # the app never honoured (or that ended) is denied everything, which proves nothing.
        run.problems.append(
            f"{label}: {probe.other} is not logged in ({probe.list} answers "
            f"it with a 401 or the login page too), so its {logged_out} "
            "denial(s) prove nothing"
        )
        return
    if unproven and not leaked:
        # A 500 (or a redirect off the app) is no denial (401, 403, 404, the login page):
        # the record may be what crashed the page, and nothing was proved either way.
        run.problems.append(
            f"{label}: {len(unproven)} of {compared} answer(s) to "
            f"{probe.other} were neither a denial nor the record "
            f"({', '.join(sorted(set(unproven)))}), so the probe could not tell"
        )
        return
    if leaked:
        run.findings.append(
            make_finding(
                "access",
                "cross-tenant-read",
                Severity.BLOCKER,
                f"`{probe.other}` can read `{probe.owner}`'s records at {probe.item}",
                detail=f"{leaked} of {compared} record(s) listed by {probe.owner} at {probe.list} "
                f"answered {probe.other} with the same record (changing the id in the URL "
                "is enough). Record contents and ids are not shown.",
                remedy="Scope the lookup to the current user's tenant (e.g. filter the queryset "
                "by organisation before get()), and answer 404 for other tenants' ids.",
                location=_location(run.base_url, probe.item),
                key=f"{probe.owner}|{probe.other}|{probe.item}",
            )
        )


def _session_live(run: _Run, browser: Browser, path: str, login_paths: Collection[str]) -> bool:
    """Whether the identity behind `browser` is still logged in: its own list (a page every
    tenant may open) is neither a 401 nor the login page."""
    answer = run.get(browser, path)
    return answer.status != 401 and not exchange_is_login_page(answer, login_paths)


def _ids(listing: Exchange, path: str) -> list[Any] | None:
    if not 200 <= listing.status < 300:
        return None
    try:
        data = listing.json()
    except ValueError:
        return None
    found = [
        v
        for v in jsonpath.find(data, path)
        if isinstance(v, str | int) and not isinstance(v, bool) and str(v)
    ]
    return list(dict.fromkeys(found))


def _no_ids(listing: Exchange, owner: str, path: str, ids: str) -> str:
    """Why a list gave no ids: it is empty (seed a record), or `ids` matches nothing in it
    (a config mistake: name the keys that are there)."""
    data = listing.json()
    walked = jsonpath.list_before_walk(data, ids)
    if walked is not None and not walked:
        return f"{owner}'s list {path} has no records (seed one for the gate's account)"
    keys = sorted(data)[:8] if isinstance(data, dict) else None
    shape = (
        f"the answer has keys: {', '.join(map(str, keys))}"
        if keys is not None
        else f"the answer is a {'list' if isinstance(data, list) else 'single value'}"
    )
    return f"`ids: {ids}` matched nothing in {owner}'s list {path} ({shape}; check `ids`)"


def _same_record(mine: Exchange, theirs: Exchange) -> bool:
    if mine.body == theirs.body:
        return True
    try:
        a_json, b_json = mine.json(), theirs.json()
    except ValueError:
        pass
    else:
        return _same_json(a_json, b_json)
    a, b = excerpt(mine.text, 2000), excerpt(theirs.text, 2000)
    return bool(a) and difflib.SequenceMatcher(None, a, b).ratio() >= SAME_PAGE_RATIO


def _same_json(mine: Any, theirs: Any) -> bool:
    """The same record, also when a few fields depend on who asks (`can_edit`, `viewer`,
    a timestamp): at least half of the owner's values, and two or more, at the same places.
    Demanding equal JSON let any such field hide a cross-tenant read."""
    if mine == theirs:
        return True
    a, b = _leaves(mine), _leaves(theirs)
    common = len(a & b)
    return common >= 2 and common * 2 >= len(a)


def _leaves(data: Any, limit: int = 5000) -> set[tuple[str, str]]:
    """(dotted path, value) of the scalars in JSON data, at most `limit` of them."""
    out: set[tuple[str, str]] = set()
    stack: list[tuple[str, Any]] = [("", data)]
    while stack and len(out) < limit:
        where, value = stack.pop()
        if isinstance(value, dict):
            stack += [(f"{where}.{k}", v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{where}.{i}", v) for i, v in enumerate(value)]
        else:
            out.add((where, repr(value)))
    return out


def _location(base_url: str, path: str) -> Location:
    url = urllib.parse.urljoin(base_url, path)
    return Location(url=url, host=urllib.parse.urlsplit(url).hostname, path=path)


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url).path or "/"
