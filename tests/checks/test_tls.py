"""tls against the web lab: one real handshake per scenario, through connect_to."""

from __future__ import annotations

import pytest

from launchgate.checks.tls import TlsCheck, hostname_matches
from tests.support.weblab import check_context, findings, name, run


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("healthy", {}),
        ("expired", {"tls.certificate-expired": "blocker"}),
        ("notyet", {"tls.certificate-not-yet-valid": "blocker"}),
        ("wronghost", {"tls.certificate-wrong-host": "blocker"}),
        ("untrusted", {"tls.certificate-untrusted": "blocker"}),
        ("selfsigned", {"tls.certificate-self-signed": "blocker"}),
        ("exp3", {"tls.certificate-expires-very-soon": "blocker"}),
        ("exp20", {"tls.certificate-expires-soon": "important"}),
        (
            "tls10",
            {"tls.legacy-protocol-accepted": "important", "tls.no-modern-protocol": "blocker"},
        ),
    ],
)
def test_scenario(lab, label, expected):
    report = run(lab.config(f"https://{name(label)}/"), "tls")
    assert findings(report, "tls") == expected


def test_facts_describe_the_certificate(lab):
    ctx = check_context(
        lab.config(f"https://{name('healthy')}/", tls={"hosts": [name("healthy"), name("exp20")]})
    )
    outcome = TlsCheck().run(ctx)
    facts = ctx.facts["tls.certificates"]
    assert facts[name("healthy")]["issuer_org"] == "Launchgate Lab CA"
    assert facts[name("healthy")]["sans"] == [name("healthy")]
    assert facts[name("healthy")]["protocol"] == "TLSv1.3"
    assert facts[name("healthy")]["verified"] is True
    assert facts[name("exp20")]["days_left"] == 20
    assert "20 days left" in outcome.summary
    assert outcome.metrics is not None
    certificates = outcome.metrics["certificates"]
    assert certificates[name("exp20")]["days_left"] == 20
    assert certificates[name("healthy")]["issuer"] == "Launchgate Lab CA"
    assert certificates[name("healthy")]["not_after"] == facts[name("healthy")]["not_after"]


def test_expiry_thresholds_come_from_config(lab):
    config = lab.config(f"https://{name('exp20')}/", tls={"expiry_blocker_days": 25})
    assert findings(run(config, "tls"), "tls") == {"tls.certificate-expires-very-soon": "blocker"}


def test_host_that_does_not_answer_is_a_finding(lab):
    config = lab.config(
        f"https://{name('healthy')}/", tls={"hosts": [name("healthy"), name("closed")]}
    )
    report = run(config, "tls")
    assert findings(report, "tls") == {"tls.host-unreachable": "blocker"}
    tls = next(c for c in report.to_json()["checks"] if c["name"] == "tls")
    assert tls["status"] == "failed"


def test_nothing_answering_is_a_check_error(lab):
    report = run(lab.config(f"https://{name('closed')}/"), "tls")
    tls = next(c for c in report.to_json()["checks"] if c["name"] == "tls")
    assert tls["status"] == "error"
    assert "no host answered" in tls["summary"]
    assert findings(report, "tls") == {"tls.host-unreachable": "blocker"}


def test_private_target_is_refused(lab):
    from launchgate.config import load_config

    config = load_config(
        None,
        env={},
        overrides={
            "url": f"https://{name('healthy')}/",
            "connect_to": lab.connect_to(),
            "ca_bundle": str(lab.ca_path),
        },
    )
    tls = next(c for c in run(config, "tls").to_json()["checks"] if c["name"] == "tls")
    assert tls["status"] == "error"
    assert "allow_private_targets" in tls["summary"]


def test_hostname_matching_follows_browser_rules():
    assert hostname_matches("app.example.com", ["*.example.com"])
    assert not hostname_matches("a.b.example.com", ["*.example.com"])
    assert not hostname_matches("example.com", ["*.example.com"])
    assert hostname_matches("Example.COM.", ["example.com"])
    assert hostname_matches("127.0.0.1", ["127.0.0.1"])


def test_a_certificate_failure_is_named_as_such_not_as_silence(lab):
    """A server that answers with a bad certificate did answer: smoke and redirects say the TLS
    verification failed (tls reports the root cause), in clean text."""
    report = run(lab.config(f"https://{name('selfsigned')}/"), "tls", "redirects", "smoke")
    titles = {f["id"]: f["title"] for f in report.to_json()["findings"]}
    assert "tls.certificate-self-signed" in titles
    assert titles["smoke.unreachable"].endswith("fails TLS verification")
    assert titles["redirects.unreachable"].endswith("fails TLS verification")
    details = " ".join(f["detail"] for f in report.to_json()["findings"])
    assert "_ssl.c" not in details and "TLS certificate verification failed" in details
