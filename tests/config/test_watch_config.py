"""The `watch` section: assignees, the webhook (a secret: redacted, never echoed in errors),
and the read-only switches."""

from __future__ import annotations

from pathlib import Path

import pytest

from launchgate.config import WatchConfig, load_config
from launchgate.errors import ConfigError
from launchgate.redact import Redactor

HOOK = "https://hooks.slack.example/services/T000/B000/" + "x7Secret" * 3


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None):
    path = tmp_path / ".launchgate.yml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env=env or {})


def test_watch_defaults_are_read_only_and_silent(tmp_path):
    config = load(tmp_path, "url: https://example.com\n")
    assert config.watch == WatchConfig()
    assert (config.watch.load, config.watch.writes, config.watch.webhook) == (False, False, None)


def test_webhook_from_the_environment_is_a_secret(tmp_path):
    config = load(
        tmp_path,
        'watch: {assignees: [ops-lead, a-b], webhook: "${SLACK_WEBHOOK_URL}",'
        " load: true, writes: true}\n",
        env={"SLACK_WEBHOOK_URL": HOOK},
    )
    assert config.watch.assignees == ("ops-lead", "a-b")
    assert config.watch.webhook == HOOK
    assert (config.watch.load, config.watch.writes) == (True, True)
    assert HOOK in config.secret_values
    assert HOOK not in repr(config)
    assert HOOK not in Redactor(config.secret_values).text(f"posting to {HOOK}")


def test_a_literal_webhook_is_a_secret_too(tmp_path):
    config = load(tmp_path, f"watch: {{webhook: {HOOK}}}\n")
    assert HOOK in config.secret_values


@pytest.mark.parametrize(
    "value", ["ftp://hooks.example/x7Secretx7Secret", "x7Secretx7Secret", "https://"]
)
def test_a_bad_webhook_is_named_but_never_echoed(tmp_path, value):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, "watch:\n  webhook: ${HOOK}\n", env={"HOOK": value})
    message = str(info.value)
    assert "watch.webhook" in message and ":2:" in message
    assert value not in message and "x7Secret" not in message


@pytest.mark.parametrize("login", ["-ops", "ops lead", "a" * 40, "ops--lead"])
def test_assignees_are_github_logins(tmp_path, login):
    with pytest.raises(ConfigError, match=r"watch\.assignees\[0\].*GitHub user name"):
        load(tmp_path, f"watch: {{assignees: ['{login}']}}\n")


def test_unknown_watch_key_gets_a_hint(tmp_path):
    with pytest.raises(ConfigError, match="did you mean 'assignees'"):
        load(tmp_path, "watch: {asignees: [ops]}\n")


def test_an_empty_webhook_secret_is_no_webhook_not_a_config_error(tmp_path):
    # Actions passes an unset secret as "": the watch must still run (and say so).
    config = load(
        tmp_path, 'watch: {webhook: "${SLACK_WEBHOOK_URL}"}\n', env={"SLACK_WEBHOOK_URL": ""}
    )
    assert config.watch.webhook == ""
