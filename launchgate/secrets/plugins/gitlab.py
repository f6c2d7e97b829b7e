"""GitLab tokens, by the type prefixes GitLab documents ("Token prefixes" in GitLab's security
docs; the `glpat-` default since GitLab 14.5, gitlab-org/gitlab#342327).

Two shapes: the classic one, a prefix and 20 random characters of `[A-Za-z0-9_-]`, and the
routable one GitLab issues since 17.x, a prefix, a base64url payload of at least 27
characters, `.`, a 2-digit version, `.`, and a short base36 tail. detect-secrets' own GitLab
plugin knows seven of the prefixes; this one adds the others (feature-flag client `glffct-`,
runner registration `glrtr-`, workspace `glwt-`, ...) and the routable shape.
"""

from __future__ import annotations

import re
from typing import ClassVar

from launchgate.secrets.plugins._base import LaunchgateDetector, random_enough

PREFIXES = (
    "glpat",
    "gloas",
    "gldt",
    "glrt",
    "glrtr",
    "glcbt",
    "glptt",
    "glft",
    "glimt",
    "glagent",
    "glsoat",
    "glffct",
    "gltst",
    "glwt",
    "glsa",
)

_PREFIX = "(?:" + "|".join(sorted(PREFIXES, key=len, reverse=True)) + ")"


class GitLabPrefixedTokenDetector(LaunchgateDetector):
    """GitLab access, deploy, runner, trigger, feed and other tokens (classic and routable)."""

    secret_type = "GitLab Token (prefixed)"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(r"(?<![A-Za-z0-9_-])" + _PREFIX + r"-[A-Za-z0-9_-]{20}(?![A-Za-z0-9_.-])"),
        re.compile(
            r"(?<![A-Za-z0-9_-])"
            + _PREFIX
            + r"-[A-Za-z0-9_-]{27,300}\.[0-9]{2}\.[a-z0-9]{7,10}(?![A-Za-z0-9_-])"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        body = value.split("-", 1)[1].split(".", 1)[0]
        return random_enough(body, min_bits=3.5)
