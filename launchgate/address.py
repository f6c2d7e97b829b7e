"""Hosts, ports and URLs: the one parser for `host`, `host:port`, `[v6]:port` and the host
part of a URL. Standard library only.

A host is compared in one form everywhere: lower-case, without IPv6 brackets, without the
trailing dot of a fully qualified name, and in its ASCII (IDNA) spelling, which is what goes on
the wire, so `Bücher.Example.` and `xn--bcher-kva.example` are the same host. A port of None
means the scheme's default; an origin leaves the default port out.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import urllib.parse
from dataclasses import dataclass

DEFAULT_PORTS = {"http": 80, "https": 443}
DNS_PORT = 53
_PORT = re.compile(r"^\d{1,5}$")
_HOST_CHARS = re.compile(r"^[A-Za-z0-9._:-]+$")


@dataclass(frozen=True)
class HostPort:
    host: str  # normalized (see the module docstring)
    port: int | None  # None: the scheme's default port

    def for_scheme(self, scheme: str) -> int:
        return self.port or DEFAULT_PORTS[scheme]

    def netloc(self, scheme: str) -> str:
        """`host[:port]` for a URL of `scheme`, the default port left out."""
        port = self.for_scheme(scheme)
        return (
            bracketed(self.host)
            if port == DEFAULT_PORTS[scheme]
            else f"{bracketed(self.host)}:{port}"
        )


def normalize_host(host: str) -> str:
    """`[::1]` -> `::1`, `Example.COM.` -> `example.com`, `Bücher.example` ->
    `xn--bcher-kva.example`. A name IDNA cannot encode is kept (lower-cased) for the caller's
    own validation to refuse."""
    host = host.strip().strip("[]").rstrip(".").lower()
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return host


def bracketed(host: str) -> str:
    """An IPv6 literal in brackets, as in URLs and `host:port` text; other hosts unchanged."""
    return f"[{host}]" if ":" in host else host


def split_host(value: str) -> HostPort:
    """`example.com`, `example.com:8443`, `[::1]:8443` or `::1` -> HostPort (lenient: a port
    that is not a number stays part of the host, for the caller's validation to refuse)."""
    value = value.strip()
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return HostPort(normalize_host(host), int(port) if _PORT.match(port) else None)
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        if _PORT.match(port):
            return HostPort(normalize_host(host), int(port))
    return HostPort(normalize_host(value), None)


def parse_hostport(value: str) -> HostPort:
    """`host:port` or `[v6]:port` with the port required (an unbracketed `::1:443` reads as
    host `::1`, port 443). ValueError when it is not of that shape; the port's range is the
    caller's to check (`valid_port`)."""
    text = value.strip()
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
        if not sep:
            raise ValueError(f"not host:port: {value!r}")
    else:
        host, _, port = text.rpartition(":")
    if not host or not _HOST_CHARS.match(host) or not _PORT.match(port):
        raise ValueError(f"not host:port: {value!r}")
    return HostPort(normalize_host(host), int(port))


def valid_port(port: int | None) -> bool:
    return port is not None and 0 < port < 65536


def connect_key(host: str, port: int) -> str:
    """The key of a (host, port) pair in the `connect_to` map: `example.com:443`,
    `[::1]:443`."""
    return f"{bracketed(normalize_host(host))}:{port}"


def strip_port(value: str) -> str:
    """The host of a `host[:port]` value, normalized."""
    return split_host(value).host


def is_ip_literal(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return False
    return True


def parse_nameserver(text: str) -> tuple[str, int]:
    """`1.1.1.1`, `127.0.0.1:5300`, `::1` or `[::1]:5300` -> (address, port); ValueError
    unless the host is an IP address and the port 1..65535 (default 53)."""
    hp = split_host(text)
    port = DNS_PORT if hp.port is None else hp.port
    # Without a port the text must be the bare address: `1.1.1.1:x`, `[::1]x`, `1.1.1.1.`.
    unread = hp.port is None and text.strip().lower() not in (hp.host, bracketed(hp.host))
    if unread or not valid_port(port) or not is_ip_literal(hp.host):
        raise ValueError(f"not a nameserver address: {text!r}")
    return hp.host, port


def host_of(url: str) -> str:
    """The normalized host of a URL ('' when it has none)."""
    return normalize_host(urllib.parse.urlsplit(url).hostname or "")


def url_hostport(url: str) -> HostPort:
    """The host and explicit port of a URL; ValueError for a port that is not a number."""
    parts = urllib.parse.urlsplit(url)
    return HostPort(normalize_host(parts.hostname or ""), parts.port)


def connect_target(url: str) -> tuple[str, int]:
    """The host and the port a URL connects to: its own port, else its scheme's (https 443,
    anything else 80). ValueError for a port that is not a number."""
    hp = url_hostport(url)
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    return hp.host, hp.port or (443 if scheme == "https" else 80)


def origin(url: str) -> str:
    """`HTTPS://Example.com:443/x` -> `https://example.com`."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    hp = HostPort(normalize_host(parts.hostname or ""), parts.port)
    netloc = bracketed(hp.host)
    if hp.port and hp.port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{hp.port}"
    return f"{scheme}://{netloc}"
