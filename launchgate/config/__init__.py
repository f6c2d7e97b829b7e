"""`.launchgate.yml`: its typed shape (`schema`) and the loader that validates a file into it
(`loader`), with errors that name the file, line and key."""

from __future__ import annotations

from launchgate.config.loader import (
    DEFAULT_CONFIG_NAMES,
    MISSING_CREDENTIALS_CHOICES,
    find_config,
    load_config,
    parse_duration,
    parse_set_option,
    redact_url,
    validate_url,
)
from launchgate.config.schema import (
    ANONYMOUS,
    MAX_DURATION_S,
    MAX_USERS,
    MAX_WORKERS,
    AccessConfig,
    AccessRule,
    ChecksConfig,
    Config,
    DnsConfig,
    ExposureConfig,
    FlowStep,
    HeadersConfig,
    IdentityConfig,
    LoadConfig,
    LoadRoute,
    LoginConfig,
    RedirectsConfig,
    SecretsConfig,
    SmokeConfig,
    SmokeFlow,
    SmokeStep,
    SubmitForm,
    TenantProbe,
    TlsConfig,
    WatchConfig,
)

__all__ = [
    "ANONYMOUS", "DEFAULT_CONFIG_NAMES", "MAX_DURATION_S", "MAX_USERS",
    "MAX_WORKERS", "MISSING_CREDENTIALS_CHOICES",
    "AccessConfig", "AccessRule", "ChecksConfig", "Config", "DnsConfig", "ExposureConfig",
    "FlowStep", "HeadersConfig", "IdentityConfig", "LoadConfig", "LoadRoute", "LoginConfig",
    "RedirectsConfig", "SecretsConfig", "SmokeConfig", "SmokeFlow", "SmokeStep", "SubmitForm",
    "TenantProbe", "TlsConfig", "WatchConfig",
    "find_config", "load_config", "parse_duration", "parse_set_option",
    "redact_url", "validate_url",
]
