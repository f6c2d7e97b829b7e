"""Cloud platforms: Google service-account keys, Azure connection strings, DigitalOcean,
Databricks and Supabase.

* Google Cloud (cloud.google.com, "Create and delete service account keys"): the JSON key file
  holds the PEM key as a JSON string in its `private_key` member (PEM text, newlines escaped
  as `\\n`), next to `client_email` (`...iam.gserviceaccount.com`). Lines are judged one at
  a time, so the rule is the `private_key` member with an escaped PEM body that decodes to
  DER; the value is the key body itself, so two keys are two secrets.
* Azure (learn.microsoft.com, Service Bus / Event Hubs "SAS" and storage "SAS" docs):
  `SharedAccessKey=` with a 256-bit key in base64 (44 characters), and a SAS token's `sig=`
  (an HMAC-SHA256, base64, usually URL-encoded) after its `sv=YYYY-MM-DD` version.
  detect-secrets already reports storage `AccountKey=` values.
* DigitalOcean (docs.digitalocean.com release note 2022 "API token format"): `dop_v1_`,
  `doo_v1_`, `dor_v1_` + 64 hex characters.
* Databricks (docs.databricks.com, "personal access tokens"): `dapi` + 32 hex characters, with
  an optional `-N` suffix on Azure.
* Supabase (supabase.com/docs/guides/api/api-keys): secret keys `sb_secret_...`, and the legacy
  `service_role` key, a JWT whose payload says `"role": "service_role"` and
  `"iss": "supabase"`. The publishable `sb_publishable_` key and the `anon` JWT are public, and
  the CLI's well-known local demo key (`"iss": "supabase-demo"`) is not a secret either.
"""

from __future__ import annotations

import json
import re
from typing import ClassVar

from launchgate.secrets.plugins._base import LaunchgateDetector, b64decode_loose, random_enough

_END = r"(?![A-Za-z0-9_])"


class GoogleServiceAccountKeyDetector(LaunchgateDetector):
    """The private key of a Google Cloud service-account JSON key file."""

    secret_type = "Google Cloud Service Account Key"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(
            r"\"private_key\"\s*:\s*\"(?P<secret>-----BEGIN (?:RSA )?PRIVATE "
            r"KEY-----(?:\\\\?n)+(?P<body>[A-Za-z0-9+/=]{40,}"
            r"(?:(?:\\\\?n)+[A-Za-z0-9+/=]+)*))"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        body = re.sub(r"(?:\\\\?n)+", "", match.group("body"))
        der = b64decode_loose(body[: len(body) // 4 * 4])
        return der is not None and len(der) >= 48 and der[0] == 0x30


class AzureSharedAccessKeyDetector(LaunchgateDetector):
    """Azure Service Bus / Event Hubs / IoT Hub shared access keys and SAS signatures."""

    secret_type = "Azure Shared Access Key"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(r"SharedAccessKey=(?P<secret>[A-Za-z0-9+/]{43}=)"),
        re.compile(
            r"sv=[0-9]{4}-[0-9]{2}-[0-9]{2}&[^\s\"'<>]{0,600}?sig="
            r"(?P<secret>(?:[A-Za-z0-9+/]|%2[BbFf]){42,44}(?:%3[Dd]|=))"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(value.replace("%2B", "+").replace("%2F", "/"), min_bits=4.0)


class DigitalOceanTokenDetector(LaunchgateDetector):
    """DigitalOcean personal access, OAuth and refresh tokens."""

    secret_type = "DigitalOcean Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (re.compile(r"do[opr]_v1_(?P<body>[a-f0-9]{64})" + _END),)

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=3.3)


class DatabricksTokenDetector(LaunchgateDetector):
    """Databricks personal access tokens."""

    secret_type = "Databricks Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (re.compile(r"(?<![A-Za-z0-9_])dapi(?P<body>[a-f0-9]{32})(?:-[0-9])?" + _END),)

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=3.0)


class SupabaseSecretKeyDetector(LaunchgateDetector):
    """Supabase secret API keys (`sb_secret_`)."""

    secret_type = "Supabase Secret Key"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(
            r"(?<![A-Za-z0-9_])sb_secret_(?P<body>[A-Za-z0-9_-]{20,80})"
            r"(?![A-Za-z0-9_-])"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=3.5)


class SupabaseServiceRoleKeyDetector(LaunchgateDetector):
    """Supabase's legacy `service_role` key: a JWT that says so in its payload."""

    secret_type = "Supabase service_role Key"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(
            # header and payload are bounded and possessive: every `eyJ` inside a long
            # base64url run starts a match attempt, which must not scan the whole run
            r"eyJ[A-Za-z0-9_-]{10,1000}+\.(?P<payload>eyJ[A-Za-z0-9_-]{20,4000}+)"
            r"\.[A-Za-z0-9_-]{20,}"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        claims = jwt_claims(match.group("payload"))
        issuer = str(claims.get("iss", ""))
        return (
            claims.get("role") == "service_role"
            and issuer.startswith("supabase")
            and issuer != "supabase-demo"
        )


def jwt_claims(segment: str) -> dict[str, object]:
    """The JSON object in a JWT's payload segment ({} when it is not one)."""
    raw = b64decode_loose(segment, urlsafe=True)
    if raw is None:
        return {}
    try:
        claims = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}
