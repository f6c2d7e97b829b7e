"""The markdown verdict (PR comment, job summary, `--markdown`), from a Jinja2 template."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jinja2

from launchgate.render import verdict_words
from launchgate.render.comment import DEFAULT_CONTEXT, comment_marker

_ESCAPES = {"\\": "\\\\", "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "`": "\\`",
            "@": "&#64;", "#": "&#35;", "[": "\\[", "]": "\\]", "*": "\\*", "_": "\\_",
            "~": "\\~"}
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
        parts.append(_escape_keeping_edges(text[last:match.start()]))
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


def environment() -> jinja2.Environment:
    """The Jinja2 environment every markdown template renders in, with the escaping filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("launchgate.render", "templates"),
        autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True,
        lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(md=md_escape, md_prose=md_prose, code=code_span, ms=ms, seconds=seconds)
    return env


def render_markdown(report: Mapping[str, Any], *, marker: bool = False,
                    run_url: str | None = None, context: str = DEFAULT_CONTEXT) -> str:
    """Render a `launchgate.report/v1` document. `marker` starts it with the sticky-comment
    marker of status context `context` (see `launchgate.render.comment`)."""
    template = environment().get_template("verdict.md.j2")
    body = template.render(r=report, run_url=run_url, headline_words=verdict_words(report))
    body = re.sub(r"\n{3,}", "\n\n", body)
    return f"{comment_marker(context)}\n{body}" if marker else body
