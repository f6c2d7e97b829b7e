"""The typed, frozen shape of `.launchgate.yml` (docs/config.md): one dataclass per section.

Field metadata (`setting(kind, min=..., max=...)`) tells the loader how to validate a value;
the loader (`launchgate.config.loader`) walks these dataclasses, so a key exists exactly when
a field does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from launchgate.address import host_of, is_ip_literal, strip_port
from launchgate.report import Severity

# The identity that means "no credentials" (docs/auth.md); it cannot be defined.
ANONYMOUS = "anonymous"
# Methods that change data on the server: refused in flows without `writes: true`, and sent
# with the anti-CSRF header a framework expects.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Field names whose values are credentials even when written in the file (redacted like
# `${VAR}` values), and flow captures whose values are secrets (`capture: {token: ...}`).
# Other literal values, such as a user name, stay readable.
SECRET_FIELD = re.compile(r"pass|pwd|secret|token|key|pin|otp|credential|auth|code", re.IGNORECASE)
MAX_TENANT_ITEMS = 50
# Hard caps: the gate is a smoke-sized load test, never a stress tool pointed at a stranger.
MAX_USERS = 100
MAX_DURATION_S = 600.0
MAX_WORKERS = 16


def setting(kind: str | None = None, *, key: str | None = None, **limits: float) -> dict[str, Any]:
    """`key`: the YAML key when it is not the field's name (`as` is a Python keyword)."""
    return {"kind": kind, **({"key": key} if key else {}), **limits}


# --- the config schema ------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretsConfig:
    enabled: bool = True
    diff: bool = True
    history: bool = True
    baseline: str | None = ".secrets.baseline"
    exclude_paths: tuple[str, ...] = ()
    history_severity: Severity = field(default=Severity.IMPORTANT, metadata=setting("severity"))
    cache: str | None = None


@dataclass(frozen=True)
class LoadRoute:
    name: str
    path: str = field(metadata=setting("path"))
    method: str = field(default="GET", metadata=setting("method"))
    weight: int = field(default=1, metadata=setting(min=1, max=1000))
    headers: Mapping[str, str] = field(
        default_factory=dict, repr=False, metadata=setting("secret-values")
    )
    json: Any = field(default=None, repr=False, metadata=setting("credentials"))
    p95_target_ms: float | None = field(default=None, metadata=setting(min=1))
    p95_blocker_ms: float | None = field(default=None, metadata=setting(min=1))
    # The status a good answer has (e.g. 201 for a create); a 3xx is judged unfollowed.
    expect_status: int | None = field(default=None, metadata=setting(min=100, max=599))


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
    # Each route's own p95 is judged too: on at least this many of its samples.
    min_route_samples: int = field(default=20, metadata=setting(min=1))
    workers: int = field(default=0, metadata=setting(min=0, max=MAX_WORKERS))
    routes: tuple[LoadRoute, ...] = ()
    # YAML `as`: identities the simulated users log in as, round-robin (empty: anonymous).
    as_: tuple[str, ...] = field(default=(), metadata=setting("identity", key="as"))


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
class SubmitForm:
    """An HTML form on `page`, submitted like a browser: hidden inputs (CSRF) kept, `fields`
    filled in. `action` picks the form whose action path it is when a page has several."""

    page: str = field(metadata=setting("template-path"))
    fields: Mapping[str, str] = field(
        default_factory=dict, repr=False, metadata=setting("credentials")
    )
    action: str | None = field(default=None, metadata=setting("template-path"))


@dataclass(frozen=True)
class FlowStep:
    """One request of a logged-in flow (docs/auth.md)."""

    name: str | None = None
    path: str | None = field(default=None, metadata=setting("template-path"))
    method: str = field(default="GET", metadata=setting("method"))
    json: Any = field(default=None, repr=False, metadata=setting("credentials"))
    form: Mapping[str, str] | None = field(
        default=None, repr=False, metadata=setting("credentials")
    )
    submit: SubmitForm | None = None
    headers: Mapping[str, str] = field(
        default_factory=dict, repr=False, metadata=setting("secret-values")
    )
    expect_status: int | None = field(default=None, metadata=setting(min=100, max=599))
    expect_text: str | None = None
    expect_json: Mapping[str, Any] = field(default_factory=dict)
    # The page must be denied (401/403/404, or the login page): e.g. after `logout`.
    expect_denied: bool = False
    capture: Mapping[str, str] = field(default_factory=dict)
    # This step ends the session on purpose; it is not a write.
    logout: bool = False

    @property
    def writes(self) -> bool:
        return not self.logout and (self.submit is not None or self.method in WRITE_METHODS)

    def label(self, index: int) -> str:
        return self.name or f"step {index + 1}"


@dataclass(frozen=True)
class SmokeFlow:
    name: str
    steps: tuple[FlowStep, ...]
    as_: str = field(default=ANONYMOUS, metadata=setting("identity", key="as"))
    writes: bool = False


@dataclass(frozen=True)
class SmokeConfig:
    enabled: bool = True
    steps: tuple[SmokeStep, ...] = ()
    flows: tuple[SmokeFlow, ...] = ()


@dataclass(frozen=True)
class AccessRule:
    path: str = field(metadata=setting("path"))
    allow: tuple[str, ...] = field(default=(), metadata=setting("identity"))
    deny: tuple[str, ...] = field(default=(), metadata=setting("identity"))


@dataclass(frozen=True)
class TenantProbe:
    """`other` must not read what `owner` lists: `owner` GETs `list`, the `ids` (a dotted
    path, `*` walks a list) fill `item`'s `{{id}}`, and `other` GETs up to `max` of them."""

    owner: str = field(metadata=setting("identity"))
    other: str = field(metadata=setting("identity"))
    list: str = field(metadata=setting("path"))
    item: str = field(metadata=setting("template-path"))
    ids: str = "*.id"
    max: int = field(default=5, metadata=setting(min=1, max=MAX_TENANT_ITEMS))


@dataclass(frozen=True)
class AccessConfig:
    enabled: bool = True
    rules: tuple[AccessRule, ...] = ()
    tenants: tuple[TenantProbe, ...] = ()
    timeout: float = field(default=60.0, metadata=setting("duration", min=1, max=600))


@dataclass(frozen=True)
class LoginConfig:
    """How an identity logs in: an HTML form (`page` + `fields`) or an API (`path` +
    `json`/`form`, with `token` the dotted path of a bearer token in the JSON answer)."""

    page: str | None = field(default=None, metadata=setting("path"))
    fields: Mapping[str, str] = field(
        default_factory=dict, repr=False, metadata=setting("credentials")
    )
    expect_text: str | None = None
    path: str | None = field(default=None, metadata=setting("path"))
    json: Mapping[str, Any] | None = field(
        default=None, repr=False, metadata=setting("credentials")
    )
    form: Mapping[str, str] | None = field(
        default=None, repr=False, metadata=setting("credentials")
    )
    token: str | None = None


@dataclass(frozen=True)
class IdentityConfig:
    login: LoginConfig | None = None
    headers: Mapping[str, str] = field(
        default_factory=dict, repr=False, metadata=setting("secret-values")
    )


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
    access: AccessConfig = field(default_factory=AccessConfig)
    dns: DnsConfig = field(default_factory=DnsConfig)


@dataclass(frozen=True)
class WatchConfig:
    """The production watch (docs/watch.md): who the alert issue is assigned
    to, where state changes are posted, and whether a watch run may send load or run flows
    that write. Read-only by default: a watch runs against production, where a load test is
    an incident and a `writes: true` flow creates real records."""

    assignees: tuple[str, ...] = field(default=(), metadata=setting("github-login"))
    # A Slack-compatible incoming webhook; the URL is itself the credential: redacted.
    webhook: str | None = field(default=None, repr=False, metadata=setting("secret-url"))
    load: bool = False
    writes: bool = False


@dataclass(frozen=True)
class Config:
    url: str | None = field(default=None, metadata=setting("url"))
    fail_on: str = field(default="blocker", metadata=setting("fail-on"))
    fail_closed: bool = True
    gate_on: str = field(default="all", metadata=setting("gate-on"))
    headers: Mapping[str, str] = field(
        default_factory=dict, repr=False, metadata=setting("secret-values")
    )
    ca_bundle: str | None = field(default=None, metadata=setting("file"))
    connect_to: Mapping[str, str] = field(default_factory=dict, metadata=setting("connect-to"))
    allow_private_targets: bool = False
    severity_overrides: Mapping[str, Severity] = field(
        default_factory=dict, metadata=setting("overrides")
    )
    identities: Mapping[str, IdentityConfig] = field(
        default_factory=dict, metadata=setting("identities")
    )
    checks: ChecksConfig = field(default_factory=ChecksConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    # Not YAML keys: where the config came from and what must be redacted everywhere.
    source: str | None = field(default=None, metadata={"internal": True})
    secret_values: frozenset[str] = field(
        default_factory=frozenset, repr=False, metadata={"internal": True}
    )
    # Identities whose credentials are missing where that is expected (a fork pull request
    # gets no secrets): name -> why. Checks skip what needs them, saying why.
    unavailable_identities: Mapping[str, str] = field(
        default_factory=dict, metadata={"internal": True}
    )

    @property
    def url_host(self) -> str | None:
        return host_of(self.url) or None if self.url else None

    @property
    def canonical_url(self) -> str | None:
        """The one URL visitors should end on: `checks.redirects.canonical`, else `url`."""
        return self.checks.redirects.canonical or self.url

    def credential_hosts(self) -> frozenset[str]:
        """The hosts that get the configured headers (and whose redirects a page fetch
        follows): exactly the hosts of `url` and `checks.redirects.canonical`. A subdomain, a
        CDN or an SSO provider never sees a bypass token or an Authorization header."""
        return frozenset(
            h for h in (host_of(u) for u in (self.url, self.checks.redirects.canonical) if u) if h
        )

    def dns_hosts(self) -> tuple[str, ...]:
        """`checks.dns.hosts`, defaulting to every host named elsewhere in the config, except
        `exposure.staging_hosts`: a staging host that does not resolve publicly is right."""
        if self.checks.dns.hosts:
            return self.checks.dns.hosts
        named = [host_of(url) for url in (self.url, self.checks.redirects.canonical) if url]
        named += [strip_port(h) for h in (*self.checks.tls.hosts, *self.checks.redirects.hosts)]
        return tuple(dict.fromkeys(h for h in named if h and not is_ip_literal(h)))
