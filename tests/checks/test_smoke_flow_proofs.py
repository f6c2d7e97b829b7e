"""Smoke flows against answers the Django test app does not give (review of issue 11): a session
cookie the app rotates on every answer stays a secret, and JSON nested too deep to read fails
its own flow only. Against the scripted staff app on loopback (tests/support/scriptapp.py)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from launchgate.config import load_config
from launchgate.report import Report, Target
from launchgate.runner import run_gate
from tests.conftest import assert_no_secret
from tests.support.scriptapp import ScriptApp, as_json, env, identities, page, script_app


@pytest.fixture
def app() -> Iterator[ScriptApp]:
    with script_app() as running:
        yield running


def smoke(tmp_path: Path, app: ScriptApp, flows: str) -> Report:
    path = tmp_path / ".launchgate.yml"
    path.write_text(
        f"url: {app.url}\nallow_private_targets: true\n{identities('alice')}"
        f"checks:\n  smoke:\n    flows:\n{flows}"
    )
    return run_gate(load_config(path, env=env()), Target(url=app.url), only=["smoke"])


def test_a_session_cookie_rotated_on_every_answer_is_redacted(
    tmp_path: Path, app: ScriptApp
) -> None:
    """Laravel re-encrypts its session cookie on every answer: the value the login set is not
    the one sent later. A page that echoes the request's cookies into a failed step's excerpt
    must not print the rotated session."""
    app.rotate = True
    app.routes["/echo"] = lambda user: page(200, f"<p>Cookie: {app.seen[-1][2]}</p>")
    report = smoke(
        tmp_path,
        app,
        """      - name: echo
        as: alice
        steps:
          - {path: /home}
          - {path: /echo, expect_text: never shown}
""",
    )
    (finding,) = report.findings
    assert finding.id == "smoke.flow-failed" and "sid=[redacted]" in finding.detail
    text = json.dumps(report.to_json())
    assert len(app.issued) >= 3  # the login's, then one per answer
    for value in app.issued:
        assert_no_secret(text, value)


def test_json_nested_too_deep_fails_its_flow_and_the_others_still_count(
    tmp_path: Path, app: ScriptApp
) -> None:
    deep = ("[" * 200_000 + "]" * 200_000).encode()
    app.routes["/api/deep"] = lambda user: (200, {"Content-Type": "application/json"}, deep)
    report = smoke(
        tmp_path,
        app,
        """      - name: deep
        as: alice
        steps: [{path: /api/deep, capture: {id: "*.id"}}]
      - name: broken
        as: alice
        steps: [{path: /missing}]
""",
    )
    (check,) = [c for c in report.checks if c.name == "smoke"]
    assert check.status.value == "failed", check.summary
    titles = sorted(f.title for f in report.findings)
    assert titles == [
        "Flow `broken` failed at step `step 1`: answered 404, expected a 2xx answer",
        "Flow `deep` failed at step `step 1`: the answer (application/json) is not JSON",
    ]


def test_a_secret_field_written_in_a_json_body_is_redacted(tmp_path: Path, app: ScriptApp) -> None:
    """`json:` bodies get the rule `form:` and `fields:` have: a secret-looking field's value
    is a secret even when written in the file (an echo page reflects it into the excerpt)."""
    literal = "lit-" + secrets.token_hex(12)  # pragma: allowlist secret
    app.routes["/echo-body"] = lambda user: page(200, f"<p>Body: {app.last_body.decode()}</p>")
    report = smoke(
        tmp_path,
        app,
        f"""      - name: keys
        as: alice
        writes: true
        steps:
          - {{method: POST, path: /echo-body, json: {{name: probe, api_key: {literal}}},
             expect_text: never shown}}
""",
    )
    (finding,) = report.findings
    assert "probe" in finding.detail  # the excerpt is there, the key is not
    assert_no_secret(json.dumps(report.to_json()), literal)


def test_a_captured_token_is_a_secret_from_then_on(tmp_path: Path, app: ScriptApp) -> None:
    """A flow that creates an API key captures it; when a later step fails, the list of what
    the flow wrote must not print the key."""
    token = "key-" + secrets.token_hex(16)
    app.routes["/api/keys"] = lambda user: as_json(201, {"id": 7, "token": token})
    report = smoke(
        tmp_path,
        app,
        """      - name: keys
        as: alice
        writes: true
        steps:
          - {method: POST, path: /api/keys, json: {}, expect_status: 201,
             capture: {id: id, token: token}}
          - {path: /missing}
""",
    )
    (finding,) = report.findings
    assert "captured id=7, token=[redacted]" in finding.detail
    assert_no_secret(json.dumps(report.to_json()), token)


def test_flows_of_one_identity_carry_its_rotated_session_and_log_in_again_after_a_logout(
    tmp_path: Path, app: ScriptApp
) -> None:
    """Flows of one identity share one login, but a session cookie the app rotates (and
    whose old value it refuses) must carry on to the next flow, and a flow that logged out
    on purpose must not leave the next one with a dead session."""
    app.rotate = True
    report = smoke(
        tmp_path,
        app,
        """      - name: browse
        as: alice
        steps: [{path: /home, expect_text: Hello alice}]
      - name: browse and log out
        as: alice
        steps:
          - {path: /home, expect_text: Hello alice}
          - {path: /logout, logout: true}
          - {path: /home, expect_denied: true}
      - name: browse again
        as: alice
        steps: [{path: /home, expect_text: Hello alice}]
""",
    )
    assert report.findings == (), [f.title for f in report.findings]
    logins = [p for m, p, _ in app.seen if m == "POST" and p == "/login"]
    assert len(logins) == 2  # once, and once again after the logout
