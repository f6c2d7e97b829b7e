"""`launchgate check --watch` from the command line: read-only by default, and with
`--compare` the last watch's report it says what changed."""

from __future__ import annotations

import json

from tests.conftest import run_cli

CONFIG = """url: {url}
allow_private_targets: true
checks:
  smoke:
    steps: [{{name: home, path: /fast}}]
    flows: [{{name: creates, writes: true, steps: [{{method: POST, path: /, expect_status: 200}}]}}]
"""


def test_check_watch_is_read_only_and_compares_with_the_last_watch(tmp_path, server):
    config = tmp_path / ".launchgate.yml"
    config.write_text(CONFIG.format(url=server.url))
    first = run_cli(
        "check",
        "--config",
        str(config),
        "--only",
        "smoke",
        "--watch",
        "--json",
        str(tmp_path / "first.json"),
    )
    assert first.code == 0, first.output
    assert "flow 'creates' skipped: a production watch runs no flow that writes" in first.output
    assert server.paths["/"] == 0
    report = json.loads((tmp_path / "first.json").read_text())
    assert report["watch"]["previous"] is None
    second = run_cli(
        "check",
        "--config",
        str(config),
        "--only",
        "smoke",
        "--watch",
        "--compare",
        str(tmp_path / "first.json"),
        "--json",
        str(tmp_path / "second.json"),
    )
    assert second.code == 0, second.output
    report = json.loads((tmp_path / "second.json").read_text())
    assert report["watch"]["previous"]["verdict"] == "pass"
    assert report["comparison"]["base"]["name"] == "last watch"
    assert "nothing new since the last watch" in second.output
