"""`launchgate handover`: the demo's HANDOVER.md checked section by section against the report
it came from, the plain-words email verdict, parts a report does not cover, and the CLI."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from launchgate.handover import build_handover
from launchgate.render.handover import render_handover
from launchgate.render.markdown import ms

SECTIONS = (
    "## 1. Domains and hosts",
    "## 2. TLS certificates",
    "## 3. Email authentication",
    "## 4. Environment variables",
    "## 5. Deploy and roll back",
    "## 6. Open risks",
    "## 7. What good looks like today",
    "## 8. What only people can fill in",
)


def section(text: str, title: str) -> str:
    start = text.index(title)
    following = [text.index(t) for t in SECTIONS if text.index(t) > start]
    return text[start : min(following, default=len(text))]


@pytest.fixture(scope="module")
def demo_handover(demo_run) -> tuple[str, dict[str, Any]]:
    assert demo_run.result.code == 0, demo_run.result.output
    return (demo_run.output / "HANDOVER.md").read_text(encoding="utf-8"), demo_run.report


def test_every_section_is_there_in_order(demo_handover):
    text, _ = demo_handover
    assert [text.index(t) for t in SECTIONS] == sorted(text.index(t) for t in SECTIONS)


def test_hosts_match_the_reports_dns_records_and_redirects(demo_handover):
    text, report = demo_handover
    part = section(text, SECTIONS[0])
    records = report["metrics"]["dns"]["records"]
    assert records["hosts"], "the demo report should carry DNS records"
    for host, facts in records["hosts"].items():
        row = next(line for line in part.splitlines() if line.startswith(f"| {host} |"))
        for address in facts["addresses"]:
            assert address in row
    for row in report["metrics"]["dns"]["deployment_map"]:
        assert row["part"] in part
    for chain in report["metrics"]["redirects"]["chains"]:
        assert f"`{chain['entry']}`" in part
    assert f"`{report['metrics']['redirects']['canonical']}`" in part


def test_tls_rows_match_the_reports_certificates(demo_handover):
    text, report = demo_handover
    part = section(text, SECTIONS[1])
    for host, cert in report["metrics"]["tls"]["certificates"].items():
        row = next(line for line in part.splitlines() if line.startswith(f"| {host} |"))
        assert f"| {cert['days_left']} |" in row and cert["not_after"][:10] in row


def test_email_says_in_plain_words_whether_mail_can_be_spoofed(demo_handover):
    text, report = demo_handover
    part = section(text, SECTIONS[2])
    records = report["metrics"]["dns"]["records"]
    assert f"policy `p={records['dmarc_policy']}`" in part
    assert "**Can someone else send mail as" in part
    assert ("Yes" in part) == (records["dmarc_policy"] in (None, "none"))
    assert f"({records['spf_lookups']} of 10 DNS lookups)" in part


def test_env_vars_come_from_the_sample_repo_without_values(demo_handover, demo_run):
    text, _ = demo_handover
    part = section(text, SECTIONS[3])
    assert "`AWS_KEY`" in part and "**undocumented**" in part
    repo = demo_run.output / "sample-repo"
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "-p", "--all"], capture_output=True, text=True, check=True
    ).stdout
    values = set(re.findall(r'"((?:AKIA|sk_live_|rk_live_)[A-Za-z0-9]+)"', log))
    assert values, "the sample repo should hold planted keys"
    assert not any(v in text for v in values), "a planted key value reached HANDOVER.md"


def test_risks_are_every_finding_most_severe_first(demo_handover):
    text, report = demo_handover
    part = section(text, SECTIONS[5])
    positions = [part.index(f"`{f['id']}`") for f in report["findings"]]
    assert len(positions) == len(report["findings"])
    order = ["blocker", "important", "later"]
    shown = re.findall(r"^\d+\. \*\*(\w+)\*\*", part, re.MULTILINE)
    assert shown == sorted(shown, key=order.index) and len(shown) == len(report["findings"])


def test_what_good_looks_like_uses_the_measured_p95(demo_handover):
    text, report = demo_handover
    part = section(text, SECTIONS[6])
    load = report["metrics"]["load"]
    assert f"p95 **{ms(load['p95_ms'])}**" in part
    for route in load["routes"]:
        assert f"{route['name']}: p95 {ms(route['p95_ms'])}" in part


def test_questions_for_people_are_asked_not_answered(demo_handover):
    text, _ = demo_handover
    part = section(text, SECTIONS[7])
    questions = [line for line in part.splitlines() if line.startswith("- [ ] ")]
    assert len(questions) >= 7 and all(
        q.rstrip().endswith("?") or "example env" in q for q in questions
    )
    assert any("roll back" in q for q in questions)  # the sample repo has no deploy workflow


def minimal_report(**metrics: Any) -> dict[str, Any]:
    return {
        "schema": "launchgate.report/v1",
        "tool": {"name": "launchgate", "version": "0"},
        "verdict": "pass",
        "fail_on": "blocker",
        "target": {"url": "https://x.test/"},
        "counts": {"blocker": 0, "important": 0, "later": 0},
        "checks": [
            {
                "name": "dns",
                "status": "skipped",
                "duration_s": 0,
                "summary": "no checks.dns.domain or hosts configured",
            }
        ],
        "findings": [],
        "metrics": metrics,
    }


def test_a_part_the_report_does_not_cover_says_why(tmp_path):
    text = render_handover(build_handover(minimal_report(), None, report_source="a test"))
    assert "DNS records: not known — the `dns` check was skipped (no checks.dns.domain" in text
    assert "Certificates: not known — the report has no `tls` check" in text
    assert section(text, SECTIONS[3]).count("no repository was given") == 1


@pytest.mark.parametrize(
    ("records", "ids", "starts"),
    [
        ({"dmarc_policy": "reject", "spf": ["v=spf1 -all"]}, set(), "Not easily."),
        ({"dmarc_policy": "quarantine", "spf": []}, set(), "Mostly not"),
        ({"dmarc_policy": "none", "spf": ["v=spf1 -all"]}, set(), "Yes, for now."),
        ({"spf": ["v=spf1 -all"]}, set(), "Yes. x.test publishes no valid DMARC"),
        ({"dmarc_policy": "reject", "spf": ["v=spf1 +all"]}, {"dns.spf-plus-all"}, "Yes. The SPF"),
    ],
)
def test_spoofing_verdicts(records, ids, starts):
    dns = {"records": {"hosts": {}, "domain": "x.test", **records}}
    report = minimal_report(dns=dns)
    report["findings"] = [
        {"id": i, "check": "dns", "severity": "blocker", "title": "t", "location": {}} for i in ids
    ]
    email = build_handover(report, None, report_source="a test")["email"]
    assert email["spoofing"].startswith(starts)


def test_cli_writes_the_document_from_a_report(cli, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps(minimal_report()), encoding="utf-8")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "app.py").write_text("import os\nos.environ['SECRET_KEY']\n")
    output = tmp_path / "HANDOVER.md"
    result = cli(
        "handover",
        "--report",
        str(report),
        "--repo",
        str(tmp_path / "repo"),
        "--output",
        str(output),
    )
    assert result.code == 0, result.output
    assert "`SECRET_KEY`" in output.read_text(encoding="utf-8")


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"schema": "other/v1"}'])
def test_cli_refuses_a_file_that_is_not_a_report(cli, tmp_path, content):
    report = tmp_path / "report.json"
    report.write_text(content, encoding="utf-8")
    result = cli("handover", "--report", str(report), "--output", str(tmp_path / "H.md"))
    assert result.code == 2 and "--report" in result.stderr and "Traceback" not in result.output
    assert not Path(tmp_path / "H.md").exists()


def test_a_watch_report_is_named_as_the_last_production_watch():
    report = minimal_report()
    report["watch"] = {
        "previous": {"head": "abc", "verdict": "pass", "url": None},
        "certificates": [
            {
                "host": "x.test",
                "issuer": "CA",
                "not_after": None,
                "days_left": 40,
                "previous_days_left": 41,
                "change_days": -1,
                "trend": "counting down",
            }
        ],
        "dns_changes": [
            {
                "name": "x.test",
                "record": "NS",
                "before": ["a"],
                "after": ["b"],
                "finding_id": "dns.ns-changed",
                "severity": "important",
            }
        ],
        "notes": [],
    }
    part = section(
        render_handover(build_handover(report, None, report_source="a test")), SECTIONS[6]
    )
    assert "The last production watch: **PASS**, with 1 DNS change(s)" in part
    assert "certificate of `x.test`: counting down" in part
    plain = section(
        render_handover(build_handover(minimal_report(), None, report_source="a test")), SECTIONS[6]
    )
    assert "It is not a production watch's report" in plain
