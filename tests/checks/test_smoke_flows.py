"""Smoke flows as a logged-in identity, against Django's real auth views and a FastAPI OAuth2
token API on loopback: sessions shared by the steps, CSRF kept, captures, writes reported
when a flow fails half-way, sessions that end, failed logins, skipped identities, and no
credential, cookie or token in any output."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from launchgate.config import load_config
from launchgate.report import Report, Target
from launchgate.runner import run_gate
from tests.conftest import assert_no_secret
from tests.support.authapps import (
    ALICE_PASSWORD,
    ANN_PASSWORD,
    DjangoApp,
    TokenApp,
    django_app,
    token_app,
)

ALICE = """identities:
  alice:
    login: {page: /accounts/login/, fields: {username: alice, password: "${ALICE_PASSWORD}"}}
"""


@pytest.fixture(scope="module")
def django() -> Iterator[DjangoApp]:
    with django_app() as app:
        yield app


@pytest.fixture(scope="module")
def tokens() -> Iterator[TokenApp]:
    with token_app() as app:
        yield app


def smoke(
    tmp_path: Path, url: str, body: str, env: dict[str, str] | None = None, **kwargs: object
) -> Report:
    path = tmp_path / ".launchgate.yml"
    path.write_text(f"url: {url}\nallow_private_targets: true\n{body}")
    config = load_config(
        path,
        env={"ALICE_PASSWORD": ALICE_PASSWORD, "ANN_PASSWORD": ANN_PASSWORD, **(env or {})},
        **kwargs,
    )  # type: ignore[arg-type]
    return run_gate(config, Target(url=url), only=["smoke"])


def smoke_result(report: Report) -> str:
    (check,) = [c for c in report.checks if c.name == "smoke"]
    return f"{check.status.value}: {check.summary}"


def test_a_full_flow_logs_in_lists_creates_edits_deletes_and_logs_out(
    tmp_path: Path, django: DjangoApp
) -> None:
    django.clients.clear()
    report = smoke(
        tmp_path,
        django.url,
        ALICE
        + """checks:
  smoke:
    flows:
      - name: alice manages clients
        as: alice
        writes: true
        steps:
          - {path: /clients/, expect_text: Clients of alice}
          - {method: POST, path: /api/clients, json: {name: probe}, expect_status: 201,
             capture: {id: id}}
          - {method: PATCH, path: "/api/clients/{{id}}", json: {name: renamed},
             expect_json: {name: renamed}}
          - {path: /api/clients, expect_json: {results.*.id: "{{id}}"}}
          - name: add by form
            submit: {page: /clients/, action: /clients/new/, fields: {name: via form}}
            expect_text: via form
          - {method: DELETE, path: "/api/clients/{{id}}", expect_status: 204}
          - {name: log out, logout: true, submit: {page: /clients/, action: /accounts/logout/}}
          - {name: denied after logout, path: /clients/, expect_denied: true}
""",
    )
    assert report.findings == (), [f.title for f in report.findings]
    assert smoke_result(report) == "passed: 1/1 flow(s) passed"
    assert [n for _, n in django.clients.values()] == ["via form"]  # the API one was deleted


def test_an_expect_json_mismatch_names_the_path(tmp_path: Path, django: DjangoApp) -> None:
    report = smoke(
        tmp_path,
        django.url,
        ALICE
        + """checks:
  smoke:
    flows:
      - name: wrong name
        as: alice
        steps: [{path: /api/clients, expect_json: {results.0.name: nobody}}]
""",
    )
    (finding,) = report.findings
    assert finding.id == "smoke.flow-failed"
    assert "expect_json: `results.0.name`" in finding.title


def test_a_flow_that_fails_half_way_says_what_it_wrote(tmp_path: Path, django: DjangoApp) -> None:
    django.clients.clear()
    report = smoke(
        tmp_path,
        django.url,
        ALICE
        + """checks:
  smoke:
    flows:
      - name: two creates
        as: alice
        writes: true
        steps:
          - {name: create, method: POST, path: /api/clients, json: {name: first}, capture: {id: id}}
          - {name: explode, method: POST, path: /api/clients, json: {name: boom},
             expect_status: 201}
          - {method: DELETE, path: "/api/clients/{{id}}", expect_status: 204}
""",
    )
    (finding,) = report.findings
    (created,) = django.clients
    assert finding.id == "smoke.flow-failed" and finding.severity.value == "blocker"
    assert finding.title == (
        "Flow `two creates` failed at step `explode`: answered 500, expected 201"
    )
    assert "Sent POST /api/clients." in finding.detail
    assert f"POST /api/clients -> 201 (captured id={created})" in finding.detail
    assert "Remove what it created" in finding.detail
    assert "Server Error (500)" in finding.detail  # the excerpt, tags stripped
    assert "boom" not in finding.detail  # what was sent is never echoed


def test_a_session_that_ends_is_named_as_such(tmp_path: Path, django: DjangoApp) -> None:
    report = smoke(
        tmp_path,
        django.url,
        ALICE
        + """checks:
  smoke:
    flows:
      - name: dropped
        as: alice
        steps:
          - {path: /clients/, expect_text: Clients of alice}
          - {path: /clients/expire/}
          - {name: list again, path: /clients/, expect_text: Clients of alice}
""",
    )
    (finding,) = report.findings
    assert finding.title == (
        "Flow `dropped`: the session of identity alice ended at step `list again`"
    )
    assert "led to the login page" in finding.detail


def test_a_failed_login_is_one_finding_and_its_flows_do_not_run(
    tmp_path: Path, django: DjangoApp
) -> None:
    django.requests.clear()
    report = smoke(
        tmp_path,
        django.url,
        ALICE
        + """checks:
  smoke:
    flows:
      - {name: one, as: alice, steps: [{path: /clients/}]}
      - {name: two, as: alice, steps: [{path: /clients/}]}
""",
        env={"ALICE_PASSWORD": "wrong-" + ALICE_PASSWORD},  # pragma: allowlist secret
    )
    (finding,) = report.findings
    assert finding.id == "smoke.login-failed"
    assert finding.title == "Identity `alice` could not log in (wrong credentials)"
    assert "flow(s) 'one', 'two'" in finding.detail
    assert finding.location.path == "/accounts/login/"
    assert_no_secret(json.dumps(report.to_json()), "wrong-" + ALICE_PASSWORD)
    logins = [r for r in django.requests if r.method == "POST"]
    assert len(logins) == 1  # one login attempt per identity per check, not per flow


def test_an_identity_without_credentials_on_a_fork_is_skipped_with_the_reason(
    tmp_path: Path, django: DjangoApp
) -> None:
    django.requests.clear()
    body = (
        ALICE.replace("${ALICE_PASSWORD}", "${FORK_EMPTY}")
        + """checks:
  smoke:
    flows: [{name: one, as: alice, steps: [{path: /clients/}]}]
"""
    )
    report = smoke(tmp_path, django.url, body, env={"FORK_EMPTY": ""}, missing_credentials="skip")
    assert report.findings == ()
    assert smoke_result(report).startswith(
        "skipped: flow 'one' skipped: identity alice has no credentials in this run "
        "(${FORK_EMPTY} is empty; fork pull requests get no secrets)"
    )
    report = smoke(
        tmp_path,
        django.url,
        body + "    steps: [{name: home, path: /plain/}]\n",
        env={"FORK_EMPTY": ""},
        missing_credentials="skip",
    )
    assert "1/1 step(s) passed; 0/1 flow(s) passed (1 skipped: flow 'one' skipped" in smoke_result(
        report
    )
    assert not [r for r in django.requests if r.method == "POST"]  # never empty credentials


def test_a_token_identity_flow(tmp_path: Path, tokens: TokenApp) -> None:
    report = smoke(
        tmp_path,
        tokens.url,
        """identities:
  ann:
    login: {path: /token, form: {username: ann, password: "${ANN_PASSWORD}"}, token: access_token}
checks:
  smoke:
    flows:
      - {name: me, as: ann, steps: [{path: /users/me, expect_json: {username: ann}}]}
      - {name: anonymous is refused, steps: [{path: /users/me, expect_status: 401}]}
""",
    )
    assert report.findings == () and smoke_result(report) == "passed: 2/2 flow(s) passed"


def test_no_password_cookie_or_token_in_any_output(
    cli, tmp_path: Path, django: DjangoApp, tokens: TokenApp
) -> None:
    """Pages that echo the session cookie, the posted password and the bearer token: the
    failing flows quote them, and every output (terminal, JSON, markdown, SARIF) redacts."""
    config = tmp_path / ".launchgate.yml"
    config.write_text(
        f"url: {django.url}\nallow_private_targets: true\n"
        + ALICE
        + """
checks:
  smoke:
    flows:
      - name: echo
        as: alice
        writes: true
        steps:
          - {method: POST, path: /debug/, form: {password: "${ALICE_PASSWORD}"},
             expect_text: never shown}
"""
    )
    texts = _failing_smoke_outputs(cli, config, tmp_path, {"ALICE_PASSWORD": ALICE_PASSWORD})
    report = json.loads(texts["json"])
    (finding,) = report["findings"]
    assert "Cookie: csrftoken=[redacted]; sessionid=[redacted]" in finding["detail"]
    assert "password=[redacted]" in finding["detail"]
    for where, text in texts.items():
        assert_no_secret(text, ALICE_PASSWORD, where=where)
    sessions = [r for r in django.requests if r.path == "/debug/"]
    assert sessions and all(r.cookie for r in sessions)

    token_config = tmp_path / "token.yml"
    token_config.write_text(
        f"url: {tokens.url}\nallow_private_targets: true\n"
        + """
identities:
  ann:
    login: {path: /token, form: {username: ann, password: "${ANN_PASSWORD}"}, token: access_token}
checks:
  smoke:
    flows: [{name: echo, as: ann, steps: [{path: /echo, expect_json: {authorization: nope}}]}]
"""
    )
    texts = _failing_smoke_outputs(cli, token_config, tmp_path, {"ANN_PASSWORD": ANN_PASSWORD})
    (finding,) = json.loads(texts["json"])["findings"]
    assert '{"authorization":"[redacted]"}' in finding["detail"]
    for where, text in texts.items():
        assert_no_secret(text, tokens.token, where=where)
        assert_no_secret(text, ANN_PASSWORD, where=where)


def test_a_redirect_to_another_host_mid_flow_ends_the_step_and_sends_nothing_there(
    tmp_path: Path, django: DjangoApp
) -> None:
    """`localhost` is the same server under another name: the session cookie never goes."""
    django.requests.clear()
    report = smoke(
        tmp_path,
        django.url,
        ALICE
        + """checks:
  smoke:
    flows:
      - name: wanders off
        as: alice
        steps: [{path: /clients/}, {name: away, path: /go-elsewhere/}]
""",
    )
    (finding,) = report.findings
    # It leads to the login page of another host (like an SSO provider): the session ended.
    assert finding.title == (
        "Flow `wanders off`: the session of identity alice ended at step `away`"
    )
    assert (
        "led to the login page (not followed: it leads to another host "
        "(http://localhost:" in finding.detail
    )
    assert django.other_host_requests() == []
    assert any(r.path == "/go-elsewhere/" and r.cookie for r in django.requests)


def _failing_smoke_outputs(
    cli, config: Path, tmp_path: Path, env: dict[str, str]
) -> dict[str, str]:
    """Run a smoke-only gate that must fail, with every report file; each output's text."""
    outputs = {name: tmp_path / f"report.{name}" for name in ("json", "md", "sarif")}
    result = cli(
        "check",
        "--config",
        str(config),
        "--only",
        "smoke",
        "--json",
        str(outputs["json"]),
        "--markdown",
        str(outputs["md"]),
        "--sarif",
        str(outputs["sarif"]),
        env=env,
    )
    assert result.code == 1, result.output
    return {"terminal": result.output, **{n: p.read_text() for n, p in outputs.items()}}
