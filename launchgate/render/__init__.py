"""Renderers: markdown (Jinja2), SARIF 2.1.0 and terminal text. They format a report's v1 JSON
and never compute anything of their own: counts, verdicts and metrics come from the report."""

from collections.abc import Mapping
from typing import Any

VERDICT_WORDS = {"pass": "ready to launch", "fail": "launch blocked",
                 "error": "the gate could not decide"}


def verdict_words(report: Mapping[str, Any]) -> str:
    """The headline's words. A pass that checked nothing, or that only reports because
    `fail_on` is `never`, must not read "ready to launch"."""
    verdict = report["verdict"]
    if verdict == "pass" and all(c["status"] == "skipped" for c in report["checks"]):
        return "nothing was checked (every check was skipped)"
    if verdict == "pass" and report["fail_on"] == "never" and any(report["counts"].values()):
        return "report only (fail_on: never), not a launch decision"
    return VERDICT_WORDS[verdict]
