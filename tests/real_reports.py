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

import pytest

from launchgate.demo.app import DemoServer
from tests.conftest import run_cli
from tests.echo_server import EchoServer

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


_cache: dict[str, RealReport] = {}


def _run(out: Path, name: str, *args: str) -> RealReport:
    files = {kind: out / f"{name}.{kind}" for kind in ("json", "md", "sarif")}
    result = run_cli("check", *args, "--json", str(files["json"]), "--markdown",
                     str(files["md"]), "--sarif", str(files["sarif"]))
    return RealReport(result.code, files["json"], files["md"], files["sarif"], result.stdout,
                      result.stderr)


def build(out: Path) -> dict[str, RealReport]:
    if _cache:
        return _cache
    out.mkdir(parents=True, exist_ok=True)
    with DemoServer() as demo:
        _cache["pass"] = _run(out, "pass", "--url", demo.url, "--allow-private-targets",
                              "--only", "smoke")
        _cache["error"] = _run(out, "error", "--url", demo.url, "--only", "smoke")
    config = out / "mixed.yml"
    with EchoServer() as echo:
        config.write_text(f"url: {echo.url}\n{MIXED_CONFIG}")
        _cache["fail"] = _run(out, "fail", "--config", str(config), "--only", "smoke")
    return _cache


@pytest.fixture(scope="session")
def real_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, RealReport]:
    return build(tmp_path_factory.getbasetemp() / "real-reports")
