"""The config loader: defaults, every kind of error (file, line and key named), `${VAR}`,
`--set` overrides, and a property test that only ConfigError ever comes out of it."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchgate.config import Config, load_config, parse_set_option
from launchgate.errors import ConfigError
from launchgate.report import Severity


def write(tmp_path: Path, text: str | bytes, name: str = ".launchgate.yml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def error_of(tmp_path: Path, text: str | bytes, **kwargs) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env=kwargs.pop("env", {}), **kwargs)
    return info.value


def assert_located(err: ConfigError, path: Path, line: int | None, key: str | None) -> None:
    """The error names the file, the line and the key, in the one-line message too."""
    assert err.file == str(path)
    assert err.line == line
    assert err.key == key
    text = str(err)
    assert "\n" not in text
    where = f"{path}:{line}" if line is not None else str(path)
    assert text.startswith(where + ": ")
    if key:
        assert f": {key}: " in text


# --- valid configs ------------------------------------------------------------------------


def test_no_file_gives_defaults():
    config = load_config(None, env={})
    assert config == Config()
    assert config.fail_on == "blocker" and config.fail_closed is True
    assert config.checks.load.users == 10 and config.checks.load.duration == 30.0
    assert config.checks.load.p95_target_ms == 300 and config.checks.load.p95_blocker_ms == 800
    assert config.checks.secrets.history_severity is Severity.IMPORTANT
    assert config.allow_private_targets is False
    assert config.secret_values == frozenset()


def test_url_alone_is_a_valid_gate():
    config = load_config(None, env={}, overrides={"url": "https://preview.example.com"})
    assert config.url == "https://preview.example.com"
    assert config.url_host == "preview.example.com"


def test_full_design_example_loads(tmp_path):
    ca = write(tmp_path, "not parsed here", name="ca.pem")
    path = write(
        tmp_path,
        f"""
url: https://preview.example.com
fail_on: important
fail_closed: false
headers: {{x-vercel-protection-bypass: "${{VERCEL_BYPASS}}"}}
ca_bundle: {ca.name}
connect_to: {{"example.com:443": "127.0.0.1:8443"}}
allow_private_targets: true
severity_overrides: {{headers.csp-missing: later}}
checks:
  secrets:   {{diff: true, history: true, baseline: .secrets.baseline, exclude_paths: [],
              history_severity: important}}
  load:
    users: 10
    spawn_rate: 10
    duration: 30s
    warmup: 5s
    p95_target_ms: 300
    p95_blocker_ms: 800
    max_error_rate: 0.01
    min_samples: 200
    workers: 0
    routes: [{{name: clients, method: get, path: "/api/clients?status=active", weight: 3,
              headers: {{}}, json: null}}]
  tls:       {{hosts: [example.com, www.example.com], expiry_blocker_days: 7,
              expiry_important_days: 30, min_version: TLSv1.2}}
  redirects: {{canonical: https://example.com, hosts: [example.com, www.example.com],
              paths: [/], max_hops: 3}}
  headers:   {{hsts_min_max_age: 15552000}}
  exposure:  {{protected_paths: [/api/admin/users], staging_hosts: [staging.example.com],
              cors_paths: [/api], scan_bundles: true}}
  smoke:     {{steps: [{{name: login page, path: /login, expect_status: 200,
                        expect_text: Sign in}}]}}
  dns:       {{domain: example.com, hosts: [www.example.com, app.example.com],
              nameservers: ["127.0.0.1:5300"], dkim_selectors: [google], sends_email: true}}
""",
    )
    config = load_config(path, env={"VERCEL_BYPASS": "bypass-token-1234"})
    assert config.source == str(path)
    assert config.fail_on == "important" and config.fail_closed is False
    assert config.headers == {"x-vercel-protection-bypass": "bypass-token-1234"}
    assert config.ca_bundle == str(ca.resolve())
    assert config.connect_to == {"example.com:443": "127.0.0.1:8443"}
    assert config.severity_overrides == {"headers.csp-missing": Severity.LATER}
    route = config.checks.load.routes[0]
    assert (route.name, route.method, route.weight) == ("clients", "GET", 3)
    assert config.checks.tls.hosts == ("example.com", "www.example.com")
    assert config.checks.smoke.steps[0].expect_text == "Sign in"
    assert config.checks.dns.nameservers == ("127.0.0.1:5300",)
    assert "bypass-token-1234" in config.secret_values


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30.0), ("2m", 120.0), ("45", 45.0), ("1.5m", 90.0), ("500ms", 0.5), ("0", 0.0)],
)
def test_durations(tmp_path, text, seconds):
    path = write(tmp_path, f"checks:\n  load:\n    duration: 10m\n    warmup: {text}\n")
    load = load_config(path, env={}).checks.load
    assert (load.duration, load.warmup) == (600.0, seconds)


def test_env_substitution_lands_in_secret_values(tmp_path):
    path = write(
        tmp_path,
        "url: https://${PREVIEW_HOST}/app\n"
        "checks:\n  load:\n    routes:\n"
        "      - {name: api, path: /api, headers: {authorization: "
        '"Bearer ${API_TOKEN}"}}\n',
    )
    env = {"PREVIEW_HOST": "pr-42.preview.example.com", "API_TOKEN": "tok-abcdef123456"}
    config = load_config(path, env=env)
    assert config.url == "https://pr-42.preview.example.com/app"
    assert config.checks.load.routes[0].headers == {"authorization": "Bearer tok-abcdef123456"}
    # The variable's own value and the whole header value are both redacted everywhere.
    assert {"tok-abcdef123456", "Bearer tok-abcdef123456"} <= config.secret_values


def test_empty_section_means_defaults(tmp_path):
    path = write(tmp_path, "checks:\n  load:\n  smoke:\n")
    config = load_config(path, env={})
    assert config.checks.load == Config().checks.load


def test_dns_hosts_default_to_every_host_named(tmp_path):
    path = write(
        tmp_path,
        """
url: https://App.Example.com:8443/login
checks:
  tls: {hosts: [example.com, "www.example.com:443", 127.0.0.1]}
  redirects: {canonical: https://example.com, hosts: [example.com, old.example.com]}
  exposure: {staging_hosts: [staging.example.com.]}
""",
    )
    config = load_config(path, env={})
    # Staging hosts are left out: one that does not resolve publicly is doing it right.
    assert config.dns_hosts() == (
        "app.example.com",
        "example.com",
        "www.example.com",
        "old.example.com",
    )


def test_dns_hosts_explicit_list_wins(tmp_path):
    path = write(tmp_path, "url: https://a.example.com\nchecks:\n  dns: {hosts: [b.example.com]}\n")
    assert load_config(path, env={}).dns_hosts() == ("b.example.com",)


def test_set_overrides_apply_on_top_of_the_file(tmp_path):
    path = write(tmp_path, "url: https://a.example.com\nchecks:\n  load: {users: 5}\n")
    overrides = dict(
        parse_set_option(o)
        for o in ("checks.load.users=7", "checks.smoke.enabled=false", "url=https://b.example.com")
    )
    config = load_config(path, env={}, overrides=overrides)
    assert config.checks.load.users == 7
    assert config.checks.smoke.enabled is False
    assert config.url == "https://b.example.com"


def test_connect_to_keys_are_normalised_like_host_names(tmp_path):
    path = tmp_path / ".launchgate.yml"
    path.write_text(
        'connect_to:\n  "App.Example.TEST.:443": "127.0.0.1:8443"\n'
        '  "[::1]:80": "127.0.0.1:8080"\n',
        encoding="utf-8",
    )
    config = load_config(path, env={})
    assert dict(config.connect_to) == {
        "app.example.test:443": "127.0.0.1:8443",
        "[::1]:80": "127.0.0.1:8080",
    }


# --- errors name file, line and key ---------------------------------------------------------


def test_unknown_top_level_key_has_a_hint(tmp_path):
    err = error_of(tmp_path, "url: https://a.example.com\nfial_on: blocker\n")
    assert_located(err, tmp_path / ".launchgate.yml", 2, "fial_on")
    assert "did you mean 'fail_on'?" in str(err)


def test_unknown_nested_key_has_a_hint(tmp_path):
    err = error_of(tmp_path, "checks:\n  load:\n    usres: 5\n")
    assert_located(err, tmp_path / ".launchgate.yml", 3, "checks.load.usres")
    assert "did you mean 'users'?" in str(err)


def test_unknown_key_in_a_list_item(tmp_path):
    err = error_of(
        tmp_path,
        "checks:\n  smoke:\n    steps:\n      - {name: a, path: /a}\n      - {name: b, pth: /b}\n",
    )
    assert_located(err, tmp_path / ".launchgate.yml", 5, "checks.smoke.steps[1].pth")
    assert "did you mean 'path'?" in str(err)


def test_unknown_key_without_close_match_lists_known_keys(tmp_path):
    err = error_of(tmp_path, "zzzz: 1\n")
    assert "known keys: url, fail_on" in str(err)


@pytest.mark.parametrize(
    ("text", "line", "key", "expected"),
    [
        ("fail_closed: yes please\n", 1, "fail_closed", "expected true or false"),
        ("checks:\n  load:\n    users: many\n", 3, "checks.load.users", "expected a whole number"),
        ("checks:\n  load:\n    users: 2.5\n", 3, "checks.load.users", "expected a whole number"),
        ("checks:\n  tls:\n    hosts: {a: 1}\n", 3, "checks.tls.hosts", "expected a list"),
        ("checks: [load]\n", 1, "checks", "expected a mapping"),
        ("headers: [a, b]\n", 1, "headers", "expected a mapping"),
        ("fail_on: sometimes\n", 1, "fail_on", "expected one of blocker, important, later, never"),
        (
            "checks:\n  load:\n    max_error_rate: .nan\n",
            3,
            "checks.load.max_error_rate",
            "finite number",
        ),
        (
            "checks:\n  smoke:\n    steps:\n      - {name: a, path: login}\n",
            4,
            "checks.smoke.steps[0].path",
            "starting with '/'",
        ),
        (
            "checks:\n  smoke:\n    steps:\n      - {name: a}\n",
            4,
            "checks.smoke.steps[0]",
            "missing required key 'path'",
        ),
        (
            "checks:\n  dns:\n    nameservers: [ns1.example.com]\n",
            3,
            "checks.dns.nameservers[0]",
            "expected an IP address",
        ),
        ("url: 2024-01-01\n", 1, "url", "expected text"),
    ],
)
def test_wrong_types(tmp_path, text, line, key, expected):
    err = error_of(tmp_path, text)
    assert_located(err, tmp_path / ".launchgate.yml", line, key)
    assert expected in str(err)


@pytest.mark.parametrize("value", ["30x", "soon", "-5s", "true", "[30]"])
def test_bad_durations(tmp_path, value):
    err = error_of(tmp_path, f"checks:\n  load:\n    duration: {value}\n")
    assert_located(err, tmp_path / ".launchgate.yml", 3, "checks.load.duration")
    assert "duration such as 30s" in str(err) or "must be at least" in str(err)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://x", "only http:// and https://"),
        ("https://", "no host"),
        ("example.com", "only http:// and https://"),
        ("http://a.example:99999", "invalid URL"),
    ],
)
def test_invalid_urls(tmp_path, url, problem):
    err = error_of(tmp_path, f'fail_on: blocker\nurl: "{url}"\n')
    assert_located(err, tmp_path / ".launchgate.yml", 2, "url")
    assert problem in str(err)


def test_url_credentials_never_appear_in_url_errors(tmp_path):
    err = error_of(tmp_path, "url: ftp://alice:hunter2-long-pass@example.com/\n")
    assert "hunter2-long-pass" not in str(err)


def test_missing_env_var_is_named(tmp_path):
    err = error_of(tmp_path, 'url: https://a.example.com\nheaders:\n  x-token: "${NOPE_TOKEN}"\n')
    assert_located(err, tmp_path / ".launchgate.yml", 3, "headers.x-token")
    assert "${NOPE_TOKEN} is not set" in str(err)


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("url: https://a.example.com\nurl: https://b.example.com\n", 2, "url"),
        ("checks:\n  load:\n    users: 1\n    users: 2\n", 4, "checks.load.users"),
    ],
)
def test_duplicate_keys(tmp_path, text, line, key):
    err = error_of(tmp_path, text)
    assert_located(err, tmp_path / ".launchgate.yml", line, key)
    assert "duplicate key" in str(err)


@pytest.mark.parametrize(
    ("finding_id", "expected"),
    [
        ("Headers.CSP", "expected a finding id"),
        ("nosuch.thing", "expected a finding id"),
        ("headers", "expected a finding id"),
        ("headers.csp_missing", "expected a finding id"),
    ],
)
def test_bad_finding_ids_in_severity_overrides(tmp_path, finding_id, expected):
    err = error_of(
        tmp_path, f"url: https://a.example.com\nseverity_overrides:\n  {finding_id}: later\n"
    )
    assert_located(err, tmp_path / ".launchgate.yml", 3, f"severity_overrides.{finding_id}")
    assert expected in str(err)


def test_bad_severity_in_overrides(tmp_path):
    err = error_of(tmp_path, "severity_overrides:\n  headers.csp-missing: critical\n")
    assert_located(err, tmp_path / ".launchgate.yml", 2, "severity_overrides.headers.csp-missing")
    assert "expected one of blocker, important, later" in str(err)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ('connect_to:\n  example.com: "127.0.0.1:8443"\n', "as key"),
        ('connect_to:\n  "example.com:443": 127.0.0.1\n', "as value"),
    ],
)
def test_connect_to_format(tmp_path, text, label):
    err = error_of(tmp_path, text)
    assert err.line == 2 and err.key is not None and err.key.startswith("connect_to.")
    assert f"expected 'host:port' {label}" in str(err)


@pytest.mark.parametrize(
    ("text", "key", "cap"),
    [
        ("checks:\n  load:\n    users: 500\n", "checks.load.users", "at most 100 (a hard cap)"),
        (
            "checks:\n  load:\n    duration: 2h\n",
            "checks.load.duration",
            "at most 10m (600 s) (a hard cap), got 120m (7200 s)",
        ),
        ("checks:\n  load:\n    workers: 64\n", "checks.load.workers", "at most 16"),
        (
            "checks:\n  load:\n    users: 99999999999999999999999999999999\n",
            "checks.load.users",
            "at most 100",
        ),
    ],
)
def test_hard_caps(tmp_path, text, key, cap):
    err = error_of(tmp_path, text)
    assert_located(err, tmp_path / ".launchgate.yml", 3, key)
    assert cap in str(err)


def test_cross_checks(tmp_path):
    err = error_of(tmp_path, "checks:\n  load:\n    p95_target_ms: 900\n")
    assert err.key == "checks.load.p95_target_ms" and "above the blocker budget" in str(err)
    err = error_of(tmp_path, "checks:\n  load:\n    duration: 10s\n    warmup: 10s\n")
    assert err.key == "checks.load.warmup" and err.line == 4


def test_missing_ca_bundle(tmp_path):
    err = error_of(tmp_path, "ca_bundle: certs/none.pem\n")
    assert err.line == 1 and err.key == "ca_bundle" and "file not found" in str(err)


def test_duplicate_route_names_are_a_located_config_error(tmp_path):
    err = error_of(
        tmp_path,
        (
            "checks:\n  load:\n    routes:\n"
            "      - name: list\n        path: /a\n"
            "      - name: list\n        path: /b\n"
        ),
    )
    assert err.key == "checks.load.routes[1].name"
    assert err.line == 6 and err.file == str(tmp_path / ".launchgate.yml")
    assert "duplicate route name 'list'" in str(err)


def test_route_target_above_its_blocker_is_a_config_error(tmp_path):
    err = error_of(
        tmp_path,
        (
            "checks:\n  load:\n    routes:\n"
            "      - name: export\n        path: /export\n"
            "        p95_target_ms: 900\n        p95_blocker_ms: 500\n"
        ),
    )
    assert err.key == "checks.load.routes[0].p95_target_ms"
    assert err.line == 6
    assert "above the route's blocker budget" in str(err)


# --- values that would crash a web check, or leak an environment value --------------------


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ('headers: {x-token: "välue"}\n', "headers.x-token", "printable ASCII"),
        ('headers: {x-token: "a\\r\\nInjected: 1"}\n', "headers.x-token", "printable ASCII"),
        ('headers: {"x token": "v"}\n', "headers.x token", "header name"),
        ('headers: {"x:y": "v"}\n', "headers.x:y", "header name"),
        ("url: https://exa mple.com/\n", "url", "spaces or control characters"),
        ('url: "https://exa\\tmple.com/"\n', "url", "spaces or control characters"),
        ('url: "https://example.com:99999/"\n', "url", "invalid URL"),
        ('url: "https://exa\\u00a0mple.com/"\n', "url", "spaces or control characters"),
        (
            'connect_to: {"example.com:443": "127.0.0.1:0"}\n',
            "connect_to.example.com:443",
            "1..65535",
        ),
        (
            'connect_to: {"example.com:99999": "127.0.0.1:8443"}\n',
            "connect_to.example.com:99999",
            "1..65535",
        ),
        (
            "checks:\n  smoke:\n    steps: [{name: x, path: //evil.example/}]\n",
            "checks.smoke.steps[0].path",
            "another host",
        ),
        (
            "checks:\n  exposure: {protected_paths: ['/\\\\evil.example/']}\n",
            "checks.exposure.protected_paths[0]",
            "another host",
        ),
    ],
)
def test_values_that_would_break_requests_are_config_errors(tmp_path, text, key, expected):
    err = error_of(tmp_path, text)
    assert err.key == key and err.line is not None, str(err)
    assert expected in str(err)


def test_header_value_errors_never_show_the_value(tmp_path):
    err = error_of(tmp_path, 'headers: {x-token: "s3cret-välue-123"}\n')
    assert "s3cret" not in str(err)


def test_environment_values_never_appear_in_config_errors(tmp_path):
    token = "lg-" + "9f8e7d6c5b4a39281706f5e4d3c2b1a0" * 2
    cases = [
        'fail_on: "${LG_TOKEN}"\n',
        'url: "${LG_TOKEN}"\n',
        'checks:\n  load: {users: "${LG_TOKEN}"}\n',
        'checks:\n  smoke:\n    steps: [{name: x, path: "pre-${LG_TOKEN}"}]\n',
        'ca_bundle: "/nope/${LG_TOKEN}"\n',
        'checks:\n  tls: {min_version: "${LG_TOKEN}"}\n',
    ]
    for text in cases:
        err = error_of(tmp_path, text, env={"LG_TOKEN": token})
        message = str(err)
        for size in range(6, len(token) + 1):
            assert token[:size] not in message, f"{text!r}: a piece of the value is shown"
        assert "${LG_TOKEN}" in message, message


@pytest.mark.parametrize(
    "path", ["//evil.example/x", "/\\evil.example/x", "https://evil.example/", "/\t/evil.example"]
)
def test_path_settings_must_stay_on_the_url(path):
    with pytest.raises(ConfigError) as caught:
        load_config(None, env={}, overrides={"checks.smoke.steps": [{"name": "x", "path": path}]})
    assert "checks.smoke.steps[0].path" in str(caught.value)


def test_an_empty_header_value_is_a_config_error_naming_the_key(tmp_path):
    config = tmp_path / ".launchgate.yml"
    config.write_text('url: https://app.example.test\nheaders:\n  x-bypass: "${BYPASS}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config, env={"BYPASS": ""})
    assert str(caught.value).startswith(f"{config}:3: headers.x-bypass: the header value is empty")


# --- files that are not a config -----------------------------------------------------------


def test_non_utf8_file_names_the_line(tmp_path):
    err = error_of(tmp_path, b"url: https://a.example.com\n# caf\xe9\n")
    assert_located(err, tmp_path / ".launchgate.yml", 2, None)
    assert "not valid UTF-8" in str(err)


@pytest.mark.parametrize("text", ["", "\n\n", "# all commented out\n#url: x\n", "---\n"])
def test_empty_file(tmp_path, text):
    err = error_of(tmp_path, text)
    assert err.file == str(tmp_path / ".launchgate.yml")
    assert "empty" in str(err)


@pytest.mark.parametrize(
    ("text", "got"), [("- a\n- b\n", "got a list"), ("just words\n", "got a single value")]
)
def test_top_level_must_be_a_mapping(tmp_path, text, got):
    err = error_of(tmp_path, text)
    assert_located(err, tmp_path / ".launchgate.yml", 1, None)
    assert f"expected a mapping of settings at the top level, {got}" in str(err)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("url: https://a.example.com\nchecks:\n  load: {users: 5\n", 4),
        ("url: https://a.example.com\n  bad: indent\n", 2),
        ("url: https://a.example.com\nchecks:\n\t- x\n", 3),
        ("a: 'unterminated\nb: 1\n", 3),
    ],
)
def test_malformed_yaml_has_a_line(tmp_path, text, line):
    err = error_of(tmp_path, text)
    assert_located(err, tmp_path / ".launchgate.yml", line, None)
    assert str(err).split(": ", 2)[1].startswith("invalid YAML")


def test_python_tags_are_refused(tmp_path):
    err = error_of(tmp_path, "url: !!python/object/apply:os.system [echo hi]\n")
    assert err.line == 1 and err.key == "url"


# --- --set ------------------------------------------------------------------------------------


def test_set_errors_name_set(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(None, env={}, overrides={"checks.load.usres": 5})
    assert str(info.value) == "--set: checks.load.usres: unknown key; did you mean 'users'?"
    with pytest.raises(ConfigError) as info:
        load_config(None, env={}, overrides={"checks.load.users": 500})
    assert str(info.value).startswith("--set: checks.load.users: must be at most 100")


def test_flag_overrides_name_their_flag():
    with pytest.raises(ConfigError) as info:
        load_config(None, env={}, overrides={"url": "ftp://x"}, flags={"url": "--url"})
    assert str(info.value).startswith("--url: invalid URL 'ftp://x'")


@pytest.mark.parametrize("option", ["nonsense", "Checks.Load=1", "=5"])
def test_bad_set_syntax(option):
    with pytest.raises(ConfigError) as info:
        parse_set_option(option)
    assert str(info.value).startswith("--set: ")


def test_set_values_are_yaml_scalars():
    assert parse_set_option("checks.load.users=5") == ("checks.load.users", 5)
    assert parse_set_option("fail_closed=false") == ("fail_closed", False)
    assert parse_set_option("url=https://a.example.com/?x=1") == (
        "url",
        "https://a.example.com/?x=1",
    )


def test_set_inside_a_scalar_is_an_error(tmp_path):
    path = write(tmp_path, "url: https://a.example.com\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={}, overrides={"url.host": "x"})
    assert str(info.value).startswith("--set: url: ")


# --- property: only ConfigError ever comes out ----------------------------------------------

_KNOWN_KEYS = [
    "url",
    "fail_on",
    "fail_closed",
    "headers",
    "ca_bundle",
    "connect_to",
    "allow_private_targets",
    "severity_overrides",
    "checks",
    "secrets",
    "load",
    "tls",
    "redirects",
    "exposure",
    "smoke",
    "dns",
    "users",
    "duration",
    "warmup",
    "routes",
    "steps",
    "name",
    "path",
    "hosts",
    "nameservers",
    "expect_status",
    "weight",
    "headers.csp-missing",
    "example.com:443",
    "enabled",
    "min_version",
    "domain",
    "identities",
    "login",
    "page",
    "fields",
    "token",
    "form",
    "json",
    "flows",
    "as",
    "writes",
    "submit",
    "capture",
    "expect_json",
    "rules",
    "allow",
    "deny",
    "tenants",
    "owner",
    "other",
    "list",
    "item",
    "ids",
    "anonymous",
    "alice",
]
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "30s",
            "2m",
            "${HOME}",
            "${NOPE}",
            "https://a.example.com",
            "ftp://x",
            "/",
            "blocker",
            "later",
            "127.0.0.1:53",
            "TLSv1.3",
            "GET",
            "10**400",
        ]
    )
    | st.integers(min_value=10**300, max_value=10**310)
)
_keys = st.sampled_from(_KNOWN_KEYS) | st.text(max_size=12) | st.integers()
_documents = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=5),
    max_leaves=25,
)
_CHECKS = ["secrets", "load", "tls", "redirects", "headers", "exposure", "smoke", "access", "dns"]
_config_like = st.fixed_dictionaries(
    {},
    optional={
        "url": _scalars,
        "headers": _documents,
        "connect_to": _documents,
        "severity_overrides": _documents,
        "identities": _documents,
        "checks": st.dictionaries(st.sampled_from(_CHECKS), _documents, max_size=4),
    },
)


def _assert_only_config_errors(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.yml"
    path.write_bytes(data)
    try:
        load_config(path, env={"HOME": "/root"})
    except ConfigError as exc:
        assert "\n" not in str(exc)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=_documents | _config_like)
def test_random_yaml_documents_raise_only_config_errors(tmp_path, doc):
    text = yaml.safe_dump(doc, allow_unicode=True)
    _assert_only_config_errors(tmp_path, text.encode("utf-8"))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        alphabet=st.sampled_from(string.printable + "\x00\x85\u2028é{}[]&*!|>%@`"), max_size=200
    )
    | st.binary(max_size=200)
)
def test_random_text_raises_only_config_errors(tmp_path, text):
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    _assert_only_config_errors(tmp_path, data)


@settings(max_examples=200, deadline=None)
@given(
    options=st.lists(
        st.tuples(
            st.lists(st.sampled_from([*_KNOWN_KEYS, "x", "1", "a-b"]), min_size=1, max_size=4).map(
                ".".join
            ),
            st.text(max_size=20)
            | st.sampled_from(["5", "true", "[1, 2]", "{a: 1}", "~", "30s", "1e999", "'x"]),
        ),
        max_size=4,
    )
)
def test_random_set_options_raise_only_config_errors(options):
    try:
        overrides = dict(parse_set_option(f"{key}={value}") for key, value in options)
        load_config(None, env={}, overrides=overrides)
    except ConfigError as exc:
        assert "\n" not in str(exc)


def test_a_config_error_never_shows_a_long_piece_of_an_env_value():
    """Whatever cut of an environment value a message quotes (here its middle, unquoted),
    every piece of 12 characters or more reads as the variable's name instead."""
    from launchgate.config.loader import _Loc

    token = "prefix=" + "9f8e7d6c5b4a39281706" + "-tail"  # pragma: allowlist secret
    loc = _Loc(".launchgate.yml")
    loc.secrets.add(token)
    loc.env_refs["url"] = ["LG_TOKEN"]
    message = loc.scrub("url", "got 9f8e7d6c5b4a39281706 and prefix=9f8e7d… and 9f8e7d")
    assert message == "got <the value of ${LG_TOKEN}> and <the value of ${LG_TOKEN}>… and 9f8e7d"
