"""The dns check against a real authoritative server: one knotd per session serves every zone of
tests/support/zones (DKIM keys generated at start-up). Each scenario asserts finding ids and
severities.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from launchgate.checks.base import CheckSkipped
from launchgate.config import ChecksConfig, Config, TlsConfig
from launchgate.report import Finding
from tests.support.dns_support import make_config, run_dns

pytestmark = [pytest.mark.timeout(60), pytest.mark.slow]  # a real knotd


@pytest.fixture(scope="session")
def knot() -> Iterator[str]:
    from tests.support.dns_support import knot_for_zones

    with knot_for_zones() as server:
        yield server.nameserver


def graded(findings: tuple[Finding, ...]) -> dict[str, str]:
    return {f.id: f.severity.value for f in findings}


def check(knot: str, domain: str | None, **kwargs):
    outcome, cannot = run_dns(make_config(domain, knot, **kwargs))
    assert cannot is None, f"check could not run: {cannot}"
    assert outcome is not None
    return outcome


def test_healthy_domain_has_no_blocker_and_no_important(knot):
    outcome = check(
        knot, "healthy.test", hosts=("healthy.test", "www.healthy.test", "app.healthy.test")
    )
    assert [f for f in outcome.findings if f.severity.value != "later"] == []
    assert outcome.findings == ()
    assert outcome.metrics is not None
    assert outcome.metrics["spf_lookups"] == 4  # include _spf.google.com + its 3 includes
    assert outcome.metrics["spf_void_lookups"] == 0
    assert "SPF 4/10 lookups" in outcome.summary
    assert "DMARC p=reject" in outcome.summary


def test_healthy_deployment_map_names_providers(knot):
    headers = {"www.healthy.test": {"Server": "cloudflare", "CF-RAY": "8a1b-AMS"}}
    outcome, _ = run_dns(
        make_config("healthy.test", knot, hosts=("www.healthy.test",)),
        facts={"http.response_headers": headers},
    )
    assert outcome is not None and outcome.metrics is not None
    rows = {r["part"]: r["where"] for r in outcome.metrics["deployment_map"]}
    assert rows["DNS provider"].startswith("Cloudflare")
    assert rows["app host www.healthy.test"].startswith("Vercel (CNAME cname.vercel-dns.com)")
    assert "response headers show Cloudflare" in rows["app host www.healthy.test"]
    assert rows["mail in (MX)"].startswith("Google Workspace")
    assert rows["mail out (SPF)"] == "Google Workspace (SPF include)"


def test_records_are_reported_as_answered(knot):
    outcome = check(
        knot,
        "healthy.test",
        hosts=("www.healthy.test", "app.healthy.test"),
        selectors=("google", "nosuch"),
    )
    assert outcome.metrics is not None
    records = outcome.metrics["records"]
    assert records["hosts"]["app.healthy.test"] == {"cname": [], "addresses": ["192.0.2.11"]}
    assert records["hosts"]["www.healthy.test"]["cname"] == ["cname.vercel-dns.com"]
    assert records["ns"] == ["ns1.cloudflare.com", "ns2.cloudflare.com"]
    assert records["mx"] == ["aspmx.l.google.com", "alt1.aspmx.l.google.com"]
    assert records["spf"] == ["v=spf1 include:_spf.google.com -all"]
    assert records["spf_lookups"] == 4
    assert records["dmarc_policy"] == "reject"
    assert records["dmarc_rua"] == ["mailto:dmarc@healthy.test"]
    assert records["dkim"] == {"google": "rsa 2048 bits", "nosuch": "missing"}
    assert records["caa"] == ['0 iodef "mailto:security@healthy.test"', '0 issue "letsencrypt.org"']


def test_records_without_a_domain_hold_only_hosts(knot):
    outcome = check(knot, None, hosts=("app.healthy.test",))
    assert outcome.metrics is not None
    assert set(outcome.metrics["records"]) == {"hosts"}


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("spf-lookups.test", {"dns.spf-too-many-lookups": "important"}),
        ("spf-void.test", {"dns.spf-void-lookups": "important"}),
        ("spf-two.test", {"dns.spf-multiple": "important"}),
        ("spf-plusall.test", {"dns.spf-plus-all": "blocker"}),
        ("spf-broken.test", {"dns.spf-syntax": "important"}),
        ("no-dmarc.test", {"dns.dmarc-missing": "important"}),
        ("dmarc-none.test", {"dns.dmarc-p-none": "later", "dns.dmarc-no-rua": "later"}),
        ("dkim-missing.test", {"dns.dkim-missing": "important"}),
        ("dkim-weak.test", {"dns.dkim-weak-key": "important"}),
    ],
)
def test_email_scenarios(knot, domain, expected):
    assert graded(check(knot, domain).findings) == expected


def test_include_ending_in_plus_all_is_a_blocker(knot):
    outcome = check(knot, "spf-include-plusall.test")
    assert graded(outcome.findings) == {"dns.spf-plus-all": "blocker"}
    assert "_open.spf-include-plusall.test" in outcome.findings[0].detail


def test_missing_dmarc_is_important_even_without_email(knot):
    outcome = check(knot, "dangling.test", hosts=(), sends_email=False, selectors=())
    assert graded(outcome.findings) == {}
    outcome = check(knot, "test", hosts=(), sends_email=False, selectors=())
    finding = next(f for f in outcome.findings if f.id == "dns.dmarc-missing")
    assert finding.severity.value == "important"
    assert "p=reject" in finding.remedy


def test_spf_lookup_count_through_nested_includes_is_reported(knot):
    outcome = check(knot, "spf-lookups.test")
    assert outcome.metrics is not None and outcome.metrics["spf_lookups"] == 11
    finding = outcome.findings[0]
    assert "11 DNS lookups" in finding.title


def test_spf_errors_in_includes_are_named(knot):
    detail = check(knot, "spf-broken.test").findings[0].detail
    assert "_inc.spf-broken.test: bad address in 'ip4:192.0.2.300'" in detail
    assert "app.spf-broken.test has no SPF record" in detail


def test_void_lookups_name_the_empty_names(knot):
    finding = check(knot, "spf-void.test").findings[0]
    for name in ("nope1.spf-void.test", "nope2.spf-void.test", "nope3.spf-void.test"):
        assert name in finding.detail


def test_caa_forbidding_the_live_issuer_is_a_blocker(knot):
    facts = {
        "tls.certificates": {
            "caa-forbids.test": {"issuer_org": "Let's Encrypt", "issuer_cn": "R11"}
        }
    }
    outcome, _ = run_dns(make_config("caa-forbids.test", knot), facts=facts)
    assert outcome is not None
    assert graded(outcome.findings) == {"dns.caa-forbids-issuer": "blocker"}
    assert "digicert.com" in outcome.findings[0].detail


def test_caa_allowing_the_live_issuer_passes(knot):
    facts = {"tls.certificates": {"www.healthy.test": {"issuer_org": "Let's Encrypt"}}}
    outcome, _ = run_dns(
        make_config("healthy.test", knot, hosts=("www.healthy.test",)), facts=facts
    )
    assert outcome is not None and outcome.findings == ()
    assert "no TLS facts" not in outcome.summary


def test_without_tls_facts_the_caa_issuer_check_says_so(knot):
    outcome = check(knot, "caa-forbids.test")
    assert outcome.findings == ()
    assert "CAA not compared with the live certificate (no TLS facts)" in outcome.summary


def test_dangling_cname_takeover_and_unresolvable_hosts(knot):
    outcome = check(
        knot,
        "dangling.test",
        hosts=(
            "old.dangling.test",
            "shop.dangling.test",
            "nothere.dangling.test",
            "www.dangling.test",
        ),
    )
    by_host = {f.location.host: (f.id, f.severity.value) for f in outcome.findings}
    assert by_host == {
        "old.dangling.test": ("dns.dangling-cname", "blocker"),
        "shop.dangling.test": ("dns.takeover-risk", "blocker"),
        "nothere.dangling.test": ("dns.host-unresolvable", "blocker"),
    }


def test_no_email_domain_grades_missing_spf_later(knot):
    outcome = check(
        knot, "dangling.test", hosts=("www.dangling.test",), sends_email=False, selectors=()
    )
    assert graded(outcome.findings) == {}
    outcome = check(knot, "test", hosts=(), sends_email=False, selectors=())
    assert graded(outcome.findings)["dns.spf-missing"] == "later"
    assert "dns.mx-missing" not in graded(outcome.findings)


def test_sending_domain_without_spf_and_mx(knot):
    graded_findings = graded(
        check(knot, "test", hosts=("www.healthy.test",), selectors=()).findings
    )
    assert graded_findings["dns.spf-missing"] == "important"
    assert graded_findings["dns.mx-missing"] == "important"
    assert graded_findings["dns.dmarc-missing"] == "important"
    assert graded_findings["dns.caa-missing"] == "later"


class SilentDns:
    """A UDP socket that reads questions and never answers: a DNS server that times out."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.received = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def _drain(self) -> None:
        while not self._stop.is_set():
            try:
                self.sock.recvfrom(4096)
                self.received += 1
            except OSError:
                continue

    def __enter__(self) -> SilentDns:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def test_timeout_is_could_not_verify_after_a_retry():
    with SilentDns() as silent:
        started = time.monotonic()
        outcome, cannot = run_dns(
            make_config("healthy.test", silent.nameserver, hosts=("www.healthy.test",), timeout=0.3)
        )
        elapsed = time.monotonic() - started
    assert outcome is None and cannot is not None
    assert cannot.findings == ()  # never "record missing"
    assert "could not verify" in str(cannot) and "no answer within 0.3 s" in str(cannot)
    assert "2 attempts" in str(cannot)
    assert silent.received >= 2
    assert elapsed < 3, "after a timeout the check must stop querying"


def test_cli_runs_the_dns_check_with_a_config(knot, cli, tmp_path):
    config = tmp_path / ".launchgate.yml"
    config.write_text(
        "checks:\n  dns:\n    domain: spf-plusall.test\n"
        "    hosts: [www.healthy.test]\n"
        f"    nameservers: ['{knot}']\n    dkim_selectors: [google]\n"
    )
    result = cli(
        "check",
        "--config",
        str(config),
        "--only",
        "dns",
        "--json",
        str(tmp_path / "r.json"),
        "--markdown",
        str(tmp_path / "r.md"),
    )
    assert result.code == 1, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert [(f["id"], f["severity"]) for f in report["findings"]] == [
        ("dns.spf-plus-all", "blocker")
    ]
    assert report["metrics"]["dns"]["spf_lookups"] == 0
    markdown = (tmp_path / "r.md").read_text()
    assert "### Deployment map" in markdown
    assert "Vercel (CNAME cname.vercel-dns.com)" in markdown


def test_cli_skips_without_domain_or_hosts(cli, tmp_path):
    result = cli("check", "--only", "dns", "--json", str(tmp_path / "r.json"), cwd=tmp_path)
    assert result.code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    dns = next(c for c in report["checks"] if c["name"] == "dns")
    assert dns["status"] == "skipped" and "checks.dns.domain" in dns["summary"]


def test_default_hosts_mapped_by_connect_to_are_left_out(knot):
    config = replace(
        make_config(None, knot, selectors=()),
        url="https://www.healthy.test/",
        connect_to={"www.healthy.test:443": "127.0.0.1:8443"},
        checks=replace(
            make_config(None, knot).checks,
            tls=TlsConfig(hosts=("app.healthy.test", "old.dangling.test")),
        ),
    )
    outcome, cannot = run_dns(config)
    assert cannot is None and outcome is not None
    assert [(f.id, f.location.host) for f in outcome.findings] == [
        ("dns.dangling-cname", "old.dangling.test")
    ]
    assert "not checked: www.healthy.test (connect_to)" in outcome.summary
    assert "2 host(s) checked" in outcome.summary


def test_special_use_default_hosts_are_skipped_with_the_system_resolver():
    config = Config(
        url="https://app.test/",
        checks=ChecksConfig(tls=TlsConfig(hosts=("localhost", "api.localhost:8443"))),
    )
    with pytest.raises(CheckSkipped) as skipped:
        run_dns(config)
    assert str(skipped.value) == (
        "no domain or hosts configured (checks.dns.domain); not checked: app.test "
        "(special-use name), localhost (special-use name), api.localhost (special-use name)"
    )
