"""The names every layer agrees on: the checks (in run order), the `fail_on` choices and the
shape of a finding id. Standard library only and cheap to import: the CLI's argument parser
reads it before anything else is loaded, and `launchgate --version` must stay fast.

A new check adds its name here (the CLI, the Action, the config and the registry read it),
its class to `launchgate.checks`, and its finding ids to `launchgate.findings`.
"""

from __future__ import annotations

import re

# Run order: fast, local and decisive checks first; the load test last, as it takes longest.
CHECK_NAMES: tuple[str, ...] = (
    "secrets",
    "tls",
    "redirects",
    "headers",
    "exposure",
    "smoke",
    "access",
    "dns",
    "load",
)
# The lowest severity that fails the gate; `never` reports without failing.
FAIL_ON_CHOICES: tuple[str, ...] = ("blocker", "important", "later", "never")
# `gate_on: new` (with a comparison) lets only the findings a change adds decide the verdict.
GATE_ON_CHOICES: tuple[str, ...] = ("all", "new")
# `<check>.<kebab-case>`, e.g. `headers.csp-missing`.
FINDING_ID_PATTERN = re.compile(r"^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$")
