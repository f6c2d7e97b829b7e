"""The state of one Action run, shared by its parts: the environment, where the log goes,
the workspace, the step outputs, the publisher, and whether the verdict is already out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from launchgate.action.publisher import Publisher

REPORT_DIR = "launchgate-report"


@dataclass
class Run:
    env: Mapping[str, str]
    out: TextIO
    workspace: Path
    log: Callable[[str], None]
    outputs: dict[str, str] = field(default_factory=dict)
    publisher: Publisher | None = None
    # The verdict's exit code once the comment and final status were published: a crash or
    # cancellation after that point keeps the verdict instead of overriding it with `error`.
    decided: int | None = None
