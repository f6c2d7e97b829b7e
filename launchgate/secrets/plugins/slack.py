"""Slack's newer token families and webhooks (api.slack.com "Token types"; the
`tooling.tokens.rotate` reference for configuration and refresh tokens).

detect-secrets knows the classic `xox[abposr]-` tokens and `hooks.slack.com/services/` webhooks.
This adds app-level tokens (`xapp-`), configuration tokens (`xoxe.xoxp-`, `xoxe.xoxb-`),
refresh tokens (`xoxe-`), the web client's session tokens (`xoxc-`) and the webhooks of
Workflow Builder (`hooks.slack.com/workflows/` and `/triggers/`).
"""

from __future__ import annotations

import re
from typing import ClassVar

from launchgate.secrets.plugins._base import LaunchgateDetector, random_enough

_END = r"(?![A-Za-z0-9_-])"


class SlackAppTokenDetector(LaunchgateDetector):
    """Slack app-level, configuration, refresh and session tokens."""

    secret_type = "Slack Token (current formats)"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(r"xapp-[0-9]-[A-Z0-9]{9,12}-[0-9]{10,16}-(?P<body>[a-f0-9]{64})" + _END),
        re.compile(r"xoxe\.xox[bp]-[0-9]-(?P<body>[A-Za-z0-9]{100,250})" + _END),
        re.compile(r"(?<![.A-Za-z0-9])xoxe-[0-9]-(?P<body>[A-Za-z0-9]{100,250})" + _END),
        re.compile(r"xoxc-[0-9]{8,14}-[0-9]{8,14}-[0-9]{8,14}-(?P<body>[a-f0-9]{64})" + _END),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=3.5)


class SlackWorkflowWebhookDetector(LaunchgateDetector):
    """Slack Workflow Builder webhooks (`/workflows/` and `/triggers/` URLs)."""

    secret_type = "Slack Workflow Webhook"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(
            r"https://hooks\.slack\.com/(?:workflows|triggers)/T[A-Z0-9]{8,12}/"
            r"(?:A[A-Z0-9]{8,12}/)?[0-9]{8,20}/(?P<body>[a-f0-9]{32})" + _END
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=3.0)
