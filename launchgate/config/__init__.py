"""`.launchgate.yml`: its typed shape (`schema`) and the loader that validates a file into it
(`loader`), with errors that name the file, line and key."""

from __future__ import annotations

from launchgate.config.loader import (
    DEFAULT_CONFIG_NAMES,
    find_config,
    load_config,
    parse_duration,
    parse_nameserver,
    parse_set_option,
    redact_url,
    validate_url,
)
from launchgate.config.schema import (
    MAX_DURATION_S,
    MAX_USERS,
    MAX_WORKERS,
    ChecksConfig,
    Config,
    DnsConfig,
    ExposureConfig,
    HeadersConfig,
    LoadConfig,
    LoadRoute,
    RedirectsConfig,
    SecretsConfig,
    SmokeConfig,
    SmokeStep,
    TlsConfig,
)

__all__ = [
    "DEFAULT_CONFIG_NAMES", "MAX_DURATION_S", "MAX_USERS", "MAX_WORKERS",
    "ChecksConfig", "Config", "DnsConfig", "ExposureConfig", "HeadersConfig", "LoadConfig",
    "LoadRoute", "RedirectsConfig", "SecretsConfig", "SmokeConfig", "SmokeStep", "TlsConfig",
    "find_config", "load_config", "parse_duration", "parse_nameserver", "parse_set_option",
    "redact_url", "validate_url",
]
