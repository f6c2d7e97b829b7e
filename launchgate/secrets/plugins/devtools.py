"""Developer services: Atlassian, Sentry, Shopify, Doppler, HashiCorp Vault and Terraform Cloud.

* Atlassian (id.atlassian.com API tokens issued since early 2023): `ATATT3` + a base64url body,
  ending with `=` and 8 hexadecimal characters (a checksum Atlassian does not document, so the
  rule is the shape).
* Sentry (docs.sentry.io, "Auth Tokens"): organization tokens `sntrys_` + a base64 JSON
  payload (it carries `iat`, the `url` and the `org`) + `_` + the secret, and user tokens
  `sntryu_` + 64 hex characters. A DSN carries only a public key and is meant to ship to
  browsers; the legacy DSN with a secret key (`https://<public>:<secret>@.../<project>`) is
  reported.
* Shopify (shopify.dev changelog, April 2020, access token prefixes): `shpat_` (admin API),
  `shpca_` (custom app), `shppa_` (private app), `shpss_` (shared secret), `shpua_` + 32 hex.
* Doppler (docs.doppler.com, "API" authentication): personal `dp.pt.`, service `dp.st.` (with
  the config's name: `dp.st.prd.`), service account `dp.sa.`, CLI `dp.ct.`, SCIM `dp.scim.`,
  audit `dp.audit.` + 40 to 44 alphanumerics.
* HashiCorp Vault (developer.hashicorp.com, "Tokens"; Vault 1.10 prefixes): service `hvs.`,
  batch `hvb.`, recovery `hvr.` + a base64url body; Terraform Cloud / HCP Terraform API tokens:
  14 characters, `.atlasv1.`, 60 to 70 more.
"""

from __future__ import annotations

import json
import re
from typing import ClassVar

from launchgate.secrets.plugins._base import LaunchgateDetector, b64decode_loose, random_enough

_START = r"(?<![A-Za-z0-9_])"
_END = r"(?![A-Za-z0-9_-])"


class AtlassianApiTokenDetector(LaunchgateDetector):
    """Atlassian Cloud API tokens (`ATATT3...=XXXXXXXX`)."""

    secret_type = "Atlassian API Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(_START + r"ATATT3(?P<body>[A-Za-z0-9_-]{150,250})=[A-Fa-f0-9]{8}" + _END),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=4.5)


class SentryTokenDetector(LaunchgateDetector):
    """Sentry organization and user auth tokens, and DSNs that carry a secret key."""

    secret_type = "Sentry Auth Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(r"sntrys_(?P<payload>eyJ[A-Za-z0-9+/=_-]{20,600}?)_[A-Za-z0-9+/_-]{43}" + _END),
        re.compile(_START + r"sntryu_(?P<body>[a-f0-9]{64})" + _END),
        re.compile(
            # the host's two runs are bounded (a host name is at most 253 characters) and
            # the second is possessive: unbounded, they backtrack quadratically on a long
            # run of "sentry"s
            r"https?://[a-f0-9]{32}:(?P<secret>[a-f0-9]{32})@[A-Za-z0-9.-]{0,253}?sentry"
            r"[A-Za-z0-9.-]{0,253}+(?::[0-9]+)?/(?:[A-Za-z0-9_-]+/)*[0-9]+"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        groups = match.re.groupindex
        if "payload" in groups:
            raw = b64decode_loose(match.group("payload").rstrip("="))
            try:
                claims = json.loads(raw) if raw else None
            except (ValueError, UnicodeDecodeError):
                return False
            return isinstance(claims, dict) and "iat" in claims
        if "body" in groups:
            return random_enough(match.group("body"), min_bits=3.0)
        return random_enough(value, min_bits=3.0)


class ShopifyTokenDetector(LaunchgateDetector):
    """Shopify admin API access tokens and app shared secrets."""

    secret_type = "Shopify Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (re.compile(_START + r"shp(?:at|ca|pa|ss|ua)_(?P<body>[a-fA-F0-9]{32})" + _END),)

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=3.0)


class DopplerTokenDetector(LaunchgateDetector):
    """Doppler personal, service, service-account, CLI, SCIM and audit tokens."""

    secret_type = "Doppler Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(
            _START + r"dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{1,40}\.)?"
            r"(?P<body>[A-Za-z0-9]{40,44})" + _END
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=4.0)


class VaultTokenDetector(LaunchgateDetector):
    """HashiCorp Vault service/batch/recovery tokens and Terraform Cloud API tokens."""

    secret_type = "HashiCorp Vault Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "exact"
    denylist = (
        re.compile(_START + r"hv[sbr]\.(?P<body>[A-Za-z0-9_-]{24,400})" + _END),
        re.compile(_START + r"[A-Za-z0-9]{14}\.atlasv1\.(?P<body>[A-Za-z0-9_-]{60,70})" + _END),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        return random_enough(match.group("body"), min_bits=4.0)
