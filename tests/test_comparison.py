"""Comparing with a base report (`--compare`): new/inherited/fixed on fingerprints, the p95
significance rule, lenient reading of old or partial reports, `gate_on: new`, and the whole
thing end to end with real CLI runs against a loopback server whose latency the test sets."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from launchgate.comparison import compare, gating, margin_ms, p95_delta, parse_base
from launchgate.report import (
    CheckResult,
    CheckStatus,
    Location,
    Severity,
    fingerprint,
    make_finding,
    report_schema,
)
from tests.conftest import run_cli

B, IMP = Severity.BLOCKER, Severity.IMPORTANT


def _finding(slug: str, check: str = "smoke", severity: Severity = B, path: str = "/a"):
    return make_finding(
        check,
        slug,
        severity,
        f"{slug} title",
        location=Location(url=f"https://app.example.com{path}", host="app.example.com", path=path),
    )


def _base(findings=(), load=None, checks=("smoke", "load")) -> dict[str, Any]:
    return {
        "schema": "launchgate.report/v1",
        "tool": {"name": "launchgate", "version": "0.1.0"},
        "verdict": "fail",
        "target": {"url": "https://app.example.com/", "head": "abc"},
        "checks": [{"name": c, "status": "passed"} for c in checks],
        "findings": [f.to_json() for f in findings],
        "metrics": {"load": load} if load else {},
    }


RAN = [
    CheckResult("smoke", CheckStatus.FAILED, 0.1, ""),
    CheckResult("load", CheckStatus.PASSED, 1.0, ""),
    CheckResult("tls", CheckStatus.SKIPPED, 0.0, ""),
]


# --- fingerprints -----------------------------------------------------------------------------


def test_fingerprint_ignores_lines_build_hashes_and_the_preview_host():
    at = Location(path="config.py", line=3, commit="c1")
    shifted = Location(path="config.py", line=40, commit="c1")
    assert fingerprint("secrets.in-head", at, "k") == fingerprint("secrets.in-head", shifted, "k")
    one = Location(
        url="https://a.example.com/static/main.3f9a1c2e.js",
        host="a.example.com",
        path="/static/main.3f9a1c2e.js",
    )
    two = Location(
        url="https://a.example.com/static/main.77bd01aa.js",
        host="a.example.com",
        path="/static/main.77bd01aa.js",
    )
    other = Location(
        url="https://a.example.com/static/vendor.77bd01aa.js",
        host="a.example.com",
        path="/static/vendor.77bd01aa.js",
    )
    assert fingerprint("x.y", one) == fingerprint("x.y", two) != fingerprint("x.y", other)
    # The app under test keeps its fingerprints whatever its (per-PR) preview host is called;
    # another host stays itself.
    pr = Location(
        url="https://app-git-feature.vercel.app/login",
        host="app-git-feature.vercel.app",
        path="/login",
    )
    main = Location(
        url="https://app-git-main.vercel.app/login", host="app-git-main.vercel.app", path="/login"
    )
    assert fingerprint("smoke.x", pr, target="https://app-git-feature.vercel.app/") == fingerprint(
        "smoke.x", main, target="https://app-git-main.vercel.app/"
    )
    assert fingerprint("smoke.x", pr) != fingerprint("smoke.x", main)
    assert fingerprint(
        "tls.x", Location(host="www.example.com"), target="https://app-git-main.vercel.app/"
    ) == fingerprint("tls.x", Location(host="www.example.com"))


# --- new, inherited, fixed --------------------------------------------------------------------


def test_new_inherited_and_fixed_match_on_fingerprints():
    kept, gone, added = _finding("kept"), _finding("gone"), _finding("added")
    skipped_check = _finding("expired", check="tls")
    base = parse_base(_base([kept, gone, skipped_check]))
    result = compare([kept, added], RAN, {}, base, name="main")
    assert {f.id: f.new for f in result.findings} == {"smoke.kept": False, "smoke.added": True}
    # tls did not run this time: its base finding is not "fixed".
    assert [f.id for f in result.comparison.fixed] == ["smoke.gone"]
    data = result.comparison.to_json(result.findings)
    assert data["new"] == 1 and data["new_counts"]["blocker"] == 1
    assert data["inherited_counts"]["blocker"] == 1 and data["base"]["name"] == "main"


def test_gate_on_new_gates_only_on_what_the_change_adds():
    kept, added = _finding("kept"), _finding("added", severity=IMP)
    result = compare([kept, added], RAN, {}, parse_base(_base([kept])), gate_on="new")
    assert [f.id for f in gating(result.findings, "new")] == ["smoke.added"]
    assert len(gating(result.findings, "all")) == 2
    # Without the base's findings nothing can be called inherited: it gates on everything.
    partial = _base([kept])
    del partial["findings"]
    result = compare([kept, added], RAN, {}, parse_base(partial), gate_on="new")
    assert result.comparison.gate_on == "all"
    assert any("gates on all" in n for n in result.comparison.notes)


@pytest.mark.parametrize(
    ("document", "note"),
    [
        ({"schema": "launchgate.report/v0", "findings": []}, "schema is launchgate.report/v0"),
        (
            {"schema": "launchgate.report/v1", "tool": {"name": "launchgate", "version": "0.0.1"}},
            "lists no findings",
        ),
        (
            {"schema": "launchgate.report/v1", "findings": [{"id": "smoke.x"}, "junk"]},
            "2 finding(s) of the base report have no id or fingerprint",
        ),
        (
            {
                "schema": "launchgate.report/v1",
                "findings": [],
                "metrics": {"load": {"users": 10, "p95_ms": 90, "routes": 7}},
            },
            "no p95 confidence interval",
        ),
    ],
)
def test_old_or_partial_reports_are_compared_with_a_note(document, note):
    base = parse_base(document)
    result = compare([_finding("x")], RAN, {"load": _load(100, (95, 105))}, base)
    assert any(note in n for n in result.comparison.notes), result.comparison.notes
    if result.comparison.load is not None:  # an old report's p95: a delta, not judged
        assert result.comparison.load.overall.significant is None


@pytest.mark.parametrize("document", [[], "text", {"schema": "other/v1"}, {"findings": []}])
def test_non_reports_are_refused(document):
    with pytest.raises(ValueError, match="not a launchgate report"):
        parse_base(document)


# --- p95 --------------------------------------------------------------------------------------


def _load(
    p95: float,
    ci: tuple[float | None, float | None],
    users: int = 10,
    routes: tuple[tuple[str, float, tuple[float, float]], ...] = (),
) -> dict[str, Any]:
    return {
        "users": users,
        "p95_ms": p95,
        "p95_ci_ms": list(ci),
        "routes": [{"name": n, "p95_ms": p, "p95_ci_ms": list(c)} for n, p, c in routes],
    }


def test_p95_significance_needs_disjoint_intervals_and_the_margin():
    base = _load(280, (270, 290))
    assert p95_delta(_load(452, (430, 470)), base).significant is True
    assert p95_delta(_load(300, (285, 320)), base).significant is False  # overlapping
    # Disjoint, but 12 ms is under the margin (10 % of 280 ms = 28 ms).
    assert margin_ms(280) == 28
    assert p95_delta(_load(292, (291, 293)), base).significant is False
    assert p95_delta(_load(200, (190, 210)), base).significant is True  # faster, also real
    # A rise needs only this run's low end and the base's high end: a run so slow that it got
    # too few samples to bound the top of its interval still shows its regression.
    assert p95_delta(_load(452, (430, None)), base).significant is True
    assert p95_delta(_load(452, (None, 470)), base).significant is None  # not judged
    assert p95_delta(_load(452, (430, 470)), _load(280, (None, 290))).significant is True
    assert p95_delta(_load(452, (430, 470)), _load(280, (270, None))).significant is None
    assert p95_delta(_load(200, (None, 210)), base).significant is True  # faster
    delta = p95_delta(_load(452, (430, 470)), base)
    assert (delta.delta_ms, delta.delta_pct) == (172, 61.4)


def test_only_a_significant_rise_raises_p95_regressed():
    routes = (("clients", 100, (95, 105)), ("report", 300, (290, 310)))
    base = parse_base(_base(load=_load(280, (270, 290), routes=routes)))
    slower = _load(
        452, (430, 470), routes=(("clients", 101, (96, 106)), ("report", 900, (850, 950)))
    )
    result = compare([], RAN, {"load": slower}, base, name="main")
    regressed = [f for f in result.findings if f.id == "load.p95-regressed"]
    assert [f.title for f in regressed] == [
        "p95 rose from 280 ms on main to 452 ms, +61.4 %",
        "report: p95 rose from 300 ms on main to 900 ms, +200 %",
    ]
    assert all(f.new and f.severity is IMP for f in regressed)
    assert len({f.fingerprint for f in regressed}) == 2
    same = compare([], RAN, {"load": _load(285, (272, 295), routes=routes)}, base)
    assert not [f for f in same.findings if f.id == "load.p95-regressed"]
    other_users = compare([], RAN, {"load": _load(452, (430, 470), users=20)}, base)
    assert other_users.comparison.load.overall.significant is None
    assert not other_users.findings


# --- end to end: real runs through the CLI ----------------------------------------------------


class _App(ThreadingHTTPServer):
    """A loopback app whose latency and whose /page answer the test changes between runs."""

    daemon_threads = True
    delay_s = 0.1
    page_status = 200

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _App

    def do_GET(self) -> None:
        time.sleep(self.server.delay_s)
        status = self.server.page_status if self.path == "/page" else 200
        body = b"hello"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def app():
    server = _App(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


CONFIG = """url: http://127.0.0.1:{port}/
allow_private_targets: true
{extra}
checks:
  load: {{users: 10, duration: 6s, warmup: 1s, min_samples: 50}}
  smoke:
    steps:
      - {{name: page, path: /page, expect_status: 200}}
      - {{name: gone, path: /gone, expect_status: 404}}
"""


def _check(tmp_path: Path, app: _App, name: str, *extra_args: str, extra: str = ""):
    config = tmp_path / f"{name}.yml"
    config.write_text(CONFIG.format(port=app.server_address[1], extra=extra))
    out = tmp_path / f"{name}.json"
    result = run_cli(
        "check", "--config", str(config), "--only", "load,smoke", "--json", str(out), *extra_args
    )
    return result, json.loads(out.read_text()) if out.exists() else None


@pytest.mark.slow  # three real gates, Locust runs included
def test_compare_end_to_end(tmp_path, app):
    validator = jsonschema.Draft202012Validator(report_schema())
    # base: /gone answers 200 (one finding); /page fine.
    _, base = _check(tmp_path, app, "base")
    assert [f["id"] for f in base["findings"]] == ["smoke.unexpected-status"]
    assert base["metrics"]["load"]["p95_ci_ms"][0] <= base["metrics"]["load"]["p95_ms"]
    # same latency, /page now broken: one new finding, one inherited, no regression.
    app.page_status = 500
    result, same = _check(tmp_path, app, "same", "--compare", str(tmp_path / "base.json"))
    validator.validate(same)
    marks = {f["location"]["path"]: f["new"] for f in same["findings"]}
    assert marks == {"/page": True, "/gone": False}
    assert same["comparison"]["load"]["significant"] is False, same["comparison"]["load"]
    assert "load.p95-regressed" not in {f["id"] for f in same["findings"]}
    assert result.code == 1
    # gate_on: new blocks on /page (new) ...
    _, gated = _check(
        tmp_path, app, "gated", "--compare", str(tmp_path / "base.json"), extra="gate_on: new"
    )
    assert gated["verdict"] == "fail" and gated["comparison"]["gate_on"] == "new"
    # 3x slower, /page fixed again: a significant regression, and /page's finding is fixed.
    app.page_status = 200
    app.delay_s = 0.3
    result, slow = _check(
        tmp_path, app, "slow", "--compare", str(tmp_path / "same.json"), extra="gate_on: new"
    )
    validator.validate(slow)
    assert slow["comparison"]["load"]["significant"] is True
    assert slow["comparison"]["load"]["delta_pct"] > 150
    regressed = [f for f in slow["findings"] if f["id"] == "load.p95-regressed"]
    assert len(regressed) == 1 and regressed[0]["new"] is True
    assert [f["id"] for f in slow["comparison"]["fixed"]] == ["smoke.unexpected-status"]
    # gate_on new, fail_on blocker: the inherited /gone blocker does not block, the new
    # regression is important only: pass, and the headline does not say "ready to launch".
    assert slow["verdict"] == "pass" and result.code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "launchgate PASS: nothing new blocks (gate_on: new), but findings inherited from base would"
    )


def test_compare_refuses_a_non_report_with_exit_2(tmp_path):
    other = tmp_path / "package.json"
    other.write_text('{"name": "app"}')
    result = run_cli("check", "--url", "http://127.0.0.1:9/", "--compare", str(other))
    assert result.code == 2
    assert "not a launchgate report" in result.stderr and "Traceback" not in result.output
    result = run_cli(
        "check", "--url", "http://127.0.0.1:9/", "--compare", str(tmp_path / "missing.json")
    )
    assert result.code == 2 and "no such file" in result.stderr


def test_gate_on_is_a_checked_config_key(tmp_path):
    from launchgate.config import load_config
    from launchgate.errors import ConfigError

    config = tmp_path / ".launchgate.yml"
    config.write_text("gate_on: new\n")
    assert load_config(config).gate_on == "new"
    assert load_config(None).gate_on == "all"
    config.write_text("url: https://app.example.com\ngate_on: added\n")
    with pytest.raises(
        ConfigError, match=r"\.launchgate\.yml:2: gate_on: expected one of all, new"
    ):
        load_config(config)


def test_a_finding_the_base_had_at_a_lower_severity_is_new():
    # Same fingerprint, but the base had it as `important` (or with no readable severity):
    # as a blocker it is new, or `gate_on: new` would let a blocker main never had pass.
    now = _finding("grew")
    base_doc = _base([_finding("grew", severity=IMP), _finding("odd")])
    base_doc["findings"][1]["severity"] = "catastrophic"
    same_or_worse = _finding("kept", severity=IMP)
    base_doc["findings"].append(_finding("kept").to_json())  # was a blocker, now important
    result = compare([now, _finding("odd"), same_or_worse], RAN, {}, parse_base(base_doc))
    assert {f.id: f.new for f in result.findings} == {
        "smoke.grew": True,
        "smoke.odd": True,
        "smoke.kept": False,
    }
    assert [f.id for f in gating(result.findings, "new")] == ["smoke.grew", "smoke.odd"]
    assert result.comparison.fixed == ()


def test_a_finding_of_a_check_the_base_did_not_run_is_new():
    # A base whose findings list a check it says it never ran vouches for nothing there.
    base = parse_base(_base([_finding("x", check="tls")], checks=("smoke",)))
    result = compare([_finding("x", check="tls")], RAN, {}, base)
    assert [f.new for f in result.findings] == [True]


def test_a_base_with_wrong_types_everywhere_is_compared_with_notes():
    document = {
        "schema": "launchgate.report/v1",
        "tool": {"name": "launchgate", "version": ["0.1"]},
        "target": {"head": 7, "url": {"x": 1}},
        "verdict": ["fail"],
        "checks": [{"name": ["smoke"], "status": ["passed"]}, {"name": "smoke", "status": {}}],
        "findings": [
            {"id": "smoke.a", "fingerprint": "f", "severity": ["blocker"], "check": {}},
            {"id": ["smoke.b"], "fingerprint": {}, "severity": {}},
        ],
        "metrics": {
            "load": {
                "users": [10],
                "p95_ms": "fast",
                "p95_ci_ms": {"a": 1},
                "routes": [{"name": ["x"], "p95_ms": 1}, {"name": {}}, 5],
            },
            "tls": [],
            "dns": "x",
        },
    }
    base = parse_base(document)
    result = compare([_finding("x")], RAN, {"load": _load(100, (95, 105))}, base)
    assert [f.new for f in result.findings] == [True]
    assert result.comparison.notes
    document["metrics"]["load"]["p95_ms"] = 90
    document["metrics"]["load"]["users"] = 10
    load = _load(100, (95, 105), routes=(("x", 100, (95, 105)),))
    result = compare([], RAN, {"load": load}, parse_base(document))
    assert result.comparison.load is not None and result.comparison.load.routes == ()
