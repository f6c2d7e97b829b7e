"""Gate and publish: load the config from the workspace and the inputs, run the gate on the
event's revisions, then write the report files, the job summary, the annotations and the step
outputs, post the sticky comment and set the final commit status."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from launchgate import __version__
from launchgate.action.commands import (
    annotation,
    append_summary,
    commands_stopped,
    file_warning,
    write_runner_file,
)
from launchgate.action.compare import find_base, watch_scope
from launchgate.action.event import Event, run_url
from launchgate.action.inputs import Inputs, read_inputs
from launchgate.action.publisher import STATE, Publisher, status_description
from launchgate.action.run import REPORT_DIR, Run
from launchgate.action.watch import AlertContext, alert, is_watch
from launchgate.config import Config, find_config, load_config, redact_url
from launchgate.errors import UsageError
from launchgate.git import resolve_commit
from launchgate.progress import Progress
from launchgate.redact import Redactor
from launchgate.render.comment import fit_comment
from launchgate.render.files import write_report_files
from launchgate.render.markdown import render_markdown
from launchgate.render.text import render_text
from launchgate.report import Report, Target
from launchgate.runner import run_gate


def gate(run: Run, event: Event, publisher: Publisher) -> int:
    inputs = read_inputs(run.env)
    os.environ.setdefault("LAUNCHGATE_CACHE_DIR", str(run.workspace / ".launchgate-cache"))
    _mark_safe_directory(run.workspace, run.log)
    config = load_action_config(run, inputs, event)
    redactor = Redactor({*config.secret_values, inputs.token})
    target = Target(
        url=redact_url(config.url) if config.url else None,
        repo=str(run.workspace),
        base=_push_base(run, event),
        head=event.head,
    )
    run.log(
        f"launchgate {__version__}: {event.name or 'manual'} run on "
        f"{(event.head or 'the workspace')[:12]}, target {target.url or 'none'}"
    )
    watching = is_watch(event)
    lookup = find_base(inputs.compare, event, run.workspace, publisher.client, watch_scope(run.env))
    if lookup.note:
        run.log(f"launchgate: {lookup.note}")
    elif lookup.base is not None:
        run.log(
            f"launchgate: comparing with {lookup.name} at "
            f"{(lookup.base.head or 'an unknown commit')[:12]}"
        )
    with commands_stopped(run.log):
        progress = Progress(stream=run.out, redactor=redactor, plain_interval_s=10.0)
        report = run_gate(
            config,
            target,
            only=inputs.checks,
            progress=progress,
            base=lookup.base,
            base_name=lookup.name,
            notes=(lookup.note,) if lookup.note else (),
            watch=watching,
        )
    _publish(run, event, inputs, publisher, report, redactor)
    if watching and config.watch.webhook == "":
        run.log(
            "::warning::launchgate: watch.webhook is empty (is its secret set for this "
            "workflow?): no webhook is posted; the alert issue still is"
        )
    if watching:
        alert(
            publisher.client,
            AlertContext(
                report=report.to_json(),
                context=publisher.context,
                settings=config.watch,
                run_url=run_url(run.env),
                previous_verdict=None if lookup.base is None else lookup.base.verdict,
                log=run.log,
                redactor=redactor,
            ),
        )
    return report.exit_code


def load_action_config(run: Run, inputs: Inputs, event: Event) -> Config:
    """The workspace's config (the `config` input, else found) with the inputs as overrides,
    each named by its input in error messages."""
    if inputs.config:
        path: Path | None = run.workspace / inputs.config
        assert path is not None
        if not path.is_file():
            raise UsageError(f"input config: file not found: {inputs.config}")
    else:
        path = find_config(run.workspace)
    overrides: dict[str, Any] = {}
    url = inputs.url or event.url
    if url:
        overrides["url"] = url
    flags = {
        "url": "input url" if inputs.url else (event.url_source or "input url"),
        "fail_on": "input fail-on",
        "checks.load.users": "input users",
        "checks.load.duration": "input duration",
        "checks.load.p95_blocker_ms": "input p95-budget-ms",
        "checks.load.p95_target_ms": "input p95-budget-ms",
    }
    if inputs.fail_on:
        overrides["fail_on"] = inputs.fail_on
    if inputs.users is not None:
        overrides["checks.load.users"] = inputs.users
    if inputs.duration:
        overrides["checks.load.duration"] = inputs.duration
    if inputs.allow_private_targets is not None:
        overrides["allow_private_targets"] = inputs.allow_private_targets
        flags["allow_private_targets"] = "input allow-private-targets"
    # A fork's pull request gets no secrets: an identity whose ${VAR} is unset or empty is
    # skipped with the reason (never logged in with empty credentials). Anywhere else a
    # missing credential stays a config error, so a broken secret cannot pass quietly.
    missing = "skip" if event.fork else "error"
    config = load_config(
        path, env=run.env, overrides=overrides, flags=flags, missing_credentials=missing
    )
    if inputs.p95_budget_ms is not None:
        overrides["checks.load.p95_blocker_ms"] = inputs.p95_budget_ms
        if config.checks.load.p95_target_ms > inputs.p95_budget_ms:
            overrides["checks.load.p95_target_ms"] = inputs.p95_budget_ms
        config = load_config(
            path, env=run.env, overrides=overrides, flags=flags, missing_credentials=missing
        )
    for name, why in config.unavailable_identities.items():
        run.log(
            f"launchgate: identity {name} is skipped on this fork pull request ({why}; "
            "forks get no secrets): the checks that need it skip that part"
        )
    return config


def _mark_safe_directory(workspace: Path, log: Callable[[str], None]) -> None:
    """The workspace belongs to the runner's uid, not the container's root: without this, git
    refuses to read it ("dubious ownership")."""
    try:
        subprocess.run(
            ["git", "config", "--global", "--add", "safe.directory", str(workspace)],
            check=True,
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log(
            f"::warning::launchgate: could not mark {workspace} as a safe git directory: "
            f"{type(exc).__name__}"
        )


def _git_ok(workspace: Path, *args: str) -> bool:
    try:
        return (
            subprocess.run(
                ["git", "-C", str(workspace), *args], capture_output=True, timeout=30
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


def _push_base(run: Run, event: Event) -> str | None:
    """A push's `before` that is not a commit in the clone (a force-push replaced it, or the
    checkout is shallow) is treated like a new branch's: no base, history scan only."""
    if event.name != "push" or not event.base:
        return event.base
    if not _git_ok(run.workspace, "rev-parse", "--git-dir"):
        return event.base  # not a repository: the secrets check skips itself
    if resolve_commit(str(run.workspace), event.base):
        return event.base
    run.log(
        f"launchgate: the push's previous head {event.base[:12]} is not a commit in this "
        "clone (a force-push, or a shallow checkout): scanning as for a new branch, "
        "without a base (history scan only)."
    )
    return None


def _write_report_dir(run: Run, event: Event, report: Report, url: str | None) -> bool:
    """launchgate-report/ in the workspace; False (after a warning) when a file could not be
    written: the verdict is still published."""
    out_dir = run.workspace / REPORT_DIR
    failed: list[str] = []

    def warn(path: str, exc: OSError) -> None:
        failed.append(path)
        run.log(file_warning("a report file", path, exc))

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        warn(str(out_dir), exc)
        return False
    write_report_files(
        report,
        json_path=str(out_dir / "report.json"),
        markdown_path=str(out_dir / "report.md"),
        sarif_path=str(out_dir / "report.sarif"),
        run_url=url,
        on_error=warn,
    )
    if event.pull_number is not None:  # for the workflow_run pattern (fork PRs)
        write_runner_file(
            run.log,
            "a report file",
            str(out_dir / "pull.json"),
            lambda path: Path(path).write_text(
                json.dumps({"number": event.pull_number, "head_sha": event.sha}) + "\n",
                encoding="utf-8",
            ),
        )
    return not failed


def _publish(
    run: Run, event: Event, inputs: Inputs, publisher: Publisher, report: Report, redactor: Redactor
) -> None:
    data = report.to_json()
    url = run_url(run.env)
    files_written = _write_report_dir(run, event, report, url)
    write_runner_file(
        run.log,
        "the job summary (GITHUB_STEP_SUMMARY)",
        run.env.get("GITHUB_STEP_SUMMARY"),
        lambda path: append_summary(path, render_markdown(data, run_url=url)),
    )
    for finding in data["findings"]:
        run.log(redactor.text(annotation(finding)))
    counts = data["counts"]
    p95 = (data.get("metrics", {}).get("load") or {}).get("p95_ms")
    run.outputs.update(
        {
            "verdict": data["verdict"],
            "blockers": str(counts["blocker"]),
            "important": str(counts["important"]),
            "later": str(counts["later"]),
            "p95-ms": "" if p95 is None else f"{float(p95):.0f}",
            "report": f"{REPORT_DIR}/report.json" if files_written else "",
            "sarif": f"{REPORT_DIR}/report.sarif" if files_written else "",
        }
    )
    number = event.pull_number
    if inputs.comment and number is None and event.find_pull and event.sha:
        number = publisher.pull_for_commit(event.sha)
    if inputs.comment and number is not None:
        pointer = (
            f"The full verdict is in the [job summary]({url})."
            if url
            else "The full verdict is in the job summary."
        )
        body = fit_comment(
            render_markdown(data, marker=True, run_url=url, context=publisher.context), pointer
        )
        publisher.comment(int(number), body)
    publisher.status(STATE[data["verdict"]], status_description(data))
    run.decided = report.exit_code
    with commands_stopped(run.log):
        run.out.write(render_text(data))
        run.out.flush()
