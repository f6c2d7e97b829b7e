"""The plan the gate hands the Locust child on stdin (never on the command line or on disk:
it carries the configured headers, whose values are secrets).

The child connects **only** to `connect_host:connect_port`, an address the gate has already
resolved and checked against the private-target guard; the URL keeps the real host name for the
Host header, SNI and certificate verification (the connect_to semantics of curl).

With `identities` (`checks.load.as`), each simulated user logs in once, as the next identity
in turn, before its first request: the plan then carries those identities' credentials (one
more reason it travels only on stdin).
"""

from __future__ import annotations

import dataclasses
import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from launchgate.config.schema import IdentityConfig, LoginConfig


@dataclass(frozen=True)
class PlanRoute:
    name: str
    method: str
    path: str
    weight: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    expect_status: int | None = None  # a 3xx here: the redirect is the answer, not followed


@dataclass(frozen=True)
class PlanIdentity:
    """An identity the users log in as: its name and its config, as plain JSON values."""

    name: str
    login: dict[str, Any] | None = field(default=None, repr=False)
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, name: str, identity: IdentityConfig) -> PlanIdentity:
        login = (
            None
            if identity.login is None
            else {
                f.name: _plain(getattr(identity.login, f.name))
                for f in dataclasses.fields(identity.login)
            }
        )
        return cls(name, login, dict(identity.headers))

    def config(self) -> IdentityConfig:
        return IdentityConfig(
            login=None if self.login is None else LoginConfig(**self.login),
            headers=dict(self.headers),
        )


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Plan:
    base_url: str  # scheme://host[:port], no path
    host: str  # the URL's host name (what the app sees)
    port: int  # the URL's port
    connect_host: str  # the vetted address the child connects to
    connect_port: int
    users: int
    spawn_rate: float
    duration_s: float
    headers: dict[str, str]
    routes: tuple[PlanRoute, ...]
    verify: str | bool = True  # True: system roots; a path: extra roots added to them
    request_timeout_s: float = 30.0
    user_agent: str = "launchgate"
    workers: int = 0
    workers_timeout_s: float = 30.0  # how long the master waits for every worker to connect
    identities: tuple[PlanIdentity, ...] = ()  # round-robin, one login per user (load.as)
    login_timeout_s: float = 60.0  # how long the run waits for every user's login

    @property
    def shared_base_url(self) -> str:
        """base_url without user:password, for anything sent to another process or machine."""
        parts = urllib.parse.urlsplit(self.base_url)
        netloc = parts.netloc.rpartition("@")[2]
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc))

    def dumps(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def loads(cls, text: str) -> Plan:
        data = json.loads(text)
        data["routes"] = tuple(PlanRoute(**r) for r in data["routes"])
        data["identities"] = tuple(PlanIdentity(**i) for i in data.get("identities", ()))
        return cls(**data)
