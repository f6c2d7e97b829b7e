"""Renderers: the markdown verdict (headline, grouping, escaping, metrics), the terminal text
and SARIF 2.1.0 validated against the official OASIS schema. All of them format the report's
JSON dict only: the CLI's markdown equals what the renderer makes from the JSON file alone."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from launchgate.render.comment import COMMENT_MARKER
from launchgate.render.markdown import md_escape, render_markdown
from launchgate.render.sarif import render_sarif
from launchgate.render.text import render_text
from launchgate.report import report_schema

SARIF_SCHEMA = Path(__file__).parent.parent / "fixtures" / "sarif-schema-2.1.0.json"
HOSTILE = "<script>alert(1)</script> | @octocat [click](https://evil.example) #12 **x**\n::warn"


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads(SARIF_SCHEMA.read_text())
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def load(real_reports, name):
    return json.loads(real_reports[name].json.read_text())


def hostile_report(real_reports):
    data = copy.deepcopy(load(real_reports, "fail"))
    for finding in data["findings"]:
        finding["title"] = HOSTILE
        finding["detail"] = HOSTILE
        finding["remedy"] = HOSTILE
    data["checks"][0]["summary"] = HOSTILE
    return data


# --- markdown -------------------------------------------------------------------------------


def test_markdown_is_rendered_from_the_json_alone(real_reports):
    for name in ("pass", "fail", "error"):
        made = real_reports[name]
        assert made.markdown.read_text() == render_markdown(load(real_reports, name))


@pytest.mark.parametrize(
    ("name", "headline", "counts"),
    [
        (
            "pass",
            "## ✅ launchgate: **PASS** — ready to launch",
            "**0** blockers · **0** important · **0** later",
        ),
        (
            "fail",
            "## ❌ launchgate: **FAIL** — launch blocked",
            "**1** blocker · **1** important · **1** later",
        ),
        (
            "error",
            "## ⚠️ launchgate: **ERROR** — the gate could not decide",
            "**0** blockers · **0** important · **0** later",
        ),
    ],
)
def test_markdown_headline(real_reports, name, headline, counts):
    lines = real_reports[name].markdown.read_text().splitlines()
    assert lines[0] == headline
    assert lines[2].startswith(counts)


def test_markdown_groups_findings_by_severity_with_remedies(real_reports):
    text = real_reports["fail"].markdown.read_text()
    sections = [
        "### 🚫 Launch blockers (1)",
        "### ⚠️ Important before rollout (1)",
        "<details><summary><b>💡 Worth doing later (1)</b></summary>",
        "### Checks",
    ]
    positions = [text.index(s) for s in sections]
    assert positions == sorted(positions)
    blockers = text[positions[0] : positions[1]]
    assert "`smoke.unexpected-status`" in blockers and "*Fix:*" in blockers
    assert "`smoke.text-missing`" in text[positions[1] : positions[2]]
    assert "`smoke.unreachable`" in text[positions[2] : positions[3]]
    # A check with findings shows its worst severity and how many, not just "failed".
    assert "| smoke | ❌ 1 blocker +2 |" in text


def test_markdown_says_which_check_could_not_decide(real_reports):
    lines = real_reports["error"].markdown.read_text().splitlines()
    notice = [line for line in lines if line.startswith("> ⚠️ **smoke**: could not run: ")]
    assert len(notice) == 1 and "allow\\_private\\_targets" in notice[0]
    assert lines.index(notice[0]) < lines.index("### Checks")


def test_markdown_escapes_user_controlled_text(real_reports):
    text = render_markdown(hostile_report(real_reports))
    assert "<script" not in text
    assert "@octocat" not in text and "&#64;octocat" in text
    assert "[click](" not in text and "\\[click\\](" in text
    assert "#12" not in text
    assert "\n::warn" not in text
    # The hostile summary stays inside its table cell: every table row has 4 cells.
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows and all(line.replace("\\|", "").count("|") == 5 for line in rows)


def test_md_escape_backslash_cannot_unescape_a_pipe():
    assert md_escape("a\\|b") == "a\\\\\\|b"


def test_markdown_marker_and_run_link(real_reports):
    text = render_markdown(
        load(real_reports, "pass"), marker=True, run_url="https://github.example/run/1"
    )
    assert text.startswith(COMMENT_MARKER + "\n## ✅")
    assert "[Full report and logs](https://github.example/run/1)" in text


def test_markdown_shows_metrics(real_reports):
    data = load(real_reports, "pass")
    data["metrics"] = {
        "load": {
            "users": 10,
            "duration_s": 30,
            "requests": 900,
            "failures": 2,
            "rps": 30,
            "p50_ms": 12.4,
            "p95_ms": 312.6,
            "p99_ms": 455,
            "max_ms": 470,
            "routes": [
                {
                    "name": "clients|all",
                    "requests": 600,
                    "failures": 0,
                    "p50_ms": 9.1,
                    "p95_ms": 20.4,
                    "p99_ms": 30,
                    "max_ms": 41,
                }
            ],
            "note": "warm-up of 5s excluded",
        },
        "secrets": {"commits_scanned": 3, "lines_scanned": 40, "duration_s": 0.25},
        "dns": {"deployment_map": [{"part": "web", "where": "Vercel (cname.vercel-dns.com)"}]},
    }
    text = render_markdown(data)
    assert "· p95 **313 ms**" in text.splitlines()[2]
    assert "### Load (10 users, 30.0s)" in text
    assert "| clients\\|all | 600 | 0 | 9.1 ms | 20 ms | 30 ms | 41 ms |" in text
    assert "| **all** | 900 | 2 | 12 ms | 313 ms | 455 ms | 470 ms |" in text
    assert "warm-up of 5s excluded" in text
    assert "Secrets: scanned 3 commit(s), 40 line(s) in 0.2s." in text
    assert "| web | Vercel (cname.vercel-dns.com) |" in text


# --- text ---------------------------------------------------------------------------------


def test_text_summary(real_reports):
    made = real_reports["fail"]
    lines = made.stdout.splitlines()
    assert lines[0] == "launchgate FAIL: launch blocked"
    assert lines[1] == "  1 blocker, 1 important, 1 later (fails on blocker)"
    assert any(
        line.startswith("  [BLOCKER] reports page: GET /missing answered 404") for line in lines
    )
    assert "      smoke.unreachable" in lines
    assert any(line.startswith("  smoke      1 blocker +2 ") for line in lines)
    assert any(line.startswith("  skipped: secrets, tls,") for line in lines)


def test_text_cleans_control_characters(real_reports):
    data = hostile_report(real_reports)
    data["findings"][0]["title"] = "bad\x1b[2J\nclear"
    text = render_text(data)
    assert "\x1b" not in text
    assert all(not line.startswith("::") for line in text.splitlines())


def test_text_color_only_when_asked(real_reports):
    data = load(real_reports, "pass")
    assert "\x1b[" not in render_text(data)
    assert render_text(data, color=True).startswith("\x1b[1;32mlaunchgate PASS")


# --- SARIF ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pass", "fail", "error"])
def test_sarif_validates_against_the_official_schema(real_reports, sarif_validator, name):
    sarif = json.loads(real_reports[name].sarif.read_text())
    sarif_validator.validate(sarif)
    assert sarif == render_sarif(load(real_reports, name))


def test_sarif_levels_locations_and_fingerprints(real_reports):
    report = load(real_reports, "fail")
    run = json.loads(real_reports["fail"].sarif.read_text())["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error", "warning", "note"]
    rules = run["tool"]["driver"]["rules"]
    for result, finding in zip(run["results"], report["findings"], strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["id"]
        assert result["partialFingerprints"]["launchgateFingerprint/v1"] == finding["fingerprint"]
        # GitHub code scanning needs a file location on every result.
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_file_findings_point_at_the_file(real_reports, sarif_validator):
    data = load(real_reports, "fail")
    data["findings"][0]["location"] = {
        "url": None,
        "host": None,
        "path": "src/settings.py",
        "line": 12,
        "commit": "a" * 40,
    }
    sarif = render_sarif(data)
    sarif_validator.validate(sarif)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "src/settings.py"}, "region": {"startLine": 12}}


def test_sarif_of_an_error_run_says_so(real_reports, sarif_validator):
    sarif = json.loads(real_reports["error"].sarif.read_text())
    assert sarif["runs"][0]["invocations"] == [{"executionSuccessful": False}]
    assert sarif["runs"][0]["results"] == []


def test_prose_keeps_code_spans_and_escapes_everything_else():
    from launchgate.render.markdown import md_prose

    rendered = md_prose("Send `X-Content-Type-Options: nosniff` to <b>@team</b> [x](y)")
    assert rendered.startswith("Send `X-Content-Type-Options: nosniff` to ")
    assert "<b>" not in rendered and "@team" not in rendered and "\\[x\\](y)" in rendered
    # Markup inside a span stays literal code; an unpaired backtick is escaped.
    assert md_prose("`<img src=x>` and ` alone") == "`<img src=x>` and \\` alone"


# --- comparison -----------------------------------------------------------------------------


def compared_report(real_reports):
    """The fail report as `--compare` would leave it: one new finding, two inherited, two
    fixed, and a load comparison with a significant rise on one route."""
    data = copy.deepcopy(load(real_reports, "fail"))
    for finding, new in zip(data["findings"], (True, False, False), strict=True):
        finding["new"] = new
    data["checks"].append(
        {
            "name": "load",
            "status": "passed",
            "duration_s": 30.0,
            "summary": "p95 452 ms",
            "counts": {"blocker": 0, "important": 1, "later": 0},
        }
    )
    data["metrics"]["load"] = {
        "users": 10,
        "duration_s": 30,
        "requests": 900,
        "failures": 0,
        "p50_ms": 200,
        "p95_ms": 452,
        "p95_ci_ms": [430, 470],
        "p99_ms": 500,
        "max_ms": 600,
        "routes": [
            {
                "name": "clients",
                "requests": 600,
                "failures": 0,
                "p50_ms": 100,
                "p95_ms": 452,
                "p99_ms": 480,
                "max_ms": 600,
            }
        ],
    }
    delta = {
        "p95_ms": 280.0,
        "delta_ms": 172.0,
        "delta_pct": 61.4,
        "significant": True,
        "base_p95_ci_ms": [270, 290],
    }
    data["comparison"] = {
        "base": {"name": "main", "head": "a" * 40, "verdict": "fail", "url": None},
        "new": 1,
        "new_counts": {"blocker": 1, "important": 0, "later": 0},
        "inherited_counts": {"blocker": 0, "important": 1, "later": 1},
        "fixed": [
            {
                "id": "headers.hsts-missing",
                "title": "HSTS <missing>",
                "fingerprint": "f" * 64,
                "severity": "important",
            },
            {
                "id": "tls.certificate-expires-soon",
                "title": "expires soon",
                "fingerprint": "e" * 64,
                "severity": "important",
            },
        ],
        "fixed_counts": {"blocker": 0, "important": 2, "later": 0},
        "load": {
            **delta,
            "margin_pct": 10.0,
            "margin_ms": 5.0,
            "routes": [{**delta, "name": "clients"}],
        },
        "gate_on": "all",
        "notes": ["the base report was made by launchgate 0.0.9"],
    }
    return data


def test_markdown_shows_the_comparison(real_reports):
    data = compared_report(real_reports)
    jsonschema.Draft202012Validator(report_schema()).validate(data)
    text = render_markdown(data)
    lines = text.splitlines()
    assert "· p95 **452 ms (main 280 ms, +61 %, significant)**" in lines[2]
    assert (
        "**1 new blocker in this PR; 1 important, 1 later inherited from main; 2 fixed "
        "since main**" in text
    )
    assert "> ℹ️ the base report was made by launchgate 0.0.9" in text
    new = [line for line in lines if line.startswith("- 🆕 **")]
    assert len(new) == 1 and "`smoke.unexpected-status`" in new[0]
    assert sum("*inherited from main*" in line for line in lines) == 2
    assert "<details><summary><b>✅ Fixed since main (2)</b></summary>" in text
    assert "- HSTS &lt;missing&gt; `headers.hsts-missing`" in text
    assert "| route | requests | failures | p50 | p95 | p95 vs main | p99 | max |" in text
    assert (
        "| clients | 600 | 0 | 100 ms | 452 ms | +172 ms (+61 %) **significant** | 480 ms "
        "| 600 ms |" in text
    )
    # The load check has an important finding: it does not read "passed".
    assert "| load | ⚠️ 1 important |" in text


def test_text_shows_the_comparison(real_reports):
    text = render_text(compared_report(real_reports))
    assert (
        "  1 new blocker in this PR; 1 important, 1 later inherited from main; 2 fixed "
        "since main" in text
    )
    assert "  load: p95 452 ms (main 280 ms, +61 %, significant) over 900 requests" in text
    assert "  [BLOCKER] [new] reports page" in text and "[inherited]" in text
    assert "  load       1 important " in text
    assert "  fixed since main: headers.hsts-missing, tls.certificate-expires-soon" in text


def test_sarif_marks_new_and_unchanged_results(real_reports, sarif_validator):
    sarif = render_sarif(compared_report(real_reports))
    sarif_validator.validate(sarif)
    assert [r["baselineState"] for r in sarif["runs"][0]["results"]] == [
        "new",
        "unchanged",
        "unchanged",
    ]
