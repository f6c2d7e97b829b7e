"""The Action's inputs: `INPUT_<NAME>` variables, upper-cased with hyphens kept
(`INPUT_GITHUB-TOKEN`), read and validated into `Inputs`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from launchgate.errors import UsageError
from launchgate.names import CHECK_NAMES, FAIL_ON_CHOICES

N = TypeVar("N", int, float)


@dataclass(frozen=True)
class Inputs:
    config: str = ""
    url: str = ""
    token: str = field(default="", repr=False)
    checks: tuple[str, ...] = ()
    fail_on: str = ""
    comment: bool = True
    status_context: str = "launchgate"
    p95_budget_ms: float | None = None
    users: int | None = None
    duration: str = ""
    report: str = ""
    # None: the config decides (`allow_private_targets:`, default false).
    allow_private_targets: bool | None = None
    compare: str = "auto"  # auto | off | a path to a JSON report, relative to the workspace


def input_value(env: Mapping[str, str], name: str) -> str:
    """The runner keeps hyphens (`INPUT_FAIL-ON`); underscores are accepted for local runs."""
    key = f"INPUT_{name.upper()}"
    value = env.get(key)
    if value is None:
        value = env.get(key.replace("-", "_"), "")
    return value.strip()


def status_context(env: Mapping[str, str]) -> str:
    return input_value(env, "status-context") or "launchgate"


def token(env: Mapping[str, str]) -> str:
    """The `github-token` input, else the job's GITHUB_TOKEN."""
    return input_value(env, "github-token") or env.get("GITHUB_TOKEN", "")


def read_inputs(env: Mapping[str, str]) -> Inputs:
    checks = tuple(n.strip() for n in input_value(env, "checks").split(",") if n.strip())
    unknown = [n for n in checks if n not in CHECK_NAMES]
    if unknown:
        raise UsageError(
            f"input checks: unknown check {unknown[0]!r}; choose from {', '.join(CHECK_NAMES)}"
        )
    fail_on = input_value(env, "fail-on")
    if fail_on and fail_on not in FAIL_ON_CHOICES:
        raise UsageError(
            f"input fail-on: expected one of {', '.join(FAIL_ON_CHOICES)}, got {fail_on!r}"
        )
    comment = input_value(env, "comment").lower() or "true"
    if comment not in ("true", "false"):
        raise UsageError(f"input comment: expected true or false, got {comment!r}")
    private = input_value(env, "allow-private-targets").lower()
    if private not in ("", "true", "false"):
        raise UsageError(f"input allow-private-targets: expected true or false, got {private!r}")
    return Inputs(
        config=input_value(env, "config"),
        url=input_value(env, "url"),
        token=token(env),
        checks=checks,
        fail_on=fail_on,
        comment=comment == "true",
        status_context=status_context(env),
        p95_budget_ms=_number(env, "p95-budget-ms", float),
        users=_number(env, "users", int),
        duration=input_value(env, "duration"),
        report=input_value(env, "report"),
        allow_private_targets=None if not private else private == "true",
        compare=input_value(env, "compare") or "auto",
    )


def _number(env: Mapping[str, str], name: str, kind: Callable[[str], N]) -> N | None:
    text = input_value(env, name)
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise UsageError(f"input {name}: expected a number, got {text!r}") from None
    if value <= 0:
        raise UsageError(f"input {name}: must be positive, got {text!r}")
    return value
