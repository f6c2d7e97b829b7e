"""Cancellation: GitHub cancels a container step with SIGINT, then SIGTERM 7.5 s later, then
SIGKILL. As PID 1 in a container Python would ignore SIGTERM, and SIGINT would end in a
KeyboardInterrupt traceback: both become `Cancelled`, which ends in an `error` status unless
the verdict was already published."""

from __future__ import annotations

import signal

from launchgate.action.run import Run
from launchgate.errors import EXIT_ERROR

CANCEL_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Cancelled(BaseException):
    """SIGINT or SIGTERM: the job was cancelled or timed out. A BaseException, like
    KeyboardInterrupt, so that no check's error handling swallows it."""


def ignore_cancel_signals() -> None:
    for sig in CANCEL_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def on_cancel(signum: int, frame: object) -> None:
    # Only the first signal interrupts: the SIGTERM that follows the SIGINT must not cut
    # short the `error` status being posted.
    ignore_cancel_signals()
    raise Cancelled(signal.Signals(signum).name)


def cancelled(run: Run) -> int:
    """End a cancelled run: the published verdict stands, else an `error` status, quickly."""
    ignore_cancel_signals()
    if run.decided is not None:
        run.log(
            "::warning title=launchgate::cancelled after the verdict was published; "
            "the verdict stands"
        )
        return run.decided
    run.log("::error title=launchgate::the run was cancelled before the gate finished")
    run.outputs["verdict"] = "error"
    if run.publisher:
        run.publisher.hurry()
        run.publisher.status("error", "launchgate was cancelled before it finished")
    return EXIT_ERROR
