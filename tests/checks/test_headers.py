"""headers against the web lab: the canonical page's security and delivery headers."""

from __future__ import annotations

import pytest

from launchgate.checks.headers import HeadersCheck, parse_set_cookie
from tests.conftest import assert_no_secret
from tests.support.weblab import SESSION_VALUE, check_context, findings, name, outputs, run

LATER_ONLY = {
    "headers.hsts-missing": "important",
    "headers.csp-missing": "later",
    "headers.x-content-type-options-missing": "later",
    "headers.clickjacking-protection-missing": "later",
    "headers.referrer-policy-missing": "later",
    "headers.compression-missing": "later",
}


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("healthy", {}),
        ("nohsts", {"headers.hsts-missing": "important"}),
        ("shorthsts", {"headers.hsts-short-max-age": "later"}),
        ("nopreload", {"headers.hsts-not-preload-ready": "later"}),
        (
            "cookie",
            {
                "headers.session-cookie-insecure": "blocker",
                "headers.cookie-without-samesite": "later",
            },
        ),
        ("uncached", {"headers.static-assets-not-cached": "later"}),
        ("bare", LATER_ONLY),
    ],
)
def test_scenario(lab, label, expected):
    report = run(lab.config(f"https://{name(label)}/"), "headers")
    assert findings(report, "headers") == expected


def test_hsts_minimum_comes_from_config(lab):
    config = lab.config(f"https://{name('shorthsts')}/", headers={"hsts_min_max_age": 3600})
    assert findings(run(config, "headers"), "headers") == {
        "headers.hsts-not-preload-ready": "later"
    }


def test_canonical_page_is_reached_through_redirects(lab):
    report = run(
        lab.config(
            f"https://{name('www.healthy')}/", redirects={"canonical": f"https://{name('nohsts')}"}
        ),
        "headers",
    )
    assert findings(report, "headers") == {"headers.hsts-missing": "important"}


def test_cookie_values_never_reach_any_output(lab):
    report = run(lab.config(f"https://{name('cookie')}/"), "headers")
    text = outputs(report)
    assert "sessionid" in text
    assert_no_secret(text, SESSION_VALUE, where="the rendered report")


def test_response_headers_are_shared_as_facts(lab):
    ctx = check_context(lab.config(f"https://{name('healthy')}/"))
    HeadersCheck().run(ctx)
    facts = ctx.facts["http.response_headers"][name("healthy")]
    assert facts["server"].startswith("LabServer/1.0")
    assert "set-cookie" not in facts
    assert facts["strict-transport-security"].startswith("max-age=63072000")


def test_unreachable_page_is_a_check_error(lab):
    report = run(lab.config(f"https://{name('closed')}/"), "headers").to_json()
    status = next(c for c in report["checks"] if c["name"] == "headers")
    assert status["status"] == "error"
    assert "closed.lab.test" in status["summary"]


def test_set_cookie_parsing():
    cookie = parse_set_cookie("sid=abc; Path=/; Secure; HttpOnly; SameSite=Strict")
    assert cookie is not None
    assert cookie.name == "sid" and cookie.samesite == "strict"
    assert {"secure", "httponly", "path"} <= cookie.attributes
    assert parse_set_cookie("garbage") is None


def test_csrf_cookie_is_not_a_session_cookie(lab):
    assert findings(run(lab.config(f"https://{name('csrf')}/"), "headers"), "headers") == {}


def test_hsts_max_age_zero_is_hsts_missing(lab):
    report = run(lab.config(f"https://{name('hsts0')}/"), "headers")
    assert findings(report, "headers") == {"headers.hsts-missing": "important"}
    assert "disabled" in report.to_json()["findings"][0]["detail"]
