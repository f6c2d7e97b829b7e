"""Servers that answer badly: a drip that never ends, compression bombs, malformed URLs in
Location headers and in pages, connection errors. The HTTP layer cuts, bounds and names each of
them; none becomes an internal error. Real servers on loopback: HostileServer and the web lab."""

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
from tests.support.weblab import check_context, findings, name, run

pytestmark = pytest.mark.timeout(60)


# --- malformed URLs in Location headers and in pages -------------------------------------------


def test_malformed_location_is_a_broken_hop_not_an_internal_error(lab):
    report = run(
        lab.config(f"https://{name('badloc')}/"), "redirects", "headers", "exposure"
    ).to_json()
    statuses = {c["name"]: c["summary"] for c in report["checks"]}
    assert not any("internal error" in s for s in statuses.values()), statuses
    assert findings(run(lab.config(f"https://{name('badloc')}/"), "redirects"), "redirects") == {
        "redirects.broken-hop": "blocker"
    }
    detail = next(f["detail"] for f in report["findings"] if f["id"] == "redirects.broken-hop")
    assert "not a valid URL" in detail


def test_smoke_step_ending_in_a_malformed_location(lab):
    steps = [{"name": "bad", "path": "/bad", "expect_status": 200}]
    report = run(lab.config(f"https://{name('app')}/", smoke={"steps": steps}), "smoke").to_json()
    [finding] = report["findings"]
    assert finding["id"] == "smoke.unexpected-status"
    assert "not a valid URL" in finding["detail"]


def test_one_bad_reference_does_not_hide_the_rest_of_the_page(lab):
    links = parse_page(
        '<a><img src="http://[oops"><base href="http://[x"><script src="/late.js"></script>',
        "https://a.test/",
    )
    assert [r.url for r in links.refs] == ["https://a.test/late.js"]
    report = run(lab.config(f"https://{name('badref')}/"), "exposure")
    assert findings(report, "exposure") == {"exposure.mixed-content-active": "blocker"}


# --- a server that drips its answer ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_dripping_server_is_cut_at_the_deadline(hostile, monkeypatch, path):
    monkeypatch.setattr(transport, "RESPONSE_DEADLINE_S", 1.0)
    config = load_config(
        None,
        env={},
        overrides={
            "url": hostile.url + "/",
            "allow_private_targets": True,
            "checks.smoke.steps": [{"name": "drip", "path": path}],
        },
    )
    started = time.monotonic()
    report = run_gate(config, Target(url=config.url), only=["smoke"]).to_json()
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"took {elapsed:.1f}s; the drip lasts 12 s"
    [finding] = report["findings"]
    assert finding["id"] == "smoke.unreachable"
    assert "timed out" in finding["detail"] and "not complete after 1 s" in finding["detail"]


def test_dripping_page_is_a_check_error_for_headers(hostile, monkeypatch):
    monkeypatch.setattr(transport, "RESPONSE_DEADLINE_S", 1.0)
    config = load_config(
        None, env={}, overrides={"url": hostile.url + "/drip-body", "allow_private_targets": True}
    )
    started = time.monotonic()
    with pytest.raises(CheckCannotRun, match="timed out"):
        HeadersCheck().run(check_context(config))
    assert time.monotonic() - started < 5


# --- compression bombs -------------------------------------------------------------------------


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
    result = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, hostile.url + path],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout)
    assert measured["body"] <= MAX_PAGE_BYTES
    assert measured["rss_mb"] < 80, measured  # before the fix: 95-160 (gzip), 606 (br)


# --- connection errors -------------------------------------------------------------------------


def test_httpx_errors_are_not_swallowed(hostile):
    context = transport.HttpContext(allow_private_targets=False)
    with context.client() as client, pytest.raises(httpx.ConnectError):
        fetch_page(client, hostile.url + "/")
