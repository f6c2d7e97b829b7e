"""AI providers: OpenAI, Anthropic and Hugging Face keys.

* OpenAI (platform.openai.com, "API keys"; project keys since 2024): `sk-proj-`, `sk-svcacct-`,
  `sk-admin-` (and the older `sk-` user keys), with the marker `T3BlbkFJ` (base64 of "OpenAI")
  between two random base64url parts. detect-secrets' rule wants 20 alphanumerics right after
  the marker, which project keys (they contain `-` and `_`) often do not have.
* Anthropic (console.anthropic.com keys): `sk-ant-` + the key kind and generation (`api03`,
  `admin01`, `oat01`) + `-` + about 95 base64url characters (about 108 in all).
* Hugging Face (huggingface.co/docs/hub/security-tokens): user access tokens `hf_` + 34 letters;
  the deprecated organization tokens `api_org_` + 34 letters.
"""

from __future__ import annotations

import re
from typing import ClassVar

from launchgate.secrets.plugins._base import LaunchgateDetector, random_enough

_END = r"(?![A-Za-z0-9_-])"


class OpenAIKeyDetector(LaunchgateDetector):
    """OpenAI project, service-account, admin and user API keys."""

    secret_type = "OpenAI API Key"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(
            r"(?<![A-Za-z0-9_-])sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{16,}"
            r"T3BlbkFJ[A-Za-z0-9_-]{16,}" + _END
        ),
        re.compile(r"(?<![A-Za-z0-9_-])sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}" + _END),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(value.split("T3BlbkFJ", 1)[1], min_bits=3.5)


class AnthropicKeyDetector(LaunchgateDetector):
    """Anthropic API, admin and OAuth keys (`sk-ant-...`)."""

    secret_type = "Anthropic API Key"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(
            r"(?<![A-Za-z0-9_-])sk-ant-(?:api|admin|oat|ort)[0-9]{2}-"
            r"(?P<body>[A-Za-z0-9_-]{80,120})" + _END
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=4.0)


class HuggingFaceTokenDetector(LaunchgateDetector):
    """Hugging Face user access tokens and organization API tokens."""

    secret_type = "Hugging Face Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(
            r"(?<![A-Za-z0-9_])(?:hf|api_org)_(?P<body>[A-Za-z]{34})"
            r"(?![A-Za-z0-9_])"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        body = match.group("body")
        # random letters: both cases, and not a word-like run of one case
        return random_enough(body, min_bits=4.0) and not body.islower() and not body.isupper()
