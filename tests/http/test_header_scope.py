"""Configured headers (a bypass token, say) go to the configured host only: not to another host
a redirect points at, not to the same site's subdomains. The web lab on loopback records every
request it receives, with its headers."""

from __future__ import annotations

import pytest

from tests.support.weblab import BYPASS_VALUE, name, run

pytestmark = pytest.mark.timeout(60)


def _requests_to(lab, host: str) -> list[dict[str, str]]:
    return [
        h for _m, seen_host, _p, h in lab.https.requests + lab.http.requests if seen_host == host
    ]


def test_smoke_never_follows_a_redirect_to_another_host(lab):
    steps = [
        {"name": "away", "path": "/go", "expect_status": 200},
        {"name": "inside", "path": "/in", "expect_status": 200, "expect_text": "password"},
    ]
    config = lab.config(
        f"https://{name('app')}/", {"x-bypass": BYPASS_VALUE}, smoke={"steps": steps}
    )
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
