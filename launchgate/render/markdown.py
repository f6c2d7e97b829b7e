"""The markdown verdict (PR comment, job summary, `--markdown`), from a Jinja2 template."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jinja2

from launchgate.render import check_label, comparison_headline, p95_change, verdict_words
from launchgate.render.comment import DEFAULT_CONTEXT, comment_marker

_ESCAPES = {
    "\\": "\\\\",
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "\\|",
    "`": "\\`",
    "@": "&#64;",
    "#": "&#35;",
    "[": "\\[",
    "]": "\\]",
    "*": "\\*",
    "_": "\\_",
    "~": "\\~",
}
_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in _ESCAPES))


def md_escape(value: Any) -> str:
    """Text from servers, repos and configs must not inject markup, mentions or table cells."""
    text = "" if value is None else str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text).strip()


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def md_prose(value: Any) -> str:
    """Like md_escape, but balanced `code spans` stay code spans. For prose outside tables
    only (a `|` inside a span would still split a table cell). Inside a span nothing renders:
    no tags, no mentions, no links."""
    text = "" if value is None else str(value)
    parts: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_escape_keeping_edges(text[last : match.start()]))
        parts.append(code_span(match.group(1)))
        last = match.end()
    parts.append(_escape_keeping_edges(text[last:]))
    return "".join(parts).strip()


def _escape_keeping_edges(raw: str) -> str:
    # md_escape strips; between two spans the surrounding spaces matter.
    core = md_escape(raw)
    lead = " " if raw[:1].isspace() else ""
    trail = " " if raw[-1:].isspace() and core else ""
    return f"{lead}{core}{trail}"


def code_span(value: Any) -> str:
    text = "" if value is None else str(value).replace("`", "'")
    return "`" + "".join(ch if ch.isprintable() else " " for ch in text) + "`"


def ms(value: Any) -> str:
    if value is None:
        return "–"
    return f"{float(value):.0f} ms" if float(value) >= 10 else f"{float(value):.1f} ms"


def seconds(value: Any) -> str:
    return "–" if value is None else f"{float(value):.1f}s"


_STATUS_ICONS = {"passed": "✅", "failed": "❌", "skipped": "⏭️", "error": "⚠️"}
_SEVERITY_ICONS = {"blocker": "❌", "important": "⚠️", "later": "💡"}


def check_cell(check: Mapping[str, Any]) -> str:
    """`✅ passed`, or for a check with findings its worst severity: `⚠️ 1 important`."""
    label = check_label(check)
    worst = next(
        (s for s in ("blocker", "important", "later") if (check.get("counts") or {}).get(s)), None
    )
    icon = (
        _STATUS_ICONS[check["status"]]
        if worst is None or check["status"] in ("skipped", "error")
        else _SEVERITY_ICONS[worst]
    )
    return f"{icon} {md_escape(label)}"


def _delta(delta: Mapping[str, Any] | None) -> str:
    """A load-table cell: the change of a p95 against the base, with the significance."""
    if not delta:
        return "–"
    pct = delta.get("delta_pct")
    sign = "+" if delta["delta_ms"] >= 0 else "−"
    text = f"{sign}{ms(abs(delta['delta_ms']))}"
    if pct is not None:
        text += f" ({sign}{abs(pct):.0f} %)"
    return (
        text
        + {True: " **significant**", False: "", None: " (not judged)"}[delta.get("significant")]
    )


def p95_headline(report: Mapping[str, Any]) -> str:
    """`452 ms (main 280 ms, +61 %, significant)`, or the bare p95 without a comparison."""
    load = report["metrics"]["load"]
    comparison = report.get("comparison")
    change = p95_change(comparison.get("load"), comparison["base"]["name"]) if comparison else ""
    return ms(load["p95_ms"]) + (f" ({md_escape(change)})" if change else "")


def environment() -> jinja2.Environment:
    """The Jinja2 environment every markdown template renders in, with the escaping filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("launchgate.render", "templates"),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(p95_headline=p95_headline)
    env.filters.update(
        md=md_escape,
        md_prose=md_prose,
        code=code_span,
        ms=ms,
        seconds=seconds,
        check_cell=check_cell,
        delta=_delta,
    )
    return env


def render_markdown(
    report: Mapping[str, Any],
    *,
    marker: bool = False,
    run_url: str | None = None,
    context: str = DEFAULT_CONTEXT,
) -> str:
    """Render a `launchgate.report/v1` document. `marker` starts it with the sticky-comment
    marker of status context `context` (see `launchgate.render.comment`)."""
    template = environment().get_template("verdict.md.j2")
    comparison = report.get("comparison") or {}
    routes = (comparison.get("load") or {}).get("routes") or []
    body = template.render(
        r=report,
        run_url=run_url,
        headline_words=verdict_words(report),
        cmp=comparison or None,
        cmp_headline=comparison_headline(report),
        route_deltas={d["name"]: d for d in routes},
    )
    body = re.sub(r"\n{3,}", "\n\n", body)
    return f"{comment_marker(context)}\n{body}" if marker else body
