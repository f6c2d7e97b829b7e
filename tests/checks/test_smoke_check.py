"""The smoke check and the gate end to end against the real demo app on loopback."""

from __future__ import annotations

import json

from launchgate.demo.app import DemoServer


def test_check_passes_against_demo_app(cli, tmp_path):
    with DemoServer() as app:
        result = cli(
            "check",
            "--url",
            app.url,
            "--allow-private-targets",
            "--only",
            "smoke",
            "--json",
            str(tmp_path / "r.json"),
        )
    assert result.code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["verdict"] == "pass"
    assert [c["status"] for c in report["checks"] if c["name"] == "smoke"] == ["passed"]


def test_failed_step_is_a_blocker(cli, tmp_path):
    config = tmp_path / ".launchgate.yml"
    with DemoServer() as app:
        config.write_text(
            f"url: {app.url}\nallow_private_targets: true\nchecks:\n  smoke:\n"
            "    steps:\n"
            "      - {name: dashboard, path: /nope, expect_status: 200}\n"
        )
        result = cli(
            "check", "--config", str(config), "--only", "smoke", "--json", str(tmp_path / "r.json")
        )
    assert result.code == 1, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["findings"][0]["id"] == "smoke.unexpected-status"
    assert report["findings"][0]["severity"] == "blocker"


def test_loopback_is_refused_unless_allowed(cli):
    with DemoServer() as app:
        result = cli("check", "--url", app.url, "--only", "smoke")
    assert result.code == 3
    assert "allow_private_targets" in result.stdout
