"""The GitHub Action: read the runner's inputs and event, run the gate, publish the verdict.

`entrypoint.py` (the container's exec-form ENTRYPOINT) only calls `main()`. Inputs arrive as
`INPUT_<NAME>` upper-cased with hyphens kept (`INPUT_GITHUB-TOKEN`). Events: pull_request,
push, deployment_status (only `success`), workflow_dispatch, schedule.

Always written: the job summary, step outputs, annotations, and the JSON/SARIF/markdown report
under `launchgate-report/` in the workspace. With a token that can write: a `pending` status,
then the final status on the head commit, and one sticky PR comment. A read-only token (fork
PRs) degrades to summary + annotations + log. The exit code follows the verdict.

A cancellation (SIGINT, then SIGTERM) or a crash before the verdict is published ends in an
`error` status and `verdict=error`; once the comment and final status are out, the verdict
stands and a later failure is only a warning.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import secrets as pysecrets
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from launchgate import __version__
from launchgate.errors import LaunchgateError, UsageError
from launchgate.names import CHECK_NAMES, FAIL_ON_CHOICES, FINDING_ID_PATTERN

ZERO_SHA = "0" * 40
REPORT_DIR = "launchgate-report"
SUMMARY_LIMIT = 1_000_000  # GitHub refuses step summaries over 1 MiB
EXIT_USAGE, EXIT_ERROR = 2, 3
_STATE = {"pass": "success", "fail": "failure", "error": "error"}
_LEVEL = {"blocker": "error", "important": "warning", "later": "notice"}


# --- inputs -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Inputs:
    config: str = ""
    url: str = ""
    token: str = field(default="", repr=False)
    checks: tuple[str, ...] = ()
    fail_on: str = ""
    comment: bool = True
    status_context: str = "launchgate"
    p95_budget_ms: float | None = None
    users: int | None = None
    duration: str = ""
    report: str = ""


def _input(env: Mapping[str, str], name: str) -> str:
    """The runner keeps hyphens (`INPUT_FAIL-ON`); underscores are accepted for local runs."""
    key = f"INPUT_{name.upper()}"
    value = env.get(key)
    if value is None:
        value = env.get(key.replace("-", "_"), "")
    return value.strip()


def status_context(env: Mapping[str, str]) -> str:
    return _input(env, "status-context") or "launchgate"


def read_inputs(env: Mapping[str, str]) -> Inputs:
    checks = tuple(n.strip() for n in _input(env, "checks").split(",") if n.strip())
    unknown = [n for n in checks if n not in CHECK_NAMES]
    if unknown:
        raise UsageError(f"input checks: unknown check {unknown[0]!r}; choose from "
                         f"{', '.join(CHECK_NAMES)}")
    fail_on = _input(env, "fail-on")
    if fail_on and fail_on not in FAIL_ON_CHOICES:
        raise UsageError(f"input fail-on: expected one of {', '.join(FAIL_ON_CHOICES)}, "
                         f"got {fail_on!r}")
    comment = _input(env, "comment").lower() or "true"
    if comment not in ("true", "false"):
        raise UsageError(f"input comment: expected true or false, got {comment!r}")
    return Inputs(config=_input(env, "config"), url=_input(env, "url"),
                  token=_input(env, "github-token") or env.get("GITHUB_TOKEN", ""),
                  checks=checks, fail_on=fail_on, comment=comment == "true",
                  status_context=status_context(env),
                  p95_budget_ms=_number(env, "p95-budget-ms", float),
                  users=_number(env, "users", int), duration=_input(env, "duration"),
                  report=_input(env, "report"))


def _number(env: Mapping[str, str], name: str, kind: Callable[[str], Any]) -> Any:
    text = _input(env, name)
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise UsageError(f"input {name}: expected a number, got {text!r}") from None
    if value <= 0:
        raise UsageError(f"input {name}: must be positive, got {text!r}")
    return value


# --- the event --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    name: str
    sha: str | None          # where the commit status goes (the PR head, not the merge commit)
    base: str | None = None
    head: str | None = None
    pull_number: int | None = None
    url: str | None = None   # the preview URL a deployment_status event carries
    url_source: str = ""     # where `url` came from, for error messages
    find_pull: bool = False  # deployment_status: look the PR up through the commit
    skip_reason: str | None = None
    fork: bool = False       # pull_request.head.repo.fork: a read-only token is expected


def parse_event(name: str, payload: Mapping[str, Any], github_sha: str | None) -> Event:
    if name in ("pull_request", "pull_request_target"):
        pull = payload.get("pull_request") or {}
        head = (pull.get("head") or {}).get("sha") or github_sha
        fork = ((pull.get("head") or {}).get("repo") or {}).get("fork") is True
        return Event(name, head, base=(pull.get("base") or {}).get("sha"), head=head,
                     pull_number=pull.get("number") or payload.get("number"), fork=fork)
    if name == "push":
        after = payload.get("after") or github_sha
        before = payload.get("before")
        if after == ZERO_SHA:
            return Event(name, None, skip_reason="the push deleted a branch")
        base = None if not before or before == ZERO_SHA else before
        return Event(name, after, base=base, head=after)
    if name == "deployment_status":
        status = payload.get("deployment_status") or {}
        deployment = payload.get("deployment") or {}
        sha = deployment.get("sha") or github_sha
        state = status.get("state")
        if state != "success":
            return Event(name, None, skip_reason=f"the deployment state is {state!r}; "
                                                 "launchgate runs once it is 'success'")
        source = "environment_url" if status.get("environment_url") else "target_url"
        url = status.get(source) or None
        return Event(name, sha, head=sha, url=url, url_source=f"the deployment's {source}",
                     find_pull=True)
    if name == "workflow_run":
        # Publishing a fork PR's report from a trusted workflow (see docs/action.md).
        workflow_run = payload.get("workflow_run") or {}
        sha = workflow_run.get("head_sha") or github_sha
        pulls = workflow_run.get("pull_requests") or []
        return Event(name, sha, head=sha, pull_number=pulls[0].get("number") if pulls else None,
                     find_pull=not pulls)
    # workflow_dispatch, schedule and anything else: the checked-out commit, no PR.
    return Event(name, github_sha, head=github_sha)


# --- runner files: outputs, summary, annotations ------------------------------------------------

def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Mapping[str, Any]) -> str:
    """A workflow command for one finding: file and line when it has them (secrets)."""
    location = finding.get("location") or {}
    props = []
    if location.get("path") and not location.get("url"):
        props.append(f"file={escape_property(str(location['path']).lstrip('/'))}")
        if location.get("line"):
            props.append(f"line={int(location['line'])}")
    title = "launchgate " + str(finding["id"])
    props.append(f"title={escape_property(title)}")
    message = finding["title"]
    if finding.get("remedy"):
        message += f". Fix: {finding['remedy']}"
    return f"::{_LEVEL[finding['severity']]} {','.join(props)}::{escape_data(message)}"


def write_outputs(path: str | None, values: Mapping[str, str]) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{pysecrets.token_hex(16)}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(path: str | None, markdown: str) -> None:
    if not path:
        return
    if len(markdown.encode("utf-8")) > SUMMARY_LIMIT:
        markdown = markdown.encode("utf-8")[: SUMMARY_LIMIT - 200].decode("utf-8", "ignore")
        markdown += "\n\n**Truncated**: the full report is in launchgate-report/report.json.\n"
    with open(path, "a", encoding="utf-8") as out:
        out.write(markdown if markdown.endswith("\n") else markdown + "\n")


def status_description(data: Mapping[str, Any]) -> str:
    counts = data["counts"]
    head = {"pass": "Ready to launch", "fail": "Launch blocked",
            "error": "Could not decide"}[data["verdict"]]
    text = (f"{head}: {counts['blocker']} blocker{'s' if counts['blocker'] != 1 else ''}, "
            f"{counts['important']} important, {counts['later']} later")
    p95 = (data.get("metrics", {}).get("load") or {}).get("p95_ms")
    if p95 is not None:
        text += f" · p95 {float(p95):.0f} ms"
    if data["verdict"] == "error":
        failed = [c["name"] for c in data["checks"] if c["status"] == "error"]
        if failed:
            text += f" · {', '.join(failed)} could not run"
    return text


# --- publishing to GitHub -------------------------------------------------------------------

class Publisher:
    """Statuses and the sticky comment; never raises. A 403 on a status (a read-only token:
    fork PRs) stops all writes with one clear log line; a 403 on the comment alone (the
    workflow lacks `pull-requests: write`) stops only comments, so the final status still
    replaces `pending`. Other failures are logged as warnings."""

    def __init__(self, client: Any, sha: str | None, context: str, target_url: str | None,
                 log: Callable[[str], None], *, fork: bool = False) -> None:
        self.client = client
        self.fork = fork
        self.sha = sha
        self.context = context
        self.target_url = target_url
        self.can_status = client is not None
        self.can_comment = client is not None
        self.final_state: str | None = None
        self._log = log

    def status(self, state: str, description: str) -> None:
        if not self.can_status or not self.sha:
            return
        done = self._call(lambda: self.client.set_status(self.sha, state, description,
                                                         context=self.context,
                                                         target_url=self.target_url),
                          forbidden=self._read_only_token)
        if done and state != "pending":
            self.final_state = state

    def comment(self, number: int, body: str) -> None:
        if not self.can_comment:
            return
        result: list[str] = []
        if self._call(lambda: result.append(self.client.upsert_comment(number, body,
                                                                       context=self.context)),
                      forbidden=self._cannot_comment):
            self._log(f"launchgate: {result[0]} the verdict comment on #{number}")

    def pull_for_commit(self, sha: str) -> int | None:
        if self.client is None:
            return None
        found: list[int | None] = []
        self._call(lambda: found.append(self.client.pull_for_commit(sha)))
        return found[0] if found else None

    def verified_pull(self, number: int, sha: str) -> bool:
        """True when pull request `number` has head `sha` (an untrusted number, checked)."""
        if self.client is None:
            return False
        heads: list[str | None] = []
        self._call(lambda: heads.append(self.client.pull_head(number)))
        return bool(heads) and heads[0] == sha

    def _read_only_token(self, exc: Exception) -> None:
        self.can_status = self.can_comment = False
        if self.fork:
            why = ("This is expected for pull requests from forks: the verdict is in the job "
                   "summary, the annotations and this log only. See the workflow_run pattern "
                   "in the launchgate docs to comment on fork PRs.")
        else:
            why = ("Add `statuses: write` (and `pull-requests: write` for the comment) to the "
                   "workflow's permissions, or pass a github-token that has them. The verdict "
                   "is in the job summary, the annotations and this log only.")
        self._log(f"::warning::launchgate: the token cannot write to this repository ({exc}). "
                  + why)

    def _cannot_comment(self, exc: Exception) -> None:
        self.can_comment = False
        self._log(f"::warning::launchgate: the token cannot comment on this pull request "
                  f"({exc}). Add `pull-requests: write` to the workflow's permissions (for "
                  "fork PRs, see the workflow_run pattern in the launchgate docs).")

    def hurry(self) -> None:
        """After a cancellation the runner kills the container within seconds: one quick try
        for the `error` status instead of the usual backoff."""
        if self.client is not None:
            self.client.hurry()

    def _call(self, action: Callable[[], Any],
              forbidden: Callable[[Exception], None] | None = None) -> bool:
        from launchgate.github import GitHubWriteError, WriteForbidden

        try:
            action()
            return True
        except WriteForbidden as exc:
            if forbidden:
                forbidden(exc)
            else:
                self._log(f"::warning::launchgate: {exc}")
        except GitHubWriteError as exc:
            self._log(f"::warning::launchgate: GitHub: {exc}")
        except Exception as exc:  # a publishing bug must not hide the verdict
            self._log(f"::warning::launchgate: GitHub: {type(exc).__name__}: "
                      f"{str(exc).splitlines()[0] if str(exc) else ''}")
        return False


# --- the run ----------------------------------------------------------------------------------

class Cancelled(BaseException):
    """SIGINT or SIGTERM: the job was cancelled or timed out. A BaseException, like
    KeyboardInterrupt, so that no check's error handling swallows it."""


# GitHub cancels a container step with SIGINT, then SIGTERM 7.5 s later, then SIGKILL. As PID 1
# in a container Python would ignore SIGTERM, and SIGINT would end in a KeyboardInterrupt
# traceback: both become Cancelled, which ends in an `error` status.
CANCEL_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _ignore_cancel_signals() -> None:
    for sig in CANCEL_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def _on_cancel(signum: int, frame: object) -> None:
    # Only the first signal interrupts: the SIGTERM that follows the SIGINT must not cut
    # short the `error` status being posted.
    _ignore_cancel_signals()
    raise Cancelled(signal.Signals(signum).name)


@dataclass
class Run:
    env: Mapping[str, str]
    out: TextIO
    workspace: Path
    log: Callable[[str], None]
    outputs: dict[str, str] = field(default_factory=dict)
    publisher: Publisher | None = None
    # The verdict's exit code once the comment and final status were published: a crash or
    # cancellation after that point keeps the verdict instead of overriding it with `error`.
    decided: int | None = None


def main(env: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    env = dict(os.environ if env is None else env)
    stream = out or sys.stdout

    def log(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    run = Run(env=env, out=stream,
              workspace=Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve(), log=log)
    run.outputs = {"verdict": "error", "blockers": "0", "important": "0", "later": "0",
                   "p95-ms": "", "report": "", "sarif": ""}
    previous = {sig: signal.signal(sig, _on_cancel) for sig in CANCEL_SIGNALS}
    try:
        try:
            return _guarded(run)
        except (Cancelled, KeyboardInterrupt):  # also when it hit the error handling itself
            return _cancelled(run)
    finally:
        if run.publisher and run.publisher.client is not None:
            run.publisher.client.close()
        try:
            write_outputs(env.get("GITHUB_OUTPUT"), run.outputs)
        except OSError as exc:
            log(f"::warning::launchgate: could not write step outputs: {exc.strerror}")
        if signal.getsignal(signal.SIGTERM) is _on_cancel:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        # else: cancelled; the process is ending and a later SIGTERM must not kill it first.


def _guarded(run: Run) -> int:
    """The run, with every expected failure turned into a log line, an `error` status (unless
    the verdict was already published) and an exit code; never a traceback."""
    env, log = run.env, run.log
    try:
        event = _read_event(env)
        if event.skip_reason:
            log(f"launchgate: nothing to check: {event.skip_reason}.")
            run.outputs["verdict"] = "skipped"
            return 0
        publish_only = bool(_input(env, "report"))
        run.publisher = _publisher(run, event, statuses=not publish_only)
        if publish_only:
            return _publish_existing(run, event, run.publisher)
        run.publisher.status("pending", "launchgate is checking this commit…")
        return _gate(run, event, run.publisher)
    except LaunchgateError as exc:
        message = str(exc).splitlines()[0]
        log(f"::error title=launchgate configuration::{escape_data(message)}")
        if run.publisher:
            run.publisher.status("error", f"configuration error: {message}")
        return EXIT_USAGE
    except Exception as exc:  # the last line of defence: no traceback, no hanging pending
        if env.get("LAUNCHGATE_DEBUG"):
            raise
        first = str(exc).splitlines()[0][:300] if str(exc) else ""
        what = f"{escape_data(type(exc).__name__)}: {escape_data(first)}"
        if run.decided is not None:
            log(f"::warning title=launchgate internal error::{what} (after the verdict was "
                "published; the verdict stands)")
            return run.decided
        log(f"::error title=launchgate internal error::{what}")
        if run.publisher:
            run.publisher.status("error", f"launchgate internal error: {type(exc).__name__}")
        return EXIT_ERROR


def _cancelled(run: Run) -> int:
    _ignore_cancel_signals()
    if run.decided is not None:
        run.log("::warning title=launchgate::cancelled after the verdict was published; "
                "the verdict stands")
        return run.decided
    run.log("::error title=launchgate::the run was cancelled before the gate finished")
    run.outputs["verdict"] = "error"
    if run.publisher:
        run.publisher.hurry()
        run.publisher.status("error", "launchgate was cancelled before it finished")
    return EXIT_ERROR


def _read_event(env: Mapping[str, str]) -> Event:
    payload: dict[str, Any] = {}
    path = env.get("GITHUB_EVENT_PATH")
    if path and Path(path).is_file():
        try:
            payload = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"cannot read the event payload {path}: {exc}") from None
    return parse_event(env.get("GITHUB_EVENT_NAME", ""), payload, env.get("GITHUB_SHA"))


def _run_url(env: Mapping[str, str]) -> str | None:
    server, repo, run_id = (env.get("GITHUB_SERVER_URL"), env.get("GITHUB_REPOSITORY"),
                            env.get("GITHUB_RUN_ID"))
    if server and repo and run_id:
        return f"{server.rstrip('/')}/{repo}/actions/runs/{run_id}"
    return None


def _publisher(run: Run, event: Event, *, statuses: bool = True) -> Publisher:
    env = run.env
    token = _input(env, "github-token") or env.get("GITHUB_TOKEN", "")
    repository = env.get("GITHUB_REPOSITORY", "")
    client = None
    if token and repository:
        from launchgate.github import GitHubClient

        client = GitHubClient(env.get("GITHUB_API_URL") or "https://api.github.com", token,
                              repository, log=run.log)
    else:
        run.log("launchgate: no github-token or GITHUB_REPOSITORY: no commit status or PR "
                "comment; the verdict is in the job summary and this log.")
    return Publisher(client, event.sha if statuses else None, status_context(env),
                     _run_url(env), run.log, fork=event.fork)


def _mark_safe_directory(workspace: Path, log: Callable[[str], None]) -> None:
    """The workspace belongs to the runner's uid, not the container's root: without this, git
    refuses to read it ("dubious ownership")."""
    try:
        subprocess.run(["git", "config", "--global", "--add", "safe.directory", str(workspace)],
                       check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        log(f"::warning::launchgate: could not mark {workspace} as a safe git directory: "
            f"{type(exc).__name__}")


def _git_ok(workspace: Path, *args: str) -> bool:
    try:
        return subprocess.run(["git", "-C", str(workspace), *args], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _push_base(run: Run, event: Event) -> str | None:
    """A push's `before` that is not a commit in the clone (a force-push replaced it, or the
    checkout is shallow) is treated like a new branch's: no base, history scan only."""
    from launchgate.git import resolve_commit

    if event.name != "push" or not event.base:
        return event.base
    if not _git_ok(run.workspace, "rev-parse", "--git-dir"):
        return event.base  # not a repository: the secrets check skips itself
    if resolve_commit(str(run.workspace), event.base):
        return event.base
    run.log(f"launchgate: the push's previous head {event.base[:12]} is not a commit in this "
            "clone (a force-push, or a shallow checkout): scanning as for a new branch, "
            "without a base (history scan only).")
    return None


def _load_config(run: Run, inputs: Inputs, event: Event) -> Any:
    from launchgate.config import find_config, load_config

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
    flags = {"url": "input url" if inputs.url else (event.url_source or "input url"),
             "fail_on": "input fail-on", "checks.load.users": "input users",
             "checks.load.duration": "input duration",
             "checks.load.p95_blocker_ms": "input p95-budget-ms",
             "checks.load.p95_target_ms": "input p95-budget-ms"}
    if inputs.fail_on:
        overrides["fail_on"] = inputs.fail_on
    if inputs.users is not None:
        overrides["checks.load.users"] = inputs.users
    if inputs.duration:
        overrides["checks.load.duration"] = inputs.duration
    config = load_config(path, env=run.env, overrides=overrides, flags=flags)
    if inputs.p95_budget_ms is not None:
        overrides["checks.load.p95_blocker_ms"] = inputs.p95_budget_ms
        if config.checks.load.p95_target_ms > inputs.p95_budget_ms:
            overrides["checks.load.p95_target_ms"] = inputs.p95_budget_ms
        config = load_config(path, env=run.env, overrides=overrides, flags=flags)
    return config


def _gate(run: Run, event: Event, publisher: Publisher) -> int:
    from launchgate.config import redact_url
    from launchgate.progress import Progress
    from launchgate.redact import Redactor
    from launchgate.report import Target
    from launchgate.runner import run_gate

    inputs = read_inputs(run.env)
    os.environ.setdefault("LAUNCHGATE_CACHE_DIR", str(run.workspace / ".launchgate-cache"))
    _mark_safe_directory(run.workspace, run.log)
    config = _load_config(run, inputs, event)
    redactor = Redactor({*config.secret_values, inputs.token})
    target = Target(url=redact_url(config.url) if config.url else None,
                    repo=str(run.workspace), base=_push_base(run, event), head=event.head)
    run.log(f"launchgate {__version__}: {event.name or 'manual'} run on "
            f"{(event.head or 'the workspace')[:12]}, target {target.url or 'none'}")
    with _commands_stopped(run):
        progress = Progress(stream=run.out, redactor=redactor, plain_interval_s=10.0)
        report = run_gate(config, target, only=inputs.checks, progress=progress)
    data = report.to_json()
    _publish(run, event, inputs, publisher, report, data, redactor)
    return report.exit_code


def _publish(run: Run, event: Event, inputs: Inputs, publisher: Publisher, report: Any,
             data: dict[str, Any], redactor: Any) -> None:
    from launchgate.cli import write_outputs as write_report_files
    from launchgate.github import fit_comment
    from launchgate.render.markdown import render_markdown
    from launchgate.render.text import render_text

    run_url = _run_url(run.env)
    out_dir = run.workspace / REPORT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    write_report_files(report, json_path=str(out_dir / "report.json"),
                  markdown_path=str(out_dir / "report.md"),
                  sarif_path=str(out_dir / "report.sarif"), run_url=run_url)
    markdown = (out_dir / "report.md").read_text(encoding="utf-8")
    if event.pull_number is not None:  # for the workflow_run pattern (fork PRs)
        (out_dir / "pull.json").write_text(json.dumps(
            {"number": event.pull_number, "head_sha": event.sha}) + "\n", encoding="utf-8")
    append_summary(run.env.get("GITHUB_STEP_SUMMARY"), markdown)
    for finding in data["findings"]:
        run.log(redactor.text(annotation(finding)))
    counts = data["counts"]
    p95 = (data.get("metrics", {}).get("load") or {}).get("p95_ms")
    run.outputs.update({"verdict": data["verdict"], "blockers": str(counts["blocker"]),
                        "important": str(counts["important"]), "later": str(counts["later"]),
                        "p95-ms": "" if p95 is None else f"{float(p95):.0f}",
                        "report": f"{REPORT_DIR}/report.json",
                        "sarif": f"{REPORT_DIR}/report.sarif"})
    number = event.pull_number
    if inputs.comment and number is None and event.find_pull and event.sha:
        number = publisher.pull_for_commit(event.sha)
    if inputs.comment and number is not None:
        pointer = (f"The full verdict is in the [job summary]({run_url})." if run_url
                   else "The full verdict is in the job summary.")
        body = fit_comment(render_markdown(data, marker=True, run_url=run_url,
                                           context=publisher.context), pointer)
        publisher.comment(int(number), body)
    publisher.status(_STATE[data["verdict"]], status_description(data))
    run.decided = report.exit_code
    with _commands_stopped(run):
        run.out.write(render_text(data))
        run.out.flush()


@contextlib.contextmanager
def _commands_stopped(run: Run) -> Iterator[None]:
    """Text from targets and repositories is printed between `::stop-commands::` markers: the
    runner would otherwise obey a line such as `  ::add-mask::` inside a server's answer."""
    token = f"launchgate-{pysecrets.token_hex(16)}"
    run.log(f"::stop-commands::{token}")
    try:
        yield
    finally:
        run.log(f"::{token}::")


# --- publishing an existing report (the workflow_run pattern for fork PRs) ----------------------

_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+-]{0,30}$")
_LOAD_NUMBERS = ("users", "duration_s", "requests", "failures", "rps", "p50_ms", "p95_ms",
                 "p99_ms", "max_ms")
UNTRUSTED_NOTE = ("> Reported by the pull request's own workflow run (e.g. from a fork) and "
                  "published here as information only; it sets no commit status.\n\n")


def untrusted_report(data: Any) -> Any:
    """Rebuild a report that came from an artifact of an untrusted run (a fork's workflow):
    only known check names, well-formed finding ids, numeric metrics; counts and verdict-
    related fields are recomputed from the findings by the report model."""
    from launchgate.report import report_from_json

    try:
        report = report_from_json(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"input report: not a launchgate.report/v1 document ({exc})") from None
    bad = [c.name for c in report.checks if c.name not in CHECK_NAMES
           or not isinstance(c.duration_s, int | float)]
    bad += [f.id for f in report.findings
            if not FINDING_ID_PATTERN.match(f.id) or f.check not in CHECK_NAMES]
    if bad or report.fail_on not in FAIL_ON_CHOICES:
        raise UsageError("input report: unexpected check, finding id or fail_on in the report")
    for finding in report.findings:
        line = finding.location.line
        if line is not None and not isinstance(line, int):
            raise UsageError("input report: a finding's line is not a number")
    version = report.tool_version if _VERSION.match(str(report.tool_version)) else "unknown"
    return dataclasses.replace(report, metrics=_numeric_load(report.metrics),
                               tool_version=version)


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
    if isinstance(number, int) and not isinstance(number, bool) and number > 0 \
            and publisher.verified_pull(number, sha):
        return number
    return None


def _publish_existing(run: Run, event: Event, publisher: Publisher) -> int:
    """`report` input: post the PR comment from a report made elsewhere; never a status."""
    from launchgate.github import fit_comment
    from launchgate.render.markdown import comment_marker, render_markdown

    inputs = read_inputs(run.env)
    path = run.workspace / inputs.report
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"input report: cannot read {inputs.report}: {exc}") from None
    data = untrusted_report(raw).to_json()
    run_url = _run_url(run.env)
    markdown = render_markdown(data, run_url=run_url)
    append_summary(run.env.get("GITHUB_STEP_SUMMARY"), UNTRUSTED_NOTE + markdown)
    counts = data["counts"]
    run.outputs.update({"verdict": data["verdict"], "blockers": str(counts["blocker"]),
                        "important": str(counts["important"]), "later": str(counts["later"]),
                        "report": inputs.report})
    number = event.pull_number
    if number is None and event.find_pull and event.sha:
        number = publisher.pull_for_commit(event.sha) or _pull_from_artifact(
            path.parent / "pull.json", event.sha, publisher)
    if number is None:
        run.log("launchgate: no pull request found for this report; nothing to publish.")
        return 0
    if inputs.comment:
        marker = comment_marker(publisher.context)
        body = render_markdown(data, marker=True, run_url=run_url, context=publisher.context)
        body = body.replace(f"{marker}\n", f"{marker}\n{UNTRUSTED_NOTE}", 1)
        publisher.comment(int(number), fit_comment(body, "The full verdict is in the "
                                                         "pull request's workflow run."))
    return 0
