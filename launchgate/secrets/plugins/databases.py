"""Database and message-broker URLs with a password in them.

The URL forms are the drivers' own (a user and a password before the host): PostgreSQL (libpq
"Connection URIs": `postgresql://`, also `postgres://`), MySQL/MariaDB, MongoDB
(`mongodb://` and the DNS seed list `mongodb+srv://`), Redis (`redis://`, TLS `rediss://`, and
the password-only `redis://:password@host`) and AMQP (`amqp://`, `amqps://`). detect-secrets'
BasicAuthDetector stops at the first reserved character, so it misses passwords such as
`p@ss!w0rd$`-style values and the password-only Redis form.

A loose rule: it keeps every detect-secrets filter, and it does not report a password that is a
placeholder (`password`, `changeme`, `<password>`, `${DB_PASSWORD}`, `%s`, `****`) or the same as
the user name (`postgres:postgres`, `guest:guest`).
"""

from __future__ import annotations

import re
from typing import ClassVar

from launchgate.secrets.plugins._base import (
    COMMON_VALUES,
    LaunchgateDetector,
    has_placeholder_word,
)

SCHEMES = (
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
)


class DatabaseUrlDetector(LaunchgateDetector):
    """A database or broker URL with a literal password."""

    secret_type = "Database URL with Password"  # pragma: allowlist secret
    strength: ClassVar[str] = "loose"
    denylist = (
        re.compile(
            r"(?<![A-Za-z0-9+.-])(?:postgres(?:ql)?|mysql|mariadb|"
            r"mongodb(?:\+srv)?|rediss?|amqps?)://"
            r"(?P<user>[^\s:@/?#\"'`]*):(?P<secret>[^\s@/\"'`]{3,128})"
            r"@(?P<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        lowered = value.lower()
        if lowered in COMMON_VALUES or value == match.group("user") or has_placeholder_word(value):
            return False
        if value.startswith(("$", "%", "{", "<", ":")) or set(value) <= {"*", "x", "X", "."}:
            return False
        return len(set(value)) >= 3
