"""The real CLI against the web lab: the healthy site passes all four web checks, a site full of
problems fails without any secret or configured header value in any output, and findings keep
their fingerprints when a new build renames its assets."""

from __future__ import annotations

import json

from tests.conftest import assert_no_secret
from tests.support.weblab import (
    BUNDLE_KEY,
    BYPASS_VALUE,
    MAP_KEY,
    SESSION_VALUE,
    build_site,
    name,
    run,
)

WEB = "tls,redirects,headers,exposure"


def test_healthy_site_passes_every_web_check(lab, cli, tmp_path):
    config = lab.write_config(
        tmp_path / ".launchgate.yml",
        f"https://{name('healthy')}/",
        redirects={"hosts": [name("healthy"), name("www.healthy")]},
        exposure={
            "protected_paths": ["/api/admin/users"],
            "cors_paths": ["/api/clients"],
            "staging_hosts": [name("stagingok")],
        },
    )
    result = cli(
        "check",
        "--config",
        str(config),
        "--only",
        WEB,
        "--fail-on",
        "important",
        "--json",
        str(tmp_path / "r.json"),
    )
    assert result.code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["counts"]["blocker"] == 0 and report["counts"]["important"] == 0
    assert {c["name"]: c["status"] for c in report["checks"] if c["name"] in WEB} == {
        "tls": "passed",
        "redirects": "passed",
        "headers": "passed",
        "exposure": "passed",
    }


def test_failing_site_never_leaks_values(lab, cli, tmp_path):
    config = lab.write_config(
        tmp_path / ".launchgate.yml",
        f"https://{name('bundle')}/",
        tls={"hosts": [name("bundle"), name("expired")]},
        exposure={"staging_hosts": [name("staging")]},
        redirects={"canonical": f"https://{name('cookie')}"},
    )
    text = config.read_text() + 'headers: {x-preview-bypass: "${LAB_BYPASS}"}\n'
    config.write_text(text)
    result = cli(
        "check",
        "--config",
        str(config),
        "--only",
        WEB,
        "--json",
        str(tmp_path / "r.json"),
        "--markdown",
        str(tmp_path / "r.md"),
        "--sarif",
        str(tmp_path / "r.sarif"),
        env={"LAB_BYPASS": BYPASS_VALUE},
    )
    assert result.code == 1, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    ids = {f["id"] for f in report["findings"]}
    assert {
        "tls.certificate-expired",
        "exposure.secret-in-bundle",
        "exposure.staging-public",
        "headers.session-cookie-insecure",
    } <= ids
    everything = result.output + "".join(
        (tmp_path / f).read_text() for f in ("r.json", "r.md", "r.sarif")
    )
    for secret in (BYPASS_VALUE, SESSION_VALUE, BUNDLE_KEY, MAP_KEY):
        assert_no_secret(everything, secret, where="the CLI outputs")


def test_demo_serves_https_through_connect_to(demo_run):
    result, report = demo_run.result, demo_run.report
    statuses = {c["name"]: c["status"] for c in report["checks"]}
    assert {statuses[n] for n in WEB.split(",")} == {"passed"}, result.output
    assert statuses["smoke"] == "passed"
    assert report["target"]["url"] == "https://app.demo.test/"
    assert (demo_run.output / "demo-ca.pem").read_text().startswith("-----BEGIN CERTIFICATE")
    assert not list(demo_run.output.glob("*.key"))  # keys never land in the output
    assert "headers.hsts-missing" in {f["id"] for f in report["findings"]}


def test_private_targets_are_refused_by_every_web_check(lab, cli, tmp_path):
    config = lab.write_config(
        tmp_path / ".launchgate.yml",
        f"https://{name('healthy')}/",
        exposure={"protected_paths": ["/api/admin/users"]},
    )
    config.write_text(
        config.read_text().replace("allow_private_targets: true", "allow_private_targets: false")
    )
    before = len(lab.https.requests) + len(lab.http.requests)
    result = cli(
        "check", "--config", str(config), "--only", WEB, "--json", str(tmp_path / "r.json")
    )
    assert result.code == 3, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    for check in report["checks"]:
        if check["name"] in WEB:
            assert check["status"] == "error", check
            assert "allow_private_targets" in check["summary"], check
    assert len(lab.https.requests) + len(lab.http.requests) == before  # nothing was sent


def test_fingerprints_survive_a_new_build(lab):
    config = lab.config(f"https://{name('build')}/")
    first = run(config, "headers", "exposure").to_json()["findings"]
    lab.sites[name("build")] = build_site("2222bbbb")
    try:
        second = run(config, "headers", "exposure").to_json()["findings"]
    finally:
        lab.sites[name("build")] = build_site("1111aaaa")
    ids = {f["id"] for f in first}
    assert {
        "headers.static-assets-not-cached",
        "exposure.mixed-content-active",
        "exposure.mixed-content-passive",
    } <= ids
    assert "2222bbbb" in json.dumps(second) and "2222bbbb" not in json.dumps(first)
    assert sorted((f["id"], f["fingerprint"]) for f in first) == sorted(
        (f["id"], f["fingerprint"]) for f in second
    )
