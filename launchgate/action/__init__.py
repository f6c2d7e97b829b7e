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

One module per concern: `inputs` (the INPUT_ variables), `event` (the event payload),
`commands` (workflow commands, step outputs, the job summary), `publisher` (commit status and
sticky comment), `cancel` (signals), `gate` (run the gate and publish it), `untrusted` (publish
a report made by a fork's run), `run` (the state they share) and `entry` (`main`).
"""

from launchgate.action.entry import main

__all__ = ["main"]
