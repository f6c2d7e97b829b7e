"""Runs the demo: start the app, write its config, run the whole gate, print the verdict,
write report.json and report.md, and stop everything it started."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from launchgate.errors import UsageError

DEMO_STEPS = [
    {"name": "login page", "path": "/login", "expect_status": 200, "expect_text": "Sign in"},
    {"name": "client list", "path": "/clients", "expect_status": 200, "expect_text": "Client 1"},
    {"name": "admin API needs a login", "path": "/api/admin/users", "expect_status": 401},
]


def demo_config(url: str, dns: dict[str, object] | None = None) -> dict[str, object]:
    checks: dict[str, object] = {"smoke": {"steps": DEMO_STEPS}}
    if dns:
        checks["dns"] = dns
    return {
        "url": url,
        # The demo app lives on loopback; a real gate refuses private targets by default.
        "allow_private_targets": True,
        "checks": checks,
    }


def run_demo(output: Path, *, quiet: bool = False) -> int:
    from launchgate.config import load_config
    from launchgate.demo.app import DemoServer
    from launchgate.progress import Progress
    from launchgate.redact import Redactor
    from launchgate.render.markdown import render_markdown
    from launchgate.render.text import render_text
    from launchgate.report import Target
    from launchgate.runner import run_gate

    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--output {output}: {exc.strerror or exc}") from None
    from launchgate.demo.dnsdemo import demo_dns_config, demo_dns_server

    with DemoServer() as app, demo_dns_server() as dns_server:
        config_path = output / ".launchgate.yml"
        settings = demo_config(app.url, demo_dns_config(dns_server.nameserver))
        config_path.write_text(yaml.safe_dump(settings, sort_keys=False),
                               encoding="utf-8")
        config = load_config(config_path)
        progress = Progress(quiet=quiet, redactor=Redactor(config.secret_values))
        progress.info(f"launchgate demo: an admin app is running at {app.url}")
        report = run_gate(config, Target(url=config.url, repo=str(output.resolve())),
                          progress=progress)
    data = report.to_json()
    (output / "report.json").write_text(report.dumps(), encoding="utf-8")
    (output / "report.md").write_text(render_markdown(data), encoding="utf-8")
    print(render_text(data, color=sys.stdout.isatty()), end="")
    print(f"\nWrote {output / 'report.md'} and {output / 'report.json'}.")
    return report.exit_code
