"""`identities`, smoke `flows`, `access` and `load.as` in `.launchgate.yml` (docs/auth.md):
errors name the file, line and key, and every credential ends up in `secret_values`."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchgate.config import load_config
from launchgate.errors import ConfigError

BASE = """url: http://127.0.0.1:8000
identities:
  alice:
    login: {page: /login, fields: {email: alice@acme.test, password: "${ALICE_PASSWORD}"}}
  ann:
    login: {path: /api/token, form: {username: ann, password: literal-pass-42}, token: access_token}
  bot:
    headers: {authorization: "Bearer ${BOT_TOKEN}"}
"""
ENV = {"ALICE_PASSWORD": "alice-pw-123", "BOT_TOKEN": "bot-token-456"}  # pragma: allowlist secret


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None, **kwargs: object):
    path = tmp_path / ".launchgate.yml"
    path.write_text(text)
    return load_config(path, env=ENV if env is None else env, **kwargs)  # type: ignore[arg-type]


def error(tmp_path: Path, text: str, env: dict[str, str] | None = None, **kwargs: object) -> str:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, text, env, **kwargs)
    return str(caught.value)


def test_identities_flows_access_and_load_as(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        BASE
        + """checks:
  smoke:
    flows:
      - name: alice edits
        as: alice
        writes: true
        steps:
          - {path: /clients, expect_text: Clients}
          - {method: POST, path: /api/clients, json: {name: x}, capture: {id: id}}
          - {method: DELETE, path: "/api/clients/{{id}}", expect_status: 204}
          - {logout: true, submit: {page: /clients, action: /logout}}
          - {path: /clients, expect_denied: true}
  access:
    rules: [{path: /api/admin/users, allow: [bot], deny: [anonymous, alice]}]
    tenants: [{owner: alice, other: ann, list: /api/clients, item: "/api/clients/{{id}}"}]
  load: {as: [alice, ann]}
""",
    )
    assert config.checks.load.as_ == ("alice", "ann")
    flow = config.checks.smoke.flows[0]
    assert flow.as_ == "alice" and flow.writes and len(flow.steps) == 5
    assert flow.steps[3].logout and not flow.steps[3].writes
    assert config.checks.access.tenants[0].ids == "*.id"
    assert config.identities["ann"].login.token == "access_token"  # type: ignore[union-attr]
    # ${VAR} values, secret-looking literal fields and identity headers are all secrets;
    # a user name is not (it would blank out every path that contains it).
    assert {"alice-pw-123", "literal-pass-42", "Bearer bot-token-456"} <= config.secret_values
    assert "ann" not in config.secret_values and "alice@acme.test" not in config.secret_values
    for secret in ("alice-pw-123", "literal-pass-42", "bot-token-456"):
        assert secret not in repr(config)


def test_load_as_one_name(tmp_path: Path) -> None:
    assert load(tmp_path, BASE + "checks: {load: {as: bot}}\n").checks.load.as_ == ("bot",)


@pytest.mark.parametrize(
    ("snippet", "key", "message"),
    [
        ("checks: {load: {as: alcie}}", "checks.load.as[0]", "did you mean `alice`"),
        (
            "checks: {access: {rules: [{path: /x, deny: [mallory]}]}}",
            "checks.access.rules[0].deny",
            "unknown identity `mallory`",
        ),
        (
            "checks: {access: {tenants: [{owner: alice, other: alice, list: /l, "
            "item: '/l/{{id}}'}]}}",
            "checks.access.tenants[0].other",
            "different",
        ),
        (
            "checks: {access: {tenants: [{owner: alice, other: ann, list: /l, item: /l/1}]}}",
            "checks.access.tenants[0].item",
            "{{id}}",
        ),
        (
            "checks: {access: {rules: [{path: /x, allow: [ann], deny: [ann]}]}}",
            "checks.access.rules[0].deny",
            "both allowed and denied",
        ),
    ],
)
def test_identity_references_are_checked(
    tmp_path: Path, snippet: str, key: str, message: str
) -> None:
    text = error(tmp_path, BASE + snippet + "\n")
    assert key in text and message in text


def test_writes_are_refused_without_writes_true(tmp_path: Path) -> None:
    text = error(
        tmp_path,
        BASE
        + """checks:
  smoke:
    flows:
      - name: careless
        as: alice
        steps:
          - {path: /clients}
          - {name: add one, method: POST, path: /api/clients, json: {name: x}}
""",
    )
    assert "checks.smoke.flows[0].steps[1]" in text and "'add one'" in text
    assert "writes: true" in text and ":16:" in text
    text = error(
        tmp_path,
        BASE
        + """checks:
  smoke:
    flows: [{name: f, as: alice, steps: [{submit: {page: /clients/new, fields: {name: x}}}]}]
""",
    )
    assert "submits a form" in text


def test_uncaptured_placeholder_is_an_error(tmp_path: Path) -> None:
    text = error(
        tmp_path,
        BASE
        + """checks:
  smoke:
    flows: [{name: f, as: alice, steps: [{path: "/api/clients/{{id}}"}]}]
""",
    )
    assert "{{id}}" in text and "capture" in text


@pytest.mark.parametrize(
    ("item", "hint"),
    [
        ("/api/clients/{id}/", "e.g. /api/clients/{{id}}/"),  # one brace, as in Django/OpenAPI
        ("/api/clients/1/", "e.g. /api/clients/{{id}}"),  # the list's path, one slash
    ],
)
def test_a_tenant_item_without_a_placeholder_gets_a_usable_hint(
    tmp_path: Path, item: str, hint: str
) -> None:
    text = error(
        tmp_path,
        BASE
        + f"""checks:
  access:
    tenants: [{{owner: alice, other: ann, list: "/api/clients/?page=1", item: "{item}"}}]
""",
    )
    assert "checks.access.tenants[0].item" in text and ".launchgate.yml:11:" in text
    assert text.endswith(hint), text


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("identities: {anonymous: {headers: {x-a: b}}}", "reserved"),
        ("identities: {x: {}}", "needs `login:`"),
        ("identities: {x: {login: {page: /l, path: /t, fields: {a: b}}}}", "not both"),
        ("identities: {x: {login: {page: /l}}}", "needs `fields:`"),
        ("identities: {x: {login: {page: /l, fields: {a: b}, token: t}}}", "API login"),
        ("identities: {x: {login: {path: /t}}}", "exactly one of `json:` or `form:`"),
        ("identities: {x: {login: {path: //evil.test/t, json: {}}}}", "another host"),
    ],
)
def test_identity_shapes(tmp_path: Path, snippet: str, message: str) -> None:
    assert message in error(tmp_path, "url: http://127.0.0.1:8000\n" + snippet + "\n")


def test_an_empty_value_inside_a_templated_secret_is_an_error(tmp_path: Path) -> None:
    text = error(tmp_path, BASE, env={**ENV, "BOT_TOKEN": ""})
    assert "identities.bot.headers.authorization" in text and "${BOT_TOKEN} is empty" in text
    text = error(
        tmp_path,
        "url: http://127.0.0.1:8000\nheaders: {x-bypass: 'v1 ${BYPASS}'}\n",
        env={"BYPASS": ""},
    )
    assert "headers.x-bypass" in text and "${BYPASS} is empty" in text
    text = error(tmp_path, BASE, env={**ENV, "ALICE_PASSWORD": ""})
    assert "identities.alice.login.fields.password" in text


def test_missing_credentials_can_be_skipped_on_a_fork(tmp_path: Path) -> None:
    assert "is not set" in error(tmp_path, BASE, env={})
    config = load(tmp_path, BASE, env={"ALICE_PASSWORD": ""}, missing_credentials="skip")
    assert config.unavailable_identities == {
        "alice": "${ALICE_PASSWORD} is empty",
        "bot": "${BOT_TOKEN} is not set",
    }
    assert "ann" not in config.unavailable_identities


def test_the_docs_examples_load(tmp_path: Path) -> None:
    """The identities of docs/auth.md, the flow of docs/smoke.md and the rules of
    docs/access.md are valid config (with the identities they name)."""
    import re

    from tests.conftest import ROOT

    def blocks(page: str) -> list[str]:
        return re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / page).read_text(), re.S)

    identities = blocks("auth.md")[0]
    extra = (
        '  admin:\n    headers: {authorization: "Bearer ${BOT_TOKEN}"}\n'
        '  bob:\n    headers: {authorization: "Bearer ${BOT_TOKEN}"}\n'
    )
    env = {
        "GATE_STAFF_PASSWORD": "pw-1234",  # pragma: allowlist secret
        "ANN_PASSWORD": "pw-5678",  # pragma: allowlist secret
        "BOT_TOKEN": "t-9012",
    }
    config = load(
        tmp_path, identities + extra + next(b for b in blocks("smoke.md") if "flows:" in b), env=env
    )
    assert config.checks.smoke.flows[0].steps[-1].expect_denied
    config = load(tmp_path, identities + extra + blocks("access.md")[0], env=env)
    assert config.checks.access.tenants[0].max == 5 and "pw-1234" in config.secret_values


@pytest.mark.parametrize(
    ("snippet", "key"),
    [
        ("identities: {x: {login: {path: /t, json: {}, token: ''}}}", "identities.x.login.token"),
        ("identities: {x: {login: {path: /t, json: {}, token: '.'}}}", "identities.x.login.token"),
        (
            "checks: {access: {tenants: [{owner: alice, other: anonymous, list: /l, "
            "item: '/l/{{id}}', ids: ''}]}}",
            "checks.access.tenants[0].ids",
        ),
        (
            "checks: {smoke: {flows: [{name: f, steps: [{path: /a, capture: {id: ''}}]}]}}",
            "checks.smoke.flows[0].steps[0].capture.id",
        ),
        (
            "checks: {smoke: {flows: [{name: f, steps: [{path: /a, expect_json: {'': 1}}]}]}}",
            "checks.smoke.flows[0].steps[0].expect_json",
        ),
    ],
)
def test_an_empty_dotted_path_is_an_error(tmp_path: Path, snippet: str, key: str) -> None:
    """An empty path names the whole JSON answer: a token that is the whole object, ids that
    are the list itself (the probe said 'no records'), never what was meant."""
    head = "url: http://127.0.0.1:8000\n" if snippet.startswith("identities") else BASE
    message = error(tmp_path, head + snippet + "\n")
    assert key in message and "expected a dotted path into the JSON answer" in message


def test_the_complete_django_example_of_docs_auth_loads(tmp_path: Path) -> None:
    """docs/auth.md's "All together" file is valid config as it stands."""
    import re

    from tests.conftest import ROOT

    text = (ROOT / "docs" / "auth.md").read_text()
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "tenants:" in b]
    env = {
        "ACME_PASSWORD": "pw-acme-1",  # pragma: allowlist secret
        "GLOBEX_PASSWORD": "pw-globex-2",  # pragma: allowlist secret
        "ADMIN_PASSWORD": "pw-admin-3",  # pragma: allowlist secret
    }
    config = load(tmp_path, block, env=env)
    assert set(config.identities) == {"alice", "bob", "root"}
    assert config.checks.load.as_ == ("alice", "bob")
    assert [s.method for s in config.checks.smoke.flows[0].steps][1:4] == [
        "POST",
        "PATCH",
        "DELETE",
    ]
    assert config.checks.access.tenants[0].item == "/api/clients/{{id}}/"
    assert {"pw-acme-1", "pw-globex-2", "pw-admin-3"} <= set(config.secret_values)


def test_a_load_routes_json_body_keeps_its_secret_looking_fields_secret(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        BASE
        + """checks:
  load:
    routes:
      - {name: search, method: POST, path: /api/search,
         json: {query: acme, api_key: route-key-7f3a9c, nested: {password: route-pw-5e1b}}}
""",
    )
    route = config.checks.load.routes[0]
    assert {"route-key-7f3a9c", "route-pw-5e1b"} <= config.secret_values
    assert "acme" not in config.secret_values
    assert "route-key" not in repr(route) and "route-pw" not in repr(config)
