"""Publishing the verdict to GitHub: the commit status and the sticky PR comment, through
`launchgate.github`, never raising (a publishing failure must not hide the verdict)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from launchgate.action.event import Event, run_url
from launchgate.action.inputs import status_context, token
from launchgate.github import GitHubClient, GitHubWriteError, WriteForbidden
from launchgate.render import verdict_words

# The verdict's commit status state.
STATE = {"pass": "success", "fail": "failure", "error": "error"}


def status_description(data: Mapping[str, Any]) -> str:
    counts = data["counts"]
    head = {"pass": "Ready to launch", "fail": "Launch blocked", "error": "Could not decide"}[
        data["verdict"]
    ]
    comparison = data.get("comparison")
    if comparison and verdict_words(data).startswith("nothing new blocks"):
        head = "Nothing new blocks"  # gate_on: new with inherited blockers (render.verdict_words)
    text = (
        f"{head}: {counts['blocker']} blocker{'s' if counts['blocker'] != 1 else ''}, "
        f"{counts['important']} important, {counts['later']} later"
    )
    if comparison:
        text += f" ({comparison['new']} new)"
    p95 = (data.get("metrics", {}).get("load") or {}).get("p95_ms")
    if p95 is not None:
        text += f" · p95 {float(p95):.0f} ms"
    if data["verdict"] == "error":
        failed = [c["name"] for c in data["checks"] if c["status"] == "error"]
        if failed:
            text += f" · {', '.join(failed)} could not run"
    return text


class Publisher:
    """Statuses and the sticky comment; never raises. A 403 on a status (a read-only token:
    fork PRs) stops all writes with one clear log line; a 403 on the comment alone (the
    workflow lacks `pull-requests: write`) stops only comments, so the final status still
    replaces `pending`. Other failures are logged as warnings."""

    def __init__(
        self,
        client: GitHubClient | None,
        sha: str | None,
        context: str,
        target_url: str | None,
        log: Callable[[str], None],
        *,
        fork: bool = False,
    ) -> None:
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
        client, sha = self.client, self.sha
        if not self.can_status or client is None or not sha:
            return
        done = self._call(
            lambda: client.set_status(
                sha, state, description, context=self.context, target_url=self.target_url
            ),
            forbidden=self._read_only_token,
        )
        if done and state != "pending":
            self.final_state = state

    def comment(self, number: int, body: str) -> None:
        client = self.client
        if not self.can_comment or client is None:
            return
        result: list[str] = []
        if self._call(
            lambda: result.append(client.upsert_comment(number, body, context=self.context)),
            forbidden=self._cannot_comment,
        ):
            self._log(f"launchgate: {result[0]} the verdict comment on #{number}")

    def pull_for_commit(self, sha: str) -> int | None:
        client = self.client
        if client is None:
            return None
        found: list[int | None] = []
        self._call(lambda: found.append(client.pull_for_commit(sha)))
        return found[0] if found else None

    def verified_pull(self, number: int, sha: str) -> bool:
        """True when pull request `number` has head `sha` (an untrusted number, checked)."""
        client = self.client
        if client is None:
            return False
        heads: list[str | None] = []
        self._call(lambda: heads.append(client.pull_head(number)))
        return bool(heads) and heads[0] == sha

    def _read_only_token(self, exc: Exception) -> None:
        self.can_status = self.can_comment = False
        if self.fork:
            why = (
                "This is expected for pull requests from forks: the verdict is in the job "
                "summary, the annotations and this log only. See the workflow_run pattern "
                "in the launchgate docs to comment on fork PRs."
            )
        else:
            why = (
                "Add `statuses: write` (and `pull-requests: write` for the comment) to the "
                "workflow's permissions, or pass a github-token that has them. The verdict "
                "is in the job summary, the annotations and this log only."
            )
        self._log(
            f"::warning::launchgate: the token cannot write to this repository ({exc}). " + why
        )

    def _cannot_comment(self, exc: Exception) -> None:
        self.can_comment = False
        self._log(
            f"::warning::launchgate: the token cannot comment on this pull request "
            f"({exc}). Add `pull-requests: write` to the workflow's permissions (for "
            "fork PRs, see the workflow_run pattern in the launchgate docs)."
        )

    def hurry(self) -> None:
        """After a cancellation the runner kills the container within seconds: one quick try
        for the `error` status instead of the usual backoff."""
        if self.client is not None:
            self.client.hurry()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()

    def _call(
        self, action: Callable[[], object], forbidden: Callable[[Exception], None] | None = None
    ) -> bool:
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
            self._log(
                f"::warning::launchgate: GitHub: {type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}"
            )
        return False


def open_publisher(
    env: Mapping[str, str], log: Callable[[str], None], event: Event, *, statuses: bool = True
) -> Publisher:
    """A Publisher for this job's repository and token; without either it only logs why
    nothing will be published. `statuses=False` never sets a commit status."""
    github_token = token(env)
    repository = env.get("GITHUB_REPOSITORY", "")
    client = None
    if github_token and repository:
        client = GitHubClient(
            env.get("GITHUB_API_URL") or "https://api.github.com", github_token, repository, log=log
        )
    else:
        log(
            "launchgate: no github-token or GITHUB_REPOSITORY: no commit status or PR "
            "comment; the verdict is in the job summary and this log."
        )
    return Publisher(
        client,
        event.sha if statuses else None,
        status_context(env),
        run_url(env),
        log,
        fork=event.fork,
    )
