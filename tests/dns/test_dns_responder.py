"""The in-process responder (launchgate/demo/dnsserver.py): the demo's DNS, and a server that
fails on purpose: SERVFAIL is retried, then "could not verify" with the findings kept."""

from __future__ import annotations

import dns.message
import dns.query
import dns.rcode
import pytest

from launchgate.config import ChecksConfig, Config, DnsConfig
from launchgate.demo.dnsdemo import DOMAIN, HOSTS, demo_dns_server
from launchgate.demo.dnsserver import ZoneServer
from launchgate.report import Target
from launchgate.runner import run_gate
from tests.support.dns_support import make_config, run_dns

pytestmark = pytest.mark.timeout(60)

BROKEN = {
    ".": "@ 300 IN SOA ns.root. h.root. 1 3600 600 86400 300\n",
    "bad.test.": """\
@ 300 IN SOA ns.bad.test. h.bad.test. 1 3600 600 86400 300
@ 300 IN NS ns.bad.test.
www 300 IN A 192.0.2.1
@ 300 IN MX 10 mx.bad.test.
@ 300 IN TXT "v=spf1 +all"
@ 300 IN CAA 0 issue "letsencrypt.org"
""",
}


def test_servfail_is_retried_then_could_not_verify_keeping_findings():
    with ZoneServer(BROKEN, servfail=["_dmarc.bad.test."]) as server:
        outcome, cannot = run_dns(
            make_config("bad.test", server.nameserver, hosts=("www.bad.test",), selectors=())
        )
    assert outcome is None and cannot is not None
    assert "could not verify DMARC" in str(cannot) and "SERVFAIL" in str(cannot)
    assert "2 attempts" in str(cannot)
    assert [(f.id, f.severity.value) for f in cannot.findings] == [("dns.spf-plus-all", "blocker")]
    assert not any(f.id == "dns.dmarc-missing" for f in cannot.findings)
    assert cannot.metrics is not None and cannot.metrics["deployment_map"]


def test_runner_reports_error_status_with_the_findings():
    with ZoneServer(BROKEN, servfail=["_dmarc.bad.test."]) as server:
        config = Config(
            checks=ChecksConfig(
                dns=DnsConfig(
                    domain="bad.test", hosts=("www.bad.test",), nameservers=(server.nameserver,)
                )
            )
        )
        report = run_gate(config, Target(), only=["dns"])
    data = report.to_json()
    dns_status = next(c for c in data["checks"] if c["name"] == "dns")
    assert dns_status["status"] == "error"
    assert dns_status["summary"].startswith("could not run: could not verify")
    assert [f["id"] for f in data["findings"]] == ["dns.spf-plus-all"]
    assert data["verdict"] == "fail"  # a blocker found before the failure still counts


def test_refused_name_is_could_not_verify_not_missing():
    zones = {k: v for k, v in BROKEN.items() if k != "."}  # no root: other names REFUSED
    with ZoneServer(zones) as server:
        outcome, cannot = run_dns(
            make_config(
                "elsewhere.example", server.nameserver, hosts=("www.bad.test",), selectors=()
            )
        )
    assert outcome is None and cannot is not None
    assert "REFUSED" in str(cannot)
    assert not any(f.id in ("dns.spf-missing", "dns.mx-missing") for f in cannot.findings)


def test_responder_answers_over_tcp_and_udp():
    with demo_dns_server() as server:
        query = dns.message.make_query("admin." + DOMAIN, "A")
        over_tcp = dns.query.tcp(query, "127.0.0.1", port=server.port, timeout=2)
        over_udp = dns.query.udp(query, "127.0.0.1", port=server.port, timeout=2)
    for reply in (over_tcp, over_udp):
        assert reply.rcode() == dns.rcode.NOERROR
        assert [rr.to_text().split()[-1] for rr in reply.answer] == [
            "cname.vercel-dns.com.",
            "76.76.21.21",
        ]


def test_demo_dns_has_only_later_findings_and_a_map():
    with demo_dns_server() as server:
        outcome, cannot = run_dns(
            make_config(DOMAIN, server.nameserver, hosts=tuple(HOSTS), selectors=())
        )
    assert cannot is None and outcome is not None and outcome.metrics is not None
    assert {(f.id, f.severity.value) for f in outcome.findings} == {
        ("dns.dmarc-p-none", "later"),
        ("dns.caa-missing", "later"),
    }
    parts = {r["part"]: r["where"] for r in outcome.metrics["deployment_map"]}
    assert parts["app host api.acme-admin.test"].startswith("Heroku")
    assert parts["mail out (SPF)"] == "Google Workspace, SendGrid (SPF include)"
