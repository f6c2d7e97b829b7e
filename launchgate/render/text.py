"""The short human summary printed to the terminal at the end of `launchgate check`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from launchgate.render import check_label, comparison_headline, p95_change, verdict_words

_LABELS = {"blocker": "BLOCKER", "important": "IMPORTANT", "later": "later"}


def render_text(report: Mapping[str, Any], *, color: bool = False) -> str:
    counts = report["counts"]
    colors = {"pass": "32", "fail": "31", "error": "33"}
    headline = f"launchgate {report['verdict'].upper()}: {verdict_words(report)}"
    if color:
        headline = f"\x1b[1;{colors[report['verdict']]}m{headline}\x1b[0m"
    lines = [
        headline,
        f"  {counts['blocker']} blocker, {counts['important']} important, "
        f"{counts['later']} later (fails on {report['fail_on']})",
    ]
    comparison = report.get("comparison")
    headline_line = comparison_headline(report)
    if comparison and headline_line:
        gate = " (gate_on: new)" if comparison["gate_on"] == "new" else ""
        lines.append(f"  {_clean(headline_line)}{gate}")
    lines += _load_lines(report["metrics"].get("load"), comparison)
    lines += _watch_lines(report.get("watch"))
    for note in [*report.get("notes", ()), *(comparison["notes"] if comparison else ())]:
        lines.append(f"  note: {_clean(note)}")
    lines.append("")
    for finding in report["findings"]:
        where = _where(finding["location"])
        mark = {True: "[new] ", False: "[inherited] "}.get(finding.get("new"), "")
        lines.append(
            f"  [{_LABELS[finding['severity']]}] {mark}{_clean(finding['title'])}"
            f"{'  (' + _clean(where) + ')' if where else ''}"
        )
        lines.append(f"      {_clean(finding['id'])}")
        if finding["remedy"]:
            lines.append(f"      fix: {_clean(finding['remedy'])}")
    if report["findings"]:
        lines.append("")
    skipped: dict[str, list[str]] = {}
    for check in report["checks"]:
        if check["status"] == "skipped":
            skipped.setdefault(_clean(check["summary"]), []).append(check["name"])
            continue
        lines.append(
            f"  {check['name']:<10} {check_label(check):<12} "
            f"{check['duration_s']:6.1f}s  {_clean(check['summary'])}"
        )
    # Skipped checks share a few reasons; one line per reason keeps the summary short.
    for reason, names in skipped.items():
        lines.append(f"  skipped: {', '.join(names)} ({reason})")
    if comparison and comparison["fixed"]:
        lines.append(
            f"  fixed since {_clean(comparison['base']['name'])}: "
            + ", ".join(_clean(f["id"]) for f in comparison["fixed"])
        )
    return "\n".join(lines) + "\n"


def _watch_lines(watch: Mapping[str, Any] | None) -> list[str]:
    """A production watch: each certificate's days left and trend, each DNS change."""
    if not watch:
        return []
    lines = []
    for cert in watch["certificates"]:
        days = "?" if cert["days_left"] is None else cert["days_left"]
        before = (
            ""
            if cert["previous_days_left"] is None
            else f", {cert['previous_days_left']} at the last watch"
        )
        lines.append(
            f"  certificate {_clean(cert['host'])}: {days} days left{before} "
            f"({_clean(cert['trend'])})"
        )
    for change in watch["dns_changes"]:
        lines.append(
            f"  dns changed: {_clean(change['record'])} of {_clean(change['name'])}: "
            f"{_clean(', '.join(change['before']) or 'nothing')} -> "
            f"{_clean(', '.join(change['after']) or 'nothing')}"
        )
    lines += [f"  note: {_clean(note)}" for note in watch["notes"]]
    return lines


def _load_lines(load: Mapping[str, Any] | None, comparison: Mapping[str, Any] | None) -> list[str]:
    """The load test's p95 (against the base's, with a comparison), who the users logged in
    as, then its routes' own p95 against their budgets (when there is more than one route, or
    a route was not a plain pass, or a comparison gives per-route deltas)."""
    if not load:
        return []
    name = comparison["base"]["name"] if comparison else ""
    versus = (comparison or {}).get("load")
    change = p95_change(versus, name)
    lines = (
        []
        if load.get("p95_ms") is None
        else [
            f"  load: p95 {load['p95_ms']:.0f} ms"
            f"{' (' + _clean(change) + ')' if change else ''} over {load['requests']} "
            f"requests, {load['users']} users"
        ]
    )
    logins = load.get("logins") or []
    if logins:
        who = ", ".join(
            f"{_clean(m['identity'])} ({m['users']}"
            f"{', ' + str(m['failed']) + ' failed' if m['failed'] else ''})"
            for m in logins
        )
        slowest = max((m["max_s"] for m in logins if m.get("max_s") is not None), default=None)
        lines.append(
            f"  load: users logged in as {who}"
            + (f"; slowest login {slowest:.2f} s (not in the p95)" if slowest is not None else "")
        )
    if load.get("p95_ms") is None:
        return lines
    routes = load.get("routes") or []
    deltas = {d["name"]: d for d in (versus or {}).get("routes") or []}
    if len(routes) < 2 and all(r.get("verdict", "ok") == "ok" for r in routes):
        return lines
    width = max(12, *(len(_clean(r["name"])) for r in routes))
    vs = f"  vs {_clean(name)}" if deltas else ""
    lines.append(
        f"    {'route':<{width}} {'requests':>8} {'p95':>9}  {'target/budget':>15}  verdict{vs}"
    )
    for route in routes:
        budgets = (
            f"{_num(route.get('p95_target_ms'))}/{_num(route.get('p95_blocker_ms'))} ms"
            if route.get("p95_blocker_ms") or route.get("p95_target_ms")
            else "-"
        )
        delta = deltas.get(route["name"])
        lines.append(
            f"    {_clean(route['name']):<{width}} {route.get('requests', 0):>8} "
            f"{_ms(route.get('p95_ms')):>9}  {budgets:>15}  "
            f"{route.get('verdict', '-')}"
            f"{'  ' + _clean(p95_change(delta, name)) if delta else ''}"
        )
    return lines


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _clean(text: str) -> str:
    """Text from servers and repos: no terminal escapes, and no line breaks that could start a
    CI log line with a workflow command (`::`)."""
    return "".join(ch if ch.isprintable() else " " for ch in str(text))


def _where(location: Mapping[str, Any]) -> str:
    if location.get("path") and location.get("line"):
        return f"{location['path']}:{location['line']}"
    return str(location.get("url") or location.get("host") or location.get("path") or "")
