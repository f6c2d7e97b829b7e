"""A watch run through the real runner against a loopback server: read-only unless the
config opts in (no load test, no flow that writes), and the previous watch's metrics turned
into the report's `watch` section and dns findings."""

from __future__ import annotations

from pathlib import Path

from launchgate.comparison import parse_base
from launchgate.config import load_config
from launchgate.report import Report, Target
from launchgate.runner import WATCH_NO_LOAD, WATCH_NO_WRITES, run_gate

FLOWS = """checks:
  load: {routes: [{name: fast, path: /fast}], duration: 2s, warmup: 0s, min_samples: 1}
  smoke:
    steps: [{name: fast, path: /fast}]
    flows:
      - name: creates a record
        writes: true
        steps: [{method: POST, path: /, expect_status: 200}]
"""


def watch_run(tmp_path: Path, url: str, extra: str = "", **kwargs: object) -> Report:
    path = tmp_path / ".launchgate.yml"
    path.write_text(f"url: {url}\nallow_private_targets: true\n{extra}{FLOWS}")
    kwargs.setdefault("only", ["smoke", "load"])
    return run_gate(load_config(path, env={}), Target(url=url), **kwargs)  # type: ignore[arg-type]


def status(report: Report, name: str) -> tuple[str, str]:
    (check,) = [c for c in report.checks if c.name == name]
    return check.status.value, check.summary


def test_a_watch_sends_no_load_and_runs_no_writing_flow(tmp_path, server):
    report = watch_run(tmp_path, server.url, watch=True)
    assert status(report, "load") == ("skipped", WATCH_NO_LOAD)
    state, summary = status(report, "smoke")
    assert state == "passed"
    assert f"flow 'creates a record' skipped: {WATCH_NO_WRITES}" in summary
    assert server.paths["/"] == 0  # the POST never left
    assert server.paths["/fast"] == 1  # the read-only step ran, and no load was sent
    assert report.watch is not None and report.watch.previous is None


def test_writes_opt_in_runs_the_flow(tmp_path, server):
    report = watch_run(tmp_path, server.url, "watch: {writes: true}\n", watch=True, only=["smoke"])
    assert status(report, "smoke") == ("passed", "1/1 step(s) passed; 1/1 flow(s) passed")
    assert server.paths["/"] == 1


def test_load_opt_in_is_not_skipped_by_the_watch(tmp_path):
    path = tmp_path / ".launchgate.yml"
    path.write_text("watch: {load: true}\n")
    report = run_gate(load_config(path, env={}), Target(), only=["load"], watch=True)
    assert status(report, "load") == ("skipped", "no url configured")


def test_not_a_watch_runs_the_writing_flow(tmp_path, server):
    report = watch_run(tmp_path, server.url, only=["smoke"])
    assert status(report, "smoke")[0] == "passed" and server.paths["/"] == 1
    assert report.watch is None and "watch" not in report.to_json()


def test_previous_watch_metrics_become_changes_and_dns_findings(tmp_path):
    previous = {
        "schema": "launchgate.report/v1",
        "tool": {"name": "launchgate"},
        "verdict": "pass",
        "target": {"head": "f" * 40},
        "findings": [],
        "checks": [],
        "metrics": {
            "dns": {"records": {"hosts": {}, "domain": "example.com", "ns": ["ns1.a.example"]}}
        },
    }
    base = parse_base(previous)
    assert base.metrics is not None
    path = tmp_path / ".launchgate.yml"
    path.write_text("severity_overrides: {dns.ns-changed: blocker}\n")
    # The dns check does not run (no domain): nothing to compare, said in a note.
    report = run_gate(
        load_config(path, env={}),
        Target(),
        only=["dns"],
        base=base,
        watch=True,
        base_name="last watch",
    )
    assert report.watch is not None
    assert report.watch.previous is not None and report.watch.previous.head == "f" * 40
    assert report.watch.notes == ("DNS not compared: the dns check did not run in this watch",)
    assert report.findings == ()


def test_gate_on_new_does_not_let_a_persisting_blocker_recover_a_watch(tmp_path, server):
    # The previous watch already had the broken step: with `gate_on: new` it would be
    # "inherited", the watch would pass and close the alert while production is still broken.
    path = tmp_path / ".launchgate.yml"
    path.write_text(
        f"url: {server.url}\nallow_private_targets: true\ngate_on: new\n"
        "checks: {smoke: {steps: [{name: broken, path: /error}]}}\n"
    )
    config = load_config(path, env={})
    first = run_gate(config, Target(url=server.url), only=["smoke"], watch=True)
    assert first.verdict.value == "fail"
    base = parse_base(first.to_json())
    again = run_gate(
        config, Target(url=server.url), only=["smoke"], watch=True, base=base, base_name="last"
    )
    assert [f.new for f in again.findings] == [False]
    assert again.verdict.value == "fail"
    assert again.comparison is not None and again.comparison.gate_on == "all"
    assert any("production watch" in n for n in again.comparison.notes)
