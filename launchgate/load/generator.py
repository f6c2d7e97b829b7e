"""The Locust side of the load check, run as `python -m launchgate.load.child ROLE` in a child
process of the gate (Locust's gevent monkey-patching must never touch the gate itself); child.py
patches the standard library first, then runs main() from here.

Roles: `local` (one process runs every user), `master` (dispatches users to workers and
collects their samples) and `worker` (runs users, ships samples to the master). The plan comes
on stdin (see plan.py). Every request becomes one raw sample; samples reach the process that
owns the output file through Locust's own custom messages (in-process for `local`, over the
master/worker channel otherwise), so workers on other machines report exactly like local ones.

Each answer is judged beyond its status (AnswerJudge): `expect_status`, a body read boundedly
(BoundedResponse), and whether it was really the app's login page (load/answers.py). With
identities (`load.as`), each user logs in once first (load/logins.py), and the run's "start"
is written only when every user has logged in (or failed to).

Output: JSON lines appended to `--out`, flushed as they come so the gate can tail them:
`{"e":"start","t":epoch}`,
`{"e":"s","b":[[start, route, ms, ok, status, error, login_page], ...]}`,
`{"e":"login", identity, seconds, ok, t, reason, detail}` (one per user, with `load.as`),
`{"e":"session_ended", identity, route, how, t}`, `{"e":"end","t":epoch}`, `{"e":"done"}`, or
`{"e":"fatal","msg":"..."}`; a master first writes `{"e":"master","port":N}`, the port it
bound (the gate starts local workers only then).

The plan is the first line of stdin; the gate keeps stdin open, and end-of-file means the gate
is gone: the process exits at once (exit_on_stdin_eof, die_with_parent).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import logging
import os
import signal
import socket
import sys
import time
import zlib
from typing import Any, TextIO

import gevent
import gevent.os
import gevent.socket
import gevent.ssl
from geventhttpclient.connectionpool import ConnectionPool
from locust import FastHttpUser, constant, events
from locust.contrib.fasthttp import FastResponse, LocustBadStatusCode, LocustUserAgent
from locust.env import Environment
from locust.exception import CatchResponseError, StopUser
from locust.log import setup_logging
from locust.rpc import Message
from locust.runners import Runner

from launchgate.address import normalize_host, origin
from launchgate.config.schema import WRITE_METHODS
from launchgate.http.pages import Inflater
from launchgate.load.answers import SNIFF_BYTES, is_login_answer, status_error
from launchgate.load.logins import (
    LOGIN_MESSAGE,
    SESSION_MESSAGE,
    Logins,
    UserSession,
    unsafe_request_headers,
)
from launchgate.load.plan import Plan, PlanRoute
from launchgate.load.process import PARENT_PID_ENV

SAMPLES_MESSAGE = "launchgate_samples"
FLUSHED_MESSAGE = "launchgate_flushed"
FLUSH_WAIT_S = 10.0
FLUSH_INTERVAL_S = 0.2
STOP_TIMEOUT_S = 5.0
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_GONE_EXIT = 3
# Per answer: read (and time) at most MAX_BODY_BYTES of the body as sent, keep at most
# KEPT_BYTES of it decoded. A compression bomb or an endless body cannot grow the generator.
MAX_BODY_BYTES = 16_000_000
KEPT_BYTES = SNIFF_BYTES
READ_CHUNK = 65_536
# Only what the gate can decode boundedly (brotli has no output bound here, like pages.py).
ACCEPT_ENCODING = "gzip, deflate"


def die_with_parent() -> None:
    """Never outlive the gate: on Linux the kernel sends SIGKILL when the parent dies (set
    before checking that it is still there, so there is no window in between)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    expected = os.environ.get(PARENT_PID_ENV, "")
    if expected.isdigit() and os.getppid() != int(expected):
        os._exit(PARENT_GONE_EXIT)


def exit_on_stdin_eof(fd: int) -> None:
    """The gate holds our stdin open until it stops us: end-of-file means it is gone."""
    gevent.os.make_nonblocking(fd)
    while True:
        try:
            if not gevent.os.nb_read(fd, 4096):
                break
        except OSError:
            break
    os._exit(PARENT_GONE_EXIT)


def _target(host: str, port: int) -> tuple[str, int]:
    return normalize_host(host), int(port)


def pin_connections(plan: Plan) -> None:
    """Every connection goes to the vetted address, and only the target host is ever loaded:
    a redirect to another host fails instead of sending load somewhere unconfigured."""
    target = _target(plan.host, plan.port)

    def resolve(pool: ConnectionPool) -> list[Any]:
        host, port = pool._connection_host, pool._connection_port
        if _target(host, port) != target:
            raise ConnectionRefusedError(
                f"launchgate loads only {plan.host}:{plan.port}; refused {host}:{port}"
            )
        return list(
            gevent.socket.getaddrinfo(
                plan.connect_host, plan.connect_port, 0, socket.SOCK_STREAM, socket.IPPROTO_TCP
            )
        )

    def after_connect(pool: ConnectionPool, sock: Any) -> None:
        # Nagle + delayed ACK would add ~40 ms to requests sent in more than one write.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    ConnectionPool._resolve = resolve  # type: ignore[method-assign,assignment]
    ConnectionPool.after_connect = after_connect  # type: ignore[method-assign,assignment]


def bound_bodies() -> None:
    """Every answer's body is read boundedly (BoundedResponse)."""
    LocustUserAgent.response_type = BoundedResponse


class BoundedResponse(FastResponse):
    """Locust's response, whose body is read boundedly: every byte the server sends is read
    (and timed) up to MAX_BODY_BYTES, but only KEPT_BYTES are decoded and kept. geventhttpclient
    would read the whole body into memory and inflate it at once (a 300 MB gzip bomb per user:
    the child grew to 2 GB, issue 12)."""

    body_error: str | None = None
    redirected = False

    def _content(self) -> bytes:
        if self.headers is None or self._response is None:
            return b""
        # Locust's per-request wrapper copies the instance dict, not the redirect history.
        self.redirected = bool(getattr(self, "_history", None))
        encoding = ",".join(self.headers.getlist("content-encoding")).split(",")[-1]
        inflater = Inflater(encoding)
        kept = bytearray()
        read = 0
        try:
            while chunk := self._response.read(READ_CHUNK):
                read += len(chunk)
                if len(kept) < KEPT_BYTES:
                    kept += inflater.feed(chunk, KEPT_BYTES - len(kept))
                if read > MAX_BODY_BYTES:
                    self.body_error = (
                        f"the response body is over {MAX_BODY_BYTES // 10**6} MB: not read further"
                    )
                    break
        except zlib.error as exc:
            self.body_error = f"corrupt {inflater.encoding} body: {exc}"
        finally:
            self.release()  # an unfinished body closes the connection instead of reusing it
        return bytes(kept)


def _route_task(route: PlanRoute, judge: AnswerJudge, origin: str) -> Any:
    follow = route.expect_status is None or not 300 <= route.expect_status < 400
    headers = {"Accept-Encoding": ACCEPT_ENCODING, **route.headers}
    unsafe = route.method.upper() in WRITE_METHODS

    def run(user: FastHttpUser) -> None:
        session: UserSession | None = getattr(user, "session", None)
        sent = {**headers, **session.headers} if session else headers
        if unsafe:  # the route's own headers win over the anti-CSRF ones
            sent = {**unsafe_request_headers(user.client.cookiejar, origin), **sent}
        kwargs: dict[str, Any] = {
            "name": route.name,
            "headers": sent,
            "allow_redirects": follow,
            "catch_response": True,
        }
        if route.json is not None:
            kwargs["json"] = route.json
        with user.client.request(route.method, route.path, **kwargs) as answer:
            ended = judge.judge(route, answer, session)
        if ended:
            raise StopUser()  # what it would send now would measure the login page

    run.__name__ = f"route_{route.name}"
    return run


class AnswerJudge:
    """What an answer means beyond Locust's status rule: the expected status, a body that
    could not be read, and whether it was really the app's login page (flagged on the sample;
    the gate decides what a route that mostly measured the login page means). For a
    logged-in user, the login page or a 401 means its session ended: a failed request."""

    def __init__(self, logins: Logins | None) -> None:
        self.logins = logins

    def judge(self, route: PlanRoute, answer: Any, session: UserSession | None) -> bool:
        """True when the user's session ended with this answer."""
        if not answer.headers:
            return False  # no answer at all (connection error): Locust reports it as is
        body = answer.content or b""  # already read, bounded, when Locust timed the request
        login_page = is_login_answer(
            route.path,
            answer.url or "",
            getattr(answer, "redirected", False),
            str(answer.headers.get("content-type") or ""),
            body,
            session.login_paths if session else (),
        )
        if login_page:
            answer.request_meta["context"]["login_page"] = True
        if (
            session is not None
            and self.logins is not None
            and (login_page or (answer.status_code == 401 and route.expect_status != 401))
        ):
            how = "redirected to the login page" if login_page else "HTTP 401"
            answer.failure(f"the session of identity {session.identity} ended ({how})")
            self.logins.session_ended(session, route.name, how)
            return True
        exception = answer.request_meta.get("exception")
        if exception is not None and not isinstance(exception, LocustBadStatusCode):
            return False  # the body broke off (timeout, reset): a failure, whatever its status
        error = getattr(answer, "body_error", None) or status_error(
            answer.status_code, route.expect_status
        )
        if error:
            answer.failure(error)
        elif route.expect_status is not None:
            answer.success()  # the expected status, whatever Locust thinks of it
        return False


def make_user_class(plan: Plan, logins: Logins | None = None) -> type[FastHttpUser]:
    judge = AnswerJudge(logins)
    tasks = {_route_task(r, judge, origin(plan.shared_base_url)): r.weight for r in plan.routes}

    def on_start(user: FastHttpUser) -> None:
        if logins is None:
            return
        session = logins.log_in(user.client.cookiejar)
        if session is None:
            raise StopUser()  # its login failed (reported): it sends nothing
        user.session = session  # type: ignore[attr-defined]

    def ssl_context() -> Any:
        context = gevent.ssl.create_default_context()
        if isinstance(plan.verify, str):
            context.load_verify_locations(cafile=plan.verify)
        return context

    # FastHttpUser (geventhttpclient): a few times less client CPU per request than requests,
    # which keeps the generator's own share of the measured latency small on a busy runner.
    # Closed loop without think time: each user sends its next request as soon as the
    # previous one answered, the most load a team of `users` can put on the app.
    return type(
        "LaunchgateUser",
        (FastHttpUser,),
        {
            "host": plan.base_url,
            "wait_time": constant(0),
            "tasks": tasks,
            "insecure": False,
            "ssl_context_factory": staticmethod(ssl_context),
            "network_timeout": plan.request_timeout_s,
            "connection_timeout": 10.0,
            "max_redirects": 10,
            "concurrency": 1,
            "default_headers": {"User-Agent": plan.user_agent, **plan.headers},
            "on_start": on_start,
        },
    )


class SampleShipper:
    """Buffers this process's samples and ships them in batches as a custom message."""

    def __init__(self) -> None:
        self.buffer: list[list[Any]] = []
        self.runner: Runner | None = None

    def on_request(
        self,
        request_type: str,
        name: str,
        response_time: float,
        response_length: int,
        response: Any = None,
        exception: Any = None,
        start_time: float | None = None,
        context: Any = None,
        **_: Any,
    ) -> None:
        status = int(getattr(response, "status_code", 0) or 0)
        error = None if exception is None else _describe(exception, status)
        login_page = bool(context and context.get("login_page"))
        self.buffer.append(
            [
                start_time or time.time() - response_time / 1000,
                name,
                round(float(response_time), 3),
                exception is None,
                status,
                error,
                login_page,
            ]
        )

    def send(self, kind: str, data: Any) -> None:
        """A message for the process that owns the output, at once (logins, session ends)."""
        if self.runner is not None:
            self.runner.send_message(kind, data)

    def flush(self) -> None:
        if self.buffer and self.runner is not None:
            batch, self.buffer = self.buffer, []
            self.runner.send_message(SAMPLES_MESSAGE, batch)

    def loop(self) -> None:
        while True:
            gevent.sleep(FLUSH_INTERVAL_S)
            self.flush()


def _describe(exception: Any, status: int = 0) -> str:
    if isinstance(exception, LocustBadStatusCode) and status:
        # Locust's text ("URL http://host:port/path: code=404") repeats the URL the route
        # already names; the findings group failures by this text, like the gate's own.
        return f"HTTP {status}"
    text = str(exception).splitlines()[0] if str(exception) else ""
    if isinstance(exception, CatchResponseError):
        return text[:200]  # our own words (AnswerJudge): no class name in front
    return f"{type(exception).__name__}: {text}"[:200]


class SampleWriter:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.logins = 0  # login events seen (successful or not)

    def event(self, kind: str, **data: Any) -> None:
        self.out.write(json.dumps({"e": kind, **data}) + "\n")
        self.out.flush()

    def on_samples(self, environment: Environment, msg: Any, **_: Any) -> None:
        self.event("s", b=msg.data)

    def on_login(self, environment: Environment, msg: Any, **_: Any) -> None:
        self.logins += 1
        self.event("login", **msg.data)

    def on_session_ended(self, environment: Environment, msg: Any, **_: Any) -> None:
        self.event("session_ended", **msg.data)


def pin_host(env: Environment, plan: Plan) -> None:
    """A worker loads its own plan's target, whatever host the master's spawn message names
    (Locust copies it into the environment and every user class before spawning)."""
    env.host = plan.base_url
    for user_class in env.user_classes:
        user_class.host = plan.base_url


def run_worker(
    plan: Plan, env: Environment, shipper: SampleShipper, master_host: str, master_port: int
) -> int:
    runner = env.create_worker_runner(master_host, master_port)
    shipper.runner = runner

    def on_stop(**_: Any) -> None:
        shipper.flush()
        # After the last batch, on the same ordered channel: the master waits for this.
        runner.send_message(FLUSHED_MESSAGE, None)

    env.events.test_start.add_listener(lambda **_: pin_host(env, plan))
    env.events.test_stop.add_listener(on_stop)
    gevent.spawn(shipper.loop)
    runner.greenlet.join()
    return 0


def _wait_for_flushes(workers: list[str], flushed: set[str]) -> None:
    """Bounded: a worker that died does not hold the run (its samples are lost either way)."""
    deadline = time.monotonic() + FLUSH_WAIT_S
    while not set(workers) <= flushed and time.monotonic() < deadline:
        gevent.sleep(0.05)


def run_driver(
    plan: Plan,
    env: Environment,
    shipper: SampleShipper,
    writer: SampleWriter,
    role: str,
    bind_host: str,
    bind_port: int,
) -> int:
    flushed: set[str] = set()
    if role == "master":
        runner: Runner = env.create_master_runner(bind_host, bind_port)
        # Port 0: the master binds a free port itself (no race) and tells the gate which.
        port = int(runner.server.port)  # type: ignore[attr-defined]
        runner.master_bind_port = port  # type: ignore[attr-defined]  # a reset rebinds it
        writer.event("master", port=port)
        runner.register_message(
            FLUSHED_MESSAGE, lambda environment, msg, **_: flushed.add(str(msg.node_id))
        )
        deadline = time.monotonic() + plan.workers_timeout_s
        while (connected := runner.worker_count) < plan.workers:  # type: ignore[attr-defined]
            if time.monotonic() > deadline:
                writer.event(
                    "fatal",
                    msg=f"only {connected} of {plan.workers} Locust workers "
                    f"connected within {plan.workers_timeout_s:g}s",
                )
                runner.quit()
                return 2
            gevent.sleep(0.1)
    else:
        runner = env.create_local_runner()
        env.events.test_stop.add_listener(lambda **_: shipper.flush())
        shipper.runner = runner
        gevent.spawn(shipper.loop)
    runner.register_message(SAMPLES_MESSAGE, writer.on_samples)
    runner.register_message(LOGIN_MESSAGE, writer.on_login)
    runner.register_message(SESSION_MESSAGE, writer.on_session_ended)
    if plan.identities:
        # Every user logs in first: the measured run (and its warm-up) starts once they have.
        runner.start(plan.users, spawn_rate=plan.spawn_rate)
        deadline = time.monotonic() + plan.login_timeout_s
        while writer.logins < plan.users and time.monotonic() < deadline:
            gevent.sleep(0.05)
        writer.event("start", t=time.time())
    else:
        writer.event("start", t=time.time())
        runner.start(plan.users, spawn_rate=plan.spawn_rate)
    gevent.sleep(plan.duration_s)
    writer.event("end", t=time.time())
    workers = list(getattr(runner, "clients", {}))
    runner.stop()
    if role == "master":
        # stop() returned once the workers reported no users; each worker sends "flushed"
        # after its last samples, on the same ordered channel.
        _wait_for_flushes(workers, flushed)
        # A stopped worker leaves the master's list until it re-announces itself (after
        # stop_timeout), so runner.quit() would not reach it: tell each one directly.
        for worker_id in workers:
            runner.server.send_to_client(Message("quit", None, worker_id))  # type: ignore[attr-defined]
    shipper.flush()
    runner.quit()
    writer.event("done")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launchgate.load.child")
    parser.add_argument("role", choices=("local", "master", "worker"))
    parser.add_argument("--out", help="samples file (local, master)")
    parser.add_argument("--master-host", default="127.0.0.1")
    parser.add_argument("--master-port", type=int, default=5557)
    parser.add_argument("--master-bind-host", default="127.0.0.1")
    args = parser.parse_args(argv)
    setup_logging("WARNING")
    logging.getLogger("locust").setLevel(logging.ERROR)
    die_with_parent()
    plan = Plan.loads(sys.stdin.buffer.readline().decode("utf-8"))
    gevent.spawn(exit_on_stdin_eof, sys.stdin.fileno())
    pin_connections(plan)
    bound_bodies()
    # Users finish the request in flight when the run stops (bounded), so the app under test
    # sees no aborted connections and the last requests still count.
    # The master's host travels to workers over ZeroMQ: never with user:password in it
    # (workers use their own plan's URL anyway, see pin_host).
    host = plan.shared_base_url if args.role == "master" else plan.base_url
    shipper = SampleShipper()
    logins = Logins(plan, shipper.send) if plan.identities else None
    env = Environment(
        user_classes=[make_user_class(plan, logins)],
        host=host,
        events=events,
        stop_timeout=STOP_TIMEOUT_S,
    )
    env.events.request.add_listener(shipper.on_request)
    if args.role == "worker":
        return run_worker(plan, env, shipper, args.master_host, args.master_port)
    if not args.out:
        parser.error("--out is required for local and master")
    with open(args.out, "a", encoding="utf-8") as out:
        writer = SampleWriter(out)
        try:
            return run_driver(
                plan, env, shipper, writer, args.role, args.master_bind_host, args.master_port
            )
        except Exception as exc:  # reported to the gate as a line, never a traceback
            writer.event("fatal", msg=_describe(exc))
            return 2
