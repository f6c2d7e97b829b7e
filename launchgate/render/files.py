"""The report files: JSON, markdown and SARIF written side by side. Both faces use it: the
CLI's `--json/--markdown/--sarif` and the Action's `launchgate-report/` directory."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from launchgate.errors import UsageError
from launchgate.render.markdown import render_markdown
from launchgate.render.sarif import render_sarif
from launchgate.report import Report


def write_report_files(
    report: Report,
    *,
    json_path: str | None = None,
    markdown_path: str | None = None,
    sarif_path: str | None = None,
    run_url: str | None = None,
    on_error: Callable[[str, OSError], None] | None = None,
) -> None:
    """Write each report file whose path is given; an unwritable path is a UsageError naming
    the CLI flag it came from, or, with `on_error`, is handed to it (path, error) and the
    other files are still written (the Action: a file it cannot write never hides the
    verdict)."""
    data = report.to_json()
    outputs: list[tuple[str | None, str, Callable[[], str]]] = [
        (json_path, "--json", report.dumps),
        (markdown_path, "--markdown", lambda: render_markdown(data, run_url=run_url)),
        (sarif_path, "--sarif", lambda: json.dumps(render_sarif(data), indent=2) + "\n"),
    ]
    for path, flag, render in outputs:
        if not path:
            continue
        try:
            Path(path).write_text(render(), encoding="utf-8")
        except OSError as exc:
            if on_error is None:
                raise UsageError(f"{flag} {path}: {exc.strerror or exc}") from None
            on_error(path, exc)
