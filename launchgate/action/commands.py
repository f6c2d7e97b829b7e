"""Talking to the runner through workflow commands and its files: annotations
(`::error ...::`), step outputs (GITHUB_OUTPUT), the job summary (GITHUB_STEP_SUMMARY), and
`::stop-commands::` around text the runner must not obey.

A file the Action cannot write (a runner file, or a report file in the workspace) is a warning
(`file_warning`), never a change of verdict: the status and the comment are still published."""

from __future__ import annotations

import contextlib
import secrets as pysecrets
from collections.abc import Callable, Iterator, Mapping
from typing import Any

SUMMARY_LIMIT = 1_000_000  # GitHub refuses step summaries over 1 MiB
_LEVEL = {"blocker": "error", "important": "warning", "later": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Mapping[str, Any]) -> str:
    """A workflow command for one finding: file and line when it has them (secrets)."""
    location = finding.get("location") or {}
    props = []
    if location.get("path") and not location.get("url"):
        props.append(f"file={escape_property(str(location['path']).lstrip('/'))}")
        if location.get("line"):
            props.append(f"line={int(location['line'])}")
    title = "launchgate " + str(finding["id"])
    props.append(f"title={escape_property(title)}")
    message = str(finding["title"])
    if finding.get("remedy"):
        message += f". Fix: {finding['remedy']}"
    return f"::{_LEVEL[finding['severity']]} {','.join(props)}::{escape_data(message)}"


def file_warning(what: str, path: str, exc: OSError) -> str:
    """The one warning for a file that could not be written."""
    return (
        f"::warning::launchgate: could not write {what} ({escape_data(path)}): "
        f"{escape_data(exc.strerror or str(exc))}; the verdict is published anyway"
    )


def write_runner_file(
    log: Callable[[str], None], what: str, path: str | None, write: Callable[[str], object]
) -> bool:
    """`write(path)` unless the runner gave no path; False (and a warning) when it failed."""
    if not path:
        return False
    try:
        write(path)
    except OSError as exc:
        log(file_warning(what, path, exc))
        return False
    return True


def write_outputs(path: str | None, values: Mapping[str, str]) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as out:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{pysecrets.token_hex(16)}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def append_summary(path: str | None, markdown: str) -> None:
    if not path:
        return
    if len(markdown.encode("utf-8")) > SUMMARY_LIMIT:
        markdown = markdown.encode("utf-8")[: SUMMARY_LIMIT - 200].decode("utf-8", "ignore")
        markdown += "\n\n**Truncated**: the full report is in launchgate-report/report.json.\n"
    with open(path, "a", encoding="utf-8") as out:
        out.write(markdown if markdown.endswith("\n") else markdown + "\n")


@contextlib.contextmanager
def commands_stopped(log: Callable[[str], None]) -> Iterator[None]:
    """Text from targets and repositories is printed between `::stop-commands::` markers: the
    runner would otherwise obey a line such as `  ::add-mask::` inside a server's answer."""
    token = f"launchgate-{pysecrets.token_hex(16)}"
    log(f"::stop-commands::{token}")
    try:
        yield
    finally:
        log(f"::{token}::")
