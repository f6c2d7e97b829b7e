"""A plain-http URL on a private address is a local preview: TLS, the https redirect and the
https-only headers are not judged there, and the report says why. A plain-http URL with a
host name (mapped by connect_to, as before a DNS cutover) is still judged."""

from __future__ import annotations

import json

import pytest

from launchgate.config import load_config
from launchgate.report import Target
from launchgate.runner import run_gate
from tests.support.weblab import findings, name, run

pytestmark = pytest.mark.timeout(60)


def test_plain_http_local_preview_skips_tls_and_redirects(hostile):
    config = load_config(
        None, env={}, overrides={"url": hostile.url + "/", "allow_private_targets": True}
    )
    report = run_gate(config, Target(url=config.url), only=["tls", "redirects"]).to_json()
    checks = [c for c in report["checks"] if c["name"] in ("tls", "redirects")]
    assert len(checks) == 2
    for check in checks:
        assert check["status"] == "skipped"
        assert check["summary"].startswith("plain-http local preview")
    explicit = load_config(
        None,
        env={},
        overrides={
            "url": hostile.url + "/",
            "allow_private_targets": True,
            "checks.redirects.hosts": [hostile.url.split("//")[1]],
        },
    )
    report = run_gate(explicit, Target(url=explicit.url), only=["redirects"]).to_json()
    status = next(c for c in report["checks"] if c["name"] == "redirects")
    assert status["status"] != "skipped"


def test_plain_http_public_url_is_still_judged(lab):
    """A named host (here mapped by connect_to, as before a DNS cutover) is not a preview."""
    report = run(lab.config(f"http://{name('plain')}/"), "redirects")
    assert findings(report, "redirects") == {"redirects.http-not-redirected": "blocker"}


def test_plain_http_local_preview_is_not_judged_on_https_only_headers(tmp_path):
    from launchgate.demo.app import DemoServer
    from tests.conftest import run_cli

    with DemoServer() as app:
        result = run_cli(
            "check",
            "--url",
            app.url,
            "--allow-private-targets",
            "--only",
            "headers",
            "--json",
            str(tmp_path / "r.json"),
        )
    report = json.loads((tmp_path / "r.json").read_text())
    ids = {f["id"] for f in report["findings"]}
    assert "headers.hsts-missing" not in ids, result.output
    assert "headers.csp-missing" in ids  # the rest of the headers are still judged
    summary = {c["name"]: c["summary"] for c in report["checks"]}["headers"]
    assert "plain-http local preview" in summary
