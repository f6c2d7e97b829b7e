"""The `data:` values of a Kubernetes Secret manifest.

A Secret's `data` map holds base64 values (kubernetes.io, "Secrets": "the values for all keys
in the data field have to be base64-encoded strings"), which no text rule can read: a
`DATABASE_URL: cG9zdGdyZXM6Ly8...` or a `tls.key: LS0tLS1CRUdJTi...` looks like noise. Lines are
judged one at a time (the `kind: Secret` line is usually elsewhere in the file), so the rules
look at the values themselves:

* `exact`: a base64 value that decodes to a PEM private key, a database URL with a password, or
  a Docker registry config (`.dockerconfigjson`) with credentials. The base64 of those texts
  starts with known characters (base64 of `-----BEGIN` is `LS0tLS1CRUdJT`), which is what the
  pre-filter looks for.
* `loose`: a `key: value` line whose key names a secret (`password`, `token`, `api-key`,
  `credentials`, ...) and whose value is valid base64 of a random-looking text of 8 or more
  characters (or of 16 or more bytes). Public keys, certificates, ids and hashes are left out.
"""

from __future__ import annotations

import json
import re
from typing import ClassVar

from launchgate.secrets.plugins import databases
from launchgate.secrets.plugins._base import (
    LaunchgateDetector,
    b64_prefix,
    b64decode_loose,
    has_placeholder_word,
    random_enough,
    shannon,
)

_ENCODED_STARTS = sorted(
    {
        b64_prefix(text)
        for text in (
            b"-----BEGIN",
            b'{"auths":',
            b'{\n  "auths":',
            b'{\n    "auths":',
            b'{\n\t"auths":',
            b'{ "auths":',
            *(scheme.encode() + b"://" for scheme in databases.SCHEMES),
        )
    }
)

_VALUE = r"[A-Za-z0-9+/]{12,}={0,2}"


class KubernetesSecretEncodedCredentialDetector(LaunchgateDetector):
    """A base64 value that decodes to a private key, a database URL or registry credentials."""

    secret_type = "Kubernetes Secret Data (encoded credential)"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(
            r"(?<![A-Za-z0-9+/])(?P<secret>(?:"
            + "|".join(re.escape(s) for s in _ENCODED_STARTS)
            + r")[A-Za-z0-9+/]*={0,2})(?![A-Za-z0-9+/=])"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        raw = b64decode_loose(value)
        if raw is None:
            return False
        text = raw.decode("utf-8", errors="replace")
        if text.startswith("-----BEGIN"):
            return "PRIVATE KEY-----" in text.split("\n", 1)[0] and len(raw) > 100
        if text.lstrip().startswith("{"):
            return _docker_config_has_credentials(text)
        return any(True for _ in databases.DatabaseUrlDetector().analyze_string(text))


def _docker_config_has_credentials(text: str) -> bool:
    try:
        config = json.loads(text)
    except ValueError:
        return False
    auths = config.get("auths") if isinstance(config, dict) else None
    if not isinstance(auths, dict):
        return False
    for entry in auths.values():
        if isinstance(entry, dict) and any(
            isinstance(entry.get(k), str)
            and len(entry[k]) >= 4
            and not has_placeholder_word(entry[k])
            for k in ("auth", "password", "identitytoken")
        ):
            return True
    return False


_SECRET_KEY_WORDS = (
    r"password|passwd|secret|token|api[_-]?key|access[_-]?key|"
    r"private[_-]?key|credentials?"
)
_NOT_SECRET_KEYS = (
    "public",
    "pub_",
    "pubkey",
    "cert",
    "crt",
    "hash",
    "checksum",
    "_id",
    "-id",
    ".id",
    "keyid",
    "key_id",
    "fingerprint",
)


class KubernetesSecretDataDetector(LaunchgateDetector):
    """A secret-named `key: <base64>` entry whose value decodes to a random-looking secret."""

    secret_type = "Kubernetes Secret Data"  # pragma: allowlist secret
    strength: ClassVar[str] = "loose"
    denylist = (
        re.compile(
            # the key's runs around the secret word are bounded, the second possessive:
            # unbounded, a long run of "password"s backtracks quadratically
            r"^\s*[\"']?(?P<key>[A-Za-z0-9_.-]{0,100}?(?i:"
            + _SECRET_KEY_WORDS
            + r")[A-Za-z0-9_.-]{0,100}+)[\"']?\s*:\s*[\"']?(?P<secret>"
            + _VALUE
            + r")[\"']?,?\s*$"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        key = match.group("key").lower()
        if any(word in key for word in _NOT_SECRET_KEYS) or len(value) % 4:
            return False
        raw = b64decode_loose(value)
        if raw is None:
            return False
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # binary key material
            return len(raw) >= 16 and shannon(raw.decode("latin-1")) >= 3.5
        if not text.isprintable() or len(text) < 8 or " " in text.strip():
            return False
        return random_enough(text, min_bits=2.5)
