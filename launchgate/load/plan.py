"""The plan the gate hands the Locust child on stdin (never on the command line or on disk:
it carries the configured headers, whose values are secrets).

The child connects **only** to `connect_host:connect_port`, an address the gate has already
resolved and checked against the private-target guard; the URL keeps the real host name for the
Host header, SNI and certificate verification (the connect_to semantics of curl).
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class PlanRoute:
    name: str
    method: str
    path: str
    weight: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    expect_status: int | None = None   # a 3xx here: the redirect is the answer, not followed


@dataclass(frozen=True)
class Plan:
    base_url: str                 # scheme://host[:port], no path
    host: str                     # the URL's host name (what the app sees)
    port: int                     # the URL's port
    connect_host: str             # the vetted address the child connects to
    connect_port: int
    users: int
    spawn_rate: float
    duration_s: float
    headers: dict[str, str]
    routes: tuple[PlanRoute, ...]
    verify: str | bool = True     # True: system roots; a path: extra roots added to them
    request_timeout_s: float = 30.0
    user_agent: str = "launchgate"
    workers: int = 0
    workers_timeout_s: float = 30.0   # how long the master waits for every worker to connect

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
        return cls(**data)
