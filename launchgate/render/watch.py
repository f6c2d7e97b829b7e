"""The production watch's alert (docs/watch.md): the issue body, its comments, and the webhook's
one-line text. Everything here formats what `launchgate.action.watch` decided; the report part
of the issue is the markdown verdict itself."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from launchgate.render import verdict_words
from launchgate.render.comment import DEFAULT_CONTEXT, fit_comment
from launchgate.render.markdown import md_escape, md_prose, render_markdown

STATE_PATTERN = re.compile(r"<!-- launchgate:watch-state rev=(\d+) blockers=([\w:.,-]*) -->")
_ICONS = {"fail": "🔴", "error": "⚠️", "pass": "✅"}


def _safe(context: str) -> str:
    return re.sub(r"[^A-Za-z0-9._/-]", "_", context) or DEFAULT_CONTEXT


def watch_marker(context: str = DEFAULT_CONTEXT) -> str:
    """The hidden first line of the alert issue: one open issue per status context."""
    return f"<!-- launchgate:watch:{_safe(context)} -->"


def state_line(revision: int, keys: Sequence[str]) -> str:
    """The hidden second line: which blockers the body shows, and how many times the set
    changed (the comment announcing change N carries `change_marker(context, N)`)."""
    return f"<!-- launchgate:watch-state rev={revision} blockers={','.join(keys)} -->"


def change_marker(context: str, revision: int) -> str:
    return f"<!-- launchgate:watch-change:{_safe(context)}:{revision} -->"


def recovered_marker(context: str) -> str:
    return f"<!-- launchgate:watch-recovered:{_safe(context)} -->"


def issue_title(report: Mapping[str, Any], context: str) -> str:
    target = report["target"].get("url") or "production"
    return f"launchgate watch: {target} is failing ({context})"


def issue_body(
    report: Mapping[str, Any],
    *,
    context: str,
    revision: int,
    keys: Sequence[str],
    blockers: Sequence[str],
    since: str | None,
    run_url: str | None,
) -> str:
    """The issue body: the markers, the current blockers in a few lines, then the full
    verdict (with what changed since the last watch)."""
    verdict = report["verdict"]
    lines = [
        watch_marker(context),
        state_line(revision, keys),
        f"## {_ICONS[verdict]} Production watch: {verdict_words(report)}",
        "",
    ]
    where = f"**{md_escape(report['target'].get('url') or 'production')}**"
    facts = [where, f"status context `{md_escape(context)}`"]
    if since:
        facts.append(f"failing since {md_escape(since)}")
    if run_url:
        facts.append(f"[latest run]({run_url})")
    lines += [" · ".join(facts), ""]
    if blockers:
        lines += [f"**What blocks ({len(blockers)}):**", ""]
        lines += [f"- {md_prose(text)}" for text in blockers]
        lines.append("")
    lines += [
        "This issue is kept by launchgate: its body shows the latest watch, a comment is "
        "added when the blockers change, and it is closed when the watch passes.",
        "",
        "---",
        "",
        render_markdown(report, run_url=run_url),
    ]
    pointer = (
        f"The full verdict is in the [run's job summary]({run_url})."
        if run_url
        else "The full verdict is in the run's job summary."
    )
    return fit_comment("\n".join(lines), pointer)


def change_comment(
    *,
    context: str,
    revision: int,
    added: Sequence[str],
    resolved_markdown: Sequence[str],
    run_url: str | None,
) -> str:
    """`resolved_markdown`: the resolved blockers' lines as the issue body showed them."""
    lines = [change_marker(context, revision), "**The blockers changed.**", ""]
    lines += [f"- 🆕 {md_prose(text)}" for text in added]
    lines += [f"- ✅ resolved: {line}" for line in resolved_markdown]
    if run_url:
        lines += ["", f"[The run]({run_url})"]
    return "\n".join(lines) + "\n"


def recovered_comment(*, context: str, down_for: str | None, run_url: str | None) -> str:
    text = "✅ **Recovered**: the watch passes again"
    if down_for:
        text += f" after {md_escape(down_for)} down"
    text += f" ([run]({run_url}))." if run_url else "."
    return f"{recovered_marker(context)}\n{text} Closing this issue.\n"


def webhook_text(
    *,
    event: str,
    report: Mapping[str, Any],
    context: str,
    blockers: Sequence[str],
    issue_url: str | None,
    down_for: str | None = None,
) -> str:
    """Slack-compatible plain text for one state change: `opened`, `changed`, `recovered`."""
    target = report["target"].get("url") or "production"
    head = {
        "opened": f"launchgate watch: {target} is failing ({context})",
        "changed": f"launchgate watch: the blockers of {target} changed ({context})",
        "recovered": f"launchgate watch: {target} recovered ({context})",
    }[event]
    if event == "recovered" and down_for:
        head += f" after {down_for}"
    lines = [head]
    lines += [f"• {text}" for text in blockers[:5]]
    if len(blockers) > 5:
        lines.append(f"• and {len(blockers) - 5} more")
    if issue_url:
        lines.append(issue_url)
    return "\n".join(lines)
