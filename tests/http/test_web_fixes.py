"""Regression tests for the web review findings: hostile servers (drip, compression bombs,
malformed URLs), configured headers never leaving the configured hosts, local previews, stable
fingerprints. Real servers on loopback: the web lab (HTTPS, connect_to) and HostileServer."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from launchgate.checks.base import CheckCannotRun
from launchgate.checks.headers import HeadersCheck
from launchgate.config import load_config
from launchgate.http import transport
from launchgate.http.pages import MAX_PAGE_BYTES, fetch_page, parse_page, read_limited
from launchgate.report import Target
from launchgate.runner import run_gate
from tests.conftest import ROOT
from tests.support.hostile_server import HostileServer
from tests.support.weblab import BYPASS_VALUE, Site, check_context, findings, name, run, start_lab

pytestmark = pytest.mark.timeout(60)


def _build_site(build: str) -> Site:
    """A page whose hashed asset names change with every build."""
    return Site(page_extra=(f'<script src="/static/app.{build}.js"></script>'
                            f'<script src="http://cdn.lab.test/lib.{build}.js"></script>'
                            f'<img src="http://cdn.lab.test/logo.{build}.png">'),
                routes={f"/static/app.{build}.js": (200, {"Content-Type": "text/javascript"},
                                                     b"console.log(1)")})


def lab_sites() -> dict[str, Site]:
    return {
        name("app"): Site(redirects={"/go": f"https://{name('elsewhere')}/landing",
                                     "/in": "/login", "/bad": "http://[bad/"}),
        name("elsewhere"): Site(),
        name("sub"): Site(page_extra=f'<script src="https://{name("static.sub")}/main.js">'
                                     "</script>"),
        name("static.sub"): Site(routes={"/main.js": (
            200, {"Content-Type": "application/javascript",
                  "Cache-Control": "max-age=60"}, b"var a = 1;")}),
        name("build"): _build_site("1111aaaa"),
        name("csrf"): Site(cookie="XSRF-TOKEN={v}; Path=/; Secure; SameSite=Lax"),
        name("hsts0"): Site(hsts="max-age=0"),
        name("plain"): Site(http_serves=True),
        name("badloc"): Site(redirects={"/": "http://[bad/"}),
        name("badref"): Site(page_extra='<img src="http://[oops">'
                                        '<script src="http://cdn.lab.test/late.js"></script>'),
    }


@pytest.fixture(scope="module")
def lab():
    with start_lab(lab_sites()) as running:
        yield running


@pytest.fixture(scope="module")
def hostile():
    with HostileServer() as server:
        yield server


def _requests_to(lab, host: str) -> list[dict[str, str]]:
    return [h for _m, seen_host, _p, h in lab.https.requests + lab.http.requests
            if seen_host == host]


# --- 1, 2: configured headers stay on the configured hosts -------------------------------------

def test_smoke_never_follows_a_redirect_to_another_host(lab):
    steps = [{"name": "away", "path": "/go", "expect_status": 200},
             {"name": "inside", "path": "/in", "expect_status": 200, "expect_text": "password"}]
    config = lab.config(f"https://{name('app')}/", {"x-bypass": BYPASS_VALUE},
                        smoke={"steps": steps})
    report = run(config, "smoke").to_json()
    assert _requests_to(lab, name("elsewhere")) == []
    [finding] = report["findings"]
    assert finding["id"] == "smoke.unexpected-status" and finding["title"].startswith("away")
    assert "answered 302" in finding["title"]
    assert f"another host (https://{name('elsewhere')})" in finding["detail"]
    # The same-host redirect of the other step was followed, with the headers.
    assert any(h.get("x-bypass") == BYPASS_VALUE for h in _requests_to(lab, name("app")))


def test_configured_headers_are_not_sent_to_same_site_subdomains(lab):
    config = lab.config(f"https://{name('sub')}/", {"x-bypass": BYPASS_VALUE})
    run(config, "headers", "exposure")
    assets = _requests_to(lab, name("static.sub"))
    assert len(assets) >= 2  # fetched by headers (cache) and exposure (bundle scan)
    assert all("x-bypass" not in h for h in assets)
    assert all(h.get("x-bypass") == BYPASS_VALUE for h in _requests_to(lab, name("sub")))


# --- 3: paths cannot lead to another origin ----------------------------------------------------

@pytest.mark.parametrize("path", ["//evil.example/x", "/\\evil.example/x", "https://evil.example/",
                                  "/\t/evil.example"])
def test_path_settings_must_stay_on_the_url(path):
    from launchgate.errors import ConfigError
    with pytest.raises(ConfigError) as caught:
        load_config(None, env={}, overrides={"checks.smoke.steps": [
            {"name": "x", "path": path}]})
    assert "checks.smoke.steps[0].path" in str(caught.value)


# --- 5, 6: malformed URLs in Location headers and in pages -------------------------------------

def test_malformed_location_is_a_broken_hop_not_an_internal_error(lab):
    report = run(lab.config(f"https://{name('badloc')}/"),
                 "redirects", "headers", "exposure").to_json()
    statuses = {c["name"]: c["summary"] for c in report["checks"]}
    assert not any("internal error" in s for s in statuses.values()), statuses
    assert findings(run(lab.config(f"https://{name('badloc')}/"), "redirects"),
                    "redirects") == {"redirects.broken-hop": "blocker"}
    detail = next(f["detail"] for f in report["findings"] if f["id"] == "redirects.broken-hop")
    assert "not a valid URL" in detail


def test_smoke_step_ending_in_a_malformed_location(lab):
    steps = [{"name": "bad", "path": "/bad", "expect_status": 200}]
    report = run(lab.config(f"https://{name('app')}/", smoke={"steps": steps}),
                 "smoke").to_json()
    [finding] = report["findings"]
    assert finding["id"] == "smoke.unexpected-status"
    assert "not a valid URL" in finding["detail"]


def test_one_bad_reference_does_not_hide_the_rest_of_the_page(lab):
    links = parse_page('<a><img src="http://[oops"><base href="http://[x">'
                       '<script src="/late.js"></script>', "https://a.test/")
    assert [r.url for r in links.refs] == ["https://a.test/late.js"]
    report = run(lab.config(f"https://{name('badref')}/"), "exposure")
    assert findings(report, "exposure") == {"exposure.mixed-content-active": "blocker"}


# --- 7: a server that drips its answer ---------------------------------------------------------

@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_dripping_server_is_cut_at_the_deadline(hostile, monkeypatch, path):
    monkeypatch.setattr(transport, "RESPONSE_DEADLINE_S", 1.0)
    config = load_config(None, env={}, overrides={
        "url": hostile.url + "/", "allow_private_targets": True,
        "checks.smoke.steps": [{"name": "drip", "path": path}]})
    started = time.monotonic()
    report = run_gate(config, Target(url=config.url), only=["smoke"]).to_json()
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f}s; the drip lasts 12 s"
    [finding] = report["findings"]
    assert finding["id"] == "smoke.unreachable"
    assert "timed out" in finding["detail"] and "not complete after 1 s" in finding["detail"]


def test_dripping_page_is_a_check_error_for_headers(hostile, monkeypatch):
    monkeypatch.setattr(transport, "RESPONSE_DEADLINE_S", 1.0)
    config = load_config(None, env={}, overrides={"url": hostile.url + "/drip-body",
                                                  "allow_private_targets": True})
    started = time.monotonic()
    with pytest.raises(CheckCannotRun, match="timed out"):
        HeadersCheck().run(check_context(config))
    assert time.monotonic() - started < 5


# --- 8: compression bombs ----------------------------------------------------------------------

def test_only_gzip_and_deflate_are_asked_for(hostile):
    context = transport.HttpContext(allow_private_targets=True)
    with context.client() as client:
        fetch_page(client, hostile.url + "/echo")
    assert hostile.seen[-1][1]["accept-encoding"] == "gzip, deflate"


def test_gzip_body_is_decoded_and_bounded(hostile):
    context = transport.HttpContext(allow_private_targets=True)
    with context.client() as client:
        page = fetch_page(client, hostile.url + "/gzip-page")
        assert page.text == "<p>Sign in</p>" * 100
        with client.stream("GET", hostile.url + "/bomb-gzip") as response:
            body = read_limited(response, limit=1_000_000)
    assert body == bytes(1_000_000)


# Peak RSS from /proc/self/status VmHWM, which belongs to this process image: getrusage's
# ru_maxrss survives fork+exec on Linux and would report the (large) pytest parent's peak.
_RSS_PROBE = """
import json, re, sys
from launchgate.http import transport
from launchgate.http.pages import fetch_page
with transport.HttpContext(allow_private_targets=True).client() as client:
    page = fetch_page(client, sys.argv[1])
with open("/proc/self/status") as status:
    hwm_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1))
print(json.dumps({"body": len(page.body), "rss_mb": hwm_kb / 1024}))
"""


@pytest.mark.parametrize("path", ["/bomb-gzip", "/bomb-br"])
def test_compression_bomb_keeps_memory_bounded(hostile, path):
    """300 MB of zeros, compressed: the reader stays near its 2 MB page limit (a child
    process, so its peak RSS is its own)."""
    result = subprocess.run([sys.executable, "-c", _RSS_PROBE, hostile.url + path],
                            capture_output=True, text=True, timeout=60, cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout)
    assert measured["body"] <= MAX_PAGE_BYTES
    assert measured["rss_mb"] < 80, measured  # before the fix: 95-160 (gzip), 606 (br)


# --- 13, 14b, 15: headers judgments and stable fingerprints ------------------------------------

def test_csrf_cookie_is_not_a_session_cookie(lab):
    assert findings(run(lab.config(f"https://{name('csrf')}/"), "headers"), "headers") == {}


def test_hsts_max_age_zero_is_hsts_missing(lab):
    report = run(lab.config(f"https://{name('hsts0')}/"), "headers")
    assert findings(report, "headers") == {"headers.hsts-missing": "important"}
    assert "disabled" in report.to_json()["findings"][0]["detail"]


def test_fingerprints_survive_a_new_build(lab):
    config = lab.config(f"https://{name('build')}/")
    first = run(config, "headers", "exposure").to_json()["findings"]
    lab.sites[name("build")] = _build_site("2222bbbb")
    try:
        second = run(config, "headers", "exposure").to_json()["findings"]
    finally:
        lab.sites[name("build")] = _build_site("1111aaaa")
    ids = {f["id"] for f in first}
    assert {"headers.static-assets-not-cached", "exposure.mixed-content-active",
            "exposure.mixed-content-passive"} <= ids
    assert "2222bbbb" in json.dumps(second) and "2222bbbb" not in json.dumps(first)
    assert sorted((f["id"], f["fingerprint"]) for f in first) == \
        sorted((f["id"], f["fingerprint"]) for f in second)


# --- 14a: plain-http local previews ------------------------------------------------------------

def test_plain_http_local_preview_skips_tls_and_redirects(hostile):
    config = load_config(None, env={}, overrides={"url": hostile.url + "/",
                                                  "allow_private_targets": True})
    report = run_gate(config, Target(url=config.url), only=["tls", "redirects"]).to_json()
    checks = [c for c in report["checks"] if c["name"] in ("tls", "redirects")]
    assert len(checks) == 2
    for check in checks:
        assert check["status"] == "skipped"
        assert check["summary"].startswith("plain-http local preview")
    explicit = load_config(None, env={}, overrides={
        "url": hostile.url + "/", "allow_private_targets": True,
        "checks.redirects.hosts": [hostile.url.split("//")[1]]})
    report = run_gate(explicit, Target(url=explicit.url), only=["redirects"]).to_json()
    status = next(c for c in report["checks"] if c["name"] == "redirects")
    assert status["status"] != "skipped"


def test_plain_http_public_url_is_still_judged(lab):
    """A named host (here mapped by connect_to, as before a DNS cutover) is not a preview."""
    report = run(lab.config(f"http://{name('plain')}/"), "redirects")
    assert findings(report, "redirects") == {"redirects.http-not-redirected": "blocker"}


def test_httpx_errors_are_not_swallowed(hostile):
    context = transport.HttpContext(allow_private_targets=False)
    with context.client() as client, pytest.raises(httpx.ConnectError):
        fetch_page(client, hostile.url + "/")


def test_a_certificate_failure_is_named_as_such_not_as_silence():
    """A server that answers with a bad certificate did answer: smoke and redirects say the TLS
    verification failed (tls reports the root cause), in clean text."""
    with start_lab() as lab:
        report = run(lab.config(f"https://{name('selfsigned')}/"), "tls", "redirects", "smoke")
    titles = {f["id"]: f["title"] for f in report.to_json()["findings"]}
    assert "tls.certificate-self-signed" in titles
    assert titles["smoke.unreachable"].endswith("fails TLS verification")
    assert titles["redirects.unreachable"].endswith("fails TLS verification")
    details = " ".join(f["detail"] for f in report.to_json()["findings"])
    assert "_ssl.c" not in details and "TLS certificate verification failed" in details


def test_an_empty_header_value_is_a_config_error_naming_the_key(tmp_path):
    from launchgate.config import load_config
    from launchgate.errors import ConfigError

    config = tmp_path / ".launchgate.yml"
    config.write_text('url: https://app.example.test\nheaders:\n  x-bypass: "${BYPASS}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config, env={"BYPASS": ""})
    assert str(caught.value).startswith(f"{config}:3: headers.x-bypass: the header value is empty")


def test_plain_http_local_preview_is_not_judged_on_https_only_headers(tmp_path):
    from launchgate.demo.app import DemoServer
    from tests.conftest import run_cli

    with DemoServer() as app:
        result = run_cli("check", "--url", app.url, "--allow-private-targets", "--only",
                         "headers", "--json", str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text())
    ids = {f["id"] for f in report["findings"]}
    assert "headers.hsts-missing" not in ids, result.output
    assert "headers.csp-missing" in ids  # the rest of the headers are still judged
    summary = {c["name"]: c["summary"] for c in report["checks"]}["headers"]
    assert "plain-http local preview" in summary
