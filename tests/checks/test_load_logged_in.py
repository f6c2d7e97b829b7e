"""The load test as logged-in staff (`checks.load.as`), against Django's real auth views (CSRF
middleware, database sessions, @login_required pages) on loopback: each simulated user logs in
once, before the measured run; login time is reported apart; a wrong password is
`load.login-failed`; sessions that end mid-run are `load.session-ended`, never a pass; no
password or session cookie in any output. Real Locust runs, a few seconds each."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from launchgate.config import load_config
from launchgate.progress import Progress
from launchgate.render.text import render_text
from launchgate.report import Target
from launchgate.runner import run_gate
from tests.conftest import assert_no_secret
from tests.support.authapps import (
    ALICE_PASSWORD,
    ANN_PASSWORD,
    BOB_PASSWORD,
    DjangoApp,
    django_app,
    token_app,
)

pytestmark = pytest.mark.slow  # real Locust runs

IDENTITIES = {
    "alice": {
        "login": {
            "page": "/accounts/login/",
            "fields": {"username": "alice", "password": "${ALICE_PASSWORD}"},
        }
    },
    "bob": {
        "login": {
            "page": "/accounts/login/",
            "fields": {"username": "bob", "password": "${BOB_PASSWORD}"},
        }
    },
}
ROUTES = [
    {"name": "client page", "path": "/clients/", "weight": 1},
    {"name": "client API", "path": "/api/clients", "weight": 1},
]


@pytest.fixture(scope="module")
def django() -> Iterator[DjangoApp]:
    with django_app() as app:
        yield app


def gate(
    tmp_path: Path, app: DjangoApp, load: dict[str, Any], env: dict[str, str] | None = None
) -> dict[str, Any]:
    config = {
        "url": app.url + "/",
        "allow_private_targets": True,
        "identities": IDENTITIES,
        "checks": {
            "load": {
                "users": 4,
                "duration": "2.5s",
                "warmup": "0.5s",
                "ready_timeout": "5s",
                "min_samples": 20,
                "min_route_samples": 5,
                "p95_target_ms": 2000,
                "p95_blocker_ms": 5000,
                "routes": ROUTES,
                **load,
            }
        },
    }
    path = tmp_path / ".launchgate.yml"
    path.write_text(json.dumps(config), encoding="utf-8")
    loaded = load_config(
        path, env={"ALICE_PASSWORD": ALICE_PASSWORD, "BOB_PASSWORD": BOB_PASSWORD, **(env or {})}
    )
    return run_gate(
        loaded, Target(url=app.url + "/"), only=["load"], progress=Progress(quiet=True)
    ).to_json()


def load_of(report: dict[str, Any]) -> tuple[str, list[str], dict[str, Any]]:
    (check,) = [c for c in report["checks"] if c["name"] == "load"]
    return check["status"], [f["id"] for f in report["findings"]], report["metrics"].get("load", {})


def session_keys() -> list[str]:
    from django.contrib.sessions.models import Session

    return list(Session.objects.values_list("session_key", flat=True))


def assert_nothing_leaked(report: dict[str, Any], keys: list[str]) -> None:
    shown = json.dumps(report) + render_text(report)
    assert_no_secret(shown, ALICE_PASSWORD, where="the report")
    assert_no_secret(shown, BOB_PASSWORD, where="the report")
    for key in keys:
        assert_no_secret(shown, key, where="the report (a session cookie)")


def test_staff_load_logs_each_user_in_once_and_measures_the_routes(tmp_path, django):
    """Two identities round-robin over four users: four logins (one per user), none counted
    in the p95; every measured answer is the route itself, not the login page."""
    django.requests.clear()
    report = gate(tmp_path, django, {"as": ["alice", "bob"]})
    status, ids, metrics = load_of(report)
    assert (status, ids, report["verdict"]) == ("passed", [], "pass"), report["checks"]
    logins = {m["identity"]: m for m in metrics["logins"]}
    assert {n: (m["users"], m["failed"]) for n, m in logins.items()} == {
        "alice": (2, 0),
        "bob": (2, 0),
    }
    assert all(0 < m["p50_s"] <= m["max_s"] for m in logins.values())
    posts = [r for r in django.requests if r.method == "POST"]
    assert len(posts) == 4 and all(r.path == "/accounts/login/" and r.password for r in posts)
    login_gets = [r for r in django.requests if r.path == "/accounts/login/" and r.method == "GET"]
    assert len(login_gets) == 4  # each user's login page, then never again
    routes = {r["name"]: r for r in metrics["routes"]}
    assert routes["client page"]["login_pages"] == routes["client API"]["login_pages"] == 0
    assert routes["client API"]["failures"] == 0 and routes["client API"]["requests"] > 5
    # Every request to the routes is a sample, but the four logins' own redirects to
    # /clients/ (LOGIN_REDIRECT_URL): login time is never a sample.
    assert (
        metrics["requests"] + metrics["samples_excluded_warmup"]
        == sum(1 for r in django.requests if r.path in ("/clients/", "/api/clients")) - 4
    )
    assert_nothing_leaked(report, session_keys())


def test_a_logged_in_post_route_passes_djangos_csrf_check(tmp_path, django):
    """A POST route under `as` carries X-CSRFToken from the user's csrftoken cookie and a
    same-origin Origin, as smoke flows do: Django's CSRF middleware accepts it (201). Without
    them every POST was a 403 and the route could never be measured."""
    before = set(django.clients)
    try:
        report = gate(
            tmp_path,
            django,
            {
                "as": ["alice", "bob"],
                "routes": [
                    ROUTES[1],
                    {
                        "name": "add client",
                        "method": "POST",
                        "path": "/api/clients",
                        "json": {"name": "load probe"},
                        "expect_status": 201,
                    },
                ],
            },
        )
        status, ids, metrics = load_of(report)
        assert (status, ids) == ("passed", []), report["findings"]
        added = {r["name"]: r for r in metrics["routes"]}["add client"]
        assert added["failures"] == 0 and added["requests"] >= 5, added
        made = [django.clients[i] for i in set(django.clients) - before]
        assert len(made) >= added["requests"]  # warm-up ones too: each POST really saved
        assert {owner for owner, _ in made} == {"alice", "bob"}
        assert_nothing_leaked(report, session_keys())
    finally:
        for ident in set(django.clients) - before:
            del django.clients[ident]


def test_anonymous_load_of_django_measured_the_login_page(tmp_path, django):
    """The issue's trial: without `as`, every route answered a 302 to the login page; that is
    a blocker, not a fast pass."""
    report = gate(tmp_path, django, {"routes": [ROUTES[0]], "min_samples": 10})
    status, ids, metrics = load_of(report)
    assert ids == ["load.measured-login-page"], report["checks"]
    assert (status, report["verdict"]) == ("failed", "fail")
    assert metrics["routes"][0]["login_pages"] == metrics["routes"][0]["requests"] > 0


def test_a_wrong_password_is_load_login_failed_naming_the_identity(tmp_path, django):
    wrong = "wrong-" + ALICE_PASSWORD[::-1]
    report = gate(tmp_path, django, {"as": "alice"}, env={"ALICE_PASSWORD": wrong})
    status, ids, metrics = load_of(report)
    assert (status, report["verdict"]) == ("failed", "fail"), report["checks"]
    assert ids == ["load.login-failed"]
    finding = report["findings"][0]
    assert finding["title"] == "Identity `alice` could not log in (wrong credentials)"
    assert "4 of 4 simulated user(s)" in finding["detail"]
    assert metrics["logins"] == [
        {"identity": "alice", "users": 0, "failed": 4, "p50_s": None, "max_s": None}
    ]
    assert metrics["requests"] == 0  # no user that failed its login sent anything
    assert_no_secret(json.dumps(report) + render_text(report), wrong, where="the report")


def test_a_session_that_expires_mid_load_is_reported_never_a_pass(tmp_path, django):
    """Every session is dropped server-side a second after the users logged in (an expiry,
    a session store that lost them): each user's next request lands on the login page."""
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()

    def expire_soon() -> None:
        deadline = time.monotonic() + 30
        while Session.objects.count() < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        Session.objects.all().delete()

    killer = threading.Thread(target=expire_soon, daemon=True)
    killer.start()
    try:
        report = gate(tmp_path, django, {"as": "alice", "duration": "3s"})
    finally:
        killer.join(timeout=10)
    status, ids, metrics = load_of(report)
    assert "load.session-ended" in ids, report["checks"]
    assert (status, report["verdict"]) == ("failed", "fail")
    finding = next(f for f in report["findings"] if f["id"] == "load.session-ended")
    assert finding["title"] == "The session of identity alice ended during the load test"
    assert finding["severity"] == "blocker"
    assert "4 of 4 simulated user(s) logged in as alice were" in finding["detail"]
    assert metrics["failures"] >= 1
    reasons = json.dumps(report)
    assert "the session of identity alice ended" in reasons


def test_workers_log_in_too(tmp_path, django):
    """Distributed mode: the workers' users log in, once each, and their samples count."""
    django.requests.clear()
    report = gate(tmp_path, django, {"as": ["alice", "bob"], "workers": 2})
    status, ids, metrics = load_of(report)
    assert (status, ids) == ("passed", []), report["checks"]
    assert sum(m["users"] for m in metrics["logins"]) == 4
    assert sum(1 for r in django.requests if r.method == "POST") == 4
    assert metrics["requests"] > 10


def test_a_token_login_sends_the_bearer_token_and_never_shows_it(tmp_path):
    """An OAuth2 password flow (FastAPI): each user gets its token once, then every request
    carries `Authorization: Bearer ...`; the token appears in no output."""
    with token_app() as api:
        config = {
            "url": api.url + "/users/me",
            "allow_private_targets": True,
            "identities": {
                "ann": {
                    "login": {
                        "path": "/token",
                        "form": {"username": "ann", "password": "${ANN_PASSWORD}"},
                        "token": "access_token",
                    }
                }
            },
            "checks": {
                "load": {
                    "users": 3,
                    "duration": "2s",
                    "warmup": "0.5s",
                    "ready_timeout": "5s",
                    "min_samples": 20,
                    "as": "ann",
                    "p95_target_ms": 2000,
                    "p95_blocker_ms": 5000,
                }
            },
        }
        path = tmp_path / ".launchgate.yml"
        path.write_text(json.dumps(config), encoding="utf-8")
        loaded = load_config(path, env={"ANN_PASSWORD": ANN_PASSWORD})
        report = run_gate(
            loaded, Target(url=api.url + "/users/me"), only=["load"], progress=Progress(quiet=True)
        ).to_json()
    status, ids, metrics = load_of(report)
    assert (status, ids) == ("passed", []), report["checks"]
    assert metrics["failures"] == 0 and metrics["requests"] >= 20  # a 401 would be a failure
    assert metrics["logins"][0]["users"] == 3
    shown = json.dumps(report) + render_text(report)
    assert_no_secret(shown, api.token, where="the report")
    assert_no_secret(shown, ANN_PASSWORD, where="the report")


def test_a_remote_worker_logs_in_with_credentials_from_its_own_environment(
    tmp_path, django, monkeypatch
):
    """A worker on another runner reads the identities' credentials from its own config and
    environment, like the target: nothing on its command line, nothing from the master."""
    import os
    import socket
    import subprocess
    import sys

    from tests.conftest import ROOT

    django.requests.clear()
    with socket.socket() as sock:  # a free loopback port for the master
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("LAUNCHGATE_LOAD_MASTER_BIND", f"127.0.0.1:{port}")
    config = tmp_path / "worker.yml"
    config.write_text(
        json.dumps(
            {
                "url": django.url + "/",
                "allow_private_targets": True,
                "identities": IDENTITIES,
                "checks": {"load": {"as": ["alice", "bob"], "routes": ROUTES}},
            }
        ),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ALICE_PASSWORD": ALICE_PASSWORD,
        "BOB_PASSWORD": BOB_PASSWORD,
    }
    args = [
        sys.executable,
        "-m",
        "launchgate.load.remote_worker",
        "--config",
        str(config),
        "--master-host",
        "127.0.0.1",
        "--master-port",
        str(port),
    ]
    worker = subprocess.Popen(
        args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        report = gate(tmp_path, django, {"as": ["alice", "bob"], "workers": 1, "users": 3})
        output = worker.communicate(timeout=30)[0].decode("utf-8", "replace")
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    status, ids, metrics = load_of(report)
    assert (status, ids) == ("passed", []), report["checks"]
    assert worker.returncode == 0, output
    assert {m["identity"]: m["users"] for m in metrics["logins"]} == {"alice": 2, "bob": 1}
    assert sum(1 for r in django.requests if r.method == "POST" and r.password) == 3
    assert not any(ALICE_PASSWORD in a or BOB_PASSWORD in a for a in args)
    assert_no_secret(output, ALICE_PASSWORD, where="the worker's output")
    assert_nothing_leaked(report, session_keys())
