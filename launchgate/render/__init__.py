"""Renderers: markdown (Jinja2), SARIF 2.1.0 and terminal text. They format a report's v1 JSON
and never compute anything of their own: counts, verdicts and metrics come from the report."""

from collections.abc import Mapping
from typing import Any

VERDICT_WORDS = {
    "pass": "ready to launch",
    "fail": "launch blocked",
    "error": "the gate could not decide",
}


def verdict_words(report: Mapping[str, Any]) -> str:
    """The headline's words. A pass that checked nothing, or that only reports because
    `fail_on` is `never`, must not read "ready to launch"."""
    verdict = report["verdict"]
    if verdict == "pass" and all(c["status"] == "skipped" for c in report["checks"]):
        return "nothing was checked (every check was skipped)"
    if verdict == "pass" and report["fail_on"] == "never" and any(report["counts"].values()):
        return "report only (fail_on: never), not a launch decision"
    comparison = report.get("comparison") or {}
    if verdict == "pass" and comparison.get("gate_on") == "new" and report["fail_on"] != "never":
        gating = _ORDER[: _ORDER.index(report["fail_on"]) + 1]
        if any(comparison["inherited_counts"].get(s) for s in gating):
            return (
                f"nothing new blocks (gate_on: new), but findings inherited from "
                f"{comparison['base']['name']} would"
            )
    return VERDICT_WORDS[verdict]


_NOUNS = {
    "blocker": ("blocker", "blockers"),
    "important": ("important", "important"),
    "later": ("later", "later"),
}
_ORDER = ("blocker", "important", "later")


def _counted(counts: Mapping[str, int], prefix: str = "") -> list[str]:
    return [f"{counts[s]} {prefix}{_NOUNS[s][counts[s] != 1]}" for s in _ORDER if counts.get(s)]


def comparison_headline(report: Mapping[str, Any]) -> str | None:
    """The two-second summary of a comparison: "2 new blockers in this PR; 1 blocker inherited
    from main; 3 fixed since main" (None without a comparison)."""
    comparison = report.get("comparison")
    if not comparison:
        return None
    name = comparison["base"]["name"]
    new = _counted(comparison["new_counts"], "new ")
    where = "since the last watch" if report.get("watch") else "in this PR"
    parts = [f"{', '.join(new)} {where}" if new else f"nothing new {where}"]
    inherited = _counted(comparison["inherited_counts"])
    if inherited:
        parts.append(f"{', '.join(inherited)} inherited from {name}")
    if comparison["fixed"]:
        parts.append(f"{len(comparison['fixed'])} fixed since {name}")
    return "; ".join(parts)


def check_label(check: Mapping[str, Any]) -> str:
    """A check's result in a table: its worst severity and how many (e.g. "1 important"), or
    its status when it has no findings (a check with findings never reads "passed")."""
    counts = check.get("counts") or {}
    worst = next((s for s in _ORDER if counts.get(s)), None)
    if worst is None or check["status"] == "skipped":
        return str(check["status"])
    more = sum(counts[s] for s in _ORDER) - counts[worst]
    label = f"{counts[worst]} {worst}"
    if more:
        label += f" +{more}"
    if check["status"] == "error":
        label = f"error, {label}"
    return label


def _ms(value: Any) -> str:
    if value is None:
        return "?"
    return f"{float(value):.0f} ms" if abs(float(value)) >= 10 else f"{float(value):.1f} ms"


def p95_change(delta: Mapping[str, Any] | None, name: str) -> str:
    """`main 280 ms, +61 %, significant` for a p95 delta of the comparison ("" without one)."""
    if not delta:
        return ""
    pct = delta.get("delta_pct")
    change = (
        f"{pct:+.0f} %"
        if pct is not None and abs(pct) >= 1
        else f"{pct:+.1f} %"
        if pct is not None
        else f"{'+' if delta['delta_ms'] >= 0 else ''}{_ms(delta['delta_ms'])}"
    )
    verdict = {True: "significant", False: "within noise", None: "not judged"}[
        delta.get("significant")
    ]
    return f"{name} {_ms(delta['p95_ms'])}, {change}, {verdict}"
