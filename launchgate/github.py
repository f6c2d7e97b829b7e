"""GitHub REST for the Action (PyGithub): commit statuses, the one sticky PR comment, the
production watch's one alert issue per status context, and the base branch's
`launchgate-report` artifact for the comparison (workflow runs -> artifacts -> zip download;
needs `actions: read`).

Every call goes through `_with_retries`: 5xx, timeouts, connection errors and rate limits
(secondary limits' `Retry-After` is honoured) are retried with backoff. PyGithub's own urllib3
retry is disabled (`retry=None`): it re-sends POSTs, and a POST whose 502 arrived after GitHub
had committed the comment would create a second one. The sticky comment is written as one
retried unit "find the marker across all pages, then edit or create", so a retry after an
ambiguous failure finds the comment it created and edits it instead.

A 403 that is not a rate limit (a fork PR's read-only token) raises `WriteForbidden` at once.

Every attempt has a total deadline (`CALL_DEADLINE_S`; `HURRY_DEADLINE_S` once the job is being
cancelled): the per-read timeout alone lets an API, or a proxy, that drips a byte every few
seconds hold the job for ever. The attempt runs in a daemon thread that is abandoned at the
deadline. An answer PyGithub cannot read (a missing field, a list where an object belongs) is
a `GitHubWriteError` that says so, never a `KeyError`. Every message this module makes is
redacted: an API or a proxy that echoes the request would otherwise print the token.

The watch's alert issue follows the same rules: "find our open issue with the marker (every
page of open `launchgate` issues), else create it" is one retried unit, so a create whose 502
arrived after GitHub committed it is found by the retry instead of created twice; a comment
on it is written once per marker in the same way (`comment_once`).

The client writes the body it is given: composing it (the markdown verdict, the marker, fitting
it under GitHub's size limit) is `launchgate.render.comment`'s job.

Whose comment is ours: the body must START with the marker of our status context, and the
author must be the token's own identity. `GET /user` names it for a user token (PAT): the
author's id must match. An installation token (the workflow's GITHUB_TOKEN, a GitHub App
token) cannot call `/user` (403): then the author must be a GitHub App account (`type` "Bot",
login ending in `[bot]`), normally `github-actions[bot]`. A human's comment is never edited,
even when it quotes the marker.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import github
import requests
from github import Auth, GithubException, RateLimitExceededException

from launchgate.redact import Redactor
from launchgate.render.comment import DEFAULT_CONTEXT, LEGACY_MARKER, comment_marker

T = TypeVar("T")

MAX_DESCRIPTION_CHARS = 140
STATES = ("pending", "success", "failure", "error")
# One cap for every wait: a rate limit asking for more than this is not worth blocking a job.
MAX_WAIT_S = 60.0
# The total time for one attempt (one call, or the sticky comment's find-then-write unit).
CALL_DEADLINE_S = 60.0
# After a cancellation the runner kills the container about 7.5 s after its SIGINT: two
# attempts of this, and the 0.5 s between them, fit.
HURRY_DEADLINE_S = 3.0


class GitHubWriteError(Exception):
    """A GitHub call failed for good (after retries); the message is safe to print."""


class WriteForbidden(GitHubWriteError):
    """The token may not write here (typically a pull request from a fork)."""


class _DeadlineExceeded(Exception):
    """An attempt did not complete within its total deadline."""


class ArtifactUnavailable(Exception):
    """The base report cannot be had; the message is the one-line note the comment shows."""


@dataclass(frozen=True)
class Artifact:
    id: int
    run_id: int
    head_sha: str | None
    expired: bool


# A report is a few hundred KB; anything far larger is not what we uploaded.
MAX_ARTIFACT_BYTES = 20 * 1024 * 1024
MAX_RUNS_SEARCHED = 20


@dataclass(frozen=True)
class IssueRef:
    """An open issue of ours: its number, body, web page and when it was opened."""

    number: int
    body: str
    html_url: str
    created_at: dt.datetime | None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 20.0


def truncate_description(text: str) -> str:
    """A commit status description: one line, at most 140 characters."""
    line = " ".join(text.split())
    if len(line) <= MAX_DESCRIPTION_CHARS:
        return line
    return line[: MAX_DESCRIPTION_CHARS - 1].rstrip() + "…"


class GitHubClient:
    """The few writes the Action makes, against `api_url` (github.com or GHES, or a test
    server) for one repository."""

    def __init__(
        self,
        api_url: str,
        token: str,
        repository: str,
        *,
        policy: RetryPolicy | None = None,
        timeout_s: int = 15,
        log: Callable[[str], None] = print,
        sleep: Callable[[float], None] = time.sleep,
        deadline_s: float = CALL_DEADLINE_S,
    ) -> None:
        self._gh = github.Github(
            base_url=api_url.rstrip("/"),
            auth=Auth.Token(token),
            timeout=timeout_s,
            retry=None,
            per_page=100,
            lazy=True,
            # A run makes three writes; secondary limits are retried.
            seconds_between_requests=None,
            seconds_between_writes=None,
        )
        self._repo = self._gh.get_repo(repository)
        self._token = token
        self._repo_api = f"{api_url.rstrip('/')}/repos/{repository}"
        self._policy = policy or RetryPolicy()
        self._redactor = Redactor([token])
        self._log = lambda line: log(self._redactor.text(line))
        self._sleep = sleep
        self._deadline_s = deadline_s
        self._identity: tuple[str, Any] | None = None

    def close(self) -> None:
        self._gh.close()

    def hurry(self) -> None:
        """Two quick attempts per call from now on (the job is being cancelled)."""
        self._policy = RetryPolicy(attempts=2, base_delay_s=0.5, max_delay_s=0.5)
        self._deadline_s = min(self._deadline_s, HURRY_DEADLINE_S)

    # --- statuses ---------------------------------------------------------------------------

    def set_status(
        self, sha: str, state: str, description: str, *, context: str, target_url: str | None
    ) -> None:
        if state not in STATES:
            raise ValueError(f"unknown status state {state!r}")
        kwargs: dict[str, Any] = {
            "state": state,
            "context": context,
            "description": truncate_description(description),
        }
        if target_url:
            kwargs["target_url"] = target_url
        commit = self._repo.get_commit(sha)
        self._with_retries(f"set the {state} status", lambda: commit.create_status(**kwargs))

    # --- pull requests ----------------------------------------------------------------------

    def pull_for_commit(self, sha: str) -> int | None:
        """The open pull request whose head is `sha` (else any open one containing it)."""

        def lookup() -> int | None:
            pulls = list(self._repo.get_commit(sha).get_pulls())
            open_pulls = [p for p in pulls if p.state == "open"]
            for pull in open_pulls:
                if pull.head.sha == sha:
                    return int(pull.number)
            return int(open_pulls[0].number) if open_pulls else None

        return self._with_retries("find the pull request of the commit", lookup)

    def pull_head(self, number: int) -> str | None:
        """The head SHA of pull request `number` (None when it does not exist)."""

        def lookup() -> str | None:
            try:
                return str(self._repo.get_pull(number).head.sha)
            except GithubException as exc:
                if exc.status == 404:
                    return None
                raise

        return self._with_retries("read the pull request", lookup)

    # --- the base branch's report artifact --------------------------------------------------

    def latest_artifact(
        self,
        branch: str,
        name: str,
        *,
        events: tuple[str, ...] = ("push",),
        workflow_path: str | None = None,
    ) -> Artifact | None:
        """The newest artifact `name` of a completed run on `branch` triggered by one of
        `events` (for a pull request's base: `push` runs only, since a pull request's run
        reports the PR's head branch, which a fork can name `main`; for a production watch:
        `schedule` and `workflow_dispatch`), optionally only runs of the workflow file
        `workflow_path` (`.github/workflows/x.yml`)."""

        def lookup() -> Artifact | None:
            runs: list[dict[str, Any]] = []
            for event in events:
                _, found_runs = self._gh.requester.requestJsonAndCheck(
                    "GET",
                    f"{self._repo.url}/actions/runs",
                    parameters={
                        "branch": branch,
                        "event": event,
                        "status": "completed",
                        "exclude_pull_requests": "true",
                        "per_page": MAX_RUNS_SEARCHED,
                    },
                )
                runs += found_runs.get("workflow_runs") or []
            ordered = sorted(runs, key=lambda r: str(r.get("created_at") or ""), reverse=True)
            for run in ordered:
                if run.get("head_branch") != branch or run.get("event") not in events:
                    continue
                if workflow_path and run.get("path") != workflow_path:
                    continue
                _, found = self._gh.requester.requestJsonAndCheck(
                    "GET",
                    f"{self._repo.url}/actions/runs/{int(run['id'])}/artifacts",
                    parameters={"name": name, "per_page": 10},
                )
                for artifact in found.get("artifacts") or []:
                    if artifact.get("name") == name:
                        return Artifact(
                            id=int(artifact["id"]),
                            run_id=int(run["id"]),
                            head_sha=run.get("head_sha"),
                            expired=bool(artifact.get("expired")),
                        )
            return None

        try:
            return self._with_retries(f"list the {name} artifacts of {branch}", lookup)
        except GitHubWriteError as exc:
            if "HTTP 403" in str(exc) or "HTTP 404" in str(exc):
                status = "HTTP 403" if "HTTP 403" in str(exc) else "HTTP 404"
                raise ArtifactUnavailable(
                    f"the token cannot read this repository's Actions artifacts ({status}); "
                    "add `actions: read` to the workflow's permissions"
                ) from None
            raise ArtifactUnavailable(str(exc)) from None

    def download_artifact(self, artifact_id: int) -> bytes:
        """The artifact's zip. GitHub answers 302 to a short-lived signed URL on another host,
        which must get no Authorization header; 410 when the artifact expired. Each attempt
        has the client's total deadline (a server dripping the zip cannot hold the job)."""
        url = f"{self._repo_api}/actions/artifacts/{artifact_id}/zip"
        headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/vnd.github+json",
        }

        def fetch() -> bytes | str:
            answer = requests.get(url, headers=headers, allow_redirects=False, timeout=30)
            if answer.status_code in (301, 302, 303, 307, 308):
                answer = requests.get(answer.headers.get("Location", ""), timeout=30, stream=True)
            if answer.status_code == 410:
                raise ArtifactUnavailable("the base report artifact has expired")
            if answer.status_code in (401, 403, 404):
                raise ArtifactUnavailable(
                    f"the token cannot download the base report artifact (HTTP "
                    f"{answer.status_code}); add `actions: read` to the workflow's "
                    "permissions"
                )
            if answer.status_code == 200:
                return _bounded(answer)
            if answer.status_code < 500:
                raise ArtifactUnavailable(
                    f"could not download the base report: HTTP {answer.status_code}"
                )
            return f"HTTP {answer.status_code}"

        for attempt in range(1, self._policy.attempts + 1):
            try:
                got = self._within_deadline(fetch)
            except (requests.RequestException, _DeadlineExceeded) as exc:
                got = str(exc) if isinstance(exc, _DeadlineExceeded) else type(exc).__name__
            if isinstance(got, bytes):
                return got
            if attempt == self._policy.attempts:
                raise ArtifactUnavailable(
                    self._redactor.text(
                        f"could not download the base report: {got} after {attempt} attempts"
                    )
                )
            self._sleep(self._backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    # --- the sticky comment -----------------------------------------------------------------

    def upsert_comment(self, number: int, body: str, *, context: str = DEFAULT_CONTEXT) -> str:
        """Create or edit our one comment starting with the marker of `context`; returns
        "created" or "updated". The lookup is repeated on every attempt (see the module
        docstring)."""
        marker = comment_marker(context)
        if not body.startswith(marker):
            body = f"{marker}\n{body}"
        markers = (marker, LEGACY_MARKER) if context == DEFAULT_CONTEXT else (marker,)
        identity = self._with_retries("read the token's identity", self._whoami)

        def write() -> str:
            issue = self._repo.get_issue(number)
            existing = self._find_marked(issue, markers, identity)
            if existing is not None:
                if existing.body != body:
                    existing.edit(body)
                return "updated"
            issue.create_comment(body)
            return "created"

        return self._with_retries("write the pull request comment", write)

    def _whoami(self) -> tuple[str, Any]:
        """("id", n) for a user token; ("app", None) for an installation token, which
        cannot call /user."""
        if self._identity is None:
            try:
                _, data = self._gh.requester.requestJsonAndCheck("GET", "/user")
                account = data.get("id") if isinstance(data, dict) else None
                if not isinstance(account, int):
                    raise GitHubWriteError(
                        "could not read the token's identity: GET /user "
                        "answered without an account id"
                    )
                self._identity = ("id", account)
            except GithubException as exc:
                if exc.status not in (401, 403, 404) or self._retry_wait(exc, 1) is not None:
                    raise  # a rate limit or a server error: retried, never guessed
                self._identity = ("app", None)
        return self._identity

    @staticmethod
    def _find_marked(issue: Any, markers: tuple[str, ...], identity: tuple[str, Any]) -> Any:
        """Our first comment starting with a marker, reading every page (the oldest wins)."""
        for comment in issue.get_comments():
            if (comment.body or "").startswith(markers) and _is_ours(comment.user, identity):
                return comment
        return None

    # --- the production watch's alert issue ---------------------------------------------------

    def find_issue(self, marker: str, label: str) -> IssueRef | None:
        """Our oldest open issue labelled `label` whose body starts with `marker`, reading
        every page."""
        identity = self._with_retries("read the token's identity", self._whoami)
        return self._with_retries(
            "search the open issues", lambda: self._find_issue(marker, label, identity)
        )

    def open_issue(
        self, marker: str, label: str, *, title: str, body: str, assignees: tuple[str, ...]
    ) -> tuple[IssueRef, bool]:
        """Our open issue with `marker`, or a new one; (issue, created). The search is
        repeated on every attempt: a retry after an ambiguous failure finds the issue it
        created (and still reports it as created). Assignees GitHub refuses (422: not a
        collaborator) are dropped with a warning, never at the cost of the alert."""
        if not body.startswith(marker):
            body = f"{marker}\n{body}"
        identity = self._with_retries("read the token's identity", self._whoami)

        tried: list[bool] = []  # a create was sent: an issue found after it is the one it made

        def write() -> tuple[IssueRef, bool]:
            found = self._find_issue(marker, label, identity)
            if found is not None:
                return found, bool(tried)
            tried.append(True)
            try:
                issue = self._repo.create_issue(
                    title=title, body=body, labels=[label], assignees=list(assignees)
                )
            except GithubException as exc:
                if exc.status != 422 or not assignees:
                    raise
                self._log(
                    f"::warning::launchgate: GitHub refused the assignees "
                    f"{', '.join(assignees)} (HTTP 422: each must be a collaborator of "
                    "the repository); the issue is opened without them"
                )
                issue = self._repo.create_issue(title=title, body=body, labels=[label])
            return _issue_ref(issue), True

        return self._with_retries("open the watch issue", write)

    def edit_issue(self, number: int, *, body: str | None = None, close: bool = False) -> None:
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["body"] = body
        if close:
            kwargs.update(state="closed", state_reason="completed")
        issue = self._repo.get_issue(number)
        self._with_retries(
            "close the watch issue" if close else "edit the watch issue",
            lambda: issue.edit(**kwargs),
        )

    def comment_once(self, number: int, marker: str, body: str) -> bool:
        """Comment on issue `number` unless our comment starting with `marker` is already
        there (every page read, on every attempt); True when this call wrote it."""
        if not body.startswith(marker):
            body = f"{marker}\n{body}"
        identity = self._with_retries("read the token's identity", self._whoami)

        def write() -> bool:
            issue = self._repo.get_issue(number)
            if self._find_marked(issue, (marker,), identity) is not None:
                return False
            issue.create_comment(body)
            return True

        return self._with_retries("comment on the watch issue", write)

    def _find_issue(self, marker: str, label: str, identity: tuple[str, Any]) -> IssueRef | None:
        """Read as raw pages: PyGithub's issue objects fetch each issue again when asked for
        a field the list leaves out (`pull_request` on a plain issue), one GET per issue."""
        found = [
            raw
            for raw in self._open_issues(label)
            if raw.get("pull_request") is None
            and str(raw.get("body") or "").startswith(marker)
            and _is_ours(_Account(raw.get("user")), identity)
        ]
        if not found:
            return None
        return _issue_from_json(min(found, key=lambda raw: int(raw["number"])))

    def _open_issues(self, label: str) -> Iterator[dict[str, Any]]:
        url: str | None = f"{self._repo.url}/issues"
        parameters: dict[str, Any] | None = {"state": "open", "labels": label, "per_page": 100}
        while url:
            headers, data = self._gh.requester.requestJsonAndCheck(
                "GET", url, parameters=parameters
            )
            if not isinstance(data, list):
                raise GitHubWriteError(
                    "could not search the open issues: the GitHub API answered without a list"
                )
            yield from (item for item in data if isinstance(item, dict))
            url, parameters = _next_page(headers), None

    # --- retries ----------------------------------------------------------------------------

    def _with_retries(self, what: str, call: Callable[[], T]) -> T:
        policy = self._policy
        for attempt in range(1, policy.attempts + 1):
            try:
                return self._within_deadline(call)
            except GithubException as exc:
                wait = self._retry_wait(exc, attempt)
                if wait is None or attempt == policy.attempts:
                    raise self._final_error(what, exc) from None
                reason = f"HTTP {exc.status}"
            except (requests.Timeout, requests.ConnectionError, _DeadlineExceeded) as exc:
                reason = str(exc) if isinstance(exc, _DeadlineExceeded) else type(exc).__name__
                if attempt == policy.attempts:
                    raise GitHubWriteError(
                        self._redactor.text(f"could not {what}: {reason} after {attempt} attempts")
                    ) from None
                wait = self._backoff(attempt)
            except GitHubWriteError:
                raise
            except Exception as exc:  # PyGithub could not read the answer: garbage
                first = (str(exc).splitlines() or [""])[0][:200]
                raise GitHubWriteError(
                    self._redactor.text(
                        f"could not {what}: the GitHub API gave an answer launchgate cannot read "
                        f"({type(exc).__name__}{': ' + first if first else ''})"
                    )
                ) from None
            self._log(
                f"launchgate: GitHub: could not {what} ({reason}); "
                f"retrying in {wait:.0f}s (attempt {attempt + 1}/{policy.attempts})"
            )
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _within_deadline(self, call: Callable[[], T]) -> T:
        """`call()` in a daemon thread, abandoned after the deadline. Waiting stays
        interruptible: a cancellation signal still reaches the main thread."""
        outcome: list[tuple[bool, Any]] = []

        def attempt() -> None:
            try:
                outcome.append((True, call()))
            except BaseException as exc:  # handed to the waiting thread
                outcome.append((False, exc))

        worker = threading.Thread(target=attempt, name="launchgate-github", daemon=True)
        worker.start()
        worker.join(self._deadline_s)
        if not outcome:
            raise _DeadlineExceeded(f"no complete answer within {self._deadline_s:g} s")
        ok, value = outcome[0]
        if not ok:
            raise value
        return cast(T, value)

    def _final_error(self, what: str, exc: GithubException) -> GitHubWriteError:
        message = ""
        if isinstance(exc.data, dict):
            message = str(exc.data.get("message") or "")
        text = self._redactor.text(
            f"could not {what}: HTTP {exc.status}" + (f" ({message[:200]})" if message else "")
        )
        if exc.status == 403 and not isinstance(exc, RateLimitExceededException):
            return WriteForbidden(text)
        return GitHubWriteError(text)

    def _retry_wait(self, exc: GithubException, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the error is final."""
        status = exc.status or 0
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        if (
            isinstance(exc, RateLimitExceededException)
            or status == 429
            or (status == 403 and "retry-after" in headers)
        ):
            return _rate_limit_wait(headers, self._backoff(attempt))
        if status >= 500:
            return self._backoff(attempt)
        return None

    def _backoff(self, attempt: int) -> float:
        return float(min(self._policy.base_delay_s * 2 ** (attempt - 1), self._policy.max_delay_s))


def _bounded(answer: requests.Response) -> bytes:
    data = bytearray()
    for chunk in answer.iter_content(64 * 1024):
        data += chunk
        if len(data) > MAX_ARTIFACT_BYTES:
            raise ArtifactUnavailable(
                f"the base report artifact is larger than {MAX_ARTIFACT_BYTES // (1024 * 1024)} MB"
            )
    return bytes(data)


def report_from_zip(data: bytes, member: str = "report.json") -> bytes:
    """`report.json` from an artifact's zip (at the top, or in one folder), size-checked
    before it is read (a zip bomb is refused, never inflated)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        candidates = [
            i
            for i in archive.infolist()
            if i.filename == member or i.filename.endswith("/" + member)
        ]
        if not candidates:
            raise ArtifactUnavailable(f"the base report artifact holds no {member}")
        info = min(candidates, key=lambda i: i.filename.count("/"))
        if info.file_size > MAX_ARTIFACT_BYTES:
            raise ArtifactUnavailable(f"the base report's {member} is too large")
        with archive.open(info) as handle:
            content = handle.read(MAX_ARTIFACT_BYTES + 1)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArtifactUnavailable(
            f"the base report artifact is not a readable zip ({exc})"
        ) from None
    if len(content) > MAX_ARTIFACT_BYTES:
        raise ArtifactUnavailable(f"the base report's {member} is too large")
    return content


def _issue_ref(issue: Any) -> IssueRef:
    created = issue.created_at
    return IssueRef(
        number=int(issue.number),
        body=str(issue.body or ""),
        html_url=str(issue.html_url or ""),
        created_at=created if isinstance(created, dt.datetime) else None,
    )


def _issue_from_json(raw: dict[str, Any]) -> IssueRef:
    try:
        created: dt.datetime | None = dt.datetime.fromisoformat(str(raw.get("created_at")))
    except ValueError:
        created = None
    return IssueRef(
        number=int(raw["number"]),
        body=str(raw.get("body") or ""),
        html_url=str(raw.get("html_url") or ""),
        created_at=created,
    )


class _Account:
    """The `user` of a raw issue, shaped like PyGithub's NamedUser for `_is_ours`."""

    def __init__(self, raw: Any) -> None:
        raw = raw if isinstance(raw, dict) else {}
        self.id, self.login, self.type = raw.get("id"), raw.get("login"), raw.get("type")


_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def _next_page(headers: Any) -> str | None:
    link = next((v for k, v in dict(headers or {}).items() if k.lower() == "link"), "")
    match = _NEXT.search(str(link))
    return match.group(1) if match else None


def _is_ours(user: Any, identity: tuple[str, Any]) -> bool:
    if user is None:
        return False
    kind, value = identity
    if kind == "id":
        return bool(user.id == value)
    login = str(user.login or "")
    return user.type == "Bot" and login.endswith("[bot]")


def _rate_limit_wait(headers: dict[str, str], fallback: float) -> float:
    retry_after = headers.get("retry-after", "")
    if retry_after.strip().isdigit():
        return min(float(retry_after), MAX_WAIT_S)
    reset = headers.get("x-ratelimit-reset", "")
    if headers.get("x-ratelimit-remaining") == "0" and reset.isdigit():
        return min(max(float(reset) - time.time(), 1.0), MAX_WAIT_S)
    return fallback
