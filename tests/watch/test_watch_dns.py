"""What changed since the last watch, from two real dns-check runs against the in-process DNS
responder on loopback: the same zones are no change; a moved NS set, a new apex address, a
re-pointed CNAME and a new MX are each a finding with the right id and severity."""

from __future__ import annotations

from launchgate.comparison import parse_base
from launchgate.config import load_config
from launchgate.demo.dnsdemo import DOMAIN, HOSTS, ZONES
from launchgate.demo.dnsserver import ZoneServer
from launchgate.report import Report, Target
from launchgate.runner import run_gate

MOVED = dict(ZONES)
MOVED["acme-admin.test."] = (
    ZONES["acme-admin.test."]
    .replace("ns1.cloudflare.com.", "ns-1.awsdns-01.org.")
    .replace("ns2.cloudflare.com.", "ns-2.awsdns-02.net.")
    .replace("@ 300 IN A 192.0.2.10", "@ 300 IN A 203.0.113.7")
    .replace("cname.vercel-dns.com.", "acme.netlify.app.")
    .replace("1 aspmx.l.google.com.", "10 mx.fastmail.example.")
)
MOVED["netlify.app."] = (
    "@ 300 IN SOA ns1.netlify.app. h.netlify.app. 1 3600 600 86400 300\nacme 300 IN A 192.0.2.77\n"
)


def dns_watch(tmp_path, zones, previous: Report | None = None) -> Report:
    with ZoneServer(zones) as server:
        path = tmp_path / ".launchgate.yml"
        path.write_text(
            f"checks:\n  dns: {{domain: {DOMAIN}, hosts: {[DOMAIN, *HOSTS]}, "
            f"nameservers: ['{server.nameserver}'], timeout: 2}}\n"
        )
        base = None if previous is None else parse_base(previous.to_json())
        return run_gate(
            load_config(path, env={}),
            Target(),
            only=["dns"],
            base=base,
            base_name="last watch",
            watch=True,
        )


def test_unchanged_zones_are_no_change(tmp_path):
    first = dns_watch(tmp_path, ZONES)
    second = dns_watch(tmp_path, ZONES, first)
    assert second.watch is not None and second.watch.dns_changes == ()
    assert second.watch.previous is not None
    assert [f.id for f in second.findings] == [f.id for f in first.findings]
    assert all(f.new is False for f in second.findings)


def test_moved_records_are_findings(tmp_path):
    first = dns_watch(tmp_path, ZONES)
    second = dns_watch(tmp_path, MOVED, first)
    assert second.watch is not None
    changes = {
        (c.name, c.record): (c.before, c.after, c.finding_id) for c in second.watch.dns_changes
    }
    assert changes == {
        (DOMAIN, "A/AAAA"): (("192.0.2.10",), ("203.0.113.7",), "dns.apex-changed"),
        ("admin.acme-admin.test", "CNAME"): (
            ("cname.vercel-dns.com",),
            ("acme.netlify.app",),
            "dns.record-changed",
        ),
        (DOMAIN, "NS"): (
            ("ns1.cloudflare.com", "ns2.cloudflare.com"),
            ("ns-1.awsdns-01.org", "ns-2.awsdns-02.net"),
            "dns.ns-changed",
        ),
        (DOMAIN, "MX"): (("aspmx.l.google.com",), ("mx.fastmail.example",), "dns.record-changed"),
    }
    found = {f.id: f.severity.value for f in second.findings if f.id.endswith("-changed")}
    assert found == {
        "dns.ns-changed": "important",
        "dns.apex-changed": "important",
        "dns.record-changed": "later",
    }
    assert all(f.new for f in second.findings if f.id.endswith("-changed"))
    (dns_check,) = [c for c in second.checks if c.name == "dns"]
    assert dns_check.status.value == "passed"  # fail_on blocker: a change is not a failure


def test_the_terminal_and_markdown_say_what_changed(tmp_path):
    from launchgate.render.markdown import render_markdown
    from launchgate.render.text import render_text

    second = dns_watch(tmp_path, MOVED, dns_watch(tmp_path, ZONES)).to_json()
    text = render_text(second)
    assert (
        "  dns changed: NS of acme-admin.test: ns1.cloudflare.com, ns2.cloudflare.com -> "
        "ns-1.awsdns-01.org, ns-2.awsdns-02.net"
    ) in text
    assert "since the last watch" in text
    markdown = render_markdown(second)
    assert "### 🔭 Since the last watch" in markdown and "**DNS changed (4)**" in markdown
