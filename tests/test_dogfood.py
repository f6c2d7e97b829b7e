"""launchgate passes its own secrets gate: test fixtures that look like secrets are accepted in
.secrets.baseline (or marked with a pragma), so a real key added to this repository fails."""

from __future__ import annotations

import json

from tests.conftest import ROOT, run_cli


def test_this_repository_has_no_unaccepted_secrets(tmp_path):
    result = run_cli(
        "secrets",
        "--repo",
        str(ROOT),
        "--history",
        "--json",
        str(tmp_path / "secrets.json"),
        cwd=ROOT,
    )
    report = json.loads((tmp_path / "secrets.json").read_text())
    blockers = [
        (f["location"]["path"], f["location"]["line"], f["title"])
        for f in report["findings"]
        if f["severity"] == "blocker"
    ]
    assert result.code == 0 and not blockers, (
        f"new secret-like lines: {blockers}; mark test fixtures with '# pragma: allowlist "
        "secret' or accept them with `launchgate baseline --output .secrets.baseline`"
    )
