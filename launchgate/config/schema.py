"""The typed, frozen shape of `.launchgate.yml` (docs/config.md): one dataclass per section.

Field metadata (`setting(kind, min=..., max=...)`) tells the loader how to validate a value;
the loader (`launchgate.config.loader`) walks these dataclasses, so a key exists exactly when
a field does.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from launchgate.report import Severity

# Hard caps: the gate is a smoke-sized load test, never a stress tool pointed at a stranger.
MAX_USERS = 100
MAX_DURATION_S = 600.0
MAX_WORKERS = 16


def setting(kind: str | None = None, **limits: float) -> dict[str, Any]:
    return {"kind": kind, **limits}


# --- the config schema ------------------------------------------------------------------------

@dataclass(frozen=True)
class SecretsConfig:
    enabled: bool = True
    diff: bool = True
    history: bool = True
    baseline: str | None = ".secrets.baseline"
    exclude_paths: tuple[str, ...] = ()
    history_severity: Severity = field(default=Severity.IMPORTANT,
                                       metadata=setting("severity"))
    cache: str | None = None


@dataclass(frozen=True)
class LoadRoute:
    name: str
    path: str = field(metadata=setting("path"))
    method: str = field(default="GET", metadata=setting("method"))
    weight: int = field(default=1, metadata=setting(min=1, max=1000))
    headers: Mapping[str, str] = field(default_factory=dict, metadata=setting("secret-values"))
    json: Any = None
    p95_target_ms: float | None = field(default=None, metadata=setting(min=1))
    p95_blocker_ms: float | None = field(default=None, metadata=setting(min=1))


@dataclass(frozen=True)
class LoadConfig:
    enabled: bool = True
    users: int = field(default=10, metadata=setting(min=1, max=MAX_USERS))
    spawn_rate: float = field(default=10.0, metadata=setting(min=0.1, max=1000))
    duration: float = field(default=30.0, metadata=setting("duration", min=1, max=MAX_DURATION_S))
    warmup: float = field(default=5.0, metadata=setting("duration", min=0, max=MAX_DURATION_S))
    ready_timeout: float = field(default=60.0, metadata=setting("duration", min=0, max=900))
    p95_target_ms: float = field(default=300.0, metadata=setting(min=1))
    p95_blocker_ms: float = field(default=800.0, metadata=setting(min=1))
    max_error_rate: float = field(default=0.01, metadata=setting(min=0, max=1))
    min_samples: int = field(default=200, metadata=setting(min=1))
    workers: int = field(default=0, metadata=setting(min=0, max=MAX_WORKERS))
    routes: tuple[LoadRoute, ...] = ()


@dataclass(frozen=True)
class TlsConfig:
    enabled: bool = True
    hosts: tuple[str, ...] = field(default=(), metadata=setting("host"))
    expiry_blocker_days: int = field(default=7, metadata=setting(min=0))
    expiry_important_days: int = field(default=30, metadata=setting(min=0))
    min_version: str = field(default="TLSv1.2", metadata=setting("tls-version"))


@dataclass(frozen=True)
class RedirectsConfig:
    enabled: bool = True
    canonical: str | None = field(default=None, metadata=setting("url"))
    hosts: tuple[str, ...] = field(default=(), metadata=setting("host"))
    paths: tuple[str, ...] = field(default=("/",), metadata=setting("path"))
    max_hops: int = field(default=3, metadata=setting(min=1, max=20))


@dataclass(frozen=True)
class HeadersConfig:
    enabled: bool = True
    hsts_min_max_age: int = field(default=15552000, metadata=setting(min=0))


@dataclass(frozen=True)
class ExposureConfig:
    enabled: bool = True
    protected_paths: tuple[str, ...] = field(default=(), metadata=setting("path"))
    staging_hosts: tuple[str, ...] = field(default=(), metadata=setting("host"))
    cors_paths: tuple[str, ...] = field(default=(), metadata=setting("path"))
    scan_bundles: bool = True


@dataclass(frozen=True)
class SmokeStep:
    name: str
    path: str = field(metadata=setting("path"))
    method: str = field(default="GET", metadata=setting("method"))
    expect_status: int = field(default=200, metadata=setting(min=100, max=599))
    expect_text: str | None = None


@dataclass(frozen=True)
class SmokeConfig:
    enabled: bool = True
    steps: tuple[SmokeStep, ...] = ()


@dataclass(frozen=True)
class DnsConfig:
    enabled: bool = True
    domain: str | None = field(default=None, metadata=setting("host"))
    hosts: tuple[str, ...] = field(default=(), metadata=setting("host"))
    nameservers: tuple[str, ...] = field(default=(), metadata=setting("nameserver"))
    dkim_selectors: tuple[str, ...] = ()
    sends_email: bool = True
    timeout: float = field(default=3.0, metadata=setting("duration", min=0.1, max=60))


@dataclass(frozen=True)
class ChecksConfig:
    secrets: SecretsConfig = field(default_factory=SecretsConfig)
    load: LoadConfig = field(default_factory=LoadConfig)
    tls: TlsConfig = field(default_factory=TlsConfig)
    redirects: RedirectsConfig = field(default_factory=RedirectsConfig)
    headers: HeadersConfig = field(default_factory=HeadersConfig)
    exposure: ExposureConfig = field(default_factory=ExposureConfig)
    smoke: SmokeConfig = field(default_factory=SmokeConfig)
    dns: DnsConfig = field(default_factory=DnsConfig)


@dataclass(frozen=True)
class Config:
    url: str | None = field(default=None, metadata=setting("url"))
    fail_on: str = field(default="blocker", metadata=setting("fail-on"))
    fail_closed: bool = True
    headers: Mapping[str, str] = field(default_factory=dict, metadata=setting("secret-values"))
    ca_bundle: str | None = field(default=None, metadata=setting("file"))
    connect_to: Mapping[str, str] = field(default_factory=dict, metadata=setting("connect-to"))
    allow_private_targets: bool = False
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict,
                                                        metadata=setting("overrides"))
    checks: ChecksConfig = field(default_factory=ChecksConfig)
    # Not YAML keys: where the config came from and what must be redacted everywhere.
    source: str | None = field(default=None, metadata={"internal": True})
    secret_values: frozenset[str] = field(default_factory=frozenset, metadata={"internal": True})

    @property
    def url_host(self) -> str | None:
        return urllib.parse.urlsplit(self.url).hostname if self.url else None

    def dns_hosts(self) -> tuple[str, ...]:
        """`checks.dns.hosts`, defaulting to every host named elsewhere in the config, except
        `exposure.staging_hosts`: a staging host that does not resolve publicly is right."""
        if self.checks.dns.hosts:
            return self.checks.dns.hosts
        named: list[str] = []
        for url in (self.url, self.checks.redirects.canonical):
            host = urllib.parse.urlsplit(url).hostname if url else None
            if host:
                named.append(host)
        named += [strip_port(h) for h in self.checks.tls.hosts]
        named += [strip_port(h) for h in self.checks.redirects.hosts]
        return tuple(dict.fromkeys(h.lower().rstrip(".") for h in named if not is_ip_literal(h)))



def strip_port(host: str) -> str:
    return host.rsplit(":", 1)[0] if re.search(r":\d+$", host) else host


def is_ip_literal(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True
