"""The one small interface every check implements, and what the runner hands it.

A check takes the config and a shared context (HTTP settings, target, progress) and returns a
`CheckOutcome`: findings, a one-line summary and optional metrics. It raises `CheckSkipped` when
it has no target configured, and `CheckCannotRun` when it could not decide (network down, DNS
timeout, too few samples): the runner turns that into a check `error`, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from launchgate.report import Finding, Target

if TYPE_CHECKING:
    from launchgate.config import Config
    from launchgate.http.transport import HttpContext
    from launchgate.progress import Progress
    from launchgate.redact import Redactor


class CheckSkipped(Exception):
    """Nothing to check (no target configured); the message says why."""


class CheckCannotRun(Exception):
    """The check could not reach a decision; the message says why (never a secret)."""

    def __init__(
        self,
        reason: str,
        *,
        findings: tuple[Finding, ...] = (),
        metrics: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(reason)
        self.findings = findings
        self.metrics = metrics


@dataclass(frozen=True)
class CheckOutcome:
    findings: tuple[Finding, ...] = ()
    summary: str = ""
    metrics: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class CheckContext:
    config: Config
    target: Target
    http: HttpContext
    progress: Progress
    redactor: Redactor
    # Facts one check learned that another may reuse without a second network call (e.g. the
    # certificate issuer for DNS CAA, a CDN seen in response headers for the deployment map).
    # Checks never import each other; they share through here, by documented keys.
    facts: dict[str, Any] = field(default_factory=dict)
    # Set on a read-only production watch: why smoke flows that write are not run.
    read_only: str | None = None


class Check(Protocol):
    name: ClassVar[str]

    def run(self, ctx: CheckContext) -> CheckOutcome: ...
