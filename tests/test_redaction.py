"""No configured secret value reaches any output: terminal, JSON, markdown, SARIF.

The target is `EchoServer`, which reflects every request header into its pages and into the
redirect it answers, so a finding that quotes what the server said would carry the secret."""

from __future__ import annotations

import base64
import json
import secrets
import urllib.parse

import pytest

from launchgate.config import load_config
from launchgate.redact import REDACTED, Redactor
from tests.conftest import assert_no_secret
from tests.support.echo_server import EchoServer

# The load check runs too (the configured header rides on every load request), kept short.
STEPS = """checks:
  load: {duration: 2s, warmup: 0.5s, min_samples: 5, ready_timeout: 3s}
  smoke:
    steps:
      - {name: bounce, path: /bounce, expect_status: 200}
      - {name: echo, path: /echo, expect_text: "text that is not there"}
      - {name: hang up, path: /close}
      - {name: missing page, path: /missing}
"""


def run_with_reports(cli, tmp_path, *args: str, env: dict[str, str] | None = None):
    outputs = {name: tmp_path / f"report.{name}" for name in ("json", "md", "sarif")}
    result = cli(
        "check",
        *args,
        "--json",
        str(outputs["json"]),
        "--markdown",
        str(outputs["md"]),
        "--sarif",
        str(outputs["sarif"]),
        env=env,
    )
    texts = {"stdout": result.stdout, "stderr": result.stderr}
    texts.update({f"--{name}": path.read_text() for name, path in outputs.items()})
    return result, texts


def run_with_bypass_header(cli, tmp_path, bypass: str):
    """Check the echo server with `bypass` as the protection-bypass header, read from $BYPASS."""
    config = tmp_path / ".launchgate.yml"
    with EchoServer() as app:
        config.write_text(
            f"url: {app.url}\nallow_private_targets: true\n"
            'headers: {x-vercel-protection-bypass: "${BYPASS}"}\n' + STEPS
        )
        return run_with_reports(cli, tmp_path, "--config", str(config), env={"BYPASS": bypass})


@pytest.mark.slow  # the whole gate, a Locust run included
def test_header_secret_from_env_is_redacted_everywhere(cli, tmp_path):
    bypass = secrets.token_hex(24)
    result, texts = run_with_bypass_header(cli, tmp_path, bypass)
    assert result.code == 1, result.stderr
    for where, text in texts.items():
        assert_no_secret(text, bypass, where=where)
    report = json.loads(texts["--json"])
    ids = sorted(f["id"] for f in report["findings"] if f["check"] == "smoke")
    assert ids == [
        "smoke.text-missing",
        "smoke.unexpected-status",
        "smoke.unexpected-status",
        "smoke.unreachable",
    ]
    # The server did reflect the header: the bounce finding quotes its final URL, redacted.
    bounce = next(f for f in report["findings"] if f["title"].startswith("bounce"))
    assert "/landing?seen=" in bounce["detail"] and REDACTED in bounce["detail"]


@pytest.mark.slow  # the whole gate, a Locust run included
def test_url_credentials_are_redacted_everywhere(cli, tmp_path):
    password = secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")
    basic = base64.b64encode(f"alice:{password}".encode()).decode()
    config = tmp_path / ".launchgate.yml"
    config.write_text("allow_private_targets: true\n" + STEPS)
    with EchoServer() as app:
        url = app.url.replace("http://", f"http://alice:{password}@")
        result, texts = run_with_reports(cli, tmp_path, "--config", str(config), "--url", url)
    assert result.code == 1, result.stderr
    for where, text in texts.items():
        assert_no_secret(text, password, where=where)
        assert_no_secret(text, basic, where=f"{where} (as Basic auth)")
    report = json.loads(texts["--json"])
    assert report["target"]["url"].startswith(f"http://{REDACTED}@127.0.0.1:")
    bounce = next(f for f in report["findings"] if f["title"].startswith("bounce"))
    assert REDACTED in bounce["detail"]


def test_set_header_values_are_secret_values():
    config = load_config(None, env={}, overrides={"headers.x-api-key": "key-from-set-1234"})
    assert "key-from-set-1234" in config.secret_values


def test_redactor_text():
    redactor = Redactor(["s3cr3t-value", "abc", "s3cr3t-value-longer"])
    assert redactor.text("a s3cr3t-value-longer b s3cr3t-value") == f"a {REDACTED} b {REDACTED}"
    # Values under 4 characters are not credentials; replacing them would mangle text.
    assert redactor.text("abc") == "abc"
    assert (
        redactor.text("see https://bob:pw@example.com/x") == f"see https://{REDACTED}@example.com/x"
    )
    assert redactor.value({"k": ["s3cr3t-value", 1, None]}) == {"k": [REDACTED, 1, None]}


@pytest.mark.slow  # the whole gate, a Locust run included
def test_reflected_url_encoded_secret_is_redacted_everywhere(cli, tmp_path):
    """A value with `+/= ` comes back from /bounce form-encoded in the redirect's query."""
    bypass = f"tok+en/{secrets.token_hex(8)}= x{secrets.token_hex(8)}=="
    result, texts = run_with_bypass_header(cli, tmp_path, bypass)
    assert result.code == 1, result.stderr
    forms = {
        bypass,
        urllib.parse.quote_plus(bypass),
        urllib.parse.quote(bypass, safe=""),
        urllib.parse.quote(bypass),
    }
    for where, text in texts.items():
        for form in forms:
            assert_no_secret(text, form, where=where)
    report = json.loads(texts["--json"])
    bounce = next(f for f in report["findings"] if f["title"].startswith("bounce"))
    assert "/landing?seen=" in bounce["detail"] and REDACTED in bounce["detail"]


def test_redactor_matches_encoded_forms():
    secret = "a+b/c= d&e"
    redactor = Redactor([secret])
    for form in (
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote_plus(secret),
        urllib.parse.quote(secret),
        urllib.parse.quote(secret, safe="").lower(),
        base64.b64encode(secret.encode()).decode(),
    ):
        assert redactor.text(f"x {form} y") in (
            f"x {REDACTED} y",
            f"x {REDACTED}= y",
            f"x {REDACTED}== y",
        ), form


def _reflected_as_cookie_name(cli, tmp_path, bypass: str):
    """The echo server's /cookies page sets `Set-Cookie: <bypass>`: the headers check names
    the cookie, i.e. the value up to its first `=`."""
    config = tmp_path / ".launchgate.yml"
    with EchoServer() as app:
        config.write_text(
            f"url: {app.url}/cookies\nallow_private_targets: true\n"
            'headers: {x-vercel-protection-bypass: "${BYPASS}"}\n'
        )
        return run_with_reports(
            cli, tmp_path, "--config", str(config), "--only", "headers", env={"BYPASS": bypass}
        )


@pytest.mark.parametrize("kind", ["base64 with padding", "name=value token"])
def test_a_secret_reflected_as_a_cookie_name_is_redacted(cli, tmp_path, kind):
    bypass = (
        base64.b64encode(secrets.token_bytes(31)).decode()
        if kind.startswith("base64")
        else f"{secrets.token_hex(10)}={secrets.token_hex(10)}"
    )
    before_separator = bypass.split("=", 1)[0]
    result, texts = _reflected_as_cookie_name(cli, tmp_path, bypass)
    assert result.code == 0, result.output
    for where, text in texts.items():
        assert_no_secret(text, bypass, where=where)
        assert_no_secret(text, before_separator, where=f"{where} (the part before '=')")
    titles = [f["title"] for f in json.loads(texts["--json"])["findings"]]
    assert f"Cookie `{REDACTED}` has no SameSite" in titles, titles


def test_redactor_hides_every_long_piece_of_a_secret():
    token = "Zm9vYmFyYmF6cXV4cXV1eA=="  # base64 with padding
    other = "team-alpha-preview:9f8e7d6c5b4a39281706"
    redactor = Redactor([token, other])
    assert redactor.text("cookie Zm9vYmFyYmF6cXV4cXV1eA set") == f"cookie {REDACTED} set"
    assert redactor.text("name team-alpha-preview=1") == f"name {REDACTED}=1"
    assert redactor.text("cut 9f8e7d6c5b4a3928…") == f"cut {REDACTED}…"
    # Pieces under 12 characters are ordinary text, not a secret.
    assert redactor.text("team-alpha and 9f8e7d6c") == "team-alpha and 9f8e7d6c"
    # Adjacent pieces of two secrets become one mark.
    assert redactor.text("Zm9vYmFyYmF6team-alpha-preview") == REDACTED


def test_url_credentials_redaction_is_linear_in_a_long_run_of_letters():
    import time

    started = time.monotonic()
    assert Redactor(["s3cr3t-value"]).text("x" * 200_000) == "x" * 200_000
    assert time.monotonic() - started < 2.0
