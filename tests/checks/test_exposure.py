"""exposure against the web lab: protected paths, staging, CORS, mixed content, bundles."""

from __future__ import annotations

import pytest

from tests.conftest import assert_no_secret
from tests.support.weblab import (
    BUNDLE_KEY,
    BYPASS_VALUE,
    MAP_KEY,
    SUPABASE_ANON,
    SUPABASE_SERVICE_ROLE,
    findings,
    name,
    outputs,
    run,
)

PROBES = {"protected_paths": ["/api/admin/users"], "cors_paths": ["/api/clients"]}


@pytest.mark.parametrize(
    ("label", "section", "expected"),
    [
        ("healthy", {**PROBES, "staging_hosts": [name("stagingok"), name("closed")]}, {}),
        ("openapi", PROBES, {"exposure.protected-path-open": "blocker"}),
        ("healthy", {"staging_hosts": [name("staging")]}, {"exposure.staging-public": "blocker"}),
        ("cors", PROBES, {"exposure.cors-wildcard": "important"}),
        ("corsreflect", PROBES, {"exposure.cors-reflected-with-credentials": "blocker"}),
        (
            "mixed",
            {},
            {
                "exposure.mixed-content-active": "blocker",
                "exposure.mixed-content-passive": "important",
            },
        ),
        ("bundle", {}, {"exposure.secret-in-bundle": "blocker"}),
        (
            "healthy",
            {"protected_paths": ["/api/missing"]},
            {"exposure.protected-path-not-found": "later"},
        ),
    ],
)
def test_scenario(lab, label, section, expected):
    report = run(lab.config(f"https://{name(label)}/", exposure=section), "exposure")
    assert findings(report, "exposure") == expected


def test_login_redirect_and_login_page_count_as_protected(lab):
    config = lab.config(
        f"https://{name('loginwall')}/", exposure={"protected_paths": ["/dashboard", "/login"]}
    )
    assert findings(run(config, "exposure")) == {}
    # a redirect to a page that does not exist is neither a login nor data
    dead = lab.config(f"https://{name('dead')}/", exposure={"protected_paths": ["/"]})
    assert findings(run(dead, "exposure")) == {"exposure.protected-path-not-found": "later"}


def test_bundle_secrets_are_located_but_never_printed(lab):
    report = run(lab.config(f"https://{name('bundle')}/"), "exposure")
    hits = [f for f in report.to_json()["findings"] if f["id"] == "exposure.secret-in-bundle"]
    assert {(f["location"]["url"].rsplit("/", 1)[-1], f["location"]["line"]) for f in hits} == {
        ("main.js", 1),
        ("main.js.map", 2),
    }
    assert any("Stripe" in f["title"] for f in hits) and any("AWS" in f["title"] for f in hits)
    assert any("src/aws.ts" in f["detail"] for f in hits)
    text = outputs(report)
    assert_no_secret(text, BUNDLE_KEY, where="the rendered report")
    assert_no_secret(text, MAP_KEY, where="the rendered report")


def test_bundle_reports_a_supabase_service_role_key_but_not_the_anon_key(lab):
    """Issue 14 part 3: the anon key is made for the browser; the service_role key is not."""
    report = run(lab.config(f"https://{name('supabase')}/"), "exposure")
    hits = [f for f in report.to_json()["findings"] if f["id"] == "exposure.secret-in-bundle"]
    assert [(f["title"], f["location"]["line"]) for f in hits] == [
        ("Supabase service_role Key in client-side code", 2)
    ]
    text = outputs(report)
    assert_no_secret(text, SUPABASE_SERVICE_ROLE, where="the rendered report")
    assert_no_secret(text, SUPABASE_ANON, where="the rendered report")


def test_protected_probe_sends_bypass_header_but_no_credentials(lab):
    config = lab.config(
        f"https://{name('healthy')}/",
        global_headers={"x-preview-bypass": BYPASS_VALUE, "Authorization": "Bearer admin"},
        exposure={"protected_paths": ["/api/admin/users"]},
    )
    before = len(lab.https.requests)
    report = run(config, "exposure")
    assert findings(report) == {}  # with the Authorization header it would have been a 200
    probes = [h for _m, _host, path, h in lab.https.requests[before:] if path == "/api/admin/users"]
    assert probes and all(h.get("x-preview-bypass") == BYPASS_VALUE for h in probes)
    assert not any("authorization" in h for h in probes)
    assert_no_secret(outputs(report), BYPASS_VALUE, where="the rendered report")


def test_staging_probe_sends_no_configured_headers(lab):
    config = lab.config(
        f"https://{name('healthy')}/",
        global_headers={"x-preview-bypass": BYPASS_VALUE},
        exposure={"staging_hosts": [name("staging")], "scan_bundles": False},
    )
    before = len(lab.https.requests)
    run(config, "exposure")
    staging = [h for _m, host, _p, h in lab.https.requests[before:] if host == name("staging")]
    assert staging and not any("x-preview-bypass" in h for h in staging)


def test_staging_with_broken_certificate_is_still_public(lab):
    config = lab.config(None, exposure={"staging_hosts": [name("selfsigned")]})
    assert findings(run(config, "exposure")) == {"exposure.staging-public": "blocker"}


def test_unreachable_app_is_a_check_error(lab):
    report = run(lab.config(f"https://{name('closed')}/", exposure=PROBES)).to_json()
    status = next(c for c in report["checks"] if c["name"] == "exposure")
    assert status["status"] == "error" and "nothing answered" in status["summary"]


def test_page_parsing_and_site_rules():
    from launchgate.address import origin, split_host
    from launchgate.http.pages import parse_page, same_site

    html = (
        '<base href="/app/"><script src="main.js"></script><script>var a=1</script>'
        '<img srcset="http://cdn.x/a.png 1x, b.png 2x"><link rel="Stylesheet" href="s.css">'
        '<a href="/not-a-resource">x</a><img src="data:image/png;base64,AAAA">'
    )
    links = parse_page(html, "https://app.example.com/")
    assert [(r.tag, r.url) for r in links.refs] == [
        ("script", "https://app.example.com/app/main.js"),
        ("img", "http://cdn.x/a.png"),
        ("img", "https://app.example.com/app/b.png"),
        ("link", "https://app.example.com/app/s.css"),
    ]
    assert links.refs[-1].rel == "stylesheet"
    assert links.inline_scripts == ("var a=1",)
    assert same_site("https://cdn.app.example.com/x.js", ["app.example.com"])
    assert not same_site("https://evilapp.example.com/x.js", ["app.example.com"])
    assert origin("HTTPS://App.Example.com:443/x?y") == "https://app.example.com"
    assert origin("http://h:8080/") == "http://h:8080"
    assert split_host("[::1]:8443").port == 8443 and split_host("Host.test.").host == "host.test"
