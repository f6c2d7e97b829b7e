"""`main()`: one Action run from the environment to the exit code. Installs the cancellation
handlers, turns every failure into a log line, an `error` status (unless the verdict was
already published) and an exit code, and always writes the step outputs."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from launchgate.action.cancel import CANCEL_SIGNALS, Cancelled, cancelled, on_cancel
from launchgate.action.commands import escape_data, write_outputs, write_runner_file
from launchgate.action.event import Event, read_event, run_url
from launchgate.action.gate import gate
from launchgate.action.inputs import input_value, token
from launchgate.action.publisher import open_publisher
from launchgate.action.run import Run
from launchgate.action.untrusted import publish_existing
from launchgate.action.watch import AlertContext, alert, is_watch, setup_failed
from launchgate.config import WatchConfig
from launchgate.errors import EXIT_ERROR, EXIT_USAGE, LaunchgateError
from launchgate.redact import Redactor


def main(env: Mapping[str, str] | None = None, out: TextIO | None = None) -> int:
    env = dict(os.environ if env is None else env)
    stream = out or sys.stdout

    def log(line: str) -> None:
        stream.write(line + "\n")
        stream.flush()

    run = Run(
        env=env,
        out=stream,
        workspace=Path(env.get("GITHUB_WORKSPACE") or os.getcwd()).resolve(),
        log=log,
    )
    run.outputs = {
        "verdict": "error",
        "blockers": "0",
        "important": "0",
        "later": "0",
        "p95-ms": "",
        "report": "",
        "sarif": "",
    }
    previous = {sig: signal.signal(sig, on_cancel) for sig in CANCEL_SIGNALS}
    try:
        try:
            return _guarded(run)
        except (Cancelled, KeyboardInterrupt):  # also when it hit the error handling itself
            return cancelled(run)
    finally:
        if run.publisher:
            run.publisher.close()
        write_runner_file(
            log,
            "the step outputs (GITHUB_OUTPUT)",
            env.get("GITHUB_OUTPUT"),
            lambda path: write_outputs(path, run.outputs),
        )
        if signal.getsignal(signal.SIGTERM) is on_cancel:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        # else: cancelled; the process is ending and a later SIGTERM must not kill it first.


def _guarded(run: Run) -> int:
    """The run, with every expected failure turned into a log line, an `error` status (unless
    the verdict was already published) and an exit code; never a traceback."""
    env, log = run.env, run.log
    event: Event | None = None
    try:
        event = read_event(env)
        if event.skip_reason:
            log(f"launchgate: nothing to check: {event.skip_reason}.")
            run.outputs["verdict"] = "skipped"
            return 0
        publish_only = bool(input_value(env, "report"))
        run.publisher = open_publisher(env, log, event, statuses=not publish_only)
        if publish_only:
            return publish_existing(run, event, run.publisher)
        run.publisher.status("pending", "launchgate is checking this commit…")
        return gate(run, event, run.publisher)
    except LaunchgateError as exc:
        message = str(exc).splitlines()[0]
        log(f"::error title=launchgate configuration::{escape_data(message)}")
        if run.publisher:
            run.publisher.status("error", f"configuration error: {message}")
            if event is not None and is_watch(event):
                alert(
                    run.publisher.client,
                    AlertContext(
                        report=setup_failed(f"configuration error: {message}"),
                        context=run.publisher.context,
                        settings=WatchConfig(),
                        run_url=run_url(env),
                        previous_verdict=None,
                        log=log,
                        redactor=Redactor([token(env)]),
                    ),
                )
        return EXIT_USAGE
    except Exception as exc:  # the last line of defence: no traceback, no hanging pending
        if env.get("LAUNCHGATE_DEBUG"):
            raise
        first = str(exc).splitlines()[0][:300] if str(exc) else ""
        what = f"{escape_data(type(exc).__name__)}: {escape_data(first)}"
        if run.decided is not None:
            log(
                f"::warning title=launchgate internal error::{what} (after the verdict was "
                "published; the verdict stands)"
            )
            return run.decided
        log(f"::error title=launchgate internal error::{what}")
        if run.publisher:
            run.publisher.status("error", f"launchgate internal error: {type(exc).__name__}")
        return EXIT_ERROR
