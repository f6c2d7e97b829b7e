"""The production watch in the Action (docs/watch.md): on `schedule` and
`workflow_dispatch` the gate runs read-only, compares with the previous watch's report, and
keeps ONE alert issue per status context.

- fail/error and no open issue: open it (label `launchgate`, the hidden marker, assignees from
  `watch.assignees`);
- still failing: edit its body to the current verdict; comment only when the set of blockers
  changed (a new one, or one resolved), so an hourly schedule does not spam;
- pass with an open issue: comment "recovered" with how long it was down, and close it.

Each step is idempotent under retries (see `launchgate.github`): the body's hidden state line
carries the revision of the blocker set, and the comment announcing revision N carries its own
marker, so a run that failed half-way is completed by the next one, never doubled.
`watch.webhook` gets one short text per state change (opened, blockers changed, recovered).

The previous watch's report is the newest `launchgate-report` artifact of an earlier watch run
(`launchgate.action.compare`; the workflow uploads it and grants `actions: read`). Publishing
never raises: a failure is a warning, and the verdict stands.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from launchgate import __version__
from launchgate.action.event import Event
from launchgate.config import WatchConfig
from launchgate.github import GitHubClient, GitHubWriteError, IssueRef, WriteForbidden
from launchgate.redact import Redactor
from launchgate.render.watch import (
    STATE_PATTERN,
    change_comment,
    issue_body,
    issue_title,
    recovered_comment,
    watch_marker,
    webhook_text,
)
from launchgate.report import Severity, at_or_above
from launchgate.watch.webhook import post_text

WATCH_EVENTS = frozenset({"schedule", "workflow_dispatch"})
LABEL = "launchgate"
PREVIOUS_NAME = "last watch"
SETUP = "setup"  # the pseudo-check of a watch that could not start (a config error)


def is_watch(event: Event) -> bool:
    return event.name in WATCH_EVENTS


# --- what blocks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    key: str  # stable across runs: a finding's fingerprint, or the check that could not run
    text: str


def blockers_of(report: Mapping[str, Any]) -> tuple[Blocker, ...]:
    """What makes the verdict fail or error: findings at or above `fail_on`, and the checks
    that could not run."""
    found = [
        Blocker(f["fingerprint"][:16], f"{f['title']} (`{f['id']}`)")
        for f in report["findings"]
        if at_or_above(Severity(f["severity"]), report["fail_on"])
    ]
    if report["verdict"] == "error":
        found += [
            Blocker(
                f"check:{c['name']}",
                f"the watch could not start: {c['summary']}"
                if c["name"] == SETUP
                else f"the {c['name']} check could not run: {c['summary']}",
            )
            for c in report["checks"]
            if c["status"] == "error"
        ]
    unique = {b.key: b for b in found}
    return tuple(unique[k] for k in sorted(unique))


# --- the alert ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertContext:
    report: Mapping[str, Any]
    context: str
    settings: WatchConfig
    run_url: str | None
    previous_verdict: str | None  # the last watch's, for the webhook when GitHub is unusable
    log: Callable[[str], None]
    redactor: Redactor


def alert(
    client: GitHubClient | None, ctx: AlertContext, now: dt.datetime | None = None
) -> str | None:
    """Keep the alert issue and post the webhook; returns the state change (`opened`,
    `changed`, `recovered`) or None. Never raises."""
    now = now or dt.datetime.now(dt.UTC)
    change: str | None = None
    issue_url: str | None = None
    down_for: str | None = None
    try:
        if client is None:
            raise GitHubWriteError("no github-token")
        change, issue_url, down_for = _keep_issue(client, ctx, now)
    except GitHubWriteError as exc:
        hint = (
            " Add `issues: write` to the workflow's permissions."
            if isinstance(exc, WriteForbidden) or str(exc) == "no github-token"
            else ""
        )
        ctx.log(
            f"::warning::launchgate: the watch issue could not be kept ({exc}).{hint} "
            "The verdict stands."
        )
        change = _change_from_previous(ctx)
    except Exception as exc:  # a publishing bug must not hide the verdict
        first = (str(exc).splitlines() or [""])[0][:200]
        ctx.log(
            ctx.redactor.text(
                f"::warning::launchgate: the watch issue could not be kept "
                f"({type(exc).__name__}: {first})"
            )
        )
        change = _change_from_previous(ctx)
    if change and ctx.settings.webhook:
        _notify(ctx, change, issue_url, down_for)
    return change


def setup_failed(problem: str, *, target_url: str | None = None) -> dict[str, Any]:
    """The report of a watch that could not start (its config is broken): an `error` whose
    one blocker says why. Without a readable config nobody is assigned and no webhook is
    known, but the issue still opens: a broken watch must not fail in silence."""
    zero = {"blocker": 0, "important": 0, "later": 0}
    return {
        "schema": "launchgate.report/v1",
        "tool": {"name": "launchgate", "version": __version__},
        "verdict": "error",
        "fail_on": "blocker",
        "target": {"url": target_url, "repo": None, "base": None, "head": None},
        "counts": zero,
        "findings": [],
        "metrics": {},
        "checks": [
            {
                "name": SETUP,
                "status": "error",
                "duration_s": 0.0,
                "summary": problem,
                "counts": zero,
            }
        ],
    }


def _keep_issue(
    client: GitHubClient, ctx: AlertContext, now: dt.datetime
) -> tuple[str | None, str | None, str | None]:
    report, context = ctx.report, ctx.context
    marker = watch_marker(context)
    blockers = blockers_of(report)
    keys = [b.key for b in blockers]
    texts = [b.text for b in blockers]
    failing = report["verdict"] in ("fail", "error")
    issue = client.find_issue(marker, LABEL)
    if not failing:
        if issue is None:
            return None, None, None
        unchecked = _unchecked(report, issue.body)
        if unchecked:
            ctx.log(
                f"::warning::launchgate: the watch passes, but {_checks_phrase(unchecked)}: "
                f"issue #{issue.number} stays open until a watch passes with it"
            )
            return None, issue.html_url, None
        down_for = _duration(issue.created_at, now)
        client.comment_once(
            issue.number,
            *_split(recovered_comment(context=context, down_for=down_for, run_url=ctx.run_url)),
        )
        client.edit_issue(issue.number, close=True)
        ctx.log(
            f"launchgate: the watch passes again: closed issue #{issue.number} "
            f"(down {down_for or 'for an unknown time'})"
        )
        return "recovered", issue.html_url, down_for
    if issue is None:
        body = issue_body(
            report,
            context=context,
            revision=0,
            keys=keys,
            blockers=texts,
            since=_since(now),
            run_url=ctx.run_url,
        )
        issue, created = client.open_issue(
            marker,
            LABEL,
            title=issue_title(report, context),
            body=body,
            assignees=ctx.settings.assignees,
        )
        if created:
            ctx.log(f"launchgate: opened the watch issue #{issue.number}")
            return "opened", issue.html_url, None
    return _update(client, ctx, issue, keys, blockers), issue.html_url, None


def _update(
    client: GitHubClient,
    ctx: AlertContext,
    issue: IssueRef,
    keys: list[str],
    blockers: tuple[Blocker, ...],
) -> str | None:
    revision, before = _state(issue.body)
    texts = [b.text for b in blockers]
    change = None
    if before is not None and set(before) != set(keys):
        revision += 1
        added = [b.text for b in blockers if b.key not in before]
        old_texts = _old_texts(issue.body, before)
        resolved = [
            old_texts.get(k, f"a blocker no longer found ({k})") for k in before if k not in keys
        ]
        client.comment_once(
            issue.number,
            *_split(
                change_comment(
                    context=ctx.context,
                    revision=revision,
                    added=added,
                    resolved_markdown=resolved,
                    run_url=ctx.run_url,
                )
            ),
        )
        change = "changed"
        ctx.log(f"launchgate: the blockers changed: commented on the watch issue #{issue.number}")
    since = _since(issue.created_at) if issue.created_at else None
    body = issue_body(
        ctx.report,
        context=ctx.context,
        revision=revision,
        keys=keys,
        blockers=texts,
        since=since,
        run_url=ctx.run_url,
    )
    if body != issue.body:
        client.edit_issue(issue.number, body=body)
        ctx.log(f"launchgate: updated the watch issue #{issue.number}")
    return change


_BLOCKER_ID = re.compile(r"\(`([a-z0-9_-]+)\.[a-z0-9.-]+`\)$")


def _unchecked(report: Mapping[str, Any], body: str) -> list[str]:
    """The checks whose blockers this pass cannot vouch for: one that could not run (a pass
    with `fail_closed: false`), or one that blocked before and was skipped this time."""
    _, keys = _state(body)
    blocked = {k.split(":", 1)[1] for k in keys or [] if k.startswith("check:")}
    blocked |= {
        m.group(1)
        for line in _old_texts(body, keys or []).values()
        if (m := _BLOCKER_ID.search(line))
    }
    return [
        c["name"]
        for c in report["checks"]
        if c["status"] == "error" or (c["status"] == "skipped" and c["name"] in blocked)
    ]


def _checks_phrase(names: list[str]) -> str:
    listed = ", ".join(names)
    return f"the {listed} check{'s' if len(names) > 1 else ''} did not run to the end"


def _state(body: str) -> tuple[int, list[str] | None]:
    match = STATE_PATTERN.search(body)
    if match is None:
        return 0, None
    return int(match.group(1)), [k for k in match.group(2).split(",") if k]


def _old_texts(body: str, keys: list[str]) -> dict[str, str]:
    """The blockers' lines of the previous body, in the order of its state line's keys."""
    section = body.split("**What blocks", 1)[-1].split("\n\n", 2)
    lines = [
        line[2:]
        for line in (section[1] if len(section) > 1 else "").splitlines()
        if line.startswith("- ")
    ]
    return dict(zip(keys, lines, strict=False)) if len(lines) == len(keys) else {}


def _split(comment: str) -> tuple[str, str]:
    """(its marker line, the comment): `comment_once` looks the marker up."""
    return comment.split("\n", 1)[0], comment


def _change_from_previous(ctx: AlertContext) -> str | None:
    """Without the issue, the webhook still hears of openings and recoveries, judged against
    the last watch's verdict."""
    failing = ctx.report["verdict"] in ("fail", "error")
    was_failing = ctx.previous_verdict in ("fail", "error")
    if failing and not was_failing:
        return "opened"
    if was_failing and not failing and not _unchecked(ctx.report, ""):
        return "recovered"
    return None


def _notify(ctx: AlertContext, change: str, issue_url: str | None, down_for: str | None) -> None:
    webhook = ctx.settings.webhook
    assert webhook is not None
    blockers = [] if change == "recovered" else [b.text for b in blockers_of(ctx.report)]
    text = ctx.redactor.text(
        webhook_text(
            event=change,
            report=ctx.report,
            context=ctx.context,
            blockers=blockers,
            issue_url=issue_url,
            down_for=down_for,
        )
    )
    delivery = post_text(webhook, text)
    if delivery.ok:
        ctx.log(f"launchgate: posted the watch's state change ({change}) to watch.webhook")
    else:
        ctx.log(
            ctx.redactor.text(
                f"::warning::launchgate: watch.webhook: {delivery.problem} "
                f"(the state change was {change}; the verdict stands)"
            )
        )


def _since(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(start: dt.datetime | None, end: dt.datetime) -> str | None:
    if start is None:
        return None
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    minutes = max(0, int((end - start).total_seconds() // 60))
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} day{'s' if days != 1 else ''}"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if mins and not days:
        parts.append(f"{mins} min")
    return " ".join(parts)
