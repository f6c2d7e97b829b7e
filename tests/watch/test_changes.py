"""What changed since the last watch: certificates' days left and trend, DNS answers (each a
finding with the right id and severity), and what is not a change."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema

from launchgate.findings import FINDING_IDS
from launchgate.report import BaseRef, Report, Target, Verdict, report_schema
from launchgate.watch.changes import watch_changes

PREVIOUS = BaseRef(name="last watch", head="a" * 40, verdict="pass", url="https://example.com")


def metrics() -> dict[str, Any]:
    return {
        "tls": {
            "certificates": {
                "example.com": {
                    "issuer": "Let's Encrypt",
                    "not_after": "2027-01-30T00:00:00+00:00",
                    "days_left": 58,
                },
                "www.example.com": {
                    "issuer": "Let's Encrypt",
                    "not_after": "2026-12-20T00:00:00+00:00",
                    "days_left": 17,
                },
            }
        },
        "dns": {
            "records": {
                "hosts": {
                    "example.com": {"cname": [], "addresses": ["192.0.2.10"]},
                    "www.example.com": {
                        "cname": ["app.cdn.example.net"],
                        "addresses": ["198.51.100.1", "198.51.100.2"],
                    },
                    "app.example.com": {"cname": [], "addresses": ["192.0.2.20"]},
                },
                "domain": "example.com",
                "ns": ["ns1.dns-a.example", "ns2.dns-a.example"],
                "mx": ["mx1.mail.example"],
                "spf": ["v=spf1 include:_spf.mail.example -all"],
                "dmarc": "v=DMARC1; p=quarantine; rua=mailto:d@example.com",
                "caa": ['0 issue "letsencrypt.org"'],
            }
        },
    }


def test_first_watch_is_the_baseline():
    changes = watch_changes(None, metrics(), None)
    assert changes.findings == ()
    assert changes.summary.previous is None
    assert [(c.host, c.trend, c.days_left) for c in changes.summary.certificates] == [
        ("example.com", "new", 58),
        ("www.example.com", "new", 17),
    ]
    assert "baseline" in changes.summary.notes[0]


def test_nothing_changed_is_no_finding_and_days_count_down():
    before, now = metrics(), metrics()
    for cert in now["tls"]["certificates"].values():
        cert["days_left"] -= 1
    changes = watch_changes(before, now, PREVIOUS)
    assert changes.findings == () and changes.summary.dns_changes == ()
    trend = {
        c.host: (c.trend, c.previous_days_left, c.days_left, c.change_days)
        for c in changes.summary.certificates
    }
    assert trend == {
        "example.com": ("counting down", 58, 57, -1),
        "www.example.com": ("counting down", 17, 16, -1),
    }


def test_renewed_replaced_and_unseen_certificates():
    before, now = metrics(), metrics()
    now["tls"]["certificates"]["www.example.com"] = {
        "issuer": "Let's Encrypt",
        "not_after": "2027-03-01T00:00:00+00:00",
        "days_left": 88,
    }
    now["tls"]["certificates"]["example.com"]["issuer"] = "Other CA"
    now["tls"]["certificates"]["example.com"]["not_after"] = "2027-01-01T00:00:00+00:00"
    now["tls"]["certificates"]["example.com"]["days_left"] = 29
    before["tls"]["certificates"]["old.example.com"] = {
        "issuer": "X",
        "not_after": "2027-01-01T00:00:00+00:00",
        "days_left": 5,
    }
    trend = {
        c.host: (c.trend, c.change_days)
        for c in watch_changes(before, now, PREVIOUS).summary.certificates
    }
    assert trend == {
        "www.example.com": ("renewed", 71),
        "example.com": ("replaced", -29),
        "old.example.com": ("not checked", None),
    }


def test_ns_change_is_important():
    before, now = metrics(), metrics()
    now["dns"]["records"]["ns"] = ["ns1.elsewhere.example", "ns2.elsewhere.example"]
    changes = watch_changes(before, now, PREVIOUS)
    (finding,) = changes.findings
    assert (finding.id, finding.severity.value, finding.check) == (
        "dns.ns-changed",
        "important",
        "dns",
    )
    assert "ns1.dns-a.example, ns2.dns-a.example" in finding.detail
    assert "ns1.elsewhere.example" in finding.detail
    (change,) = changes.summary.dns_changes
    assert (change.record, change.name) == ("NS", "example.com")


def test_ns_order_and_case_are_not_a_change():
    before, now = metrics(), metrics()
    now["dns"]["records"]["ns"] = ["NS2.dns-a.example.", "ns1.dns-a.example"]
    assert watch_changes(before, now, PREVIOUS).findings == ()


def test_apex_target_change_is_important_other_hosts_later():
    before, now = metrics(), metrics()
    hosts = now["dns"]["records"]["hosts"]
    hosts["example.com"]["addresses"] = ["203.0.113.9"]
    hosts["app.example.com"]["addresses"] = ["192.0.2.21"]
    found = {
        (f.id, f.severity.value, f.location.host)
        for f in watch_changes(before, now, PREVIOUS).findings
    }
    assert found == {
        ("dns.apex-changed", "important", "example.com"),
        ("dns.record-changed", "later", "app.example.com"),
    }


def test_cname_target_change_is_reported_but_cdn_address_rotation_is_not():
    before, now = metrics(), metrics()
    now["dns"]["records"]["hosts"]["www.example.com"]["addresses"] = ["198.51.100.77"]
    assert watch_changes(before, now, PREVIOUS).findings == ()
    now["dns"]["records"]["hosts"]["www.example.com"]["cname"] = ["other.paas.example"]
    (finding,) = watch_changes(before, now, PREVIOUS).findings
    assert finding.id == "dns.record-changed" and "CNAME of www.example.com" in finding.title


def test_mail_and_caa_changes_are_later_findings():
    before, now = metrics(), metrics()
    records = now["dns"]["records"]
    records["mx"] = ["mx.other.example"]
    records["spf"] = ["v=spf1 include:_spf.other.example -all"]
    records["dmarc"] = "v=DMARC1; p=none"
    records["caa"] = ['0 issue "letsencrypt.org"', '0 issue "pki.goog"']
    changes = watch_changes(before, now, PREVIOUS)
    assert sorted(c.record for c in changes.summary.dns_changes) == ["CAA", "DMARC", "MX", "SPF"]
    assert {f.id for f in changes.findings} == {"dns.record-changed"}
    assert {f.severity.value for f in changes.findings} == {"later"}
    assert all(f.id in FINDING_IDS for f in changes.findings)


def test_a_record_not_looked_up_in_one_run_is_not_a_change():
    before, now = metrics(), metrics()
    del now["dns"]["records"]["dmarc"]
    del now["dns"]["records"]["hosts"]["app.example.com"]
    assert watch_changes(before, now, PREVIOUS).findings == ()
    del now["dns"]
    changes = watch_changes(before, now, PREVIOUS)
    assert changes.findings == ()
    assert changes.summary.notes == ("DNS not compared: the dns check did not run in this watch",)


def test_same_change_keeps_its_fingerprint_and_another_change_gets_a_new_one():
    before, now = metrics(), metrics()
    now["dns"]["records"]["ns"] = ["ns1.elsewhere.example"]
    first = watch_changes(before, now, PREVIOUS).findings[0]
    again = watch_changes(copy.deepcopy(before), copy.deepcopy(now), PREVIOUS).findings[0]
    assert first.fingerprint == again.fingerprint
    now["dns"]["records"]["ns"] = ["ns1.third.example"]
    assert watch_changes(before, now, PREVIOUS).findings[0].fingerprint != first.fingerprint


def test_summary_is_valid_report_json():
    before, now = metrics(), metrics()
    now["dns"]["records"]["ns"] = ["ns1.elsewhere.example"]
    changes = watch_changes(before, now, PREVIOUS)
    report = Report(
        verdict=Verdict.PASS,
        fail_on="blocker",
        target=Target(url=None, repo=None),
        checks=(),
        findings=changes.findings,
        metrics=now,
        watch=changes.summary,
    )
    data = report.to_json()
    jsonschema.validate(data, report_schema())
    assert data["watch"]["dns_changes"][0]["record"] == "NS"
    assert data["watch"]["previous"]["name"] == "last watch"
