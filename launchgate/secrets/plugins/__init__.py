"""launchgate's own detector plugins, on detect-secrets' plugin interface.

One module per provider family; each plugin is a detect-secrets `RegexBasedDetector`
(`_base.LaunchgateDetector`), enabled by default in the engine next to detect-secrets' own, so
baselines, `pragma: allowlist secret` and filters apply to them as to any detect-secrets
plugin. Every rule is written from the provider's published format (sources in each module).

A baseline records them the way `detect-secrets scan --plugin FILE` records a custom plugin,
`{"name": ..., "path": "file://..."}`, with a path relative to the directory detect-secrets
runs in (never an absolute path of the machine that wrote it): `launchgate/secrets/plugins/
<module>.py`. detect-secrets loads them from where that path resolves (a launchgate checkout,
or a site-packages directory); launchgate itself recognises them by name and never imports a
file a baseline names.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from launchgate.secrets.plugins import (
    ai,
    cloud,
    databases,
    devtools,
    github,
    gitlab,
    kubernetes,
    packages,
    slack,
)
from launchgate.secrets.plugins._base import STRENGTHS, LaunchgateDetector

MODULES = (github, gitlab, slack, packages, ai, cloud, devtools, databases, kubernetes)

# Bumped when a rule changes in a way its regexes do not show (an `accept` check).
RULES_VERSION = "1"


@lru_cache(maxsize=1)
def plugin_classes() -> tuple[type[LaunchgateDetector], ...]:
    """Every launchgate plugin class, in a stable order (module, then class name)."""
    found: list[type[LaunchgateDetector]] = []
    for module in MODULES:
        for name in sorted(vars(module)):
            value = vars(module)[name]
            if (
                isinstance(value, type)
                and issubclass(value, LaunchgateDetector)
                and value is not LaunchgateDetector
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return tuple(found)


def by_name() -> dict[str, type[LaunchgateDetector]]:
    return {cls.__name__: cls for cls in plugin_classes()}


def by_type() -> dict[str, type[LaunchgateDetector]]:
    return {str(cls.secret_type): cls for cls in plugin_classes()}


def strength_of(secret_type: str) -> str | None:
    """`checksum`, `exact` or `loose` for a launchgate secret type; None for detect-secrets'."""
    cls = by_type().get(secret_type)
    return cls.strength if cls is not None else None


def baseline_path(cls: type[LaunchgateDetector]) -> str:
    """The `path` a baseline records for a plugin (relative, see the module docstring)."""
    return "file://" + cls.__module__.replace(".", "/") + ".py"


def rules_digest() -> str:
    """A digest of every rule (regexes, strengths, RULES_VERSION): part of the cache key."""
    parts = [RULES_VERSION] + [
        f"{cls.__module__}.{cls.__name__}|{cls.secret_type}|{cls.strength}|"
        + "|".join(f"{r.pattern}/{r.flags}" for r in cls.denylist)
        for cls in plugin_classes()
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


__all__ = [
    "STRENGTHS",
    "LaunchgateDetector",
    "baseline_path",
    "by_name",
    "by_type",
    "plugin_classes",
    "rules_digest",
    "strength_of",
]
