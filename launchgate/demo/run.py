"""Runs the demo: start the app, write its config, run the whole gate, print the verdict,
write report.json and report.md, and stop everything it started."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

from launchgate.errors import UsageError

DEMO_STEPS = [
    {"name": "login page", "path": "/login", "expect_status": 200, "expect_text": "Sign in"},
    {"name": "client list", "path": "/clients", "expect_status": 200, "expect_text": "Client 1"},
    {"name": "admin API needs a login", "path": "/api/admin/users", "expect_status": 401},
]


DEMO_CA_FILE = "demo-ca.pem"
# Ten staff members, logged in as the two tenants' staff (round-robin), using the app at once.
# The monthly report is slow (0.45 s, a fifth of the requests), so the mixed p95 lands above
# the 300 ms target; the staff's yearly report (0.9 s, a rare action) is over the 800 ms
# budget on its own, a blocker only the per-route judgement sees. Short enough to keep the
# whole demo well under a minute.
DEMO_LOAD = {
    "users": 10,
    "duration": "8s",
    "warmup": "2s",
    "min_samples": 100,
    "ready_timeout": "10s",
    "as": ["alice", "bob"],
    "routes": [
        {"name": "client list API", "path": "/api/app/clients", "weight": 16},
        {"name": "client list page", "path": "/app/clients", "weight": 14},
        {"name": "monthly report", "path": "/api/reports/monthly", "weight": 8},
        {"name": "yearly report", "path": "/app/reports/yearly", "weight": 1},
    ],
}


# The staff of the two tenants log in through the real form (demo/staff.py); their passwords
# reach the config the way CI secrets would, through the environment.
DEMO_IDENTITIES = {
    "alice": {
        "login": {
            "page": "/login",
            "fields": {"email": "alice@acme.test", "password": "${DEMO_ALICE_PASSWORD}"},
        }
    },
    "bob": {
        "login": {
            "page": "/login",
            "fields": {"email": "bob@beta.test", "password": "${DEMO_BOB_PASSWORD}"},
        }
    },
}
# Log in, list, create, edit, delete, log out: what staff do every morning.
DEMO_FLOWS = [
    {
        "name": "alice manages a client",
        "as": "alice",
        "writes": True,
        "steps": [
            {"name": "list", "path": "/app/clients", "expect_text": "Clients of Acme"},
            {
                "name": "create",
                "method": "POST",
                "path": "/api/app/clients",
                "json": {"name": "launchgate probe"},
                "expect_status": 201,
                "capture": {"id": "id"},
            },
            {
                "name": "edit",
                "method": "PATCH",
                "path": "/api/app/clients/{{id}}",
                "json": {"name": "launchgate probe (renamed)"},
                "expect_json": {"name": "launchgate probe (renamed)"},
            },
            {
                "name": "add by form",
                "submit": {
                    "page": "/app/clients",
                    "action": "/app/clients/new",
                    "fields": {"name": "launchgate form probe"},
                },
                "expect_text": "launchgate form probe",
            },
            {
                "name": "delete",
                "method": "DELETE",
                "path": "/api/app/clients/{{id}}",
                "expect_status": 204,
            },
            {
                "name": "log out",
                "logout": True,
                "submit": {"page": "/app/clients", "action": "/logout"},
            },
            {"name": "signed out", "path": "/app/clients", "expect_denied": True},
        ],
    }
]
DEMO_ACCESS = {
    "rules": [
        {"path": "/app/clients", "allow": ["alice", "bob"], "deny": ["anonymous"]},
        {"path": "/api/admin/users", "deny": ["anonymous", "alice"]},
    ],
    # The planted bug: Beta's staff can read Acme's clients by changing the id.
    "tenants": [
        {
            "owner": "alice",
            "other": "bob",
            "list": "/api/app/clients",
            "ids": "results.*.id",
            "item": "/api/app/clients/{{id}}",
            "max": 3,
        }
    ],
}


def demo_env() -> dict[str, str]:
    """The environment the demo config reads its staff passwords from."""
    from launchgate.demo.staff import USERS

    return {user.env: user.password for user in USERS}


def demo_config(
    url: str, connect_to: dict[str, str] | None = None, dns: dict[str, object] | None = None
) -> dict[str, object]:
    checks: dict[str, object] = {
        # run against the sample repo (sample-repo/, base main, head feature)
        "secrets": {"diff": True, "history": True},
        "smoke": {"steps": DEMO_STEPS, "flows": DEMO_FLOWS},
        "access": DEMO_ACCESS,
        "load": DEMO_LOAD,
    }
    if dns:
        checks["dns"] = dns
    config: dict[str, object] = {
        "url": url,
        # The demo app lives on loopback; a real gate refuses private targets by default.
        "allow_private_targets": True,
        "identities": DEMO_IDENTITIES,
        "checks": checks,
    }
    if connect_to:
        # The HTTPS front (demo/tls.py): app.demo.test mapped to loopback, its CA trusted.
        config.update(ca_bundle=DEMO_CA_FILE, connect_to=connect_to)
        checks.update(_web_checks())
    return config


def _web_checks() -> dict[str, object]:
    from launchgate.demo.tls import APP_HOST

    return {
        "tls": {"hosts": [APP_HOST]},
        "redirects": {"canonical": f"https://{APP_HOST}", "hosts": [APP_HOST]},
        "exposure": {"protected_paths": ["/api/admin/users"], "cors_paths": ["/api/clients"]},
    }


def run_demo(output: Path, *, quiet: bool = False) -> int:
    from launchgate.config import load_config
    from launchgate.demo.sample_repo import build_sample_repo
    from launchgate.demo.tls import DemoFront
    from launchgate.handover import build_handover
    from launchgate.progress import Progress
    from launchgate.redact import Redactor
    from launchgate.render.handover import render_handover
    from launchgate.render.markdown import render_markdown
    from launchgate.render.text import render_text
    from launchgate.report import Target
    from launchgate.runner import run_gate

    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--output {output}: {exc.strerror or exc}") from None
    from launchgate.demo.dnsdemo import demo_dns_config, demo_dns_server

    sample, base, head = build_sample_repo(output / "sample-repo")
    with DemoFront(output / DEMO_CA_FILE) as app, demo_dns_server() as dns_server:
        config_path = output / ".launchgate.yml"
        settings = demo_config(app.url, app.connect_to(), demo_dns_config(dns_server.nameserver))
        config_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        config = load_config(config_path, env={**os.environ, **demo_env()})
        progress = Progress(quiet=quiet, redactor=Redactor(config.secret_values))
        progress.info(
            f"launchgate demo: an admin app is running at {app.url} (HTTPS with a "
            f"local CA, {output / DEMO_CA_FILE}; reached through connect_to)"
        )
        target = Target(url=config.url, repo=str(sample.resolve()), base=base, head=head)
        report = run_gate(config, target, progress=progress)
    data = report.to_json()
    (output / "report.json").write_text(report.dumps(), encoding="utf-8")
    (output / "report.md").write_text(render_markdown(data), encoding="utf-8")
    handover = build_handover(data, sample, report_source="the demo's `report.json`")
    (output / "HANDOVER.md").write_text(render_handover(handover), encoding="utf-8")
    print(render_text(data, color=sys.stdout.isatty()), end="")
    print(f"\nWrote {output / 'report.md'}, {output / 'report.json'} and {output / 'HANDOVER.md'}.")
    if report.verdict.value == "fail":
        print(
            "The demo app has planted problems, so this verdict is meant to fail: in CI, "
            "`launchgate check` would exit 1 here and the required status would block the "
            "merge."
        )
    # The demo itself succeeded when it reached a verdict; `error` means part of it broke.
    return 3 if report.verdict.value == "error" else 0
