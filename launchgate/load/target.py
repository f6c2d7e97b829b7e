"""What the load test may hit, decided before any load is sent: the one vetted address the
generator connects to (connect_to applied, private-target guard passed), and the plan built
from `checks.load`. Shared by the load check and the remote worker (`remote_worker.py`); both
turn a `TargetRefused` into their own error.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping

import httpcore

from launchgate.config import LoadConfig, LoadRoute
from launchgate.config.schema import IdentityConfig
from launchgate.http.transport import USER_AGENT, Endpoint, HttpContext, PrivateTargetError
from launchgate.load.plan import Plan, PlanIdentity, PlanRoute

REQUEST_TIMEOUT_S = 30.0
WORKERS_TIMEOUT_S = 30.0


class TargetRefused(Exception):
    """No load may be sent: the target is private (guard) or does not resolve. The message is
    safe to show."""


def refuse_private(http: HttpContext, host: str, port: int) -> None:
    """Refuse a private target up front; a name that does not resolve yet is left to the
    readiness wait."""
    try:
        http.resolve(host, port)
    except PrivateTargetError as exc:
        raise TargetRefused(f"{exc} (no load was sent)") from None
    except httpcore.ConnectError:
        pass


def vetted_endpoint(http: HttpContext, host: str, port: int) -> Endpoint:
    """The one address the load generator may connect to (connect_to applied, guard passed)."""
    try:
        endpoints = http.resolve(host, port)
    except PrivateTargetError as exc:
        raise TargetRefused(f"{exc} (no load was sent)") from None
    except httpcore.ConnectError as exc:
        raise TargetRefused(f"cannot resolve {host}: {exc}") from None
    if not endpoints:
        raise TargetRefused(f"cannot resolve {host}")
    return endpoints[0]


def default_routes(parts: urllib.parse.SplitResult) -> tuple[LoadRoute, ...]:
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return (LoadRoute(name=path, path=path),)


def build_plan(
    load: LoadConfig,
    http: HttpContext,
    parts: urllib.parse.SplitResult,
    endpoint: Endpoint,
    identities: Mapping[str, IdentityConfig] | None = None,
) -> Plan:
    """The plan for the Locust child (and any worker): the vetted target, the routes, and the
    credentials of the identities `load.as` names (round-robin over the users)."""
    connect_port = http.target_port(endpoint.host, endpoint.port)
    routes = load.routes or default_routes(parts)
    return Plan(
        # user:password in the URL stays: Locust turns it into basic auth, like the probe.
        base_url=f"{parts.scheme}://{parts.netloc}",
        host=endpoint.host,
        port=endpoint.port,
        connect_host=endpoint.address,
        connect_port=connect_port,
        users=load.users,
        spawn_rate=load.spawn_rate,
        duration_s=load.duration,
        headers=dict(http.headers),
        routes=tuple(
            PlanRoute(
                name=r.name,
                method=r.method,
                path=r.path,
                weight=r.weight,
                headers=dict(r.headers),
                json=r.json,
                expect_status=r.expect_status,
            )
            for r in routes
        ),
        verify=http.ca_bundle or True,
        request_timeout_s=REQUEST_TIMEOUT_S,
        user_agent=USER_AGENT,
        workers=load.workers,
        workers_timeout_s=max(WORKERS_TIMEOUT_S, load.ready_timeout),
        identities=tuple(PlanIdentity.of(name, (identities or {})[name]) for name in load.as_),
    )
