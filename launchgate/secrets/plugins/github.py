"""GitHub tokens: the checksummed `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` family and fine-grained PATs.

Formats as GitHub published them (github.blog, 2021-04-05 "Behind GitHub's new authentication
token formats"; changelog 2021-03-31): a type prefix (`ghp_` personal, `gho_` OAuth, `ghu_`
user-to-server, `ghs_` server-to-server, `ghr_` refresh), then 30 random base62 characters and
a 6-character base62 CRC32 of those 30 (alphabet 0-9A-Z a-z). A random 36-character string
passes the checksum once in 2**32. Fine-grained personal access tokens (2022) are
`github_pat_`, 22 base62 characters, `_`, 59 base62 characters (93 in all); GitHub publishes no
checksum algorithm for them, so the rule is the exact prefix, shape and length.
"""

from __future__ import annotations

import re
from typing import ClassVar

from launchgate.secrets.plugins._base import LaunchgateDetector, crc32_base62, random_enough

_START = r"(?<![A-Za-z0-9_])"
_END = r"(?![A-Za-z0-9_])"


class GitHubChecksumTokenDetector(LaunchgateDetector):
    """GitHub personal, OAuth, app and refresh tokens whose CRC32 checksum is valid."""

    secret_type = "GitHub Token (checksum)"  # pragma: allowlist secret
    strength: ClassVar[str] = "checksum"
    denylist = (re.compile(_START + r"gh[pousr]_[A-Za-z0-9]{36}" + _END),)

    def accept(self, value: str, match: re.Match[str]) -> bool:
        body = value[4:]
        return crc32_base62(body[:30]) == body[30:]


class GitHubFineGrainedTokenDetector(LaunchgateDetector):
    """GitHub fine-grained personal access tokens (`github_pat_`)."""

    secret_type = "GitHub Fine-Grained Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (re.compile(_START + r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}" + _END),)

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(value[len("github_pat_") :], min_bits=4.0)
