"""The access check against Django's real auth views on loopback: allow/deny rules (a
redirect to the login page and a 200 login form both count as denied), the cross-tenant probe
with a planted leak, bounded requests, failed logins and probes that cannot prove anything."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from launchgate.config import load_config
from launchgate.report import Report, Target
from launchgate.runner import run_gate
from tests.conftest import assert_no_secret
from tests.support.authapps import ALICE_PASSWORD, BOB_PASSWORD, DjangoApp, django_app

IDENTITIES = """identities:
  alice:
    login: {page: /accounts/login/, fields: {username: alice, password: "${ALICE_PASSWORD}"}}
  bob:
    login: {page: /accounts/login/, fields: {username: bob, password: "${BOB_PASSWORD}"}}
"""
TENANTS = """checks:
  access:
    tenants:
      - {owner: alice, other: bob, list: /api/clients, ids: results.*.id,
         item: "/api/clients/{{id}}", max: 2}
"""


@pytest.fixture
def django() -> Iterator[DjangoApp]:
    with django_app() as app:
        yield app


def access(tmp_path: Path, app: DjangoApp, body: str, **env: str) -> Report:
    path = tmp_path / ".launchgate.yml"
    path.write_text(f"url: {app.url}\nallow_private_targets: true\n{IDENTITIES}{body}")
    config = load_config(
        path, env={"ALICE_PASSWORD": ALICE_PASSWORD, "BOB_PASSWORD": BOB_PASSWORD, **env}
    )
    return run_gate(config, Target(url=app.url), only=["access"])


def status(report: Report) -> str:
    (check,) = [c for c in report.checks if c.name == "access"]
    return f"{check.status.value}: {check.summary}"


def test_rules_allow_and_deny(tmp_path: Path, django: DjangoApp) -> None:
    report = access(
        tmp_path,
        django,
        """checks:
  access:
    rules:
      - {path: /clients/, allow: [alice, bob], deny: [anonymous]}
      - {path: /accounts/login/, deny: [anonymous]}
      - {path: /plain/, deny: [alice]}
      - {path: /api/clients, allow: [anonymous]}
""",
    )
    found = sorted((f.id, f.title) for f in report.findings)
    assert found == [
        ("access.allowed-role-denied", "`anonymous` cannot open /api/clients, which it needs"),
        ("access.denied-role-allowed", "`alice` can open /plain/, which should be denied to it"),
    ]
    denied = next(f for f in report.findings if f.id == "access.allowed-role-denied")
    assert "answered 401" in denied.detail
    assert status(report).startswith("failed: 4 rule(s), 0 tenant probe(s), 6 request(s)")


def test_a_planted_cross_tenant_read_is_a_blocker(tmp_path: Path, django: DjangoApp) -> None:
    django.clients.update(
        {
            1: ("alice", "Acme secret plan"),
            2: ("alice", "Acme payroll"),
            3: ("alice", "Acme third"),
            4: ("bob", "Beta one"),
        }
    )
    assert access(tmp_path, django, TENANTS).findings == ()  # scoped: bob gets 404
    django.leak = True
    django.requests.clear()
    report = access(tmp_path, django, TENANTS)
    (finding,) = report.findings
    assert finding.id == "access.cross-tenant-read" and finding.severity.value == "blocker"
    assert finding.title == "`bob` can read `alice`'s records at /api/clients/{{id}}"
    assert "2 of 2 record(s)" in finding.detail
    text = json.dumps(report.to_json())
    assert "Acme" not in text and "/api/clients/1" not in text  # no content, no ids
    items = [r for r in django.requests if r.path.startswith("/api/clients/")]
    assert len(items) == 4  # max: 2 -> two ids, each read by the owner and the other


def test_a_probe_that_cannot_prove_anything_is_an_error(tmp_path: Path, django: DjangoApp) -> None:
    django.clients.clear()
    report = access(tmp_path, django, TENANTS)
    assert report.verdict.value == "error"
    assert "has no records (seed one for the gate's account), so nothing could be probed" in status(
        report
    )


@pytest.mark.parametrize("ids", ["data.*.id", "results.id"])
def test_an_ids_path_that_matches_nothing_is_named_not_called_empty(
    tmp_path: Path, django: DjangoApp, ids: str
) -> None:
    report = access(tmp_path, django, TENANTS.replace("ids: results.*.id", f"ids: {ids}"))
    assert report.verdict.value == "error"
    assert f"`ids: {ids}` matched nothing in alice's list /api/clients" in status(report)
    assert "has no records" not in status(report) and "results" in status(report)


def test_a_failed_login_is_access_login_failed(tmp_path: Path, django: DjangoApp) -> None:
    report = access(
        tmp_path,
        django,
        """checks:
  access:
    rules: [{path: /clients/, allow: [alice]}, {path: /plain/, allow: [alice]}]
""",
        ALICE_PASSWORD="nope-" + ALICE_PASSWORD,  # pragma: allowlist secret
    )
    (finding,) = report.findings
    assert finding.id == "access.login-failed"
    assert "wrong credentials" in finding.title
    assert_no_secret(json.dumps(report.to_json()), "nope-" + ALICE_PASSWORD)


def test_access_is_skipped_without_rules(tmp_path: Path, django: DjangoApp) -> None:
    assert (
        status(access(tmp_path, django, ""))
        == "skipped: no access rules or tenant probes configured"
    )


def test_the_headers_check_judges_the_session_cookie_the_login_sets(
    tmp_path: Path, django: DjangoApp
) -> None:
    """Django sets `sessionid` only when logging in: the page fetch alone never sees it."""
    from django.test.utils import override_settings

    path = tmp_path / ".launchgate.yml"
    path.write_text(f"url: {django.url}\nallow_private_targets: true\n{IDENTITIES}")
    config = load_config(path, env={"ALICE_PASSWORD": ALICE_PASSWORD, "BOB_PASSWORD": BOB_PASSWORD})
    with override_settings(SESSION_COOKIE_HTTPONLY=False):
        report = run_gate(config, Target(url=django.url), only=["headers"])
    (finding,) = [f for f in report.findings if "sessionid" in f.title]
    assert finding.id == "headers.session-cookie-script-readable"
    assert finding.location.path == "/accounts/login/"
    report = run_gate(config, Target(url=django.url), only=["headers"])
    assert not [f for f in report.findings if "sessionid" in f.title]


def test_access_on_a_fork_without_secrets_is_skipped_with_the_reason(
    tmp_path: Path, django: DjangoApp
) -> None:
    path = tmp_path / ".launchgate.yml"
    path.write_text(f"url: {django.url}\nallow_private_targets: true\n{IDENTITIES}{TENANTS}")
    config = load_config(
        path, env={"ALICE_PASSWORD": "", "BOB_PASSWORD": ""}, missing_credentials="skip"
    )
    report = run_gate(config, Target(url=django.url), only=["access"])
    assert status(report).startswith(
        "skipped: the tenant probe alice -> bob on "
        "/api/clients/{{id}} skipped for alice: identity alice "
        "has no credentials in this run"
    )
    assert not [r for r in django.requests if r.method == "POST"]
