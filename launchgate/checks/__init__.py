"""The check registry: each name of `launchgate.names.CHECK_NAMES` (in run order) mapped to
its class, loaded lazily from its module.

Heavy dependencies (httpx, dnspython, locust, detect-secrets) are imported only when a check
runs, so `launchgate --version` stays fast. A check module exposes one class implementing
`launchgate.checks.base.Check`.
"""

from __future__ import annotations

import importlib

from launchgate.checks.base import Check

_IMPLEMENTATIONS: dict[str, str] = {
    "secrets": "launchgate.checks.secrets:SecretsCheck",  # pragma: allowlist secret
    "smoke": "launchgate.checks.smoke:SmokeCheck",
    "access": "launchgate.checks.access:AccessCheck",
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
