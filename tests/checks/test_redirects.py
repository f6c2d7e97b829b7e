"""redirects against the web lab: chains followed hop by hop through connect_to."""

from __future__ import annotations

import pytest

from tests.support.weblab import findings, name, run


@pytest.mark.parametrize(
    ("label", "section", "expected"),
    [
        ("healthy", {"hosts": [name("healthy"), name("www.healthy")]}, {}),
        ("plainhttp", {}, {"redirects.http-not-redirected": "blocker"}),
        ("loop", {}, {"redirects.loop": "blocker"}),
        ("chain", {}, {"redirects.long-chain": "important"}),
        ("dead", {}, {"redirects.dead-end": "blocker"}),
        (
            "apex",
            {"hosts": [name("apex"), name("www.apex")]},
            {"redirects.non-canonical": "important"},
        ),
        ("downgrade", {}, {"redirects.downgrade": "important"}),
    ],
)
def test_scenario(lab, label, section, expected):
    report = run(lab.config(f"https://{name(label)}/", redirects=section), "redirects")
    assert findings(report, "redirects") == expected


def test_long_chain_reports_every_hop_and_respects_max_hops(lab):
    report = run(lab.config(f"https://{name('chain')}/"), "redirects")
    details = [f for f in report.to_json()["findings"] if f["id"] == "redirects.long-chain"]
    assert {f["location"]["url"] for f in details} == {
        f"http://{name('chain')}/",
        f"https://{name('chain')}/",
    }
    assert any("takes 6 redirects" in f["title"] for f in details)
    chains = {c["entry"]: c for c in report.to_json()["metrics"]["redirects"]["chains"]}
    assert len(chains[f"http://{name('chain')}/"]["hops"]) == 6  # to https, then the chain
    https_chain = chains[f"https://{name('chain')}/"]
    assert [h["status"] for h in https_chain["hops"]] == [302] * 5
    assert https_chain["final_status"] == 200 and https_chain["end"] == "ok"
    relaxed = lab.config(f"https://{name('chain')}/", redirects={"max_hops": 6})
    assert findings(run(relaxed, "redirects"), "redirects") == {}


def test_www_redirecting_to_apex_is_fine_but_the_reverse_canonical_is_not(lab):
    config = lab.config(
        f"https://{name('healthy')}/",
        redirects={
            "hosts": [name("healthy"), name("www.healthy")],
            "canonical": f"https://{name('www.healthy')}",
        },
    )
    report = run(config, "redirects")
    assert findings(report, "redirects") == {"redirects.non-canonical": "important"}
    titles = [f["title"] for f in report.to_json()["findings"]]
    assert any(f"ends on https://{name('healthy')}" in t for t in titles)


def test_unreachable_entry_points(lab):
    config = lab.config(
        f"https://{name('healthy')}/", redirects={"hosts": [name("healthy"), name("closed")]}
    )
    assert findings(run(config, "redirects"), "redirects") == {
        "redirects.unreachable": "blocker",
        "redirects.http-unreachable": "important",
    }
    nothing = run(lab.config(f"https://{name('closed')}/"), "redirects").to_json()
    status = next(c for c in nothing["checks"] if c["name"] == "redirects")
    assert status["status"] == "error" and "no entry point answered" in status["summary"]


def test_no_request_leaves_the_configured_hosts(lab):
    https_before, http_before = len(lab.https.requests), len(lab.http.requests)
    run(
        lab.config(f"https://{name('healthy')}/", redirects={"paths": ["/", "/login"]}), "redirects"
    )
    seen = lab.https.requests[https_before:] + lab.http.requests[http_before:]
    assert len(seen) == 6  # 2 paths: http hop + https page, https page
    assert {host for _m, host, _p, _h in seen} == {name("healthy")}


def test_plain_http_url_is_entered_as_written(lab):
    http_url = f"http://{name('plainhttp')}/"
    config = lab.config(http_url)
    report = run(config, "redirects", "tls")
    assert findings(report, "redirects") == {"redirects.http-not-redirected": "blocker"}
    assert [f["location"]["url"] for f in report.to_json()["findings"]] == [http_url]
    tls = next(c for c in report.to_json()["checks"] if c["name"] == "tls")
    assert tls["status"] == "skipped"
