"""A fake GitHub REST API on loopback for the Action's tests: a real HTTP server that PyGithub
talks to, with state (issue comments with Link-header pagination, commit statuses, pull
requests, commit -> pulls, issues listed by state and label with pagination) and fault
injection.

Every request body is validated against GitHub's own request schemas (`schemas.json`, extracted
from `@octokit/openapi` by `regenerate_schemas.py`); the limits the description omits are
enforced as GitHub does (status description <= 140, comment body <= 65,536 characters -> 422).
URLs in responses are built from the server's own address: PyGithub asserts that they share
the base URL's host and port.

Actions artifacts (the comparison with the base branch): workflow runs (`add_run`), their
artifacts (`add_artifact`, with the zip's bytes), and the download: 302 to a signed URL on a
path outside the API (`/_blob/...`, like GitHub's storage host: it must get no Authorization
header, and the fake records one if it does), or 410 for an expired artifact. Query parameters
of these operations are checked against the description, and their 200 bodies validate against
GitHub's response schemas (`response` in schemas.json).

Users are real accounts: humans are `type: User` with their own ids; logins ending in `[bot]`
are GitHub App accounts (`type: Bot`). By default the token is an installation token like the
workflow's GITHUB_TOKEN: `GET /user` answers 403 and its comments are by `github-actions[bot]`.
With `token_user` it is a user token (PAT) for that account: `GET /user` names it.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import jsonschema

from launchgate.demo.serving import LoopbackServer

SCHEMAS = json.loads(Path(__file__).with_name("schemas.json").read_text(encoding="utf-8"))
MAX_DESCRIPTION = 140
MAX_COMMENT = 65_536
SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
FORBIDDEN = "Resource not accessible by integration"
ACTIONS_BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}


def user_json(login: str) -> dict[str, Any]:
    """A stable account for `login`: an App account for `...[bot]`, else a human."""
    if login == ACTIONS_BOT["login"]:
        return dict(ACTIONS_BOT)
    uid = 100_000 + int.from_bytes(login.encode()[:6].ljust(6, b"\0"), "big") % 900_000
    return {"login": login, "id": uid, "type": "Bot" if login.endswith("[bot]") else "User"}


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[a-z_]+\\\}", "([^/]+)", re.escape(template)) + "$")


OPERATIONS = [
    (op_id, op["method"], _template_regex(op["path"]), op)
    for op_id, op in SCHEMAS["operations"].items()
]


def _query_problem(op: dict[str, Any], query: dict[str, list[str]]) -> str | None:
    """An undocumented query parameter, or a value its schema refuses (enums, integers)."""
    documented = op.get("query", {})
    for name, values in query.items():
        schema = documented.get(name)
        if schema is None:
            return f"unknown query parameter {name!r}"
        value: Any = values[0]
        kind = schema.get("type")
        if kind == "integer":
            if not value.isdigit():
                return f"{name}: expected an integer, got {value!r}"
            value = int(value)
        elif kind == "boolean":
            if value not in ("true", "false"):
                return f"{name}: expected true or false, got {value!r}"
            continue
        try:
            jsonschema.validate(value, schema)
        except jsonschema.ValidationError as exc:
            return f"{name}: {exc.message}"
    return None


@dataclass
class Faults:
    """One-shot faults are consumed when they fire."""

    comment_write_502: int = 0  # commit the comment write, then answer 502 (ambiguous)
    secondary_rate_limit: int = 0  # answer the next write 403 + Retry-After, without writing
    retry_after_s: int = 1
    comment_write_delay_s: float = 0  # commit the comment write, then answer this late (once)
    write_503: int = 0  # answer writes 503 without writing
    fork: bool = False  # a read-only token: every write 403
    forbid_comments: bool = False  # a token without pull-requests: write
    issue_create_502: int = 0  # commit the issue, then answer 502 (ambiguous)
    # A proxy that echoes the request: answer every request with this status (0: off) and a
    # message quoting the Authorization header.
    echo_authorization_status: int = 0
    # Answer every request a byte every drip_interval_s (0: off), for at most drip_max_s.
    drip_interval_s: float = 0
    drip_max_s: float = 30.0
    # Answer every request 200 with this JSON body instead (None: off): garbage for PyGithub.
    garbage_body: Any = None
    forbid_actions: bool = False  # a token without actions: read (403 on the Actions API)
    artifact_gone: bool = False  # downloads answer 410 (expired after it was listed)


@dataclass
class Recorded:
    method: str
    path: str
    operation: str | None
    status: int
    body: str


@dataclass
class State:
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    commit_pulls: dict[str, list[int]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # run id -> list
    blobs: dict[int, bytes] = field(default_factory=dict)  # artifact id
    blob_auth: list[str] = field(default_factory=list)  # Authorization headers sent to blobs
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1000


class FakeGitHub:
    def __init__(
        self,
        repository: str = "acme/admin",
        token: str = "ghs_faketoken",
        max_per_page: int = 100,
        prefix: str = "",
        token_user: str | None = None,
    ) -> None:
        self.repository = repository
        self.token_user = token_user  # None: an installation token (GITHUB_TOKEN)
        self.prefix = prefix  # "/api/v3" serves like GitHub Enterprise Server
        self.token = token
        self.max_per_page = max_per_page
        # Accounts that may be assigned issues (GitHub answers 422 for anyone else).
        self.collaborators: set[str] = {"ops-lead", "oncall"}
        self.faults = Faults()
        self.state = State()
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = LoopbackServer(_Handler)
        self._server.fake = self  # type: ignore[attr-defined]

    @property
    def url(self) -> str:
        return f"{self._server.url}{self.prefix}"

    def __enter__(self) -> FakeGitHub:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.stop()

    # --- seeding and reading state (tests) --------------------------------------------------

    def add_pull(
        self,
        number: int,
        head_sha: str,
        base_sha: str = "b" * 40,
        state: str = "open",
        associate: bool = True,
    ) -> None:
        """`associate=False`: commits/{sha}/pulls does not list it (as for a fork's commit)."""
        with self.lock:
            self.state.pulls[number] = {
                "number": number,
                "head": head_sha,
                "base": base_sha,
                "state": state,
            }
            if associate:
                self.state.commit_pulls.setdefault(head_sha, []).append(number)

    def add_comment(self, number: int, body: str, login: str = "someone") -> dict[str, Any]:
        """A comment by `login` (a human unless it ends in `[bot]`)."""
        with self.lock:
            return self._create_comment(number, body, login)

    def add_run(
        self,
        head_branch: str = "main",
        head_sha: str = "c" * 40,
        event: str = "push",
        conclusion: str = "success",
        created_at: str = "2026-01-01T00:00:00Z",
    ) -> int:
        """A completed workflow run; returns its id."""
        with self.lock:
            self.state.next_id += 1
            rid = self.state.next_id
            api = f"{self.repo_url()}/actions/runs/{rid}"
            self.state.runs.append(
                {
                    "id": rid,
                    "node_id": f"WFR_{rid}",
                    "name": "launchgate",
                    "head_branch": head_branch,
                    "head_sha": head_sha,
                    "path": ".github/workflows/launchgate.yml",
                    "display_title": "launchgate",
                    "run_number": rid - 1000,
                    "event": event,
                    "status": "completed",
                    "conclusion": conclusion,
                    "workflow_id": 7,
                    "url": api,
                    "html_url": f"{self.url}/{self.repository}/actions/runs/{rid}",
                    "created_at": created_at,
                    "updated_at": created_at,
                    "jobs_url": f"{api}/jobs",
                    "logs_url": f"{api}/logs",
                    "check_suite_url": f"{self.repo_url()}/check-suites/{rid}",
                    "artifacts_url": f"{api}/artifacts",
                    "cancel_url": f"{api}/cancel",
                    "rerun_url": f"{api}/rerun",
                    "workflow_url": f"{self.repo_url()}/actions/workflows/7",
                }
            )
            return rid

    def add_artifact(
        self, run_id: int, data: bytes, name: str = "launchgate-report", expired: bool = False
    ) -> int:
        """An artifact of run `run_id` whose zip is `data`; returns its id."""
        with self.lock:
            self.state.next_id += 1
            aid = self.state.next_id
            run = next(r for r in self.state.runs if r["id"] == run_id)
            self.state.artifacts.setdefault(run_id, []).append(
                {
                    "id": aid,
                    "node_id": f"A_{aid}",
                    "name": name,
                    "size_in_bytes": len(data),
                    "url": f"{self.repo_url()}/actions/artifacts/{aid}",
                    "archive_download_url": f"{self.repo_url()}/actions/artifacts/{aid}/zip",
                    "expired": expired,
                    "created_at": run["created_at"],
                    "expires_at": "2026-04-01T00:00:00Z",
                    "updated_at": run["created_at"],
                    "workflow_run": {
                        "id": run_id,
                        "repository_id": 1,
                        "head_repository_id": 1,
                        "head_branch": run["head_branch"],
                        "head_sha": run["head_sha"],
                    },
                }
            )
            self.state.blobs[aid] = data
            return aid

    def add_issue(
        self,
        title: str,
        body: str,
        login: str = "someone",
        labels: tuple[str, ...] = (),
        state: str = "open",
        pull_request: bool = False,
    ) -> dict[str, Any]:
        """An issue (or, with `pull_request`, a pull request as the issues list shows it)."""
        with self.lock:
            return self._create_issue(
                title, body, login, list(labels), [], state=state, pull_request=pull_request
            )

    def issues(self, state: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                dict(i) for i in self.state.issues.values() if state is None or i["state"] == state
            ]

    def backdate_issue(self, number: int, hours: float) -> None:
        """Pretend issue `number` was opened `hours` ago."""
        with self.lock:
            issue = self.state.issues[number]
            issue["created_at"] = _timestamp(time.time() - hours * 3600)

    def comments(self, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(c) for c in self.state.comments.get(number, [])]

    def statuses(self, sha: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(s) for s in self.state.statuses if sha is None or s["sha"] == sha]

    # --- JSON documents ---------------------------------------------------------------------

    def repo_url(self) -> str:
        return f"{self.url}/repos/{self.repository}"

    def repo_json(self) -> dict[str, Any]:
        owner, name = self.repository.split("/")
        return {
            "id": 1,
            "node_id": "R_1",
            "name": name,
            "full_name": self.repository,
            "owner": {"login": owner, "id": 2, "type": "Organization"},
            "private": True,
            "url": self.repo_url(),
            "html_url": f"{self.url}/{self.repository}",
            "default_branch": "main",
        }

    def pull_json(self, pull: dict[str, Any]) -> dict[str, Any]:
        n = pull["number"]
        return {
            "id": 5000 + n,
            "number": n,
            "state": pull["state"],
            "url": f"{self.repo_url()}/pulls/{n}",
            "html_url": f"{self.url}/{self.repository}/pull/{n}",
            "title": f"Pull request {n}",
            "head": {"sha": pull["head"], "ref": f"feature-{n}"},
            "base": {"sha": pull["base"], "ref": "main"},
        }

    def issue_json(self, issue: dict[str, Any]) -> dict[str, Any]:
        n = issue["number"]
        data = {
            "id": 7000 + n,
            "node_id": f"I_{n}",
            "number": n,
            "title": issue["title"],
            "body": issue["body"],
            "state": issue["state"],
            "state_reason": issue.get("state_reason"),
            "url": f"{self.repo_url()}/issues/{n}",
            "html_url": f"{self.url}/{self.repository}/issues/{n}",
            "labels": [
                {"id": 900 + i, "name": name, "color": "ededed"}
                for i, name in enumerate(issue["labels"])
            ],
            "assignees": [user_json(login) for login in issue["assignees"]],
            "user": user_json(issue["login"]),
            "comments": len(self.state.comments.get(n, [])),
            "created_at": issue["created_at"],
            "updated_at": issue["updated_at"],
            "closed_at": issue.get("closed_at"),
        }
        if issue.get("pull_request"):
            data["pull_request"] = {"url": f"{self.repo_url()}/pulls/{n}"}
        return data

    def _create_issue(
        self,
        title: str,
        body: str,
        login: str,
        labels: list[str],
        assignees: list[str],
        *,
        state: str = "open",
        pull_request: bool = False,
    ) -> dict[str, Any]:
        number = max([0, *self.state.issues, *self.state.pulls]) + 1
        now = _timestamp(time.time())
        issue = {
            "number": number,
            "title": title,
            "body": body,
            "state": state,
            "labels": labels,
            "assignees": assignees,
            "login": login,
            "created_at": now,
            "updated_at": now,
            "pull_request": pull_request,
        }
        self.state.issues[number] = issue
        return issue

    def _create_comment(self, number: int, body: str, login: str) -> dict[str, Any]:
        self.state.next_id += 1
        cid = self.state.next_id
        comment = {
            "id": cid,
            "node_id": f"IC_{cid}",
            "body": body,
            "url": f"{self.repo_url()}/issues/comments/{cid}",
            "html_url": f"{self.url}/{self.repository}/pull/{number}#issuecomment-{cid}",
            "issue_url": f"{self.repo_url()}/issues/{number}",
            "user": user_json(login),
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        }
        self.state.comments.setdefault(number, []).append(comment)
        return comment


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeGitHub/1.0"

    @property
    def fake(self) -> FakeGitHub:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    # --- plumbing ---------------------------------------------------------------------------

    def _send(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        raw = b"" if data is None else json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.fake.faults.drip_interval_s:
            self._drip(raw)
            return
        self.wfile.write(raw)

    def _drip(self, raw: bytes) -> None:
        """A byte at a time, bounded in time; stops when the client hangs up."""
        faults = self.fake.faults
        self.close_connection = True
        started = time.monotonic()
        for byte in raw:
            if time.monotonic() - started > faults.drip_max_s or self.fake.stopping.is_set():
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(faults.drip_interval_s)

    def _handle(self) -> None:
        fake = self.fake
        parts = urllib.parse.urlsplit(self.path)
        if parts.path.startswith("/_blob/"):  # the signed storage URL: not the API
            self._send_blob(fake, parts)
            return
        if fake.prefix:
            path = parts.path
            if not path.startswith(fake.prefix + "/"):
                self._send(404, {"message": "Not Found"})
                return
            parts = parts._replace(path=path[len(fake.prefix) :])
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        operation = next(
            (
                (op_id, match.groups(), op)
                for op_id, method, rx, op in OPERATIONS
                if method == self.command and (match := rx.match(parts.path))
            ),
            None,
        )
        status, data, headers = self._dispatch(fake, operation, parts, raw)
        if fake.faults.echo_authorization_status:
            status, headers = fake.faults.echo_authorization_status, {}
            data = {
                "message": "upstream rejected the request: Authorization: "
                + self.headers.get("Authorization", "")
            }
        elif fake.faults.garbage_body is not None and 200 <= status < 300:
            data = fake.faults.garbage_body
        with fake.lock:
            fake.requests.append(
                Recorded(self.command, self.path, operation[0] if operation else None, status, raw)
            )
        self._send(status, data, headers)

    def _send_blob(self, fake: FakeGitHub, parts: urllib.parse.SplitResult) -> None:
        with fake.lock:
            if self.headers.get("Authorization"):
                fake.state.blob_auth.append(self.headers["Authorization"])
            aid = parts.path.rsplit("/", 1)[-1]
            data = fake.state.blobs.get(int(aid)) if aid.isdigit() else None
            signed = urllib.parse.parse_qs(parts.query).get("sig") == [f"s{aid}"]
            fake.requests.append(
                Recorded(
                    self.command, self.path, None, 200 if data is not None and signed else 403, ""
                )
            )
        if data is None or not signed:
            self._send(403, {"message": "AuthenticationFailed"})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(
        self, fake: FakeGitHub, operation: Any, parts: urllib.parse.SplitResult, raw: str
    ) -> tuple[int, Any, dict[str, str]]:
        auth = self.headers.get("Authorization", "")
        if auth not in (f"token {fake.token}", f"Bearer {fake.token}"):
            return 401, {"message": "Bad credentials"}, {}
        if operation is None:
            with fake.lock:
                fake.violations.append(f"unknown operation {self.command} {parts.path}")
            return 404, {"message": "Not Found"}, {}
        op_id, params, op = operation
        if op_id == "users/get-authenticated":
            if fake.token_user is None:
                return 403, {"message": FORBIDDEN}, {}
            return 200, user_json(fake.token_user), {}
        owner, repo = params[0], params[1]
        if f"{owner}/{repo}" != fake.repository:
            return 404, {"message": "Not Found"}, {}
        body: Any = None
        if "body" in op:
            try:
                body = json.loads(raw)
                jsonschema.validate(body, op["body"])
            except (ValueError, jsonschema.ValidationError) as exc:
                message = getattr(exc, "message", str(exc))
                with fake.lock:
                    fake.violations.append(f"{op_id}: {message}")
                return 422, {"message": "Invalid request.", "errors": [message]}, {}
        query = urllib.parse.parse_qs(parts.query)
        problem = _query_problem(op, query)
        if problem:
            with fake.lock:
                fake.violations.append(f"{op_id}: {problem}")
            return 422, {"message": "Validation Failed", "errors": [problem]}, {}
        with fake.lock:
            status, data, headers = self._operate(fake, op_id, params[2:], body, query)
            if str(status) not in op.get("statuses", [str(status)]) and status < 400:
                fake.violations.append(f"{op_id}: answered {status}, undocumented")
            if status == 200 and "response" in op:
                try:
                    jsonschema.validate(data, op["response"])
                except jsonschema.ValidationError as exc:
                    fake.violations.append(f"{op_id} response: {exc.message}")
            return status, data, headers

    def _operate(
        self,
        fake: FakeGitHub,
        op_id: str,
        args: tuple[str, ...],
        body: Any,
        query: dict[str, list[str]],
    ) -> tuple[int, Any, dict[str, str]]:
        writes = self.command != "GET"
        if writes and fake.faults.fork:
            return 403, {"message": FORBIDDEN}, {}
        if writes and fake.faults.forbid_comments and op_id.startswith("issues/"):
            return 403, {"message": FORBIDDEN}, {}
        if writes and fake.faults.write_503 > 0:
            fake.faults.write_503 -= 1
            return 503, {"message": "Service Unavailable"}, {}
        if writes and fake.faults.secondary_rate_limit > 0:
            fake.faults.secondary_rate_limit -= 1
            return (
                403,
                {"message": SECONDARY_LIMIT},
                {"Retry-After": str(fake.faults.retry_after_s)},
            )
        state = fake.state
        if op_id.startswith("actions/"):
            if fake.faults.forbid_actions:
                return 403, {"message": FORBIDDEN}, {}
            return self._actions(fake, op_id, args, query)
        if op_id == "repos/get":
            return 200, fake.repo_json(), {}
        if op_id == "repos/create-commit-status":
            return self._create_status(fake, args[0], body)
        if op_id == "repos/list-pull-requests-associated-with-commit":
            numbers = state.commit_pulls.get(args[0], [])
            return 200, [fake.pull_json(state.pulls[n]) for n in numbers], {}
        if op_id == "pulls/get":
            pull = state.pulls.get(int(args[0]))
            return (200, fake.pull_json(pull), {}) if pull else (404, {"message": "Not Found"}, {})
        if op_id == "issues/list-comments":
            return self._list_comments(fake, int(args[0]), query)
        if op_id == "issues/create-comment":
            if len(body["body"]) > MAX_COMMENT:
                fake.violations.append("issues/create-comment: body is too long")
                return (
                    422,
                    {
                        "message": "Validation Failed",
                        "errors": [{"message": "Body is too long (maximum is 65536 characters)"}],
                    },
                    {},
                )
            comment = fake._create_comment(
                int(args[0]), body["body"], fake.token_user or ACTIONS_BOT["login"]
            )
            if fake.faults.comment_write_delay_s:
                delay, fake.faults.comment_write_delay_s = fake.faults.comment_write_delay_s, 0
                fake.lock.release()  # answer late without blocking other requests
                try:
                    time.sleep(delay)
                finally:
                    fake.lock.acquire()
            if fake.faults.comment_write_502 > 0:
                fake.faults.comment_write_502 -= 1
                return 502, {"message": "Server Error"}, {}
            return 201, comment, {}
        if op_id == "issues/update-comment":
            return self._update_comment(fake, int(args[0]), body)
        if op_id == "issues/list-for-repo":
            return self._list_issues(fake, query)
        if op_id == "issues/get":
            issue = fake.state.issues.get(int(args[0]))
            return (
                (200, fake.issue_json(issue), {}) if issue else (404, {"message": "Not Found"}, {})
            )
        if op_id == "issues/create":
            return self._create_issue(fake, body)
        if op_id == "issues/update":
            return self._update_issue(fake, int(args[0]), body)
        return 404, {"message": "Not Found"}, {}

    def _actions(
        self, fake: FakeGitHub, op_id: str, args: tuple[str, ...], query: dict[str, list[str]]
    ) -> tuple[int, Any, dict[str, str]]:
        state = fake.state

        def one(name: str) -> str | None:
            return query.get(name, [None])[0]

        if op_id == "actions/list-workflow-runs-for-repo":
            runs = [
                r
                for r in state.runs
                if all(one(k) in (None, r[k]) for k in ("event", "head_sha"))
                and one("branch") in (None, r["head_branch"])
                and one("status") in (None, r["status"], r["conclusion"])
            ]
            runs.sort(key=lambda r: r["created_at"], reverse=True)
            per_page = min(int(one("per_page") or 30), 100)
            return 200, {"total_count": len(runs), "workflow_runs": runs[:per_page]}, {}
        if op_id == "actions/list-workflow-run-artifacts":
            found = [
                a for a in state.artifacts.get(int(args[0]), []) if one("name") in (None, a["name"])
            ]
            return 200, {"total_count": len(found), "artifacts": found}, {}
        if op_id == "actions/download-artifact":
            aid = int(args[0])
            artifact = next(
                (a for arts in state.artifacts.values() for a in arts if a["id"] == aid), None
            )
            if artifact is None or args[1] != "zip":
                return 404, {"message": "Not Found"}, {}
            if artifact["expired"] or fake.faults.artifact_gone:
                return 410, {"message": "Artifact has expired"}, {}
            # The server's own address, outside the API prefix: like GitHub's storage host.
            blob = f"{fake._server.url}/_blob/{aid}?sig=s{aid}"
            return 302, None, {"Location": blob}
        return 404, {"message": "Not Found"}, {}

    def _list_issues(
        self, fake: FakeGitHub, query: dict[str, list[str]]
    ) -> tuple[int, Any, dict[str, str]]:
        state = query.get("state", ["open"])[0]
        labels = {x for x in query.get("labels", [""])[0].split(",") if x}
        items = [
            i
            for i in fake.state.issues.values()
            if (state == "all" or i["state"] == state) and labels <= set(i["labels"])
        ]
        items.sort(key=lambda i: i["number"], reverse=query.get("direction", ["desc"])[0] == "desc")
        chunk, links = _page(
            query,
            items,
            fake,
            f"{fake.repo_url()}/issues",
            extra=urllib.parse.urlencode(
                {k: v[0] for k, v in query.items() if k not in ("page", "per_page")}
            ),
        )
        return 200, [fake.issue_json(i) for i in chunk], links

    def _create_issue(
        self, fake: FakeGitHub, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        if len(body.get("body") or "") > MAX_COMMENT:
            fake.violations.append("issues/create: body is too long")
            return 422, {"message": "Validation Failed"}, {}
        assignees = list(body.get("assignees") or [])
        unknown = [a for a in assignees if a not in fake.collaborators]
        if unknown:
            return (
                422,
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "value": unknown[0],
                            "resource": "Issue",
                            "field": "assignees",
                            "code": "invalid",
                        }
                    ],
                },
                {},
            )
        labels = [x if isinstance(x, str) else x.get("name", "") for x in body.get("labels") or []]
        issue = fake._create_issue(
            str(body["title"]),
            body.get("body") or "",
            fake.token_user or ACTIONS_BOT["login"],
            labels,
            assignees,
        )
        if fake.faults.issue_create_502 > 0:
            fake.faults.issue_create_502 -= 1
            return 502, {"message": "Server Error"}, {}
        return 201, fake.issue_json(issue), {}

    def _update_issue(
        self, fake: FakeGitHub, number: int, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        issue = fake.state.issues.get(number)
        if issue is None:
            return 404, {"message": "Not Found"}, {}
        if len(body.get("body") or "") > MAX_COMMENT:
            fake.violations.append("issues/update: body is too long")
            return 422, {"message": "Validation Failed"}, {}
        for key in ("title", "body", "state", "state_reason"):
            if key in body:
                issue[key] = body[key]
        issue["updated_at"] = _timestamp(time.time())
        if body.get("state") == "closed":
            issue["closed_at"] = issue["updated_at"]
        return 200, fake.issue_json(issue), {}

    def _create_status(
        self, fake: FakeGitHub, sha: str, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        if len(body.get("description") or "") > MAX_DESCRIPTION:
            fake.violations.append("repos/create-commit-status: description is too long")
            return (
                422,
                {
                    "message": "Validation Failed",
                    "errors": [{"message": "description is too long (maximum is 140 characters)"}],
                },
                {},
            )
        fake.state.next_id += 1
        status = {
            "id": fake.state.next_id,
            "sha": sha,
            "state": body["state"],
            "description": body.get("description"),
            "target_url": body.get("target_url"),
            "context": body.get("context", "default"),
            "url": f"{fake.repo_url()}/statuses/{sha}",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        }
        fake.state.statuses.append(status)
        return 201, status, {}

    def _list_comments(
        self, fake: FakeGitHub, number: int, query: dict[str, list[str]]
    ) -> tuple[int, Any, dict[str, str]]:
        items = fake.state.comments.get(number, [])
        chunk, links = _page(query, items, fake, f"{fake.repo_url()}/issues/{number}/comments")
        return 200, chunk, links

    def _update_comment(
        self, fake: FakeGitHub, cid: int, body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        if len(body["body"]) > MAX_COMMENT:
            fake.violations.append("issues/update-comment: body is too long")
            return 422, {"message": "Validation Failed"}, {}
        for comments in fake.state.comments.values():
            for comment in comments:
                if comment["id"] == cid:
                    comment["body"] = body["body"]
                    comment["updated_at"] = "2026-01-01T00:00:01Z"
                    if fake.faults.comment_write_502 > 0:
                        fake.faults.comment_write_502 -= 1
                        return 502, {"message": "Server Error"}, {}
                    return 200, comment, {}
        return 404, {"message": "Not Found"}, {}


def _timestamp(when: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))


def _page(
    query: dict[str, list[str]], items: list[Any], fake: FakeGitHub, base: str, extra: str = ""
) -> tuple[list[Any], dict[str, str]]:
    """One page of `items` and its Link header, as GitHub paginates."""
    per_page = min(int(query.get("per_page", ["30"])[0]), 100, fake.max_per_page)
    page = int(query.get("page", ["1"])[0])
    last = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    prefix = f"{base}?{extra + '&' if extra else ''}per_page={per_page}"
    links = []
    if page < last:
        links.append(f'<{prefix}&page={page + 1}>; rel="next"')
        links.append(f'<{prefix}&page={last}>; rel="last"')
    if page > 1:
        links.append(f'<{prefix}&page={page - 1}>; rel="prev"')
        links.append(f'<{prefix}&page=1>; rel="first"')
    return chunk, ({"Link": ", ".join(links)} if links else {})
