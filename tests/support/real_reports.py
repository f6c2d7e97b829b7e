"""Reports made by real `launchgate check` runs, shared by the report and renderer tests:

- `pass`: the demo app, smoke only, verdict pass;
- `fail`: the echo server with one failing smoke step per severity (two re-graded through
  `severity_overrides`), verdict fail;
- `error`: loopback refused (no `--allow-private-targets`), verdict error.

Each is made once per test session; the dict maps the name to (exit code, the files written).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from launchgate.demo.app import DemoServer
from tests.conftest import run_cli
from tests.support.echo_server import EchoServer

MIXED_CONFIG = """allow_private_targets: true
severity_overrides: {smoke.text-missing: important, smoke.unreachable: later}
checks:
  smoke:
    steps:
      - {name: reports page, path: /missing, expect_status: 200}
      - {name: echo, path: /echo, expect_text: "text that is not there"}
      - {name: hang up, path: /close}
"""


@dataclass(frozen=True)
class RealReport:
    code: int
    json: Path
    markdown: Path
    sarif: Path
    stdout: str
    stderr: str


def _run(out: Path, name: str, *args: str) -> RealReport:
    files = {kind: out / f"{name}.{kind}" for kind in ("json", "md", "sarif")}
    result = run_cli(
        "check",
        *args,
        "--json",
        str(files["json"]),
        "--markdown",
        str(files["md"]),
        "--sarif",
        str(files["sarif"]),
    )
    return RealReport(
        result.code, files["json"], files["md"], files["sarif"], result.stdout, result.stderr
    )


def build(out: Path) -> dict[str, RealReport]:
    reports: dict[str, RealReport] = {}
    out.mkdir(parents=True, exist_ok=True)
    with DemoServer() as demo:
        reports["pass"] = _run(
            out, "pass", "--url", demo.url, "--allow-private-targets", "--only", "smoke"
        )
        reports["error"] = _run(out, "error", "--url", demo.url, "--only", "smoke")
    config = out / "mixed.yml"
    with EchoServer() as echo:
        config.write_text(f"url: {echo.url}\n{MIXED_CONFIG}")
        reports["fail"] = _run(out, "fail", "--config", str(config), "--only", "smoke")
    return reports
