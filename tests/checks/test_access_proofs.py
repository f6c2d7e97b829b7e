"""The access check never passes on what it did not prove (review of issue 11): redirects that
only pass through a login-like path, records with fields that depend on who asks, an `other`
identity the app never really logged in, JSON nested too deep to read. Against a scripted
staff app on loopback (tests/support/scriptapp.py) with a real form login."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from launchgate.config import load_config
from launchgate.report import Report, Target
from launchgate.runner import run_gate
from tests.support.scriptapp import (
    ScriptApp,
    as_json,
    env,
    identities,
    page,
    redirect,
    script_app,
)

TENANTS = """checks:
  access:
    tenants:
      - {owner: alice, other: bob, list: /api/clients, ids: "*.id", item: "/api/clients/{{id}}",
         max: 3}
"""
RECORDS = {1: "Acme plan", 2: "Acme payroll"}


@pytest.fixture
def app() -> Iterator[ScriptApp]:
    with script_app() as running:
        yield running


def access(tmp_path: Path, app: ScriptApp, body: str) -> Report:
    path = tmp_path / ".launchgate.yml"
    path.write_text(
        f"url: {app.url}\nallow_private_targets: true\n{identities('alice', 'bob')}{body}"
    )
    return run_gate(load_config(path, env=env()), Target(url=app.url), only=["access"])


def status(report: Report) -> str:
    (check,) = [c for c in report.checks if c.name == "access"]
    return f"{check.status.value}: {check.summary}"


def listing(user: str | None) -> tuple[int, dict[str, str], bytes]:
    if user is None:
        return redirect("/login?next=/api/clients")
    return as_json(200, [{"id": i} for i in RECORDS] if user == "alice" else [])


def test_a_trailing_slash_redirect_under_auth_is_not_the_login_page(
    tmp_path: Path, app: ScriptApp
) -> None:
    """djoser serves users at /auth/users/; Django's APPEND_SLASH redirects /auth/users there.
    The leaked list must not pass as 'a redirect to a login page'."""
    app.routes["/auth/users"] = lambda user: redirect("/auth/users/", 301)
    app.routes["/auth/users/"] = lambda user: as_json(200, [{"id": 1, "email": "a@x.test"}])
    report = access(
        tmp_path,
        app,
        "checks:\n  access:\n    rules:\n      - {path: /auth/users, deny: [anonymous]}\n",
    )
    (finding,) = report.findings
    assert finding.id == "access.denied-role-allowed"
    assert "200 at /auth/users/" in finding.detail


def test_a_redirect_that_only_passes_through_a_login_path_is_not_a_denial(
    tmp_path: Path, app: ScriptApp
) -> None:
    """/reports -> /sso?return=... -> /reports/ with the data: it ended on the page."""
    app.routes["/reports"] = lambda user: redirect("/sso?return=/reports/")
    app.routes["/sso"] = lambda user: redirect("/reports/")
    app.routes["/reports/"] = lambda user: page(200, "<h1>Monthly report</h1><p>4 clients</p>")
    report = access(
        tmp_path,
        app,
        "checks:\n  access:\n    rules:\n      - {path: /reports, deny: [anonymous]}\n",
    )
    assert [f.id for f in report.findings] == ["access.denied-role-allowed"]


REPORT = (
    "<h1>Monthly report</h1><table>"
    + "".join(f"<tr><td>Client {i}</td><td>{i * 137} EUR</td></tr>" for i in range(40))
    + "</table>"
)
LOGIN_BOX = (
    '<nav><form method="post" action="/login"><input name="username">'
    '<input type="password" name="password"><button>Sign in</button></form></nav>'
)


def test_a_page_with_a_sign_in_box_for_visitors_is_not_the_login_page(
    tmp_path: Path, app: ScriptApp
) -> None:
    """The report leaks to visitors, whose header shows a sign-in box: a password form on
    the page does not make it the login page when it is the page alice sees."""
    app.routes["/reports"] = lambda user: page(
        200, (LOGIN_BOX if user is None else "<nav>Log out</nav>") + REPORT
    )
    report = access(
        tmp_path,
        app,
        "checks:\n  access:\n    rules:\n"
        "      - {path: /reports, allow: [alice], deny: [anonymous]}\n",
    )
    (finding,) = report.findings
    assert finding.id == "access.denied-role-allowed"
    assert "with a sign-in form on it" in finding.detail


def test_a_login_form_rendered_in_place_is_still_a_denial(tmp_path: Path, app: ScriptApp) -> None:
    app.routes["/reports"] = lambda user: page(
        200, "<h1>Please sign in</h1>" + LOGIN_BOX if user is None else REPORT
    )
    report = access(
        tmp_path,
        app,
        "checks:\n  access:\n    rules:\n"
        "      - {path: /reports, allow: [alice], deny: [anonymous]}\n",
    )
    assert report.findings == () and status(report).startswith("passed"), status(report)


def test_a_session_cookie_rotated_by_the_app_carries_on_from_rule_to_rule(
    tmp_path: Path, app: ScriptApp
) -> None:
    """The app sets a new session cookie on every answer and refuses the old one. Each rule
    must use the newest: the stale one gets the login page, and a deny rule passed on it."""
    app.rotate = True
    app.routes["/secret"] = lambda user: (
        page(200, "<h1>Payroll</h1>") if user else redirect("/login?next=/secret")
    )
    report = access(
        tmp_path,
        app,
        "checks:\n  access:\n    rules:\n"
        "      - {path: /home, allow: [alice]}\n"
        "      - {path: /secret, deny: [alice]}\n",
    )
    assert [f.id for f in report.findings] == ["access.denied-role-allowed"], status(report)


def test_a_record_with_fields_that_depend_on_the_viewer_is_still_a_cross_tenant_read(
    tmp_path: Path, app: ScriptApp
) -> None:
    app.routes["/api/clients"] = listing
    for ident, name in RECORDS.items():
        app.routes[f"/api/clients/{ident}"] = lambda user, ident=ident, name=name: (
            as_json(
                200,
                {
                    "id": ident,
                    "name": name,
                    "owner": "alice",
                    "can_edit": user == "alice",
                    "viewer": user,
                },
            )
            if user
            else redirect("/login")
        )
    report = access(tmp_path, app, TENANTS)
    (finding,) = report.findings
    assert finding.id == "access.cross-tenant-read"
    assert "2 of 2 record(s)" in finding.detail
    assert "Acme" not in json.dumps(report.to_json())


def test_a_scoped_api_with_an_error_body_is_no_leak(tmp_path: Path, app: ScriptApp) -> None:
    """A 200 that carries an error, not the record (some APIs never use 4xx)."""
    app.routes["/api/clients"] = listing
    for ident, name in RECORDS.items():
        app.routes[f"/api/clients/{ident}"] = lambda user, ident=ident, name=name: (
            as_json(200, {"id": ident, "name": name, "owner": "alice"})
            if user == "alice"
            else as_json(200, {"id": ident, "error": "not yours"})
        )
    report = access(tmp_path, app, TENANTS)
    assert report.findings == () and status(report).startswith("passed")


def test_a_probe_whose_other_identity_is_not_really_logged_in_is_an_error(
    tmp_path: Path, app: ScriptApp
) -> None:
    """bob's login 'works' (a session cookie, a redirect home) but the app never honours it:
    every item answers bob with the login page. That proves nothing: never a pass."""
    app.forgetful.add("bob")
    app.routes["/home"] = lambda user: page(200, "<h1>Welcome</h1>")  # a public landing page
    app.routes["/api/clients"] = listing
    for ident, name in RECORDS.items():  # leaks to any logged-in user
        app.routes[f"/api/clients/{ident}"] = lambda user, ident=ident, name=name: (
            as_json(200, {"id": ident, "name": name})
            if user
            else redirect(f"/login?next=/api/clients/{ident}")
        )
    report = access(tmp_path, app, TENANTS)
    assert report.verdict.value == "error"
    assert "bob is not logged in" in status(report)
    assert "its 2 denial(s) prove nothing" in status(report)


def test_a_login_redirect_for_a_live_other_identity_is_a_denial(
    tmp_path: Path, app: ScriptApp
) -> None:
    """Object permissions that redirect to the login page (django-guardian's default) deny
    bob while bob is logged in: his own list still opens, so the probe passes."""
    app.routes["/api/clients"] = listing
    for ident, name in RECORDS.items():
        app.routes[f"/api/clients/{ident}"] = lambda user, ident=ident, name=name: (
            as_json(200, {"id": ident, "name": name})
            if user == "alice"
            else redirect(f"/login?next=/api/clients/{ident}")
        )
    report = access(tmp_path, app, TENANTS)
    assert report.findings == () and status(report).startswith("passed"), status(report)


def test_a_server_error_for_the_other_identity_proves_nothing(
    tmp_path: Path, app: ScriptApp
) -> None:
    """Denied means 401, 403, 404 or the login page: a 500 is no denial, never a pass."""
    app.routes["/api/clients"] = listing
    for ident, name in RECORDS.items():
        app.routes[f"/api/clients/{ident}"] = lambda user, ident=ident, name=name: (
            as_json(200, {"id": ident, "name": name})
            if user == "alice"
            else page(500, "<h1>Server Error (500)</h1>")
        )
    report = access(tmp_path, app, TENANTS)
    assert report.verdict.value == "error"
    assert "2 of 2 answer(s) to bob were neither a denial nor the record (500)" in status(report)


def test_anonymous_as_other_is_denied_by_the_login_page(tmp_path: Path, app: ScriptApp) -> None:
    """For `other: anonymous`, the login page IS the proof: no liveness question."""
    app.routes["/api/clients"] = listing
    for ident, name in RECORDS.items():
        app.routes[f"/api/clients/{ident}"] = lambda user, ident=ident, name=name: (
            as_json(200, {"id": ident, "name": name})
            if user == "alice"
            else redirect(f"/login?next=/api/clients/{ident}")
        )
    report = access(tmp_path, app, TENANTS.replace("other: bob", "other: anonymous"))
    assert report.findings == () and status(report).startswith("passed"), status(report)


def test_a_list_nested_too_deep_is_a_clear_error_not_a_crash(
    tmp_path: Path, app: ScriptApp
) -> None:
    deep = ("[" * 200_000 + "]" * 200_000).encode()
    app.routes["/api/clients"] = lambda user: (200, {"Content-Type": "application/json"}, deep)
    report = access(tmp_path, app, TENANTS)
    assert report.verdict.value == "error"
    assert "without JSON ids at `*.id`" in status(report), status(report)


def test_a_huge_list_is_probed_up_to_max_or_said_to_be_cut(tmp_path: Path, app: ScriptApp) -> None:
    """100,000 ids: at most `max` are probed. A list beyond the body limit is cut, and the
    error says so rather than 'no ids'."""
    many = [{"id": i} for i in range(100_000)]
    app.routes["/api/clients"] = lambda user: as_json(200, many if user == "alice" else [])
    app.routes["/api/clients/1"] = app.routes["/api/clients/0"] = app.routes["/api/clients/2"] = (
        lambda user: (
            as_json(200, {"id": 0, "name": "mine"}) if user == "alice" else as_json(404, {})
        )
    )
    report = access(tmp_path, app, TENANTS)
    assert status(report).startswith("passed"), status(report)
    items = [p for _, p, _ in app.seen if p.startswith("/api/clients/")]
    assert len(items) == 6  # max: 3, each read by the owner and the other
    huge = [{"id": i, "pad": "x" * 40} for i in range(60_000)]  # about 3 MB
    app.routes["/api/clients"] = lambda user: as_json(200, huge)
    report = access(tmp_path, app, TENANTS)
    assert "(the answer was cut at 2 MB" in status(report), status(report)
