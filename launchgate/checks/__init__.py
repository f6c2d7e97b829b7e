"""The check registry: names (DESIGN.md §3) in run order, each loaded lazily from its module.

Heavy dependencies (httpx, dnspython, locust, detect-secrets) are imported only when a check
runs, so `launchgate --version` stays fast. A check module exposes one class implementing
`launchgate.checks.base.Check`.
"""

from __future__ import annotations

import importlib

from launchgate.checks.base import Check

# Run order: fast, local and decisive checks first; the load test last, as it takes longest.
CHECK_ORDER: tuple[str, ...] = (
    "secrets", "tls", "redirects", "headers", "exposure", "smoke", "dns", "load",
)

_IMPLEMENTATIONS: dict[str, str] = {
    "secrets": "launchgate.checks.secrets:SecretsCheck",  # pragma: allowlist secret
    "smoke": "launchgate.checks.smoke:SmokeCheck",
    "tls": "launchgate.checks.tls:TlsCheck",
    "redirects": "launchgate.checks.redirects:RedirectsCheck",
    "headers": "launchgate.checks.headers:HeadersCheck",
    "exposure": "launchgate.checks.exposure:ExposureCheck",
    "dns": "launchgate.checks.dns:DnsCheck",
    "load": "launchgate.checks.load:LoadCheck",
}


def is_available(name: str) -> bool:
    return name in _IMPLEMENTATIONS


def load_check(name: str) -> Check:
    module_name, _, attr = _IMPLEMENTATIONS[name].partition(":")
    check_class = getattr(importlib.import_module(module_name), attr)
    check: Check = check_class()
    return check
