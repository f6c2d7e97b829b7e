"""Publishing a report made elsewhere (the `report` input): the workflow_run pattern for fork
pull requests. The report is untrusted (a fork's workflow wrote it): it is rebuilt from known
names and numbers only, published as a comment marked as information, and never sets a commit
status."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from launchgate.action.commands import append_summary, write_runner_file
from launchgate.action.event import Event, run_url
from launchgate.action.inputs import read_inputs
from launchgate.action.publisher import Publisher
from launchgate.action.run import Run
from launchgate.errors import UsageError
from launchgate.names import CHECK_NAMES, FAIL_ON_CHOICES, FINDING_ID_PATTERN
from launchgate.render.comment import fit_comment, with_note
from launchgate.render.markdown import render_markdown
from launchgate.report import Report, report_from_json

_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+-]{0,30}$")
_LOAD_NUMBERS = (
    "users",
    "duration_s",
    "requests",
    "failures",
    "rps",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "max_ms",
)
UNTRUSTED_NOTE = (
    "> Reported by the pull request's own workflow run (e.g. from a fork) and "
    "published here as information only; it sets no commit status.\n\n"
)


def untrusted_report(data: Any) -> Report:
    """Rebuild a report that came from an artifact of an untrusted run (a fork's workflow):
    only known check names, well-formed finding ids, numeric metrics; counts and verdict-
    related fields are recomputed from the findings by the report model."""
    try:
        report = report_from_json(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"input report: not a launchgate.report/v1 document ({exc})") from None
    bad = [
        c.name
        for c in report.checks
        if c.name not in CHECK_NAMES or not isinstance(c.duration_s, int | float)
    ]
    bad += [
        f.id
        for f in report.findings
        if not FINDING_ID_PATTERN.match(f.id) or f.check not in CHECK_NAMES
    ]
    if bad or report.fail_on not in FAIL_ON_CHOICES:
        raise UsageError("input report: unexpected check, finding id or fail_on in the report")
    for finding in report.findings:
        line = finding.location.line
        if line is not None and not isinstance(line, int):
            raise UsageError("input report: a finding's line is not a number")
    version = report.tool_version if _VERSION.match(str(report.tool_version)) else "unknown"
    return dataclasses.replace(report, metrics=_numeric_load(report.metrics), tool_version=version)


def _numeric_load(metrics: Mapping[str, Any]) -> dict[str, Any]:
    load = metrics.get("load") if isinstance(metrics, Mapping) else None
    if not isinstance(load, Mapping):
        return {}
    clean: dict[str, Any] = {}
    for key in _LOAD_NUMBERS:
        value = load.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            clean[key] = value
    clean.setdefault("p95_ms", None)
    for key in ("users", "duration_s", "requests", "failures", "p50_ms", "p99_ms", "max_ms"):
        clean.setdefault(key, None)
    return {"load": clean} if clean.get("requests") is not None else {}


def _pull_from_artifact(path: Path, sha: str, publisher: Publisher) -> int | None:
    """The PR number a fork's run recorded: untrusted, so used only when that pull request's
    head is the commit the trusted workflow_run event names."""
    try:
        number = json.loads(path.read_text(encoding="utf-8")).get("number")
    except (OSError, ValueError, AttributeError):
        return None
    if (
        isinstance(number, int)
        and not isinstance(number, bool)
        and number > 0
        and publisher.verified_pull(number, sha)
    ):
        return number
    return None


def publish_existing(run: Run, event: Event, publisher: Publisher) -> int:
    """`report` input: post the PR comment from a report made elsewhere; never a status."""
    inputs = read_inputs(run.env)
    path = run.workspace / inputs.report
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"input report: cannot read {inputs.report}: {exc}") from None
    data = untrusted_report(raw).to_json()
    url = run_url(run.env)
    markdown = render_markdown(data, run_url=url)
    write_runner_file(
        run.log,
        "the job summary (GITHUB_STEP_SUMMARY)",
        run.env.get("GITHUB_STEP_SUMMARY"),
        lambda summary: append_summary(summary, UNTRUSTED_NOTE + markdown),
    )
    counts = data["counts"]
    run.outputs.update(
        {
            "verdict": data["verdict"],
            "blockers": str(counts["blocker"]),
            "important": str(counts["important"]),
            "later": str(counts["later"]),
            "report": inputs.report,
        }
    )
    number = event.pull_number
    if number is None and event.find_pull and event.sha:
        number = publisher.pull_for_commit(event.sha) or _pull_from_artifact(
            path.parent / "pull.json", event.sha, publisher
        )
    if number is None:
        run.log("launchgate: no pull request found for this report; nothing to publish.")
        return 0
    if inputs.comment:
        body = render_markdown(data, marker=True, run_url=url, context=publisher.context)
        body = with_note(body, publisher.context, UNTRUSTED_NOTE)
        publisher.comment(
            int(number),
            fit_comment(body, "The full verdict is in the pull request's workflow run."),
        )
    return 0
